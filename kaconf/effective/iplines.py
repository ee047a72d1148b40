"""Addresses, routes and rules as keepalived stores and prints them.

keepalived re-parses every ``virtual_ipaddress``/``static_ipaddress`` line,
route and rule with iproute2-like grammars and prints its internal structure
back (``format_ipaddress``, ``format_iproute``, ``format_iprule``), so the
dump shows defaults the config never wrote (``scope global``, ``proto 18``,
``priority 16384``, ``tos 0x0``). These classes hold that internal form.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from kaconf.effective.values import read_uint
from kaconf.model.objects import VirtualAddress

RT_TABLE_MAIN = 254
RTPROT_KEEPALIVED = 18
RULE_START_PRIORITY = 16384

SCOPES = {"global": 0, "universe": 0, "nowhere": 255, "host": 254, "link": 253, "site": 200}
SCOPE_NAMES = {0: "global", 255: "nowhere", 254: "host", 253: "link", 200: "site"}
TABLES = {"default": 253, "main": 254, "local": 255}
PROTOS = {"none": 0, "redirect": 1, "kernel": 2, "boot": 3, "static": 4, "gated": 8, "ra": 9,
          "mrt": 10, "zebra": 11, "bird": 12, "dnrouted": 13, "xorp": 14, "ntk": 15,
          "dhcp": 16, "keepalived": 18, "babel": 42}
RTN_TYPES = {"unicast": 1, "local": 2, "broadcast": 3, "brd": 3, "anycast": 4,
             "multicast": 5, "blackhole": 6, "unreachable": 7, "prohibit": 8, "throw": 9,
             "nat": 10, "xresolve": 11}
RTN_NAMES = {1: "unicast", 2: "local", 3: "broadcast", 4: "anycast", 5: "multicast",
             6: "blackhole", 7: "unreachable", 8: "prohibit", 9: "throw", 10: "nat",
             11: "xresolve"}
INFINITY_LIFE_TIME = 0xFFFFFFFF


def tracking_text(no_track: bool, track_group: str | None) -> str:
    """The `` no_track`` / `` track_group G`` tail every address, route and rule prints."""
    out = " no_track" if no_track else ""
    if track_group:
        out += f" track_group {track_group}"
    return out


def realms_value(text: str, strict: bool) -> int | None:
    """``FROM/TO`` or ``TO`` realms as one number; None when unusable.

    Routes (``strict``) reject a bad ``TO`` after the slash; rules ignore it.
    """
    a, _, b = text.partition("/")
    va = read_uint(a, 0, 0xFFFF)
    vb = read_uint(b, 0, 0xFFFF) if b else None
    if va is None or (strict and b and vb is None):
        return None
    return (va << 16 | vb) if vb is not None else va


def scope_name(v: int) -> str:
    return SCOPE_NAMES.get(v, str(v))


def scope_number(text: str) -> int | None:
    if text in SCOPES:
        return SCOPES[text]
    return read_uint(text, 0, 255)


@dataclass
class Prefix:
    """keepalived's ``ip_address_t`` used as a plain prefix (``ipaddresstos``)."""

    family: int
    addr: str
    plen: int

    @classmethod
    def parse(cls, text: str, allow_subnet: bool = True) -> Prefix | None:
        fam = 6 if ":" in text else 4
        full = 128 if fam == 6 else 32
        plen = full
        base = text
        if allow_subnet and "/" in text:
            base, _, pl = text.partition("/")
            v = read_uint(pl, 0, full)
            if v is not None:
                plen = v
        try:
            a = ipaddress.ip_address(base)
        except ValueError:
            return None
        if a.version != fam:
            return None
        return cls(fam, str(a), plen)

    def text(self) -> str:
        full = 128 if self.family == 6 else 32
        return self.addr if self.plen == full else f"{self.addr}/{self.plen}"


@dataclass
class Address:
    """One VIP/eVIP/static address after keepalived's parsing."""

    family: int
    addr: str
    plen: int
    dev: str | None = None
    brd: str | None = None
    scope: int = 0
    label: str | None = None
    peer: str | None = None
    flags: list[str] = field(default_factory=list)
    no_track: bool = False
    track_group: str | None = None
    use_vmac: bool = False
    preferred_lft: int = INFINITY_LIFE_TIME
    ifname: str | None = None
    base_ifname: str | None = None
    set: bool = False

    def text(self) -> str:
        """keepalived's ``format_ipaddress``."""
        full = 128 if self.family == 6 else 32
        out = self.addr if self.plen == full else f"{self.addr}/{self.plen}"
        if self.family == 4 and self.brd:
            out += f" brd {self.brd}"
        out += f" dev {self.ifname or '(null)'}"
        if self.base_ifname:
            out += f"@{self.base_ifname}"
        if self.use_vmac:
            out += " use_vmac"
        out += f" scope {scope_name(self.scope)}"
        if self.label:
            out += f" label {self.label}"
        if self.peer:
            out += f" peer {self.peer}/{self.plen}"
        for f in ("home", "-nodad", "mngtmpaddr", "noprefixroute", "autojoin"):
            if f in self.flags:
                out += f" {f}"
        out += tracking_text(self.no_track, self.track_group)
        if self.family == 6:
            if self.preferred_lft == 0:
                out += " deprecated"
            elif self.preferred_lft == INFINITY_LIFE_TIME:
                out += " preferred_lft forever"
            else:
                out += f" preferred_lft {self.preferred_lft}"
        if self.set:
            out += " set"
        return out


def address_from_model(va: VirtualAddress, static: bool = False) -> Address | None:
    """keepalived's ``alloc_ipaddress`` applied to a parsed address line.

    ``None`` when keepalived drops the line (bad address, over-long label,
    broadcast on IPv6).
    """
    if va.address is None:
        return None
    ip = va.address.ip
    fam = ip.version
    plen = va.address.network.prefixlen
    a = Address(family=fam, addr=str(ip), plen=plen, dev=va.dev)
    if va.scope is not None:
        sc = scope_number(va.scope)
        if sc is not None:
            a.scope = sc
    if va.label is not None:
        if len(va.label) >= 16:
            return None
        a.label = va.label
    if va.brd is not None:
        if fam == 6:
            return None
        if va.brd in ("+", "-"):
            if plen <= 30:
                net = ipaddress.IPv4Network(f"{ip}/{plen}", strict=False)
                a.brd = str(net.broadcast_address if va.brd == "+" else net.network_address)
        else:
            try:
                a.brd = str(ipaddress.IPv4Address(va.brd))
            except ValueError:
                return None
    if va.peer is not None:
        try:
            p = ipaddress.ip_address(va.peer)
        except ValueError:
            p = None
        if p is not None and p.version == fam:
            a.peer = str(p)
            a.plen = 128 if fam == 6 else 32
            if va.brd is not None:
                a.brd = None
    for f in va.flags:
        if f == "no_track":
            a.no_track = True
        elif f == "use_vmac" and not static:
            a.use_vmac = True
        elif f in ("home", "-nodad", "mngtmpaddr", "noprefixroute", "autojoin"):
            a.flags.append(f)
    if static and va.track_group:
        a.track_group = va.track_group
    if fam == 6:
        a.scope = 0
        a.label = None
        lft: int | None = None
        if va.preferred_lft is not None:
            lft = INFINITY_LIFE_TIME if va.preferred_lft == "forever" else \
                read_uint(va.preferred_lft)
        if lft is None:
            lft = 0 if a.plen == 128 else INFINITY_LIFE_TIME
        a.preferred_lft = lft
    return a


def table_number(text: str) -> int | None:
    if text in TABLES:
        return TABLES[text]
    return read_uint(text, 0, 0xFFFFFFFF)


def route_prefix(text: str) -> Prefix | None:
    if text in ("default", "any", "all"):
        return Prefix(0, "", 0)
    if text == "default6":
        return Prefix(6, "::", 0)
    return Prefix.parse(text)
