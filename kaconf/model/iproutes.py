"""``virtual_routes`` / ``static_routes`` lines as keepalived stores and prints them
(``alloc_route`` / ``format_iproute``); the model reads each line once
(:attr:`kaconf.model.objects.Route.reading`), and says why keepalived drops a line and
what else it reports while reading it, so that lint asks instead of reading the words
again."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NoReturn

from kaconf.model.ipwords import (
    PROTOS,
    RT_TABLE_MAIN,
    RTN_NAMES,
    RTN_TYPES,
    RTPROT_KEEPALIVED,
    Prefix,
    realms_value,
    route_prefix,
    scope_number,
    table_number,
    tracking_text,
)
from kaconf.model.readers import read_uint


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
        out += tracking_text(self.no_track, self.track_group)
        return out


class LineRejected(Exception):
    """keepalived drops the line being read; the message says why (its wording)."""


def reject(reason: str) -> NoReturn:
    """Stop reading a route or rule line: keepalived drops it for ``reason``."""
    raise LineRejected(reason)


@dataclass(frozen=True, slots=True)
class RouteReading:
    """keepalived's reading of one route line: what it keeps and what it says.

    ``info`` is None when keepalived drops the line, ``reason`` then says why (short,
    keepalived's words, as lint quotes them). ``deprecated`` lists the deprecated words
    (``gw``, ``or``) keepalived complained about before it stopped reading.
    ``untracked_dest`` is set when keepalived switched tracking off because the route has
    no interface and ``no_track`` was not written: the destination word it names
    ("cannot track route X with no interface specified").
    """

    info: RouteInfo | None
    reason: str = ""
    deprecated: tuple[str, ...] = ()
    untracked_dest: str | None = None


def route_from_words(words: list[str], static: bool = False) -> RouteInfo | None:
    """keepalived's ``alloc_route``; ``None`` when it rejects the line."""
    return route_reading(words, static).info


def route_reading(words: list[str], static: bool = False) -> RouteReading:
    """keepalived's ``alloc_route`` of ``words``, with why it drops the line, if it does."""
    seen: list[str] = []
    try:
        info, untracked = _read_route(words, static, seen)
    except LineRejected as exc:
        return RouteReading(None, str(exc), tuple(seen))
    return RouteReading(info, "", tuple(seen), untracked)


def _read_route(words: list[str], static: bool,
                seen: list[str]) -> tuple[RouteInfo, str | None]:
    r = RouteInfo()
    dest_word = ""
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

    mix = "cannot mix IPv4 and IPv6 addresses"
    while i < n:
        w = words[i]
        if w in ("inet", "inet6"):
            if not set_fam(6 if w == "inet6" else 4):
                reject(f"{w} specified for IPv{6 if w == 'inet' else 4} route")
            i += 1
            continue
        if w == "src":
            p = Prefix.parse(nxt(i + 1) or "", False)
            if p is None:
                reject(f"invalid route src address {nxt(i + 1)}")
            if not set_fam(p.family):
                reject(mix)
            r.pref_src = p
            i += 2
        elif w == "as":
            i += 2 if nxt(i + 1) != "to" else 3
        elif w in ("via", "gw"):
            if w == "gw":
                seen.append(w)
            k = i + 1
            f = fam
            if nxt(k) in ("inet", "inet6"):
                f = 6 if nxt(k) == "inet6" else 4
                k += 1
            p = Prefix.parse(nxt(k) or "", False)
            if p is None:
                reject(f"invalid route via address {nxt(k)}")
            if (f and p.family != f) or not set_fam(p.family):
                reject(mix)
            r.via = p
            i = k + 1
        elif w == "from":
            p = route_prefix(nxt(i + 1) or "")
            if p is None:
                reject(f"invalid route from address {nxt(i + 1)}")
            if p.family != 6:
                reject(f"route from address only supported with IPv6 ({nxt(i + 1)})")
            if not set_fam(6):
                reject(mix)
            r.src = p
            i += 2
        elif w in ("tos", "dsfield"):
            t = nxt(i + 1) or ""
            try:
                v = int(t, 0)
            except ValueError:
                v = -1
            if v < 0 or v > 255:
                reject(f"TOS value {nxt(i + 1)} is invalid")
            r.tos = v
            i += 2
        elif w == "table":
            v = table_number(nxt(i + 1) or "")
            if v is None:
                reject(f"routing table {nxt(i + 1)} not found for route")
            r.table = v
            i += 2
        elif w == "protocol":
            t = nxt(i + 1) or ""
            v = PROTOS.get(t)
            if v is None:
                v = read_uint(t, 0, 255)
            if v is None:
                reject(f"protocol {nxt(i + 1)} not found or invalid for route")
            r.protocol = v
            i += 2
        elif w == "scope":
            v = scope_number(nxt(i + 1) or "")
            if v is None:
                reject(f"scope {nxt(i + 1)} not found or invalid for route")
            r.scope = v
            i += 2
        elif w in ("metric", "priority", "preference"):
            v = read_uint(nxt(i + 1))
            if v is None:
                reject(f"invalid metric {nxt(i + 1)} specified for route")
            r.metric = v
            i += 2
        elif w in ("dev", "oif"):
            if nxt(i + 1) is None:
                reject(f"{w} without an interface name")
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
                reject(f"invalid {'MTU' if w == 'mtu' else w} {nxt(k)} specified for route")
            setattr(r, w, (lock, v))
            i = k + 1
        elif w in ("hoplimit", "initcwnd", "initrwnd", "window"):
            v = read_uint(nxt(i + 1), 0, 255 if w == "hoplimit" else 0xFFFFFFFF)
            if v is None:
                reject(f"invalid {w} {nxt(i + 1)} specified for route")
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
            v = realms_value(nxt(i + 1) or "", strict=True)
            if v is None:
                reject(f"invalid realms {nxt(i + 1)} for route")
            r.realms = v
            if not set_fam(4):
                reject("realms are only valid for IPv4")
            i += 2
        elif w in ("add", "prepend", "append"):
            r.op = w
            i += 1
        elif w == "features":
            r.features_ecn = r.features_ecn or nxt(i + 1) == "ecn"
            i += 2
        elif w == "or":
            seen.append(w)
            a1 = r.via
            a2 = Prefix.parse(nxt(i + 1) or "", False)
            if a2 is None:
                reject(f"invalid \"or\" address {nxt(i + 1)}")
            if not r.nexthops:
                r.nexthops = [(a1, None, None, False), (a2, None, None, False)]
                r.via = None
            i += 2
        elif w == "nexthop":
            i = _nexthops(words, i, r)
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
            p = route_prefix(w)
            if p is None:
                reject(f"unknown route keyword {w}" if w else "route has no destination")
            if p.family and not set_fam(p.family):
                reject(f"{mix} ({w})")
            r.dst = p
            dest_word = w
            i += 1
    if r.dst is None:
        reject("route has no destination")
    untracked: str | None = None
    if not r.no_track:
        r.protocol = RTPROT_KEEPALIVED
        if not r.oif:
            r.no_track = True
            untracked = dest_word
    if r.track_group and not r.oif:
        r.track_group = None
    r.family = fam or 4
    if r.dst.family == 0:
        r.dst = Prefix(r.family, "::" if r.family == 6 else "0.0.0.0", 0)
    return r, untracked


def _nexthops(words: list[str], i: int, r: RouteInfo) -> int:
    """The ``nexthop ...`` tail of a route line, into ``r``; rejects as the model always
    has (keepalived itself keeps the route with the hops read so far)."""
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
            reject(f"route has trailing nonsense after nexthops - {w}")
        elif w in ("via", "gw"):
            k = i + 1
            if k < n and words[k] in ("inet", "inet6"):
                k += 1
            p = Prefix.parse(words[k] if k < n else "", False)
            if p is None:
                reject(f"invalid nexthop address {words[k] if k < n else ''}")
            cur[0] = p
            i = k + 1
        elif w in ("dev", "oif") and i + 1 < n:
            cur[1] = words[i + 1]
            i += 2
        elif w == "weight" and i + 1 < n:
            v = read_uint(words[i + 1], 1, 256)
            if v is None:
                reject(f"invalid weight {words[i + 1]} specified for route")
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
