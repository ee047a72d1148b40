"""vrrp_track_process end to end: a tracked process started and stopped moves the instance.

One node in a namespace runs VI_1 alone with a weight-0 ``track_process`` on
``/bin/sleep N`` (N unique to this run, matched with ``full_command`` parameters): with
no such process it waits in FAULT; once one runs it takes the VIP; when it exits, its
terminate_delay passes and the instance goes back to FAULT and drops the VIP.

keepalived follows processes with the kernel's proc connector, which reports only to the
initial network namespace: in a test namespace it never hears of a process started
later, so it is no reference here (kaconfd scans /proc, see process_track.py).
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from tests.support.configs import vrrp_conf
from tests.support.netns import NETNS, Lab, kaconf_run, wait_for

pytestmark = NETNS

VIP = "10.1.10.241/24"


def test_process_quorum_moves_the_instance(lab: Lab, tmp_path: Path) -> None:
    marker = str(700000 + os.getpid() % 100000)  # "sleep <marker>": ours alone
    blocks = (f"vrrp_track_process tp {{\n    process /bin/sleep {marker}\n"
              "    terminate_delay 1\n}\n")
    conf = tmp_path / "A.conf"
    conf.write_text(vrrp_conf("A", 100, VIP, blocks=blocks,
                              extra="    track_process {\n        tp\n    }\n"))
    lab.add_node("A", "10.1.10.117/24")
    a = lab.start("A", kaconf_run(conf, lab.workdir, "A"), "A")
    wait_for("A to start in FAULT", lambda: "Entering FAULT STATE" in a.log(), 15)
    time.sleep(1.5)
    assert not lab.has_address("A", VIP)
    sleeper = subprocess.Popen(["/bin/sleep", marker])
    try:
        wait_for("the quorum to be gained",
                 lambda: "Quorum gained for tracked process tp" in a.log(), 5)
        wait_for("A to take the VIP", lambda: lab.has_address("A", VIP), 15)
    finally:
        sleeper.kill()
        sleeper.wait()
    lost = time.monotonic()
    wait_for("the quorum to be lost",
             lambda: "Quorum lost for tracked process tp" in a.log(), 5)
    assert time.monotonic() - lost >= 0.9  # terminate_delay 1
    wait_for("A to release the VIP", lambda: not lab.has_address("A", VIP), 5)
    assert a.stop() == 0
