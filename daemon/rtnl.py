"""A small asyncio rtnetlink client with pyroute2's call conventions, for the VRRP child.

Why not pyroute2 itself: importing it costs about 8.5 MB of private memory (some 190
modules) in the VRRP child, a third of the daemon's whole process tree, while the child
only ever asks the kernel for a handful of things: dump links and addresses, add or
remove an address, a route or a rule, create, raise or delete a macvlan, and hear
link and address events (RTM_NEWLINK, RTM_NEWADDR / RTM_DELADDR). Those requests are
encoded here with :mod:`struct` (about 0.1 MB).

:class:`AsyncIPRoute` accepts the keyword arguments :mod:`kaconfd.netlink` passes to
pyroute2's ``AsyncIPRoute`` (same names, same defaults: a rule without ``priority``
gets 32000, an IPv6 route metric 0 becomes 1024, ...) and returns dump messages as
plain dicts read with the same keys (``msg["index"]``, ``msg.get("ifname")``,
``msg.get("IFLA_LINKINFO")``...). A request with an argument it does not know is
handed to pyroute2, imported then (see :meth:`AsyncIPRoute._fallback`): a new
feature of :mod:`kaconfd.netlink` keeps working before it is taught here, it only
pays pyroute2's memory while it is used.

Errors are :class:`NetlinkError` with the kernel's errno in ``code``, as pyroute2's; an
interrupted dump (NLM_F_DUMP_INTR) raises EBUSY, as pyroute2 does, so callers retry.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import logging
import os
import socket
import struct
from collections.abc import AsyncIterator
from typing import Any

log = logging.getLogger("Keepalived_vrrp")

NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_MULTI, NLM_F_ACK, NLM_F_DUMP_INTR = 0x1, 0x2, 0x4, 0x10
NLM_F_DUMP = 0x300
NLM_F_CREATE, NLM_F_EXCL = 0x400, 0x200
RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK = 16, 17, 18
RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR = 20, 21, 22
RTM_NEWROUTE, RTM_DELROUTE = 24, 25
RTM_NEWRULE, RTM_DELRULE = 32, 33
RTMGRP_LINK = 0x1
#: the multicast groups of address events (RTNLGRP_IPV4_IFADDR 5, RTNLGRP_IPV6_IFADDR 9)
RTMGRP_IPV4_IFADDR, RTMGRP_IPV6_IFADDR = 0x10, 0x100
IFF_UP = 0x1
IFLA_ADDRESS, IFLA_IFNAME, IFLA_LINK, IFLA_LINKINFO = 1, 3, 5, 18
IFLA_INFO_KIND, IFLA_INFO_DATA = 1, 2
IFLA_MACVLAN_MODE = 1
MACVLAN_MODES = {"private": 1, "vepa": 2, "bridge": 4, "passthru": 8, "source": 16}
IFA_ADDRESS, IFA_LOCAL, IFA_LABEL, IFA_BROADCAST, IFA_FLAGS = 1, 2, 3, 4, 8
RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_PRIORITY, RTA_PREFSRC, RTA_TABLE = 1, 4, 5, 6, 7, 15
FRA_DST, FRA_SRC, FRA_IIFNAME, FRA_PRIORITY, FRA_FWMARK = 1, 2, 3, 6, 10
FRA_TABLE, FRA_FWMASK, FRA_OIFNAME = 15, 16, 17
FR_ACTIONS = {"FR_ACT_TO_TBL": 1, "to_tbl": 1}
#: rtnetlink route types by pyroute2's (and ip route's) names.
RT_TYPES = {"unspec": 0, "unicast": 1, "local": 2, "broadcast": 3, "anycast": 4,
            "multicast": 5, "blackhole": 6, "unreachable": 7, "prohibit": 8, "throw": 9,
            "nat": 10, "xresolve": 11}
#: pyroute2's defaults that kaconfd relies on.
DEFAULT_RULE_PRIORITY = 32000
IP6_RT_PRIO_USER = 1024

_HDR = struct.Struct("=IHHII")  # nlmsghdr
_IFINFO = struct.Struct("=BxHiII")  # ifinfomsg
_IFADDR = struct.Struct("=BBBBI")  # ifaddrmsg
_RTMSG = struct.Struct("=BBBBBBBBI")  # rtmsg, and fib_rule_hdr (same layout)
_NLA = struct.Struct("=HH")
_RECV_SIZE = 1 << 17

#: The keyword arguments each request is encoded for here; anything else goes to pyroute2.
_KNOWN: dict[tuple[str, str], frozenset[str]] = {
    ("link", "dump"): frozenset(),
    ("link", "add"): frozenset({"ifname", "kind", "link", "macvlan_mode", "address"}),
    ("link", "del"): frozenset({"index"}),
    ("link", "set"): frozenset({"index", "state"}),
    ("addr", "dump"): frozenset({"index"}),
    ("addr", "add"): frozenset({"index", "address", "prefixlen", "label", "scope",
                                "broadcast", "flags"}),
    ("addr", "del"): frozenset({"index", "address", "prefixlen"}),
    ("route", "add"): frozenset({"dst", "table", "proto", "type", "family", "gateway",
                                 "prefsrc", "oif", "priority", "scope", "flags"}),
    ("rule", "add"): frozenset({"family", "table", "action", "src", "src_len", "dst",
                                "dst_len", "priority", "fwmark", "fwmask", "iifname",
                                "oifname", "tos"}),
}
_KNOWN[("route", "del")] = _KNOWN[("route", "add")]
_KNOWN[("rule", "del")] = _KNOWN[("rule", "add")]


class NetlinkError(Exception):
    """The kernel refused a request; ``code`` is its errno (as pyroute2's NetlinkError)."""

    def __init__(self, code: int, msg: str | None = None) -> None:
        super().__init__(code, msg or os.strerror(code))
        self.code = code


def _nla(kind: int, payload: bytes) -> bytes:
    length = 4 + len(payload)
    return _NLA.pack(length, kind) + payload + bytes((-length) % 4)


def _u32(kind: int, value: int) -> bytes:
    return _nla(kind, struct.pack("=I", value))


def _str(kind: int, value: str) -> bytes:
    return _nla(kind, value.encode() + b"\0")


def _ip(kind: int, value: str) -> bytes:
    return _nla(kind, ipaddress.ip_address(value).packed)


def _attrs(data: bytes, start: int, end: int) -> dict[int, bytes]:
    """The attributes of one message (a later duplicate wins, as it does in pyroute2)."""
    out: dict[int, bytes] = {}
    while start + 4 <= end:
        length, kind = _NLA.unpack_from(data, start)
        if length < 4:
            break
        out[kind & 0x3FFF] = data[start + 4:start + length]
        start += (length + 3) & ~3
    return out


def _cstr(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode(errors="replace")


def _mac(raw: bytes) -> str:
    return ":".join(f"{b:02x}" for b in raw)


def _link_msg(data: bytes, off: int, end: int, kind: int) -> dict[str, Any]:
    family, _type, index, flags, _change = _IFINFO.unpack_from(data, off)
    attrs = _attrs(data, off + _IFINFO.size, end)
    msg: dict[str, Any] = {"family": family, "index": index, "flags": flags,
                           "event": "RTM_NEWLINK" if kind == RTM_NEWLINK else "RTM_DELLINK"}
    if IFLA_IFNAME in attrs:
        msg["ifname"] = _cstr(attrs[IFLA_IFNAME])
    if IFLA_ADDRESS in attrs:
        msg["address"] = _mac(attrs[IFLA_ADDRESS])
    if IFLA_LINKINFO in attrs:
        info = attrs[IFLA_LINKINFO]
        nested = _attrs(info, 0, len(info))
        msg["IFLA_LINKINFO"] = ({"IFLA_INFO_KIND": _cstr(nested[IFLA_INFO_KIND])}
                                if IFLA_INFO_KIND in nested else {})
    return msg


def _addr_msg(data: bytes, off: int, end: int, kind: int) -> dict[str, Any]:
    family, prefixlen, flags, scope, index = _IFADDR.unpack_from(data, off)
    attrs = _attrs(data, off + _IFADDR.size, end)
    af = socket.AF_INET if family == socket.AF_INET else socket.AF_INET6
    msg: dict[str, Any] = {"family": family, "prefixlen": prefixlen, "flags": flags,
                           "scope": scope, "index": index,
                           "event": "RTM_NEWADDR" if kind == RTM_NEWADDR else "RTM_DELADDR"}
    for key, name in ((IFA_ADDRESS, "address"), (IFA_LOCAL, "local")):
        if key in attrs:
            msg[name] = socket.inet_ntop(af, attrs[key])
    if IFA_LABEL in attrs:
        msg["label"] = _cstr(attrs[IFA_LABEL])
    return msg


def _prefix(text: str) -> tuple[bytes, int]:
    net = ipaddress.ip_network(text, strict=False)
    return net.network_address.packed, net.prefixlen


class AsyncIPRoute:
    """One rtnetlink socket (see the module docstring); requests are serialised on it."""

    def __init__(self) -> None:
        self._sock: socket.socket | None = None
        self._lock = asyncio.Lock()
        self._seq = 0
        self._pyroute2: Any = None

    # ---------------------------------------------------------------- socket

    def _open(self, groups: int = 0) -> socket.socket:
        if self._sock is None:
            sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | socket.SOCK_CLOEXEC,
                                 socket.NETLINK_ROUTE)
            sock.setblocking(False)
            sock.bind((0, groups))
            self._sock = sock
        return self._sock

    async def setup_endpoint(self) -> None:
        """Open the request socket (pyroute2's name)."""
        self._open()

    async def bind(self, groups: int = RTMGRP_LINK) -> None:
        """Open a socket that hears the events of ``groups`` (links, addresses)."""
        sock = self._open(groups)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        if self._pyroute2 is not None:
            self._pyroute2.close()
            self._pyroute2 = None

    async def _recv(self) -> bytes:
        sock = self._open()
        return await asyncio.get_running_loop().sock_recv(sock, _RECV_SIZE)

    async def get(self) -> AsyncIterator[dict[str, Any]]:
        """The link and address messages of the next receive (a bound socket's events)."""
        try:
            data = await self._recv()
        except OSError as exc:
            if exc.errno != errno.ENOBUFS:
                raise
            log.warning("netlink: link or address events were lost (receive buffer full)")
            return
        for kind, _flags, _seq, off, end in self._split(data):
            if kind in (RTM_NEWLINK, RTM_DELLINK):
                yield _link_msg(data, off, end, kind)
            elif kind in (RTM_NEWADDR, RTM_DELADDR):
                yield _addr_msg(data, off, end, kind)

    @staticmethod
    def _split(data: bytes) -> list[tuple[int, int, int, int, int]]:
        """(type, flags, seq, payload start, end) of each message of one datagram."""
        out = []
        off = 0
        while off + _HDR.size <= len(data):
            length, kind, flags, seq, _pid = _HDR.unpack_from(data, off)
            if length < _HDR.size:
                break
            out.append((kind, flags, seq, off + _HDR.size, min(off + length, len(data))))
            off += (length + 3) & ~3
        return out

    async def _request(self, kind: int, flags: int, body: bytes) -> list[tuple[bytes, int, int,
                                                                                 int]]:
        """Send one request; its answer's messages as (datagram, type, start, end).

        A dump ends at NLMSG_DONE; any other request at the kernel's acknowledgement.
        """
        async with self._lock:
            sock = self._open()
            self._seq = (self._seq + 1) & 0xFFFFFFFF
            seq = self._seq
            sock.send(_HDR.pack(_HDR.size + len(body), kind,
                                flags | NLM_F_REQUEST | NLM_F_ACK, seq, 0) + body)
            out: list[tuple[bytes, int, int, int]] = []
            interrupted = False
            while True:
                data = await self._recv()
                for mkind, mflags, mseq, off, end in self._split(data):
                    if mseq != seq:
                        continue  # the answer to an earlier, abandoned request
                    if mflags & NLM_F_DUMP_INTR:
                        interrupted = True
                    if mkind == NLMSG_ERROR:
                        code = -struct.unpack_from("=i", data, off)[0]
                        if code:
                            raise NetlinkError(code)
                        return out
                    if mkind == NLMSG_DONE:
                        if interrupted:
                            raise NetlinkError(errno.EBUSY, "dump interrupted")
                        return out
                    out.append((data, mkind, off, end))

    async def _fallback(self, method: str, command: str, kw: dict[str, Any]) -> Any:
        """A request this module does not encode: pyroute2 does it (imported now)."""
        if self._pyroute2 is None:
            log.debug("netlink: %s %s %s goes through pyroute2", method, command, sorted(kw))
            from pyroute2 import AsyncIPRoute as Pyroute2IPRoute

            self._pyroute2 = Pyroute2IPRoute()
        from pyroute2.netlink.exceptions import NetlinkError as Pyroute2Error

        try:
            return await getattr(self._pyroute2, method)(command, **kw)
        except Pyroute2Error as exc:
            raise NetlinkError(exc.code, str(exc)) from exc

    @staticmethod
    def _known(method: str, command: str, kw: dict[str, Any]) -> bool:
        known = _KNOWN.get((method, command))
        return known is not None and kw.keys() <= known and (
            method != "link" or command != "add" or kw.get("kind") == "macvlan")

    @staticmethod
    async def _iterate(msgs: list[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
        for msg in msgs:
            yield msg

    # ---------------------------------------------------------------- requests

    async def link(self, command: str, **kw: Any) -> Any:
        """``dump``, ``add`` (macvlan), ``set`` (state up) or ``del`` a link."""
        if not self._known("link", command, kw):
            return await self._fallback("link", command, kw)
        if command == "dump":
            answer = await self._request(RTM_GETLINK, NLM_F_DUMP, _IFINFO.pack(0, 0, 0, 0, 0))
            return self._iterate([_link_msg(d, o, e, k) for d, k, o, e in answer
                                  if k == RTM_NEWLINK])
        if command == "del":
            await self._request(RTM_DELLINK, 0, _IFINFO.pack(0, 0, kw["index"], 0, 0))
            return []
        if command == "set":
            up = IFF_UP if kw.get("state") == "up" else 0
            change = IFF_UP if "state" in kw else 0
            await self._request(RTM_NEWLINK, 0, _IFINFO.pack(0, 0, kw["index"], up, change))
            return []
        data = _u32(IFLA_MACVLAN_MODE, MACVLAN_MODES[kw.get("macvlan_mode", "vepa")])
        body = (_IFINFO.pack(0, 0, 0, 0, 0) + _str(IFLA_IFNAME, kw["ifname"])
                + _u32(IFLA_LINK, kw["link"])
                + _nla(IFLA_LINKINFO, _str(IFLA_INFO_KIND, "macvlan")
                       + _nla(IFLA_INFO_DATA, data)))
        if kw.get("address"):
            body += _nla(IFLA_ADDRESS, bytes.fromhex(kw["address"].replace(":", "")))
        await self._request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, body)
        return []

    async def addr(self, command: str, **kw: Any) -> Any:
        """``dump`` (optionally of one ``index``), ``add`` or ``del`` an address."""
        if not self._known("addr", command, kw):
            return await self._fallback("addr", command, kw)
        if command == "dump":
            answer = await self._request(RTM_GETADDR, NLM_F_DUMP, _IFADDR.pack(0, 0, 0, 0, 0))
            msgs = [_addr_msg(d, o, e, k) for d, k, o, e in answer if k == RTM_NEWADDR]
            if "index" in kw:
                msgs = [m for m in msgs if m["index"] == kw["index"]]
            return self._iterate(msgs)
        ip = ipaddress.ip_address(kw["address"])
        family = socket.AF_INET if ip.version == 4 else socket.AF_INET6
        flags = kw.get("flags", 0)
        body = (_IFADDR.pack(family, kw["prefixlen"], flags & 0xFF, kw.get("scope", 0),
                             kw["index"])
                + _nla(IFA_LOCAL, ip.packed) + _nla(IFA_ADDRESS, ip.packed))
        if flags > 0xFF:
            body += _u32(IFA_FLAGS, flags)
        if command == "del":
            await self._request(RTM_DELADDR, 0, body)
            return []
        if kw.get("label"):
            body += _str(IFA_LABEL, kw["label"])
        if kw.get("broadcast"):
            body += _ip(IFA_BROADCAST, kw["broadcast"])
        await self._request(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, body)
        return []

    async def route(self, command: str, **kw: Any) -> Any:
        """``add`` or ``del`` a route (the arguments :mod:`kaconfd.netlink` passes)."""
        if not self._known("route", command, kw):
            return await self._fallback("route", command, kw)
        family = kw.get("family", socket.AF_INET)
        dst, dst_len = _prefix(kw["dst"]) if kw.get("dst") else (b"", 0)
        table = kw.get("table", 254)
        rtype = kw.get("type", "unicast") if command == "add" else kw.get("type", 0)
        rtype = RT_TYPES[rtype] if isinstance(rtype, str) else rtype
        proto = kw.get("proto", 4 if command == "add" else 0)  # 4: RTPROT_STATIC
        body = _RTMSG.pack(family, dst_len, 0, 0, table if 0 < table < 255 else 254,
                           proto, kw.get("scope", 0), rtype, kw.get("flags", 0))
        body += _u32(RTA_TABLE, table)
        if dst_len:
            body += _nla(RTA_DST, dst)
        if kw.get("gateway"):
            body += _ip(RTA_GATEWAY, kw["gateway"])
        if kw.get("prefsrc"):
            body += _ip(RTA_PREFSRC, kw["prefsrc"])
        if kw.get("oif") is not None:
            body += _u32(RTA_OIF, kw["oif"])
        if kw.get("priority") is not None:
            metric = kw["priority"]
            if family == socket.AF_INET6 and metric == 0:
                metric = IP6_RT_PRIO_USER  # as pyroute2 (and the kernel) do
            body += _u32(RTA_PRIORITY, metric)
        if command == "del":
            await self._request(RTM_DELROUTE, 0, body)
        else:
            await self._request(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, body)
        return []

    async def rule(self, command: str, **kw: Any) -> Any:
        """``add`` or ``del`` a policy rule (action lookup ``table``)."""
        if not self._known("rule", command, kw):
            return await self._fallback("rule", command, kw)
        family = kw.get("family", socket.AF_INET)
        full = 32 if family == socket.AF_INET else 128
        table = kw.get("table", 0)
        action = kw.get("action", "FR_ACT_TO_TBL" if "table" in kw else 0)
        action = FR_ACTIONS[action] if isinstance(action, str) else action
        src_len = kw.get("src_len", full) if kw.get("src") else 0
        dst_len = kw.get("dst_len", full) if kw.get("dst") else 0
        body = _RTMSG.pack(family, dst_len, src_len, kw.get("tos", 0),
                           table if 0 <= table <= 255 else 252, 0, 0, action, 0)
        body += _u32(FRA_TABLE, table)
        body += _u32(FRA_PRIORITY, kw.get("priority", DEFAULT_RULE_PRIORITY))
        if kw.get("src"):
            body += _ip(FRA_SRC, kw["src"])
        if kw.get("dst"):
            body += _ip(FRA_DST, kw["dst"])
        if kw.get("fwmark") is not None:
            body += _u32(FRA_FWMARK, kw["fwmark"])
        if kw.get("fwmask") is not None:
            body += _u32(FRA_FWMASK, kw["fwmask"])
        if kw.get("iifname"):
            body += _str(FRA_IIFNAME, kw["iifname"])
        if kw.get("oifname"):
            body += _str(FRA_OIFNAME, kw["oifname"])
        if command == "del":
            await self._request(RTM_DELRULE, 0, body)
        else:
            await self._request(RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, body)
        return []
