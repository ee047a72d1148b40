"""vrrp_track_process end to end: a tracked process started and stopped moves the instance.

One node in a namespace runs VI_1 alone with a weight-0 ``track_process`` on
``/bin/sleep N`` (N unique to this run, matched with ``full_command`` parameters): with
no such process it waits in FAULT; once one runs it takes the VIP; when it exits, its
terminate_delay passes and the instance goes back to FAULT and drops the VIP.

keepalived follows processes with the kernel's proc connector, which reports only to the
initial network namespace: in a test namespace it never hears of a process started
later ("Failed to set/clear process event listen - errno 111"), nor, then, of one
already running (it scans /proc only once its listener works). It is the reference only
for a start without the process: both stay in FAULT with the same log line.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.configs import vrrp_conf
from tests.support.netns import NETNS, Lab, Proc, kaconf_run, wait_for

pytestmark = NETNS

VIP = "10.1.10.241/24"


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _conf(tmp_path: Path, marker: str) -> Path:
    blocks = (f"vrrp_track_process tp {{\n    process /bin/sleep {marker}\n"
              "    terminate_delay 1\n}\n")
    conf = tmp_path / "A.conf"
    conf.write_text(vrrp_conf("A", 100, VIP, blocks=blocks,
                              extra="    track_process {\n        tp\n    }\n"))
    return conf


def test_process_quorum_moves_the_instance(lab: Lab, tmp_path: Path) -> None:
    marker = str(700000 + os.getpid() % 100000)  # "sleep <marker>": ours alone
    conf = _conf(tmp_path, marker)
    lab.add_node("A", "10.1.10.117/24")
    a = lab.start("A", kaconf_run(conf, lab.workdir, "A"), "A")
    wait_for("A to start in FAULT", lambda: "Entering FAULT STATE" in a.log(), 15)
    # keepalived's line for the start-up scan
    assert "(VI_1) entering FAULT state (tracked process tp quorum not achieved)" in a.log()
    time.sleep(1.5)
    assert not lab.has_address("A", VIP)
    sleeper = subprocess.Popen(["/bin/sleep", marker])
    try:
        wait_for("the quorum to be gained",
                 lambda: "Quorum gained for tracked process tp" in a.log(), 5)
        wait_for("A to take the VIP", lambda: lab.has_address("A", VIP), 15)
        data = lab.workdir / "A.data"
        a.signal(signal.SIGUSR1)
        wait_for("the data file", lambda: "Have quorum = true" in _read(data), 10)
        block = _read(data).split(" VRRP Track process = tp", 1)[1]
        assert "   Current processes = 1\n" in block
        assert "   Fork delay timer not running\n   Terminate delay timer not running" in block
    finally:
        sleeper.kill()
        sleeper.wait()
    lost = time.monotonic()
    wait_for("the quorum to be lost",
             lambda: "Quorum lost for tracked process tp" in a.log(), 5)
    assert time.monotonic() - lost >= 0.9  # terminate_delay 1
    wait_for("A to release the VIP", lambda: not lab.has_address("A", VIP), 5)
    assert a.stop() == 0


def test_start_without_the_process_agrees_with_keepalived(lab: Lab, tmp_path: Path) -> None:
    if shutil.which("keepalived") is None:
        pytest.skip("keepalived is not installed: no reference to compare with")
    conf = _conf(tmp_path, str(800000 + os.getpid() % 100000))
    lab.add_node("A", "10.1.10.117/24")
    wd = lab.workdir
    line = "(VI_1) entering FAULT state (tracked process tp quorum not achieved)"
    for name, argv in (
            ("kaconf", kaconf_run(conf, wd, "A")),
            ("keepalived", ["keepalived", "-n", "-l", "-P", "-f", str(conf), "-p",
                            str(wd / "ka.pid"), "-r", str(wd / "ka-vrrp.pid"), "-c",
                            str(wd / "ka-checkers.pid")])):
        proc: Proc = lab.start("A", argv, name)
        wait_for(f"{name}'s FAULT line", lambda p=proc: line in p.log(), 15)
        time.sleep(4.5)  # longer than a master-down interval
        assert not lab.has_address("A", VIP)
        assert proc.stop() == 0
