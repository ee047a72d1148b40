"""kaconfd.logs: -D without library internals, keepalived's syslog facility and idents,
and --log-format json."""

from __future__ import annotations

import argparse
import io
import json
import logging
import logging.handlers
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from kaconfd.cli import add_arguments
from kaconfd.logs import LogOptions, setup_logging


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """setup_logging reconfigures the root logger: put pytest's back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    quiet = {n: logging.getLogger(n).level for n in ("pyroute2", "asyncio")}
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    for name, lvl in quiet.items():
        logging.getLogger(name).setLevel(lvl)


@pytest.fixture
def syslog(tmp_path: Path) -> Iterator[socket.socket]:
    """A syslog daemon of our own: a datagram socket the handler writes to."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(tmp_path / "log"))
    sock.settimeout(2)
    yield sock
    sock.close()


def _console(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    out = io.StringIO()
    monkeypatch.setattr(sys, "stderr", out)
    return out


def test_detail_adds_our_debug_lines_never_library_internals(
        restore_logging: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    out = _console(monkeypatch)
    setup_logging("Keepalived_vrrp", LogOptions(console=True, detail=True,
                                                syslog_address=str(tmp_path / "none")))
    logging.getLogger("Keepalived_vrrp").debug("(VI_1) discarding advert: detail")
    logging.getLogger("pyroute2.netlink.nlsocket").debug("netlink message dump")
    logging.getLogger("asyncio").debug("Using selector: EpollSelector")
    logging.getLogger("pyroute2").warning("a real pyroute2 problem")
    text = out.getvalue()
    assert "(VI_1) discarding advert: detail" in text
    assert "netlink message dump" not in text and "Using selector" not in text
    assert "a real pyroute2 problem" in text


def test_without_detail_debug_lines_are_dropped(
        restore_logging: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    out = _console(monkeypatch)
    setup_logging("Keepalived_vrrp", LogOptions(console=True,
                                                syslog_address=str(tmp_path / "none")))
    logging.getLogger("Keepalived_vrrp").debug("detail")
    logging.getLogger("Keepalived_vrrp").info("(VI_1) Entering MASTER STATE")
    assert out.getvalue().count("\n") == 1
    assert f"Keepalived_vrrp[{os.getpid()}]: (VI_1) Entering MASTER STATE" in out.getvalue()


@pytest.mark.parametrize(("flag", "code"), [(None, 3), ("0", 16), ("3", 19), ("7", 23),
                                           ("local5", 21), ("user", 1), ("daemon", 3)])
@pytest.mark.parametrize("ident", ["Keepalived", "Keepalived_vrrp",
                                   "Keepalived_healthcheckers"])
def test_syslog_facility_and_ident_as_keepalived(
        restore_logging: None, syslog: socket.socket, tmp_path: Path, flag: str | None,
        code: int, ident: str) -> None:
    # keepalived: LOG_DAEMON (3) by default, -S N / localN is LOG_LOCALN (16 + N), also
    # user / daemon; the ident is the process's (Keepalived, Keepalived_vrrp,
    # Keepalived_healthcheckers) with its pid
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["-S", flag] if flag is not None else [])
    setup_logging(ident, LogOptions(facility=args.log_facility,
                                    syslog_address=str(tmp_path / "log")))
    logging.getLogger(ident).warning("(VI_1) received an invalid advert")
    line = syslog.recv(4096).decode()
    priority = code * 8 + 4  # LOG_WARNING
    assert line.rstrip("\0") == (f"<{priority}>{ident}[{os.getpid()}]: "
                                 "(VI_1) received an invalid advert")


def test_json_log_format(restore_logging: None, monkeypatch: pytest.MonkeyPatch,
                         tmp_path: Path) -> None:
    out = _console(monkeypatch)
    setup_logging("Keepalived_vrrp", LogOptions(console=True, json=True,
                                                syslog_address=str(tmp_path / "none")))
    logging.getLogger("Keepalived_vrrp").info('(VI_1) Entering "MASTER" STATE')
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("Keepalived_vrrp").exception("child failed")
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert set(first) == {"time", "level", "process", "pid", "message"}
    assert first["level"] == "info" and first["process"] == "Keepalived_vrrp"
    assert first["pid"] == os.getpid() and first["message"] == '(VI_1) Entering "MASTER" STATE'
    assert first["time"][:4].isdigit() and "T" in first["time"]
    assert second["level"] == "error" and "ValueError: boom" in second["message"]


@pytest.mark.parametrize("flag", ["8", "local8", "kern", "-1"])
def test_bad_facility_is_refused(flag: str) -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    with pytest.raises(SystemExit):
        parser.parse_args(["-S", flag])


def test_a_library_resetting_its_level_later_stays_quiet(
        restore_logging: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # pyroute2 sets its logger to level 0 when first imported, after logging is set up
    out = _console(monkeypatch)
    setup_logging("Keepalived_vrrp", LogOptions(console=True, detail=True,
                                                syslog_address=str(tmp_path / "none")))
    logging.getLogger("pyroute2").setLevel(0)
    logging.getLogger("pyroute2.netlink.core").debug("await data on queue")
    assert out.getvalue() == ""
