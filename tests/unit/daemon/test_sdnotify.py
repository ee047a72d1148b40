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


def test_ready_waits_until_every_child_finished_the_reloads_sent(
        listener: socket.socket, tmp_path: Path) -> None:
    """READY=1 only once each child's hello reports a reload that saw every SIGHUP sent."""
    import asyncio
    from types import SimpleNamespace

    from kaconfd.sdnotify import Readiness

    done = {"n": 0}

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if (await reader.readline()).strip() == b"hello":
            writer.write(f"ok vrrp 42 {done['n']}\n".encode())
            await writer.drain()
        writer.close()

    async def main() -> list[bytes]:
        path = str(tmp_path / "child.sock")
        server = await asyncio.start_unix_server(serve, path)
        spec = SimpleNamespace(pid=42, retired=False, control_path=path, hups_sent=2,
                               title="VRRP")
        parent = SimpleNamespace(notifier=Notifier(str(tmp_path / "notify")),
                                 children=[spec], stopping=False)
        readiness = Readiness(parent)  # type: ignore[arg-type]
        readiness.announce()
        got: list[bytes] = []
        listener.setblocking(False)
        for step in range(40):
            await asyncio.sleep(0.05)
            if step == 10:
                done["n"] = 1  # a reload that had seen only the first SIGHUP
            if step == 20:
                done["n"] = 2
            try:
                got.append(listener.recv(100))
                got.append(str(step).encode())
                break
            except BlockingIOError:
                pass
        server.close()
        readiness.cancel()
        return got

    got = asyncio.run(main())
    assert got and got[0].startswith(b"READY=1")
    assert int(got[1]) >= 20  # not before the second reload was reported
