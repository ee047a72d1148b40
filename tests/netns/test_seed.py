"""The seed scenario between two namespaces, with the operator's own files.

serverA (priority 100, nopreempt) and serverB (99) share VI_1/VRID 90 and
10.1.10.240/24 on eth0. A becomes MASTER and announces the VIP with gratuitous ARPs;
when A's cable is cut B takes over; when it is back the VIP stays on B (nopreempt).
"""

from __future__ import annotations

import time
from pathlib import Path

from tests.support.netns import NETNS, ArpCapture, Lab, Proc, kaconf_run, wait_for
from tests.support.paths import EXAMPLES

pytestmark = NETNS

VIP = "10.1.10.240/24"
A_ADDR, B_ADDR = "10.1.10.117/24", "10.1.10.185/24"
# Master-down interval (3 x 1 s + skew) plus link detection, with slack for a loaded host.
TAKEOVER = 12.0


def _pair(lab: Lab, conf_a: Path, conf_b: Path) -> tuple[Proc, Proc]:
    lab.add_node("A", A_ADDR)
    lab.add_node("B", B_ADDR)
    a = lab.start("A", kaconf_run(conf_a, lab.workdir, "A"), "A")
    wait_for("A to become MASTER and add the VIP", lambda: lab.has_address("A", VIP), 10)
    b = lab.start("B", kaconf_run(conf_b, lab.workdir, "B"), "B")
    wait_for("B to enter BACKUP", lambda: "Entering BACKUP STATE (init)" in b.log(), 10)
    return a, b


def test_seed_master_garp_failover_and_nopreempt(lab: Lab) -> None:
    lab.add_node("A", A_ADDR)
    lab.add_node("B", B_ADDR)
    capture = ArpCapture(lab, "B", seconds=30)
    a = lab.start("A", kaconf_run(EXAMPLES / "serverA.conf", lab.workdir, "A"), "A")
    wait_for("A to become MASTER and add the VIP", lambda: lab.has_address("A", VIP), 10)
    wait_for("a gratuitous ARP for the VIP on the wire",
             lambda: capture.gratuitous_for("10.1.10.240") >= 1, 5)
    b = lab.start("B", kaconf_run(EXAMPLES / "serverB.conf", lab.workdir, "B"), "B")
    wait_for("B to enter BACKUP", lambda: "(VI_1) Entering BACKUP STATE (init)" in b.log(), 10)
    log_a = a.log()
    assert "(VI_1) Entering MASTER STATE" in log_a
    assert "(VI_1) Sending/queueing gratuitous ARPs on eth0 for 10.1.10.240" in log_a
    # The second burst, garp_master_delay (5 s) later.
    wait_for("the delayed second GARP burst",
             lambda: capture.gratuitous_for("10.1.10.240") >= 10, 8)
    assert not lab.has_address("B", VIP)

    lab.set_link("A", False)
    wait_for("B to take the VIP", lambda: lab.has_address("B", VIP), TAKEOVER)
    wait_for("A to drop the VIP in FAULT", lambda: not lab.has_address("A", VIP), 5)
    assert "(VI_1) Entering FAULT STATE" in a.log()

    lab.set_link("A", True)
    wait_for("A to come back as BACKUP",
             lambda: "(VI_1) Leaving FAULT state" in a.log(), 10)
    # Longer than A's master-down interval: nopreempt keeps A behind B.
    _vip_stays_on_b(lab, seconds=5.0)
    assert lab.has_address("B", VIP) and not lab.has_address("A", VIP)
    assert a.stop() == 0 and b.stop() == 0


def _vip_stays_on_b(lab: Lab, seconds: float) -> None:
    """Over ``seconds``, the VIP must stay on B and never reappear on A."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        assert not lab.has_address("A", VIP), "A took the VIP back despite nopreempt"
        time.sleep(0.2)


def test_preempt_variant_gives_the_vip_back(lab: Lab, tmp_path: Path) -> None:
    conf_a = tmp_path / "serverA-preempt.conf"
    conf_a.write_text((EXAMPLES / "serverA.conf").read_text().replace("nopreempt\n", ""))
    a, b = _pair(lab, conf_a, EXAMPLES / "serverB.conf")
    lab.set_link("A", False)
    wait_for("B to take the VIP", lambda: lab.has_address("B", VIP), TAKEOVER)
    lab.set_link("A", True)
    wait_for("A to preempt and take the VIP back", lambda: lab.has_address("A", VIP), TAKEOVER)
    wait_for("B to release the VIP", lambda: not lab.has_address("B", VIP), 5)


def test_sigterm_of_master_hands_over_at_once(lab: Lab, tmp_path: Path) -> None:
    marker = tmp_path / "stopped"
    conf_a = tmp_path / "serverA-notify.conf"
    conf_a.write_text((EXAMPLES / "serverA.conf").read_text().replace(
        "advert_int 1\n", f'advert_int 1\nnotify_stop "/bin/touch {marker}"\n').replace(
        "router_id aaa\n", "router_id aaa\nenable_script_security\nscript_user root\n"))
    a, b = _pair(lab, conf_a, EXAMPLES / "serverB.conf")
    a.signal(15)
    # Priority 0: B takes over after its skew time (< 1 s), not the 3.6 s down interval.
    wait_for("B to take the VIP after the priority-0 advert",
             lambda: lab.has_address("B", VIP), 3.0)
    wait_for("A to exit", lambda: not a.alive(), 10)
    assert a.popen.returncode == 0
    assert not lab.has_address("A", VIP)
    assert marker.exists(), "notify_stop did not run"
    log_a = a.log()
    assert "(VI_1) sent 0 priority" in log_a and "(VI_1) removing VIPs." in log_a
    assert "Backup received priority 0 advertisement" in b.log()
