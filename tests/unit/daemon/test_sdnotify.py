"""kaconfd.sdnotify: systemd's notify protocol against a socket the test listens on."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from kaconfd.sdnotify import Notifier


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(tmp_path / "notify"))
    sock.settimeout(2)
    yield sock
    sock.close()


def test_messages(listener: socket.socket, tmp_path: Path) -> None:
    n = Notifier(str(tmp_path / "notify"))
    assert n.enabled
    assert n.ready("running: VRRP")
    assert listener.recv(1024) == b"READY=1\nSTATUS=running: VRRP"
    assert n.reloading()
    fields = listener.recv(1024).decode().split("\n")
    assert fields[0] == "RELOADING=1" and fields[1].startswith("MONOTONIC_USEC=")
    assert int(fields[1].split("=")[1]) > 0
    assert n.stopping() and listener.recv(1024) == b"STOPPING=1"
    assert n.watchdog() and listener.recv(1024) == b"WATCHDOG=1"
    n.close()


def test_abstract_socket() -> None:
    name = f"kaconf-test-notify-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(2)
        assert Notifier("@" + name).ready()
        assert sock.recv(100) == b"READY=1"


def test_not_under_systemd_is_a_no_op(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    n = Notifier.from_environment()
    assert not n.enabled and not n.ready() and n.watchdog_interval is None


def test_a_socket_nobody_listens_on_never_raises(tmp_path: Path) -> None:
    assert not Notifier(str(tmp_path / "gone")).ready()


def test_environment_is_taken(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # the children and their scripts must not inherit the right to notify
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "notify"))
    monkeypatch.setenv("WATCHDOG_USEC", "3000000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    n = Notifier.from_environment()
    assert n.address == str(tmp_path / "notify")
    assert n.watchdog_interval == 1.5  # half of WatchdogSec
    assert "NOTIFY_SOCKET" not in os.environ and "WATCHDOG_USEC" not in os.environ


def test_a_watchdog_meant_for_another_process_is_ignored(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    monkeypatch.setenv("WATCHDOG_USEC", "3000000")
    monkeypatch.setenv("WATCHDOG_PID", "1")
    assert Notifier.from_environment().watchdog_interval is None
