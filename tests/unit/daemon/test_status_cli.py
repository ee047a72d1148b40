"""kaconf status: the client (a fake daemon answers) and the rich view."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from kaconfd import statuscli
from kaconfd.statusview import ago, render
from rich.console import Console

from kaconf.exitstatus import ExitStatus
from tests.unit.daemon.test_metrics import STATUS


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[Path]:
    """A control socket answering every ``status`` line with :data:`STATUS`."""
    path = tmp_path / "control.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen()
    server.settimeout(10)

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                if conn.recv(100) == b"status\n":
                    conn.sendall(json.dumps(STATUS).encode() + b"\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield path
    server.close()


def _args(control: Path, *extra: str):  # type: ignore[no-untyped-def]
    import argparse

    p = argparse.ArgumentParser()
    statuscli.add_arguments(p)
    return p.parse_args(["--control", str(control), *extra])


def test_json_is_the_daemon_object(daemon: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert statuscli.run(_args(daemon, "--json")) == ExitStatus.OK
    assert json.loads(capsys.readouterr().out) == STATUS


def test_no_daemon(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert statuscli.run(_args(tmp_path / "none")) == ExitStatus.USAGE
    assert "cannot ask the daemon" in capsys.readouterr().err


def test_json_does_not_import_rich(daemon: Path) -> None:
    code = ("import sys, argparse; from kaconfd import statuscli; p = argparse.ArgumentParser();"
            f"statuscli.add_arguments(p); statuscli.run(p.parse_args(['--control', "
            f"{str(daemon)!r}, '--json'])); print('rich' in sys.modules, file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True)
    assert out.stderr.strip() == "False"


def test_text_view() -> None:
    console = Console(record=True, width=160)
    console.print(render({**STATUS, "time": 75.0}))
    text = console.export_text()
    for word in ("VI_1", "BACKUP", "100 -> 90", "10.0.0.2", "1m15s ago", "start-up",
                 "10.0.0.11/24", "10.0.1.1/32 (excluded)", "10.0.0.10:80", "quorum up",
                 "10.0.0.20:80", "alive", "TCP_CHECK up", "connected", "answering"):
        assert word in text, word


def test_ago() -> None:
    assert ago(None, 0) == "-"
    assert ago(0, 5) == "5s ago"
    assert ago(0, 3600 * 2 + 300) == "2h05m ago"
    assert ago(0, 86400 * 3 + 3600) == "3d01h ago"


def test_watch_redraws_until_interrupted(monkeypatch: pytest.MonkeyPatch) -> None:
    from kaconfd import statusview

    calls: list[int] = []

    def fetch() -> dict:  # type: ignore[type-arg]
        calls.append(1)
        if len(calls) == 2:
            raise OSError("gone")  # drawn as a message, the watch goes on
        if len(calls) > 3:
            raise KeyboardInterrupt
        return STATUS

    monkeypatch.setattr(statusview.time, "sleep", lambda s: None)
    assert statusview.watch(fetch, 0.5) == ExitStatus.OK
    assert len(calls) == 4
