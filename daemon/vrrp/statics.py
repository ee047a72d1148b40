"""static_ipaddress, static_routes and static_rules: the VRRP child's fixed entries.

keepalived's VRRP process installs them when it starts (after removing what an earlier
run may have left), removes them when it stops, and on a reload removes the ones no
longer configured and adds the new ones, leaving unchanged ones in place. They follow no
instance's state. Failures are logged per entry and never stop the child, as keepalived
only logs them too.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from ..netlink import Netlink
from .config import Vip
from .routes import RouteSpec, RuleSpec

log = logging.getLogger("kaconfd.vrrp")


IndexOf = Callable[[str], Awaitable[int | None]]


async def apply_addresses(nl: Netlink, index_of: IndexOf, vips: Sequence[Vip], *, add: bool,
                          who: str, noun: str, quiet: bool = False) -> None:
    """Add or remove addresses; each failure is logged (``who`` leads the message)."""
    for vip in vips:
        index = await index_of(vip.dev)
        if index is None:
            if not quiet:
                log.error("%sinterface %s for %s %s does not exist", who, vip.dev, noun, vip)
            continue
        try:
            if add:
                await nl.add_address(index, vip.address, label=vip.label, scope=vip.scope,
                                     broadcast=vip.broadcast)
            else:
                await nl.remove_address(index, vip.address)
        except Exception as exc:
            if not quiet:
                log.error("%s%s %s %s failed: %s", who, "adding" if add else "removing",
                          noun, vip, exc)


async def apply_routes(nl: Netlink, index_of: IndexOf, routes: Sequence[RouteSpec], *,
                       add: bool, who: str, noun: str, quiet: bool = False) -> None:
    """Add routes in order or remove them in reverse; failures are logged."""
    for route in routes if add else tuple(reversed(routes)):
        oif = None
        if route.dev:
            oif = await index_of(route.dev)
            if oif is None:
                if not quiet:
                    log.error("%sinterface %s for %s %s does not exist", who, route.dev,
                              noun, route)
                continue
        nh_oifs: list[int | None] = []
        missing = None
        for nh in route.nexthops:
            index = await index_of(nh.dev) if nh.dev else None
            if nh.dev and index is None:
                missing = nh.dev
                break
            nh_oifs.append(index)
        if missing is not None:
            if not quiet:
                log.error("%sinterface %s for %s %s does not exist", who, missing, noun, route)
            continue
        try:
            if add:
                await nl.add_route(route, oif, nh_oifs)
            else:
                await nl.remove_route(route, oif, nh_oifs)
        except Exception as exc:
            if not quiet:
                log.error("%s%s %s %s failed: %s", who, "adding" if add else "removing",
                          noun, route, exc)


async def apply_rules(nl: Netlink, rules: Sequence[RuleSpec], *, add: bool, who: str,
                      noun: str, quiet: bool = False) -> None:
    """Add rules in order or remove them in reverse; failures are logged."""
    for rule in rules if add else tuple(reversed(rules)):
        try:
            if add:
                await nl.add_rule(rule)
            else:
                await nl.remove_rule(rule)
        except Exception as exc:
            if not quiet:
                log.error("%s%s %s %s failed: %s", who, "adding" if add else "removing",
                          noun, rule, exc)


class StaticEntries:
    """What of the static entries is installed, and the changes that keep it as configured."""

    def __init__(self, netlink: Netlink) -> None:
        self.netlink = netlink
        self.vips: tuple[Vip, ...] = ()
        self.routes: tuple[RouteSpec, ...] = ()
        self.rules: tuple[RuleSpec, ...] = ()

    async def start(self, vips: Sequence[Vip], routes: Sequence[RouteSpec],
                    rules: Sequence[RuleSpec]) -> None:
        """Clear leftovers of an earlier run, then install everything (keepalived's start)."""
        await self._rules(rules, add=False, quiet=True)
        await self._routes(routes, add=False, quiet=True)
        await self._addresses(vips, add=False, quiet=True)
        await self.update(vips, routes, rules)

    async def update(self, vips: Sequence[Vip], routes: Sequence[RouteSpec],
                     rules: Sequence[RuleSpec]) -> None:
        """Remove what is no longer configured, add what is (a reload)."""
        gone_rules = [r for r in self.rules if r not in rules]
        gone_routes = [r for r in self.routes if r not in routes]
        gone_vips = [v for v in self.vips if v not in vips]
        await self._rules(gone_rules, add=False)
        await self._routes(gone_routes, add=False)
        await self._addresses(gone_vips, add=False)
        await self._addresses([v for v in vips if v not in self.vips], add=True)
        await self._routes([r for r in routes if r not in self.routes], add=True)
        await self._rules([r for r in rules if r not in self.rules], add=True)
        self.vips, self.routes, self.rules = tuple(vips), tuple(routes), tuple(rules)

    async def stop(self) -> None:
        """Remove every static entry (keepalived's stop)."""
        await self.update((), (), ())

    async def _index(self, dev: str) -> int | None:
        link = await self.netlink.link(dev) if dev else None
        return None if link is None else link.index

    async def _addresses(self, vips: Sequence[Vip], *, add: bool, quiet: bool = False) -> None:
        await apply_addresses(self.netlink, self._index, vips, add=add, who="",
                              noun="static address", quiet=quiet)

    async def _routes(self, routes: Sequence[RouteSpec], *, add: bool,
                      quiet: bool = False) -> None:
        await apply_routes(self.netlink, self._index, routes, add=add, who="",
                           noun="static route", quiet=quiet)

    async def _rules(self, rules: Sequence[RuleSpec], *, add: bool, quiet: bool = False) -> None:
        await apply_rules(self.netlink, rules, add=add, who="", noun="static rule", quiet=quiet)
