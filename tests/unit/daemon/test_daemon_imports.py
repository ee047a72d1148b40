"""What the daemon's processes import (pyroute2 stays out of the VRRP child), and rtnl.

pyroute2 costs the VRRP child ~8.5 MB (a third of the whole process tree); the child
talks rtnetlink through :mod:`kaconfd.rtnl` and pyroute2 is imported only for a request
rtnl does not encode. Checked in a fresh interpreter, through ``sys.modules``.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support.paths import REPO


def _modules(code: str) -> set[str]:
    proc = subprocess.run([sys.executable, "-c", code + "; import json, sys; "
                           "print(json.dumps(sorted(sys.modules)))"],
                          capture_output=True, text=True, cwd=REPO, check=True)
    return set(json.loads(proc.stdout.splitlines()[-1]))


def test_vrrp_child_code_does_not_import_pyroute2() -> None:
    modules = _modules("import kaconfd.vrrp.child, kaconfd.parent")
    assert "kaconfd.rtnl" in modules
    assert {m for m in modules if m.split(".")[0] == "pyroute2"} == set()


def test_rtnl_knows_what_netlink_asks() -> None:
    """The requests kaconfd.netlink makes are encoded by rtnl, not handed to pyroute2."""
    from kaconfd.rtnl import AsyncIPRoute

    known = AsyncIPRoute._known
    assert known("link", "add", {"ifname": "v", "kind": "macvlan", "link": 2,
                                 "macvlan_mode": "private", "address": "00:00:5e:00:01:01"})
    assert known("addr", "add", {"index": 2, "address": "10.0.0.1", "prefixlen": 32,
                                 "label": "eth0:1", "scope": 0, "broadcast": "10.0.0.1",
                                 "flags": 2})
    assert known("route", "del", {"dst": "10.0.0.0/8", "table": 254, "type": "unicast",
                                  "family": 2, "oif": 3, "priority": 5})
    assert known("rule", "add", {"family": 2, "table": 100, "action": "FR_ACT_TO_TBL",
                                 "src": "10.0.0.1", "src_len": 32, "priority": 7})
    # anything else (another link kind, multipath...) goes to pyroute2
    assert not known("link", "add", {"ifname": "v", "kind": "ipvlan", "link": 2})
    assert not known("route", "add", {"dst": "10.0.0.0/8", "multipath": []})


def test_rtnl_reads_link_and_address_messages() -> None:
    """Dump answers decode into what kaconfd.netlink reads (pyroute2's keys)."""
    import socket

    from kaconfd import rtnl

    link = (rtnl._IFINFO.pack(0, 1, 3, 0x10043, 0) + rtnl._str(rtnl.IFLA_IFNAME, "eth0")
            + rtnl._nla(rtnl.IFLA_ADDRESS, bytes.fromhex("02005e000101"))
            + rtnl._nla(rtnl.IFLA_LINKINFO, rtnl._str(rtnl.IFLA_INFO_KIND, "veth")))
    addr = (rtnl._IFADDR.pack(socket.AF_INET, 24, 0, 0, 3)
            + rtnl._nla(rtnl.IFA_ADDRESS, bytes([10, 1, 10, 117])))
    data = b""
    for kind, body in ((rtnl.RTM_NEWLINK, link), (rtnl.RTM_NEWADDR, addr),
                       (rtnl.NLMSG_DONE, b"\0\0\0\0")):
        msg = rtnl._HDR.pack(rtnl._HDR.size + len(body), kind, rtnl.NLM_F_MULTI, 7, 0) + body
        data += msg + bytes((-len(msg)) % 4)
    parts = rtnl.AsyncIPRoute._split(data)
    assert [(k, seq) for k, _f, seq, _o, _e in parts] == [
        (rtnl.RTM_NEWLINK, 7), (rtnl.RTM_NEWADDR, 7), (rtnl.NLMSG_DONE, 7)]
    _, _, _, off, end = parts[0]
    msg = rtnl._link_msg(data, off, end, rtnl.RTM_NEWLINK)
    assert (msg["index"], msg.get("ifname"), msg.get("address"), msg["flags"]) == (
        3, "eth0", "02:00:5e:00:01:01", 0x10043)
    assert msg["IFLA_LINKINFO"].get("IFLA_INFO_KIND") == "veth"
    assert msg["event"] == "RTM_NEWLINK"
    _, _, _, off, end = parts[1]
    amsg = rtnl._addr_msg(data, off, end, rtnl.RTM_NEWADDR)
    assert (amsg["index"], amsg.get("address"), amsg["prefixlen"]) == (3, "10.1.10.117", 24)


def test_rtnl_error_carries_the_errno() -> None:
    import errno

    from kaconfd.rtnl import NetlinkError

    exc = NetlinkError(errno.EEXIST)
    assert exc.code == errno.EEXIST and "exists" in str(exc)
