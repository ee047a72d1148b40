"""``virtual_routes`` / ``virtual_rules`` lines, parsed into frozen specs (pure).

keepalived keeps these lines in ``ip route`` / ``ip rule`` syntax and installs them
with the VIPs (a master adds VIPs, then routes, then rules; leaving MASTER removes
rules, routes, then VIPs). This module turns the words of one line into a
:class:`RouteSpec` / :class:`RuleSpec` that :mod:`kaconfd.netlink` can install. The
subset understood is the one people use (destination, ``via``/``gw``, ``src``, ``dev``,
``table``, ``metric``, ``protocol``, ``scope``, ``onlink``, route types; rules with
``from``/``to``/``table``/``priority``/``fwmark``/``iif``/``oif``/``tos``); anything else
raises :class:`RouteError` so that the daemon refuses the config with the reason rather
than installing something different from what keepalived would.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

#: keepalived's own routing protocol number (``proto keepalived``), its default.
RTPROT_KEEPALIVED = 18
_TABLES = {"unspec": 0, "default": 253, "main": 254, "local": 255}
_PROTOCOLS = {"unspec": 0, "redirect": 1, "kernel": 2, "boot": 3, "static": 4, "ra": 9,
              "dhcp": 16, "keepalived": RTPROT_KEEPALIVED, "babel": 42, "bird": 12}
_SCOPES = {"global": 0, "universe": 0, "site": 200, "link": 253, "host": 254, "nowhere": 255}
_ROUTE_TYPES = ("unicast", "local", "broadcast", "multicast", "throw", "unreachable",
                "prohibit", "blackhole", "nat")


class RouteError(ValueError):
    """A route or rule line kaconfd cannot install (the message says why)."""


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


def _number(word: str, names: dict[str, int], what: str) -> int:
    if word in names:
        return names[word]
    try:
        return int(word, 0)
    except ValueError:
        raise RouteError(f"unknown {what} {word!r}") from None


def _family_of(text: str) -> int:
    try:
        return ipaddress.ip_network(text, strict=False).version
    except ValueError:
        raise RouteError(f"invalid address {text!r}") from None


class _Words:
    """The words of one line with a cursor; running out raises RouteError."""

    def __init__(self, words: list[str]) -> None:
        self.words = [w for w in words if w]
        self.i = 0

    def more(self) -> bool:
        return self.i < len(self.words)

    def next(self, after: str | None = None) -> str:
        if self.i >= len(self.words):
            raise RouteError(f"{after or 'line'} needs a value")
        word = self.words[self.i]
        self.i += 1
        return word


def _network(text: str) -> str:
    if text == "default":
        return text
    try:
        return str(ipaddress.ip_network(text, strict=False))
    except ValueError:
        raise RouteError(f"invalid destination {text!r}") from None


def parse_route(words: list[str]) -> RouteSpec:
    """A ``virtual_routes`` line (keepalived / ``ip route`` syntax) as a :class:`RouteSpec`."""
    w = _Words(words)
    fields: dict[str, object] = {}
    dst: str | None = None
    rtype = "unicast"
    family: int | None = None
    while w.more():
        word = w.next()
        if word in ("inet", "inet6"):
            family = 4 if word == "inet" else 6
        elif word == "src":
            fields["prefsrc"] = str(_checked_ip(w.next(word)))
        elif word in ("via", "gw"):
            gw = w.next(word)
            if gw in ("inet", "inet6"):
                gw = w.next(word)
            fields["gateway"] = str(_checked_ip(gw))
        elif word in ("dev", "oif"):
            fields["dev"] = w.next(word)
        elif word == "table":
            fields["table"] = _number(w.next(word), _TABLES, "table")
        elif word in ("metric", "priority", "preference"):
            fields["metric"] = _number(w.next(word), {}, "metric")
        elif word in ("protocol", "proto"):
            fields["protocol"] = _number(w.next(word), _PROTOCOLS, "protocol")
        elif word == "scope":
            fields["scope"] = _number(w.next(word), _SCOPES, "scope")
        elif word == "onlink":
            fields["onlink"] = True
        elif word == "no_track":
            pass  # only about keepalived watching the route; nothing to install
        elif word == "to":
            dst = _network(w.next(word))
        elif word == "default" and dst is None:
            dst = "default"
        elif word in _ROUTE_TYPES and dst is None:
            rtype = word
        elif dst is None and not word.isalpha():
            dst = _network(word)
        else:
            raise RouteError(f"route option {word!r} is not supported by kaconfd")
    if dst is None:
        raise RouteError("route without a destination")
    addrs = [str(v) for k, v in fields.items() if k in ("gateway", "prefsrc")]
    if dst == "default":
        dst_family = family or (_family_of(addrs[0]) if addrs else 4)
        dst = "0.0.0.0/0" if dst_family == 4 else "::/0"
    dst_family = _family_of(dst)
    if family is not None and family != dst_family:
        raise RouteError(f"route {dst} does not match its address family")
    for addr in addrs:
        if _family_of(addr) != dst_family:
            raise RouteError(f"route {dst}: {addr} is not of the same address family")
    return RouteSpec(family=dst_family, dst=dst, type=rtype, **fields)  # type: ignore[arg-type]


def _checked_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        raise RouteError(f"invalid address {text!r}") from None


def parse_rule(words: list[str]) -> RuleSpec:
    """A ``virtual_rules`` line (keepalived / ``ip rule`` syntax) as a :class:`RuleSpec`."""
    w = _Words(words)
    fields: dict[str, object] = {}
    family: int | None = None
    have_table = False
    while w.more():
        word = w.next()
        if word in ("inet", "inet6"):
            family = 4 if word == "inet" else 6
        elif word in ("from", "to"):
            text = w.next(word)
            if text != "all":
                fields["src" if word == "from" else "dst"] = _network(text)
        elif word in ("table", "lookup"):
            fields["table"] = _number(w.next(word), _TABLES, "table")
            have_table = True
        elif word in ("priority", "preference", "order", "pref"):
            fields["priority"] = _number(w.next(word), {}, "priority")
        elif word == "fwmark":
            mark, _, mask = w.next(word).partition("/")
            fields["fwmark"] = _number(mark, {}, "fwmark")
            if mask:
                fields["fwmask"] = _number(mask, {}, "fwmark mask")
        elif word in ("iif", "dev"):
            fields["iif"] = w.next(word)
        elif word == "oif":
            fields["oif"] = w.next(word)
        elif word in ("tos", "dsfield"):
            fields["tos"] = _number(w.next(word), {}, "tos")
        elif word == "no_track":
            pass
        else:
            raise RouteError(f"rule option {word!r} is not supported by kaconfd")
    if not have_table:
        raise RouteError("rule without a table (only 'lookup TABLE' rules are supported)")
    families = {_family_of(str(v)) for k, v in fields.items() if k in ("src", "dst")}
    if family is not None:
        families.add(family)
    if len(families) > 1:
        raise RouteError("rule mixes IPv4 and IPv6")
    return RuleSpec(family=families.pop() if families else 4, **fields)  # type: ignore[arg-type]
