"""use_ipvlan end to end: the ipvlan is made on eth0, adverts leave from its address.

Two nodes: A runs VI_1 with ``use_ipvlan ipvA 10.1.10.50/24`` and priority 100, B a plain
VI_1 at priority 90, MASTER first. A must create the L2 ipvlan ``ipvA`` with its address, become
MASTER with the VIP on eth0 (keepalived leaves VIPs on the base interface), preempting
B, which hears it from 10.1.10.50, and delete the ipvlan when it stops.

Skipped where the kernel has no ipvlan (checked with ``ip link add ... type ipvlan``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.configs import vrrp_conf
from tests.support.netns import NETNS, Lab, kaconf_run, sh, wait_for

pytestmark = NETNS

VIP = "10.1.10.243/24"


def _kernel_has_ipvlan(lab: Lab) -> bool:
    ns = lab.nodes["A"]
    out = sh("ip", "-n", ns, "link", "add", "ipvprobe", "link", "eth0", "type", "ipvlan",
             "mode", "l2", check=False)
    made = "ipvprobe" in sh("ip", "-n", ns, "-o", "link", "show", check=False)
    if made:
        sh("ip", "-n", ns, "link", "del", "ipvprobe", check=False)
    return made and "Unknown device type" not in out


def test_ipvlan_instance_takes_over_and_cleans_up(lab: Lab, tmp_path: Path) -> None:
    lab.add_node("A", "10.1.10.117/24")
    if not _kernel_has_ipvlan(lab):
        pytest.skip("this kernel has no ipvlan ('ip link add ... type ipvlan' fails)")
    lab.add_node("B", "10.1.10.185/24")
    conf_a = tmp_path / "A.conf"
    conf_a.write_text(vrrp_conf("A", 100, VIP,
                                extra="    use_ipvlan ipvA 10.1.10.50/24\n"))
    conf_b = tmp_path / "B.conf"
    conf_b.write_text(vrrp_conf("B", 90, VIP))
    b = lab.start("B", kaconf_run(conf_b, lab.workdir, "B"), "B")
    wait_for("B to take the VIP alone", lambda: lab.has_address("B", VIP), 15)
    a = lab.start("A", kaconf_run(conf_a, lab.workdir, "A"), "A")
    wait_for("A to create ipvA with its address",
             lambda: "10.1.10.50/24" in lab.addresses("A", "ipvA"), 15)
    assert "ipvlan" in sh("ip", "-n", lab.nodes["A"], "-d", "link", "show", "ipvA")
    wait_for("A to take the VIP on eth0", lambda: lab.has_address("A", VIP), 15)
    wait_for("B to release the VIP", lambda: not lab.has_address("B", VIP), 10)
    # B heard A's adverts from the ipvlan's address
    assert "Master received advert from 10.1.10.50 with higher priority 100" in b.log()
    assert a.stop() == 0
    wait_for("ipvA to be deleted",
             lambda: "ipvA" not in sh("ip", "-n", lab.nodes["A"], "-o", "link", "show"), 5)
    assert b.stop() == 0
