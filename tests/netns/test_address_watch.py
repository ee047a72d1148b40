"""An instance's source address followed over netlink, beside real keepalived 2.2.7.

Two nodes, each alone on its isolated bridge port: A runs kaconf, K (when keepalived
is installed) keepalived, with the same configuration. Their eth0 starts without an
address of the instance's family (IPv4; IPv6: no link-local address), so both start
VI_1 in FAULT; then the test changes the addresses on both the same way and compares
what the two daemons do:

1. the first address comes: the instance leaves FAULT (BACKUP, then MASTER: nobody
   else is there) and advertises from it;
2. another address comes, the first goes: the instance stays MASTER and advertises
   from the other one;
3. that one goes too: nothing is left (the VIP does not count), the instance goes
   to FAULT and gives up its VIP.

IPv4: the VIP and the two addresses are in different subnets, so that removing one
never takes another with it (the kernel removes a primary's secondaries).
"""

from __future__ import annotations

import ipaddress
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.configs import vrrp_conf
from tests.support.netns import NETNS, FrameCapture, Lab, Proc, kaconf_run, wait_for

pytestmark = NETNS

STATE_RE = re.compile(r"\(VI_1\) Entering (\w+) STATE")
#: BACKUP's master-down interval (3 x 1 s + skew) with slack for a loaded host
TAKEOVER = 8.0


@dataclass(frozen=True)
class Case:
    family: int
    vip: str
    first: str
    second: str

    def ip(self, text: str) -> str:
        return text.split("/")[0]


CASES = [Case(4, "10.9.9.9/24", "10.1.10.117/24", "10.2.0.5/24"),
         Case(6, "fd00::9/64", "fe80::5/64", "fe80::6/64")]


def _states(proc: Proc) -> list[str]:
    return STATE_RE.findall(proc.log())


def _keepalived(lab: Lab, conf: Path) -> Proc:
    d = lab.workdir
    return lab.start("K", ["keepalived", "-n", "-l", "-D", "-f", str(conf),
                           "-p", str(d / "K.pid"), "-r", str(d / "K-vrrp.pid"),
                           "-c", str(d / "K-checkers.pid")], "K")


def _sources(cap: FrameCapture) -> list[str]:
    """The source address of every VRRP advert captured (IPv4 and IPv6), in order."""
    out = []
    for f in cap.frames():
        ip = f[14:]
        if f[12:14] == b"\x08\x00" and len(ip) >= 20 and ip[9] == 112:
            out.append(str(ipaddress.IPv4Address(ip[12:16])))
        elif f[12:14] == b"\x86\xdd" and len(ip) >= 40 and ip[6] == 112:
            out.append(str(ipaddress.IPv6Address(ip[8:24])))
    return out


def _zero_priority_v4(cap: FrameCapture, src: str) -> int:
    """How many IPv4 adverts of priority 0 from ``src`` were captured."""
    count = 0
    for f in cap.frames():
        ip = f[14:]
        if (f[12:14] == b"\x08\x00" and len(ip) >= 24 and ip[9] == 112
                and str(ipaddress.IPv4Address(ip[12:16])) == src and ip[20 + 2] == 0):
            count += 1
    return count


@pytest.mark.parametrize("case", CASES, ids=["ipv4", "ipv6"])
def test_source_address_follows_the_interface_like_keepalived(lab: Lab, tmp_path: Path,
                                                               case: Case) -> None:
    conf = tmp_path / "node.conf"
    conf.write_text(vrrp_conf("node", 100, case.vip))
    nodes = ["A"] + (["K"] if shutil.which("keepalived") else [])
    for node in nodes:
        ns = lab.add_node(node)  # no address on eth0
        lab.isolate(node, True)  # the two daemons must not hear each other
        if case.family == 6:  # no link-local address either
            lab.ns_sh(ns, "ip", "link", "set", "eth0", "addrgenmode", "none")
            for addr in lab.addresses(node):
                lab.ns_sh(ns, "ip", "addr", "del", addr, "dev", "eth0")
    # ETH_P_ALL: a socket of one protocol does not see the frames the node sends
    caps = {node: FrameCapture(lab, node, 40, ethertype=0x0003) for node in nodes}
    procs = {"A": lab.start("A", kaconf_run(conf, lab.workdir, "A", "-D"), "A")}
    if "K" in nodes:
        procs["K"] = _keepalived(lab, conf)

    def ip(node: str, *argv: str) -> None:
        lab.ns_sh(lab.nodes[node], "ip", *argv)

    def started_in_fault(proc: Proc) -> Callable[[], bool]:
        line = f"(VI_1) entering FAULT state (no IPv{case.family} address for interface)"
        return lambda: line in proc.log()

    def holds_vip(node: str, held: bool = True) -> Callable[[], bool]:
        return lambda: lab.has_address(node, case.vip) == held

    def sends_from(node: str, src: str) -> Callable[[], bool]:
        return lambda: _sources(caps[node])[-2:] == [src] * 2

    for node, proc in procs.items():
        wait_for(f"{node} to start VI_1 in FAULT", started_in_fault(proc), 15)
    time.sleep(1.0)  # a FAULT instance sends nothing
    for node in nodes:
        assert not _sources(caps[node]), f"{node} advertised without an address"
        assert not lab.has_address(node, case.vip)

    # 1. the first address: out of FAULT, MASTER after the down timer, adverts from it
    first, second = case.ip(case.first), case.ip(case.second)
    for node in nodes:
        ip(node, "addr", "add", case.first, "dev", "eth0")
    for node in nodes:
        wait_for(f"{node} to take the VIP", holds_vip(node), TAKEOVER)
    a = procs["A"]
    assert f"Assigned address {first} for interface eth0" in a.log()
    assert "(VI_1) Leaving FAULT state" in a.log()
    wait_for("A's adverts", lambda: bool(_sources(caps["A"])), 3)
    assert set(_sources(caps["A"])) == {first}

    # 2. another address, then the first goes: still MASTER, adverts from the other one
    for node in nodes:
        ip(node, "addr", "add", case.second, "dev", "eth0")
        ip(node, "addr", "del", case.first, "dev", "eth0")
    for node in nodes:
        wait_for(f"{node} to advertise from {second}", sends_from(node, second), 4)
        assert lab.has_address(node, case.vip)

    # 3. nothing left but the VIP: FAULT, VIP removed; an IPv4 MASTER's priority-0
    # advert still goes out from the address just removed (its own IPv4 header)
    for node in nodes:
        ip(node, "addr", "del", case.second, "dev", "eth0")
    for node in nodes:
        wait_for(f"{node} to give up the VIP", holds_vip(node, False), 5)
    assert f"Deassigned address {second} from interface eth0" in a.log()
    assert "(VI_1) sent 0 priority" in a.log()
    assert "address event handler failed" not in a.log()
    time.sleep(1.5)
    seen = len(_sources(caps["A"]))
    time.sleep(1.5)
    assert len(_sources(caps["A"])) == seen, "A advertises in FAULT"
    if case.family == 4:
        zeros = {node: _zero_priority_v4(caps[node], str(second)) for node in nodes}
        # two, as keepalived: leaving MASTER for FAULT, then restoring the interface
        assert zeros["A"] == 2, zeros
        if "K" in zeros:
            assert zeros["K"] == zeros["A"], zeros

    sequences = {node: _states(proc) for node, proc in procs.items()}
    assert sequences["A"] == ["FAULT", "BACKUP", "MASTER", "FAULT"], sequences
    if "K" in sequences:
        # keepalived's own line for its start in FAULT is the lower-case one above
        assert sequences["K"] == sequences["A"][1:], sequences
        assert f"Assigned address {first} for interface eth0" in procs["K"].log()
        assert f"Deassigned address {second} from interface eth0" in procs["K"].log()
    for proc in procs.values():
        assert proc.stop() == 0
