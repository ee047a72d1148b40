"""static_ipaddress, static_routes and static_rules: the VRRP child's fixed entries.

keepalived's VRRP process installs them when it starts (after removing what an earlier
run may have left), removes them when it stops, and on a reload removes the ones no
longer configured and adds the new ones, leaving unchanged ones in place. They follow no
instance's state. Failures are logged per entry and never stop the child, as keepalived
only logs them too.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from ..netlink import Netlink
from .config import Vip
from .routes import RouteSpec, RuleSpec

log = logging.getLogger("kaconfd.vrrp")


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

    async def _index(self, dev: str, what: str, quiet: bool) -> int | None:
        link = await self.netlink.link(dev) if dev else None
        if link is None:
            if not quiet:
                log.error("interface %r for static %s does not exist", dev, what)
            return None
        return link.index

    async def _addresses(self, vips: Sequence[Vip], *, add: bool, quiet: bool = False) -> None:
        for vip in vips:
            index = await self._index(vip.dev, f"address {vip}", quiet)
            if index is None:
                continue
            try:
                if add:
                    await self.netlink.add_address(index, vip.address, label=vip.label,
                                                   scope=vip.scope, broadcast=vip.broadcast)
                else:
                    await self.netlink.remove_address(index, vip.address)
            except Exception as exc:
                if not quiet:
                    log.error("%s static address %s failed: %s",
                              "adding" if add else "removing", vip, exc)

    async def _routes(self, routes: Sequence[RouteSpec], *, add: bool,
                      quiet: bool = False) -> None:
        for route in routes if add else tuple(reversed(routes)):
            oif = None
            if route.dev:
                oif = await self._index(route.dev, f"route {route}", quiet)
                if oif is None:
                    continue
            try:
                if add:
                    await self.netlink.add_route(route, oif)
                else:
                    await self.netlink.remove_route(route, oif)
            except Exception as exc:
                if not quiet:
                    log.error("%s static route %s failed: %s",
                              "adding" if add else "removing", route, exc)

    async def _rules(self, rules: Sequence[RuleSpec], *, add: bool, quiet: bool = False) -> None:
        for rule in rules if add else tuple(reversed(rules)):
            try:
                if add:
                    await self.netlink.add_rule(rule)
                else:
                    await self.netlink.remove_rule(rule)
            except Exception as exc:
                if not quiet:
                    log.error("%s static rule %s failed: %s",
                              "adding" if add else "removing", rule, exc)
