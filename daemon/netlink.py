"""rtnetlink for kaconfd: interface lookups, VIP and route/rule add/remove, link and
address events.

The only module that talks rtnetlink, so a fake can replace it in tests. It speaks
pyroute2's asyncio API (``AsyncIPRoute``: the synchronous ``IPRoute`` of pyroute2 0.9
runs its own event loop and cannot be called from inside the VRRP child's running loop),
served by :mod:`kaconfd.rtnl`, a small encoder of the requests made here: pyroute2
itself costs the child ~8.5 MB and is imported only for a request rtnl does not know.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import logging
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .logs import quiet_libraries
from .rtnl import RTMGRP_IPV4_IFADDR, RTMGRP_IPV6_IFADDR, RTMGRP_LINK, AsyncIPRoute, NetlinkError

if TYPE_CHECKING:
    from .vrrp.routes import RouteSpec, RuleSpec

IPInterface = ipaddress.IPv4Interface | ipaddress.IPv6Interface
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

IFF_UP = 0x1
IFF_RUNNING = 0x40
IFA_F_NODAD = 0x02
IFA_F_DADFAILED, IFA_F_TENTATIVE = 0x08, 0x40
RTNH_F_ONLINK = 0x04
#: How often an interrupted dump (EBUSY) is asked again before giving up.
_DUMP_ATTEMPTS = 5
#: "not there" answers to a delete: the route or rule is gone already.
_GONE = (errno.ESRCH, errno.ENOENT, errno.EADDRNOTAVAIL, errno.ENODEV)
log = logging.getLogger("Keepalived_vrrp")
quiet_libraries()  # importing pyroute2 just set its logger to level 0 (every debug line)


@dataclass(frozen=True, slots=True)
class Link:
    """What kaconfd needs of an interface."""

    index: int
    name: str
    mac: str
    up: bool


@dataclass(frozen=True, slots=True)
class AddressEvent:
    """An address added to or removed from interface ``index`` (RTM_NEWADDR/RTM_DELADDR)."""

    index: int
    address: IPAddress
    added: bool
    #: an IPv6 address still in (or failed) duplicate address detection: nothing can
    #: be bound to it yet; the kernel announces it again when it is ready
    tentative: bool = False


def _address_event(msg: Any) -> AddressEvent | None:
    """The event of an address message; None for one without an address.

    The local address (IFA_LOCAL) is the interface's own; IFA_ADDRESS is the peer's
    on a point-to-point link, and stands in when there is no IFA_LOCAL (IPv6), as
    keepalived reads them.
    """
    text = msg.get("local") or msg.get("address")
    if not text or msg.get("family") not in (socket.AF_INET, socket.AF_INET6):
        return None
    return AddressEvent(int(msg["index"]), ipaddress.ip_address(text),
                        msg.get("event") == "RTM_NEWADDR",
                        bool(int(msg.get("flags", 0)) & (IFA_F_TENTATIVE | IFA_F_DADFAILED)))


def _link(msg: Any) -> Link:
    flags = int(msg["flags"])
    return Link(int(msg["index"]), str(msg.get("ifname")), str(msg.get("address") or ""),
                bool(flags & IFF_UP) and bool(flags & IFF_RUNNING))


class Netlink:
    """One rtnetlink socket for requests; :meth:`watch_links` opens its own for events."""

    def __init__(self) -> None:
        self._ipr: AsyncIPRoute | None = None
        self._watch: AsyncIPRoute | None = None

    async def open(self) -> None:
        self._ipr = AsyncIPRoute()
        await self._ipr.setup_endpoint()

    async def close(self) -> None:
        for sock in (self._ipr, self._watch):
            if sock is not None:
                with contextlib.suppress(Exception):
                    sock.close()
        self._ipr = self._watch = None

    @property
    def ipr(self) -> AsyncIPRoute:
        if self._ipr is None:
            raise RuntimeError("Netlink.open() was not called")
        return self._ipr

    async def _dump(self, kind: str, **kw: Any) -> list[Any]:
        """All messages of a dump, retried when the kernel says it was interrupted.

        A dump that races with a change (addresses appearing on a new link, say) ends
        with NLM_F_DUMP_INTR, which pyroute2 raises as EBUSY: asking again is the cure.
        """
        for attempt in range(_DUMP_ATTEMPTS):
            try:
                request = self.ipr.link if kind == "link" else self.ipr.addr
                return [msg async for msg in await request("dump", **kw)]
            except NetlinkError as exc:
                if exc.code != errno.EBUSY or attempt == _DUMP_ATTEMPTS - 1:
                    raise
                log.debug("netlink %s dump interrupted, asking again", kind)
                await asyncio.sleep(0.01 * (attempt + 1))
        return []

    async def link(self, name: str) -> Link | None:
        """The interface called ``name``, or None if it does not exist."""
        for msg in await self._dump("link"):
            if msg.get("ifname") == name:
                return _link(msg)
        return None

    async def link_kind(self, index: int) -> str | None:
        """The link's IFLA_INFO_KIND ("macvlan", "veth"...), None for a plain device."""
        for msg in await self._dump("link"):
            if int(msg["index"]) == index:
                info = msg.get("IFLA_LINKINFO")
                return str(info.get("IFLA_INFO_KIND")) if info is not None else None
        return None

    async def add_macvlan(self, name: str, base_index: int, mac: str) -> None:
        """Create a private-mode macvlan (a VMAC) on ``base_index`` with address ``mac``."""
        await self.ipr.link("add", ifname=name, kind="macvlan", link=base_index,
                            macvlan_mode="private", address=mac)

    async def add_ipvlan(self, name: str, base_index: int) -> None:
        """Create an L2-mode ipvlan (bridge type) on ``base_index`` (``use_ipvlan``)."""
        await self.ipr.link("add", ifname=name, kind="ipvlan", link=base_index,
                            ipvlan_mode=0)

    async def remove_link(self, index: int) -> bool:
        """Delete an interface we created; False when it was gone already."""
        try:
            await self.ipr.link("del", index=index)
        except NetlinkError as exc:
            if exc.code in _GONE:
                return False
            raise
        return True

    async def set_link_up(self, index: int) -> None:
        await self.ipr.link("set", index=index, state="up")

    async def addresses(self, index: int, *, ready: bool = False) -> list[IPInterface]:
        """Addresses on interface ``index``, in kernel order (primary first).

        ``ready``: only those a socket can be bound to (not IPv6 addresses still in, or
        failed, duplicate address detection).
        """
        found: list[IPInterface] = []
        for msg in await self._dump("addr", index=index):
            addr = msg.get("address")
            if ready and int(msg.get("flags", 0)) & (IFA_F_TENTATIVE | IFA_F_DADFAILED):
                continue
            if addr:
                found.append(ipaddress.ip_interface(f"{addr}/{msg['prefixlen']}"))
        return found

    async def add_address(self, index: int, addr: IPInterface, *, label: str | None = None,
                          scope: int | None = None, broadcast: str | None = None) -> bool:
        """Install ``addr``; False when it was already there (EEXIST is not an error)."""
        kw: dict[str, Any] = {"index": index, "address": str(addr.ip),
                              "prefixlen": addr.network.prefixlen}
        if label:
            kw["label"] = label
        if scope is not None:
            kw["scope"] = scope
        if broadcast and addr.version == 4:
            kw["broadcast"] = broadcast
        if addr.version == 6:
            kw["flags"] = IFA_F_NODAD  # a VIP must answer at once, not after DAD
        try:
            await self.ipr.addr("add", **kw)
        except NetlinkError as exc:
            if exc.code == errno.EEXIST:
                return False
            raise
        return True

    async def remove_address(self, index: int, addr: IPInterface) -> bool:
        """Remove ``addr``; False when it was not there."""
        try:
            await self.ipr.addr("del", index=index, address=str(addr.ip),
                                prefixlen=addr.network.prefixlen)
        except NetlinkError as exc:
            if exc.code in (errno.EADDRNOTAVAIL, errno.ENODEV, errno.ENOENT):
                return False
            raise
        return True

    @staticmethod
    def _route_args(route: RouteSpec, oif: int | None,
                    nh_oifs: Sequence[int | None] = ()) -> dict[str, Any]:
        kw: dict[str, Any] = {"dst": route.dst, "table": route.table,
                              "proto": route.protocol, "type": route.type,
                              "family": socket.AF_INET if route.family == 4 else socket.AF_INET6}
        if route.gateway:
            kw["gateway"] = route.gateway
        if route.prefsrc:
            kw["prefsrc"] = route.prefsrc
        if oif is not None:
            kw["oif"] = oif
        if route.metric is not None:
            kw["priority"] = route.metric
        if route.scope is not None:
            kw["scope"] = route.scope
        if route.onlink:
            kw["flags"] = RTNH_F_ONLINK
        if route.nexthops:
            # RTA_MULTIPATH: one rtnexthop each, rtnh_hops = weight - 1 (as ip(8) writes)
            hops = []
            for nh, nh_oif in zip(route.nexthops, nh_oifs or [None] * len(route.nexthops),
                                  strict=True):
                hop: dict[str, Any] = {"hops": nh.weight - 1,
                                       "flags": RTNH_F_ONLINK if nh.onlink else 0}
                if nh.gateway:
                    hop["gateway"] = nh.gateway
                if nh_oif is not None:
                    hop["oif"] = nh_oif
                hops.append(hop)
            kw["multipath"] = hops
        return kw

    async def add_route(self, route: RouteSpec, oif: int | None = None,
                        nh_oifs: Sequence[int | None] = ()) -> bool:
        """Install a virtual route (``oif``: index of its ``dev``); False if it existed.

        ``nh_oifs``: the index of each nexthop's ``dev`` (multipath routes).
        """
        try:
            await self.ipr.route("add", **self._route_args(route, oif, nh_oifs))
        except NetlinkError as exc:
            if exc.code == errno.EEXIST:
                return False
            raise
        return True

    async def remove_route(self, route: RouteSpec, oif: int | None = None,
                           nh_oifs: Sequence[int | None] = ()) -> bool:
        """Remove a virtual route; False when it was not there."""
        kw = self._route_args(route, oif, nh_oifs)
        kw.pop("proto", None)  # match whoever installed it, as "ip route del" does
        try:
            await self.ipr.route("del", **kw)
        except NetlinkError as exc:
            if exc.code in _GONE:
                return False
            raise
        return True

    @staticmethod
    def _rule_args(rule: RuleSpec) -> dict[str, Any]:
        kw: dict[str, Any] = {"family": socket.AF_INET if rule.family == 4 else socket.AF_INET6,
                              "table": rule.table, "action": "FR_ACT_TO_TBL"}
        for side, text in (("src", rule.src), ("dst", rule.dst)):
            if text:
                net = ipaddress.ip_network(text, strict=False)
                kw[side] = str(net.network_address)
                kw[f"{side}_len"] = net.prefixlen
        if rule.priority is not None:
            kw["priority"] = rule.priority
        if rule.fwmark is not None:
            kw["fwmark"] = rule.fwmark
            if rule.fwmask is not None:
                kw["fwmask"] = rule.fwmask
        if rule.iif:
            kw["iifname"] = rule.iif
        if rule.oif:
            kw["oifname"] = rule.oif
        if rule.tos is not None:
            kw["tos"] = rule.tos
        return kw

    async def add_rule(self, rule: RuleSpec) -> bool:
        """Install a virtual rule; False if an identical one existed."""
        try:
            await self.ipr.rule("add", **self._rule_args(rule))
        except NetlinkError as exc:
            if exc.code == errno.EEXIST:
                return False
            raise
        return True

    async def remove_rule(self, rule: RuleSpec) -> bool:
        """Remove a virtual rule; False when it was not there."""
        try:
            await self.ipr.rule("del", **self._rule_args(rule))
        except NetlinkError as exc:
            if exc.code in _GONE:
                return False
            raise
        return True

    async def watch_links(self, callback: Callable[[Link], None],
                          on_address: Callable[[AddressEvent], None] | None = None) -> None:
        """Call ``callback`` for every RTM_NEWLINK until cancelled (link up/down tracking),
        and ``on_address`` for every address added or removed, if given (keepalived
        follows an interface's addresses to pick an instance's source address)."""
        self._watch = AsyncIPRoute()
        groups = RTMGRP_LINK
        if on_address is not None:
            groups |= RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR
        await self._watch.bind(groups)
        while True:
            # get() yields the messages of one receive, then ends: ask again.
            async for msg in self._watch.get():
                event = msg.get("event")
                try:
                    if event == "RTM_NEWLINK":
                        callback(_link(msg))
                    elif on_address is not None and event in ("RTM_NEWADDR", "RTM_DELADDR"):
                        change = _address_event(msg)
                        if change is not None:
                            on_address(change)
                except Exception:  # a bug in a callback must not stop link tracking
                    log.exception("%s event handler failed", "link" if event == "RTM_NEWLINK"
                                  else "address")
            await asyncio.sleep(0)
