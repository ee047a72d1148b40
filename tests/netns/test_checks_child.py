"""The checker child as the parent will run it: its own process, signals and watchdog socket.

``kaconfd.check.child.checker_main`` runs in a subprocess (as in a forked child: fresh loop,
signal handlers of its own).  The test talks to it the way daemon/parent.py does: ``hello``
on the UNIX control socket, SIGUSR1 for the data file, SIGHUP to reload, SIGTERM to stop.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

_CHILD = r"""
import logging, sys
import kaconf
from kaconfd.check.child import checker_main

path, control, data = sys.argv[1:4]
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
cfg = kaconf.load_full(path).config
sys.exit(checker_main(cfg, control_path=control, data_file=data, config_path=path,
                      log=logging.getLogger("Keepalived_healthcheckers")))
"""


def conf(real_servers: list[str]) -> str:
    body = "".join(f"  real_server {a} 80 {{\n  }}\n" for a in real_servers)
    return textwrap.dedent("""
        virtual_server 192.0.2.1 80 {
          protocol TCP
          lb_algo rr
        """) + body + "}\n"


def until(pred, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout}s")
        time.sleep(0.02)


def hello(path: str) -> bytes:
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(5)
        s.connect(path)
        s.sendall(b"hello\n")
        return s.recv(100)


def test_checker_main_watchdog_dump_reload_and_stop(tmp_path: Path) -> None:
    cfg = tmp_path / "keepalived.conf"
    cfg.write_text(conf(["192.0.2.10"]))
    control = str(tmp_path / "check.sock")
    data = tmp_path / "check.data"
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(cfg), control, str(data)],
                            stderr=subprocess.PIPE, text=True)
    try:
        until(lambda: os.path.exists(control), 10, "control socket")
        assert hello(control) == f"ok check {proc.pid} 0\n".encode()

        def dump_now() -> str:
            if data.exists():
                data.unlink()
            os.kill(proc.pid, signal.SIGUSR1)
            until(data.exists, 5, "data file")
            return data.read_text()

        until(lambda: "192.0.2.10:80" in dump_now(), 10, "first dump")
        cfg.write_text(conf(["192.0.2.11", "192.0.2.12"]))
        os.kill(proc.pid, signal.SIGHUP)
        until(lambda: "192.0.2.11:80" in dump_now(), 10, "dump after reload")
        text = dump_now()
        assert "192.0.2.12:80" in text
        assert "192.0.2.10:80" not in text
        os.kill(proc.pid, signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "Reloaded: 1 virtual server(s)" in err
    assert not os.path.exists(control)
