"""use_vmac between two namespaces: the VIP and the adverts carry the virtual MAC.

A (priority 100) and B (99) run VI_1 / VRID 90 with ``use_vmac``. Each creates
``vrrp.90`` (private macvlan on eth0, MAC 00:00:5e:00:01:5a); the MASTER's holds the
VIP, its adverts leave with that source MAC, and a third node resolves the VIP to it.
When A stops, its VMAC is deleted and B's VMAC takes the VIP and the adverts.
Also here: ``no_accept`` puts the MASTER's VIPs into nftables' drop set.
"""

from __future__ import annotations

import re
import shutil
import socket
import sys
from pathlib import Path

import pytest

from tests.support.netns import NETNS, FrameCapture, Lab, kaconf_run, wait_for

pytestmark = NETNS

VIP = "10.1.10.240/24"
VMAC = "00:00:5e:00:01:5a"
A_ADDR, B_ADDR, C_ADDR = "10.1.10.117/24", "10.1.10.185/24", "10.1.10.50/24"
TAKEOVER = 12.0

CONF = """global_defs {{
  router_id {name}
}}
vrrp_instance VI_1 {{
  state BACKUP
  interface eth0
  virtual_router_id 90
  priority {priority}
  advert_int 1
  use_vmac
  virtual_ipaddress {{
    10.1.10.240/24
  }}
}}
"""

class AdvertCapture(FrameCapture):
    """VRRP adverts seen on a node's eth0 (bounded by ``seconds``).

    ETH_P_ALL, because an advert from a peer's VMAC with our VMAC's MAC is handed by the
    macvlan driver to our VMAC before an ETH_P_IP socket on eth0 would see it.
    """

    def __init__(self, lab: Lab, node: str, seconds: float, name: str) -> None:
        super().__init__(lab, node, seconds, ethertype=0x0003, name=name)

    def count(self, mac: str, src_ip: str) -> int:
        want = socket.inet_aton(src_ip)
        return sum(1 for m, ip, _vrrp in self.vrrp_adverts() if m.hex(":") == mac and ip == want)


def _link(lab: Lab, node: str, dev: str) -> str:
    return lab.ns_sh(lab.nodes[node], "ip", "-d", "-o", "link", "show", "dev", dev,
                     check=False)


def _addrs(lab: Lab, node: str, dev: str) -> list[str]:
    """Addresses on ``dev``; none while it does not exist (yet)."""
    out = lab.ns_sh(lab.nodes[node], "ip", "-o", "addr", "show", "dev", dev, check=False)
    return re.findall(r"inet6? (\S+)", out)


def _sysctl(lab: Lab, node: str, key: str) -> str:
    return lab.ns_sh(lab.nodes[node], "sysctl", "-n", key).strip()


def test_vmac_holds_vip_sends_adverts_and_fails_over(lab: Lab, tmp_path: Path) -> None:
    confs = {}
    for node, prio in (("A", 100), ("B", 99)):
        confs[node] = tmp_path / f"{node}.conf"
        confs[node].write_text(CONF.format(name=node, priority=prio))
    lab.add_node("A", A_ADDR)
    lab.add_node("B", B_ADDR)
    lab.add_node("C", C_ADDR)
    before = _sysctl(lab, "A", "net.ipv4.conf.eth0.arp_ignore")
    capture = AdvertCapture(lab, "B", 30, "cap-B")
    a = lab.start("A", kaconf_run(confs["A"], lab.workdir, "A"), "A")
    wait_for("A to put the VIP on vrrp.90", lambda: VIP in _addrs(lab, "A", "vrrp.90"), 10)
    link = _link(lab, "A", "vrrp.90")
    assert VMAC in link and "macvlan mode private" in link and "@eth0" in link
    assert VIP not in lab.addresses("A", "eth0")
    assert _sysctl(lab, "A", "net.ipv4.conf.eth0.arp_ignore") == "1"
    assert _sysctl(lab, "A", "net.ipv4.conf.eth0.arp_filter") == "1"
    assert _sysctl(lab, "A", "net.ipv4.conf.vrrp/90.arp_ignore") == "1"
    assert _sysctl(lab, "A", "net.ipv4.conf.vrrp/90.rp_filter") == "0"

    b = lab.start("B", kaconf_run(confs["B"], lab.workdir, "B"), "B")
    wait_for("B to enter BACKUP", lambda: "(VI_1) Entering BACKUP STATE" in b.log(), 10)
    wait_for("B's own VMAC", lambda: VMAC in _link(lab, "B", "vrrp.90"), 5)
    assert VIP not in _addrs(lab, "B", "vrrp.90")
    wait_for("adverts from A with the virtual MAC as source",
             lambda: capture.count(VMAC, "10.1.10.117") >= 2, 5)
    # A third host resolves the VIP to the virtual MAC (a UDP datagram triggers the ARP).
    lab.ns_sh(lab.nodes["C"], sys.executable, "-c", "import socket; socket.socket("
              "socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('10.1.10.240', 9))")
    wait_for("C to resolve the VIP to the virtual MAC", lambda: VMAC in lab.ns_sh(
        lab.nodes["C"], "ip", "neigh", "show", "10.1.10.240"), 5)

    assert a.stop() == 0
    wait_for("B to put the VIP on its vrrp.90",
             lambda: VIP in _addrs(lab, "B", "vrrp.90"), TAKEOVER)
    assert _link(lab, "A", "vrrp.90") == "", "A left its VMAC behind"
    assert _sysctl(lab, "A", "net.ipv4.conf.eth0.arp_ignore") == before
    capture_a = AdvertCapture(lab, "A", 10, "cap-A")
    wait_for("adverts from B with the virtual MAC as source",
             lambda: capture_a.count(VMAC, "10.1.10.185") >= 2, 5)
    assert b.stop() == 0
    assert _link(lab, "B", "vrrp.90") == ""


NO_ACCEPT = CONF.replace("  use_vmac\n", "  no_accept\n")


def test_no_accept_master_drops_traffic_to_its_vips(lab: Lab, tmp_path: Path) -> None:
    """no_accept: while MASTER the VIP is in nftables' drop set; the set goes at stop."""
    if shutil.which("nft") is None:
        pytest.skip("no nft command here")
    conf = tmp_path / "A.conf"
    conf.write_text(NO_ACCEPT.format(name="A", priority=100))
    ns = lab.add_node("A", A_ADDR)
    a = lab.start("A", kaconf_run(conf, lab.workdir, "A"), "A")
    wait_for("A to become MASTER", lambda: lab.has_address("A", VIP), 10)
    wait_for("the VIP in the drop set", lambda: "10.1.10.240" in lab.ns_sh(
        ns, "nft", "list", "set", "ip", "keepalived", "vips", check=False), 5)
    ruleset = lab.ns_sh(ns, "nft", "list", "table", "ip", "keepalived")
    assert "ip daddr @vips drop" in ruleset and "ip saddr @vips drop" in ruleset
    assert a.stop() == 0
    assert "keepalived" not in lab.ns_sh(ns, "nft", "list", "tables")
