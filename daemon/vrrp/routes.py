"""``virtual_routes`` / ``virtual_rules`` as frozen specs the daemon installs (pure).

keepalived keeps these lines in ``ip route`` / ``ip rule`` syntax and installs them
with the VIPs (a master adds VIPs, then routes, then rules; leaving MASTER removes
rules, routes, then VIPs). The lines are read once, by the resolver
(:mod:`kaconf.effective.iplines`, keepalived's ``alloc_route``/``alloc_rule``: a line
keepalived rejects is dropped there, as keepalived drops it); this module turns a
resolved :class:`~kaconf.effective.iproutes.RouteInfo` / ``RuleInfo`` into a
:class:`RouteSpec` / :class:`RuleSpec` that :mod:`kaconfd.netlink` can install. What
kaconfd cannot install yet (route metrics such as ``mtu``, rule actions
other than ``lookup``, ...) raises :class:`RouteError` so that the daemon refuses the
config with the reason rather than installing something different from keepalived.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from kaconf.model.iproutes import RouteInfo
from kaconf.model.iprules import RuleInfo
from kaconf.model.ipwords import RTN_NAMES, Prefix

#: keepalived's own routing protocol number (``proto keepalived``), its default.
RTPROT_KEEPALIVED = 18


class RouteError(ValueError):
    """A route or rule line kaconfd cannot install (the message says why)."""


@dataclass(frozen=True, slots=True)
class NextHop:
    """One ``nexthop`` of a multipath route; ``weight`` as written (1-256, kernel hops + 1)."""

    gateway: str | None = None
    dev: str | None = None
    weight: int = 1
    onlink: bool = False

    def __str__(self) -> str:
        words = ["nexthop"]
        if self.gateway:
            words.append(f"via {self.gateway}")
        if self.dev:
            words.append(f"dev {self.dev}")
        if self.weight != 1:
            words.append(f"weight {self.weight}")
        if self.onlink:
            words.append("onlink")
        return " ".join(words)


@dataclass(frozen=True, slots=True)
class RouteSpec:
    """One route to install; ``dst`` is a network (``0.0.0.0/0`` for default)."""

    family: int
    dst: str
    gateway: str | None = None
    prefsrc: str | None = None
    dev: str | None = None
    table: int = 254
    metric: int | None = None
    protocol: int = RTPROT_KEEPALIVED
    scope: int | None = None
    type: str = "unicast"
    onlink: bool = False
    #: ``nexthop ...`` lines: a multipath route (``gateway``/``dev`` then unused)
    nexthops: tuple[NextHop, ...] = ()

    def __str__(self) -> str:
        words = [self.dst if self.type == "unicast" else f"{self.type} {self.dst}"]
        if self.gateway:
            words.append(f"via {self.gateway}")
        if self.dev:
            words.append(f"dev {self.dev}")
        if self.prefsrc:
            words.append(f"src {self.prefsrc}")
        if self.table != 254:
            words.append(f"table {self.table}")
        if self.metric is not None:
            words.append(f"metric {self.metric}")
        words += [str(nh) for nh in self.nexthops]
        return " ".join(words)


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """One policy-routing rule to install (action "lookup ``table``")."""

    family: int
    src: str | None = None
    dst: str | None = None
    table: int = 254
    priority: int | None = None
    fwmark: int | None = None
    fwmask: int | None = None
    iif: str | None = None
    oif: str | None = None
    tos: int | None = None

    def __str__(self) -> str:
        words = [f"from {self.src or 'all'}"]
        if self.dst:
            words.append(f"to {self.dst}")
        if self.fwmark is not None:
            words.append(f"fwmark {self.fwmark:#x}")
        if self.iif:
            words.append(f"iif {self.iif}")
        if self.oif:
            words.append(f"oif {self.oif}")
        words.append(f"lookup {self.table}")
        if self.priority is not None:
            words.insert(0, f"{self.priority}:")
        return " ".join(words)


def _net(p: Prefix) -> str:
    return str(ipaddress.ip_network(f"{p.addr}/{p.plen}", strict=False))


def route_spec(r: RouteInfo) -> RouteSpec:
    """A resolved route as kaconfd installs it; RouteError for what it cannot install."""
    unsupported = [name for name, given in (
        ("from", r.src is not None),
        ("tos", r.tos is not None), ("mtu", r.mtu is not None),
        ("advmss", r.advmss is not None), ("hoplimit", r.hoplimit is not None),
        ("initcwnd", r.initcwnd is not None), ("initrwnd", r.initrwnd is not None),
        ("window", r.window is not None), ("features ecn", r.features_ecn),
        ("realms", bool(r.realms))) if given]
    if unsupported:
        raise RouteError(f"route option {unsupported[0]!r} is not supported by kaconfd")
    if r.dst is None:
        raise RouteError("route without a destination")
    nexthops = []
    for addr, dev, weight, onlink in r.nexthops:
        if addr is not None and addr.family != r.family:
            raise RouteError("a nexthop of another address family is not supported by kaconfd")
        nexthops.append(NextHop(addr.addr if addr else None, dev, weight or 1, onlink))
    return RouteSpec(
        family=r.family, dst=_net(r.dst), gateway=r.via.addr if r.via else None,
        prefsrc=r.pref_src.addr if r.pref_src else None, dev=r.oif, table=r.table,
        metric=r.metric, protocol=RTPROT_KEEPALIVED if r.protocol is None else r.protocol,
        scope=r.scope, type=RTN_NAMES.get(r.type, str(r.type)), onlink=r.onlink,
        nexthops=tuple(nexthops))


def rule_spec(r: RuleInfo) -> RuleSpec:
    """A resolved rule as kaconfd installs it; RouteError for what it cannot install."""
    if r.action != "table" or not r.table:
        raise RouteError(f"rule action {r.action or 'none'!r} is not supported by kaconfd "
                         "(only 'lookup TABLE')")
    unsupported = [name for name, given in (
        ("not", r.invert), ("realms", bool(r.realms)),
        ("suppress_prefixlength", r.suppress_prefix_len != -1)) if given]
    if unsupported:
        raise RouteError(f"rule option {unsupported[0]!r} is not supported by kaconfd")
    return RuleSpec(
        family=r.family, src=_selector(r.from_addr), dst=_selector(r.to_addr),
        table=r.table, priority=r.priority, fwmark=r.fwmark, fwmask=r.fwmask,
        iif=r.iif, oif=r.oif, tos=r.tos or None)


def _selector(p: Prefix | None) -> str | None:
    """A rule's from/to prefix; ``all`` (length 0) selects nothing."""
    return None if p is None or p.plen == 0 else _net(p)
