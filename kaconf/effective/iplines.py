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

from kaconf.effective.values import read_int, read_uint
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


def _tracking_text(no_track: bool, track_group: str | None) -> str:
    """The `` no_track`` / `` track_group G`` tail every address, route and rule prints."""
    out = " no_track" if no_track else ""
    if track_group:
        out += f" track_group {track_group}"
    return out


def _realms(text: str, strict: bool) -> int | None:
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


def _scope(text: str) -> int | None:
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
        out += _tracking_text(self.no_track, self.track_group)
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
        sc = _scope(va.scope)
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


@dataclass
class RouteInfo:
    """keepalived's ``ip_route_t`` (the commonly used members)."""

    family: int = 0
    dst: Prefix | None = None
    src: Prefix | None = None
    pref_src: Prefix | None = None
    via: Prefix | None = None
    oif: str | None = None
    table: int = RT_TABLE_MAIN
    protocol: int | None = None
    scope: int | None = None
    metric: int | None = None
    type: int = 1
    tos: int | None = None
    onlink: bool = False
    mtu: tuple[bool, int] | None = None
    advmss: tuple[bool, int] | None = None
    hoplimit: int | None = None
    initcwnd: int | None = None
    initrwnd: int | None = None
    window: int | None = None
    features_ecn: bool = False
    realms: int = 0
    op: str = "prepend"
    nexthops: list[tuple[Prefix | None, str | None, int | None, bool]] = \
        field(default_factory=list)
    no_track: bool = False
    track_group: str | None = None

    def text(self) -> str:
        """keepalived's ``format_iproute``."""
        out = f"{self.op} "
        if self.type != 1:
            out += f"{RTN_NAMES.get(self.type, str(self.type))} "
        out += self.dst.text() if self.dst else "default"
        if self.src:
            out += f" from {self.src.text()}"
        if self.pref_src:
            out += f" src {self.pref_src.text()}"
        if self.tos is not None:
            out += f" tos {self.tos}"
        if self.via:
            out += f" via {'inet6' if self.via.family == 6 else 'inet'} {self.via.text()}"
        if self.oif:
            out += f" dev {self.oif}"
        if self.table != RT_TABLE_MAIN:
            out += f" table {self.table}"
        if self.protocol is not None:
            out += f" proto {self.protocol}"
        if self.scope is not None:
            out += f" scope {self.scope}"
        if self.metric is not None:
            out += f" metric {self.metric}"
        if self.family == 4 and self.onlink:
            out += " onlink"
        if self.realms:
            if self.realms & 0xFFFF0000:
                out += f" realms {self.realms >> 16}/"
            else:
                out += " realm "
            out += str(self.realms & 0xFFFF)
        if self.features_ecn:
            out += " features ecn"
        if self.mtu:
            out += f" mtu {'lock ' if self.mtu[0] else ''}{self.mtu[1]}"
        if self.window is not None:
            out += f" window {self.window}"
        if self.advmss:
            out += f" advmss {'lock ' if self.advmss[0] else ''}{self.advmss[1]}"
        if self.hoplimit is not None:
            out += f" hoplimit {self.hoplimit}"
        if self.initcwnd is not None:
            out += f" initcwnd {self.initcwnd}"
        if self.initrwnd is not None:
            out += f" initrwnd {self.initrwnd}"
        for addr, dev, weight, onlink in self.nexthops:
            out += " nexthop"
            if addr:
                out += f" via inet{'' if addr.family == 4 else '6'} {addr.text()}"
            if dev:
                out += f" dev {dev}"
            if weight is not None:
                out += f" weight {weight}"
            if onlink:
                out += " onlink"
        out += _tracking_text(self.no_track, self.track_group)
        return out


def _table(text: str) -> int | None:
    if text in TABLES:
        return TABLES[text]
    return read_uint(text, 0, 0xFFFFFFFF)


def _route_dst(text: str) -> Prefix | None:
    if text in ("default", "any", "all"):
        return Prefix(0, "", 0)
    if text == "default6":
        return Prefix(6, "::", 0)
    return Prefix.parse(text)


def route_from_words(words: list[str], static: bool = False) -> RouteInfo | None:
    """keepalived's ``alloc_route``; ``None`` when it rejects the line."""
    r = RouteInfo()
    fam = 0
    i = 0
    n = len(words)
    v: int | None

    def nxt(k: int) -> str | None:
        return words[k] if k < n else None

    def set_fam(f: int) -> bool:
        nonlocal fam
        if fam == 0:
            fam = f
            return True
        return fam == f

    while i < n:
        w = words[i]
        if w in ("inet", "inet6"):
            if not set_fam(6 if w == "inet6" else 4):
                return None
            i += 1
            continue
        if w == "src":
            p = Prefix.parse(nxt(i + 1) or "", False)
            if p is None or not set_fam(p.family):
                return None
            r.pref_src = p
            i += 2
        elif w == "as":
            i += 2 if nxt(i + 1) != "to" else 3
        elif w in ("via", "gw"):
            k = i + 1
            f = fam
            if nxt(k) in ("inet", "inet6"):
                f = 6 if nxt(k) == "inet6" else 4
                k += 1
            p = Prefix.parse(nxt(k) or "", False)
            if p is None or (f and p.family != f) or not set_fam(p.family):
                return None
            r.via = p
            i = k + 1
        elif w == "from":
            p = _route_dst(nxt(i + 1) or "")
            if p is None or p.family != 6 or not set_fam(6):
                return None
            r.src = p
            i += 2
        elif w in ("tos", "dsfield"):
            t = nxt(i + 1) or ""
            try:
                v = int(t, 0)
            except ValueError:
                return None
            if v < 0 or v > 255:
                return None
            r.tos = v
            i += 2
        elif w == "table":
            v = _table(nxt(i + 1) or "")
            if v is None:
                return None
            r.table = v
            i += 2
        elif w == "protocol":
            t = nxt(i + 1) or ""
            v = PROTOS.get(t)
            if v is None:
                v = read_uint(t, 0, 255)
            if v is None:
                return None
            r.protocol = v
            i += 2
        elif w == "scope":
            v = _scope(nxt(i + 1) or "")
            if v is None:
                return None
            r.scope = v
            i += 2
        elif w in ("metric", "priority", "preference"):
            v = read_uint(nxt(i + 1))
            if v is None:
                return None
            r.metric = v
            i += 2
        elif w in ("dev", "oif"):
            if nxt(i + 1) is None:
                return None
            r.oif = nxt(i + 1)
            i += 2
        elif w == "onlink":
            r.onlink = True
            i += 1
        elif w in ("mtu", "advmss"):
            k = i + 1
            lock = nxt(k) == "lock"
            if lock:
                k += 1
            v = read_uint(nxt(k))
            if v is None:
                return None
            setattr(r, w, (lock, v))
            i = k + 1
        elif w in ("hoplimit", "initcwnd", "initrwnd", "window"):
            v = read_uint(nxt(i + 1), 0, 255 if w == "hoplimit" else 0xFFFFFFFF)
            if v is None:
                return None
            setattr(r, w, v)
            i += 2
        elif w in ("rtt", "rttvar", "reordering", "cwnd", "ssthresh", "rto_min", "expires",
                   "quickack", "congctl", "pref", "ttl-propagate", "fastopen_no_cookie",
                   "encap", "vrf"):
            k = i + 1
            if nxt(k) == "lock":
                k += 1
            i = k + 1
        elif w == "realms":
            v = _realms(nxt(i + 1) or "", strict=True)
            if v is None:
                return None
            r.realms = v
            if not set_fam(4):
                return None
            i += 2
        elif w == "features":
            r.features_ecn = r.features_ecn or nxt(i + 1) == "ecn"
            i += 2
        elif w in ("add", "prepend", "append"):
            r.op = w
            i += 1
        elif w == "or":
            a1 = r.via
            a2 = Prefix.parse(nxt(i + 1) or "", False)
            if a2 is None:
                return None
            if not r.nexthops:
                r.nexthops = [(a1, None, None, False), (a2, None, None, False)]
                r.via = None
            i += 2
        elif w == "nexthop":
            i = _nexthops(words, i, r)
            if i < 0:
                return None
            break
        elif w == "no_track":
            r.no_track = True
            i += 1
        elif static and w == "track_group":
            r.track_group = nxt(i + 1)
            i += 2
        else:
            if w == "to":
                i += 1
                w = nxt(i) or ""
            if w in RTN_TYPES:
                r.type = RTN_TYPES[w]
                i += 1
                w = nxt(i) or ""
            p = _route_dst(w)
            if p is None:
                return None
            if p.family and not set_fam(p.family):
                return None
            r.dst = p
            i += 1
    if r.dst is None:
        return None
    if not r.no_track:
        r.protocol = RTPROT_KEEPALIVED
        if not r.oif:
            r.no_track = True
    if r.track_group and not r.oif:
        r.track_group = None
    r.family = fam or 4
    if r.dst.family == 0:
        r.dst = Prefix(r.family, "::" if r.family == 6 else "0.0.0.0", 0)
    return r


def _nexthops(words: list[str], i: int, r: RouteInfo) -> int:
    n = len(words)
    cur: list[object] | None = None
    while i < n:
        w = words[i]
        if w == "nexthop":
            if cur is not None:
                r.nexthops.append(tuple(cur))  # type: ignore[arg-type]
            cur = [None, None, None, False]
            i += 1
        elif cur is None:
            return -1
        elif w in ("via", "gw"):
            k = i + 1
            if k < n and words[k] in ("inet", "inet6"):
                k += 1
            p = Prefix.parse(words[k] if k < n else "", False)
            if p is None:
                return -1
            cur[0] = p
            i = k + 1
        elif w in ("dev", "oif") and i + 1 < n:
            cur[1] = words[i + 1]
            i += 2
        elif w == "weight" and i + 1 < n:
            v = read_uint(words[i + 1], 1, 256)
            if v is None:
                return -1
            cur[2] = v
            i += 2
        elif w == "onlink":
            cur[3] = True
            i += 1
        else:
            i += 2
    if cur is not None:
        r.nexthops.append(tuple(cur))  # type: ignore[arg-type]
    return n


@dataclass
class RuleInfo:
    """keepalived's ``ip_rule_t`` (the commonly used members)."""

    family: int = 4
    from_addr: Prefix | None = None
    to_addr: Prefix | None = None
    invert: bool = False
    priority: int | None = None
    tos: int = 0
    fwmark: int | None = None
    fwmask: int | None = None
    iif: str | None = None
    oif: str | None = None
    protocol: int | None = None
    action: str = ""
    table: int = 0
    goto: int = 0
    realms: int = 0
    suppress_prefix_len: int = -1
    no_track: bool = False
    track_group: str | None = None

    def text(self) -> str:
        """keepalived's ``format_iprule``."""
        out = ""
        if not self.to_addr and not self.from_addr and self.family == 6:
            out += "inet6 "
        if self.invert:
            out += "not "
        out += f"from {self.from_addr.text()}" if self.from_addr else "from all"
        if self.to_addr:
            out += f" to {self.to_addr.text()}"
        if self.priority is not None:
            out += f" priority {self.priority}"
        out += f" tos 0x{self.tos:x}"
        if self.fwmark is not None:
            out += f" fwmark 0x{self.fwmark:x}"
            if self.fwmask is not None and self.fwmask != 0xFFFFFFFF:
                out += f"/0x{self.fwmask:x}"
        if self.iif:
            out += f" iif {self.iif}"
        if self.oif:
            out += f" oif {self.oif}"
        if self.suppress_prefix_len != -1:
            out += f" suppress_prefixlen {self.suppress_prefix_len}"
        if self.protocol is not None:
            out += f" protocol {self.protocol}"
        if self.realms:
            out += f" realms {self.realms >> 16}/{self.realms & 0xFFFF}"
        if self.action == "table":
            out += f" lookup {self.table}"
        elif self.action == "goto":
            out += f" goto {self.goto}"
        elif self.action == "nop":
            out += " nop"
        else:
            out += f" type {self.action}"
        out += _tracking_text(self.no_track, self.track_group)
        return out


class RulePriorities:
    """keepalived's per-family counters for rules given without a preference."""

    def __init__(self) -> None:
        self.next = {4: RULE_START_PRIORITY, 6: RULE_START_PRIORITY}

    def take(self, family: int) -> int:
        v = self.next[family]
        self.next[family] = v - 1
        return v


def rule_from_words(words: list[str], prios: RulePriorities,
                    static: bool = False) -> RuleInfo | None:
    """keepalived's ``alloc_rule``; ``None`` when it rejects the line."""
    r = RuleInfo()
    fam = 0
    n = len(words)
    i = 0
    table_option = False

    def nxt(k: int) -> str:
        return words[k] if k < n else ""

    while i < n:
        w = words[i]
        if w in ("inet", "inet6"):
            f = 6 if w == "inet6" else 4
            if fam and fam != f:
                return None
            fam = f
            i += 1
            continue
        if w in ("from", "to"):
            p = _route_dst(nxt(i + 1))
            if p is None:
                return None
            if p.family:
                if fam and fam != p.family:
                    return None
                fam = p.family
            if w == "from":
                r.from_addr = p
            else:
                r.to_addr = p
            i += 2
        elif w in ("table", "lookup"):
            v = _table(nxt(i + 1))
            if not v or r.action:
                return None
            r.table = v
            r.action = "table"
            i += 2
        elif w == "not":
            r.invert = True
            i += 1
        elif w in ("preference", "order", "priority"):
            t = nxt(i + 1)
            try:
                v = int(t, 0)
            except ValueError:
                return None
            if v < 0 or v > 0xFFFFFFFF:
                return None
            r.priority = v
            i += 2
        elif w in ("tos", "dsfield"):
            t = nxt(i + 1)
            try:
                v = int(t, 16) if t.startswith("0x") else int(t)
            except ValueError:
                return None
            r.tos = v & 0xFF
            i += 2
        elif w == "fwmark":
            t = nxt(i + 1)
            mark, slash, mask = t.partition("/")
            try:
                r.fwmark = int(mark, 0)
                if slash:
                    r.fwmask = int(mask, 0)
            except ValueError:
                return None
            i += 2
        elif w == "realms":
            v = _realms(nxt(i + 1), strict=False)
            if v is None:
                return None
            r.realms = v
            table_option = True
            if fam and fam != 4:
                return None
            fam = 4
            i += 2
        elif w in ("suppress_prefixlength", "sup_pl"):
            v = read_int(nxt(i + 1), 0, 2**31 - 1)
            if v is None:
                return None
            r.suppress_prefix_len = v
            table_option = True
            i += 2
        elif w in ("dev", "iif"):
            r.iif = nxt(i + 1)
            i += 2
        elif w == "oif":
            r.oif = nxt(i + 1)
            i += 2
        elif w == "protocol":
            v = read_uint(nxt(i + 1), 0, 255)
            if v is not None:
                r.protocol = v
            i += 2
        elif w in ("suppress_ifgroup", "sup_group", "tunnel-id", "uidrange", "ipproto",
                   "sport", "dport"):
            i += 2
        elif w == "l3mdev":
            if r.action:
                return None
            r.action = "table"
            i += 1
        elif w == "no_track":
            r.no_track = True
            i += 1
        elif static and w == "track_group":
            r.track_group = nxt(i + 1)
            i += 2
        else:
            if w == "type":
                i += 1
                w = nxt(i)
            if w == "goto":
                v = read_uint(nxt(i + 1))
                if v is None:
                    return None
                r.goto = v
                action = "goto"
                i += 1
            elif w == "nop":
                action = "nop"
            elif w in ("blackhole", "unreachable", "prohibit"):
                action = w
            else:
                return None
            if r.action:
                return None
            r.action = action
            i += 1
    if r.action == "goto" and (r.priority is None or r.priority >= r.goto):
        return None
    if not r.action:
        return None
    if r.action != "table" and table_option:
        return None
    if not r.no_track:
        r.protocol = RTPROT_KEEPALIVED
    if r.track_group and not r.iif:
        r.track_group = None
    r.family = fam or 4
    for p in (r.from_addr, r.to_addr):
        if p is not None and p.family == 0:
            p.family = r.family
            p.addr = "::" if r.family == 6 else "0.0.0.0"
    if r.priority is None:
        r.priority = prios.take(r.family)
    return r
