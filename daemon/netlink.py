"""rtnetlink for kaconfd: interface lookups, VIP add/remove, link up/down events.

The only module that imports pyroute2, so ``kaconf lint`` and the pure VRRP core never
pay for it, and a fake can replace it in tests. It uses pyroute2's asyncio API
(``AsyncIPRoute``) because the synchronous ``IPRoute`` of pyroute2 0.9 runs its own event
loop and cannot be called from inside the VRRP child's running loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pyroute2 import AsyncIPRoute
from pyroute2.netlink.exceptions import NetlinkError

IPInterface = ipaddress.IPv4Interface | ipaddress.IPv6Interface

IFF_UP = 0x1
IFF_RUNNING = 0x40
IFA_F_NODAD = 0x02
log = logging.getLogger("Keepalived_vrrp")


@dataclass(frozen=True, slots=True)
class Link:
    """What kaconfd needs of an interface."""

    index: int
    name: str
    mac: str
    up: bool


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

    async def link(self, name: str) -> Link | None:
        """The interface called ``name``, or None if it does not exist."""
        async for msg in await self.ipr.link("dump"):
            if msg.get("ifname") == name:
                return _link(msg)
        return None

    async def addresses(self, index: int) -> list[IPInterface]:
        """Addresses on interface ``index``, in kernel order (primary first)."""
        found: list[IPInterface] = []
        async for msg in await self.ipr.addr("dump", index=index):
            addr = msg.get("address")
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

    async def watch_links(self, callback: Callable[[Link], None]) -> None:
        """Call ``callback`` for every RTM_NEWLINK until cancelled (link up/down tracking)."""
        self._watch = AsyncIPRoute()
        await self._watch.bind()
        while True:
            # get() yields the messages of one receive, then ends: ask again.
            async for msg in self._watch.get():
                if msg.get("event") == "RTM_NEWLINK":
                    try:
                        callback(_link(msg))
                    except Exception:  # a bug in a callback must not stop link tracking
                        log.exception("link event handler failed")
            await asyncio.sleep(0)
