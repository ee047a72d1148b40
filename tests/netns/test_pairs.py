"""Other pairs: unicast peers, VRRPv3 over IPv6, and interop with keepalived 2.2.7."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from tests.support.configs import vrrp_conf
from tests.support.netns import NETNS, Lab, Proc, kaconf_run, wait_for
from tests.support.paths import EXAMPLES

pytestmark = NETNS

TAKEOVER = 12.0


def _conf(tmp: Path, name: str, prio: int, vip: str, extra: str = "",
          globals_: str = "") -> Path:
    path = tmp / f"{name}.conf"
    path.write_text(vrrp_conf(name, prio, vip, globals_=globals_, extra=extra))
    return path


def _failover(lab: Lab, vip: str, a: Proc, b: Proc) -> None:
    """A is MASTER, B BACKUP; cut A: B takes over; restore A: A (preempt) takes it back."""
    wait_for("A to hold the VIP", lambda: lab.has_address("A", vip), 10)
    time.sleep(2.0)  # several adverts: B must stay BACKUP
    assert not lab.has_address("B", vip), "B took the VIP while A was MASTER"
    lab.set_link("A", False)
    wait_for("B to take the VIP", lambda: lab.has_address("B", vip), TAKEOVER)
    lab.set_link("A", True)
    wait_for("A to take the VIP back", lambda: lab.has_address("A", vip), TAKEOVER)
    wait_for("B to release it", lambda: not lab.has_address("B", vip), 5)


def test_unicast_pair(lab: Lab, tmp_path: Path) -> None:
    lab.add_node("A", "10.1.10.117/24")
    lab.add_node("B", "10.1.10.185/24")
    uni = "    unicast_src_ip {me}\n    unicast_peer {{\n        {peer}\n    }}\n"
    conf_a = _conf(tmp_path, "A", 100, "10.1.10.240/24",
                   uni.format(me="10.1.10.117", peer="10.1.10.185"))
    conf_b = _conf(tmp_path, "B", 99, "10.1.10.240/24",
                   uni.format(me="10.1.10.185", peer="10.1.10.117"))
    a = lab.start("A", kaconf_run(conf_a, lab.workdir, "A"), "A")
    wait_for("A to hold the VIP", lambda: lab.has_address("A", "10.1.10.240/24"), 10)
    b = lab.start("B", kaconf_run(conf_b, lab.workdir, "B"), "B")
    wait_for("B to enter BACKUP", lambda: "Entering BACKUP STATE (init)" in b.log(), 10)
    _failover(lab, "10.1.10.240/24", a, b)


def test_vrrpv3_ipv6_pair(lab: Lab, tmp_path: Path) -> None:
    lab.add_node("A", "fd00::117/64")
    lab.add_node("B", "fd00::185/64")
    vip = "fd00::240/64"
    a = lab.start("A", kaconf_run(_conf(tmp_path, "A", 100, vip), lab.workdir, "A"), "A")
    wait_for("A to hold the VIP", lambda: lab.has_address("A", vip), 10)
    # the line is logged just after the address is added: wait for it, bounded
    wait_for("A to announce the VIP with unsolicited NAs",
             lambda: "Sending/queueing Unsolicited Neighbour Adverts on eth0 for fd00::240"
             in a.log(), 5)
    b = lab.start("B", kaconf_run(_conf(tmp_path, "B", 99, vip), lab.workdir, "B"), "B")
    wait_for("B to enter BACKUP", lambda: "Entering BACKUP STATE (init)" in b.log(), 10)
    _failover(lab, vip, a, b)


def _keepalived(lab: Lab, node: str, conf: Path) -> Proc:
    wd = lab.workdir
    return lab.start(node, ["keepalived", "-n", "-l", "-D", "-P", "-f", str(conf),
                            "-p", str(wd / f"ka-{node}.pid"), "-r", str(wd / f"ka-{node}-vrrp.pid"),
                            "-c", str(wd / f"ka-{node}-checkers.pid")], f"keepalived-{node}")


@pytest.mark.skipif(shutil.which("keepalived") is None, reason="keepalived is not installed")
@pytest.mark.parametrize("version", [2, 3])
@pytest.mark.parametrize("real", ["A", "B"])
def test_interop_with_keepalived(lab: Lab, tmp_path: Path, version: int, real: str) -> None:
    """One side is keepalived 2.2.7: each must accept the other's adverts (checksums...)."""
    lab.add_node("A", "10.1.10.117/24")
    lab.add_node("B", "10.1.10.185/24")
    g = f"    vrrp_version {version}\n"
    auth = "    authentication {\n        auth_type PASS\n        auth_pass s3cret\n    }\n"
    extra = auth if version == 2 else ""
    conf_a = _conf(tmp_path, "A", 100, "10.1.10.240/24", extra, g)
    conf_b = _conf(tmp_path, "B", 99, "10.1.10.240/24", extra, g)
    start = {n: (lambda node, conf: _keepalived(lab, node, conf)) if n == real else
             (lambda node, conf: lab.start(node, kaconf_run(conf, lab.workdir, node), node))
             for n in ("A", "B")}
    a = start["A"]("A", conf_a)
    wait_for("A to hold the VIP", lambda: lab.has_address("A", "10.1.10.240/24"), 10)
    b = start["B"]("B", conf_b)
    wait_for("B to start", lambda: "BACKUP" in b.log(), 10)
    _failover(lab, "10.1.10.240/24", a, b)
    assert a.stop() == 0 and b.stop() == 0


@pytest.mark.skipif(shutil.which("keepalived") is None, reason="keepalived is not installed")
@pytest.mark.parametrize("real", ["A", "B"])
def test_interop_seed_nopreempt_holds(lab: Lab, real: str) -> None:
    """The seed pair with keepalived 2.2.7 on one side: failover, then nopreempt holds.

    serverA (priority 100, nopreempt) becomes MASTER; its link is cut, serverB takes the
    VIP; when A's link returns the VIP must stay on B, whichever side is the real
    keepalived.
    """
    examples = EXAMPLES
    vip = "10.1.10.240/24"
    lab.add_node("A", "10.1.10.117/24")
    lab.add_node("B", "10.1.10.185/24")

    def start(node: str) -> Proc:
        conf = examples / f"server{node}.conf"
        if node == real:
            return _keepalived(lab, node, conf)
        return lab.start(node, kaconf_run(conf, lab.workdir, node), node)

    a = start("A")
    wait_for("A to hold the VIP", lambda: lab.has_address("A", vip), 10)
    b = start("B")
    wait_for("B to start", lambda: "BACKUP" in b.log(), 10)
    time.sleep(2.0)  # several adverts: B must stay BACKUP
    assert not lab.has_address("B", vip), "B took the VIP while A was MASTER"
    lab.set_link("A", False)
    wait_for("B to take the VIP", lambda: lab.has_address("B", vip), TAKEOVER)
    wait_for("A to drop the VIP", lambda: not lab.has_address("A", vip), 5)
    lab.set_link("A", True)
    wait_for("A to see the link again", lambda: "Leaving FAULT" in a.log()
             or "Entering BACKUP" in a.log().rsplit("Entering FAULT", 1)[-1], 10)
    end = time.monotonic() + 5.0  # longer than A's master-down interval
    while time.monotonic() < end:
        assert not lab.has_address("A", vip), "A took the VIP back despite nopreempt"
        assert lab.has_address("B", vip), "B lost the VIP"
        time.sleep(0.2)
    assert a.stop() == 0 and b.stop() == 0
