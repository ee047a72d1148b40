"""``virtual_routes`` / ``static_routes`` lines as keepalived stores and prints them
(``alloc_route`` / ``format_iproute``); the model reads each line once
(:attr:`kaconf.model.objects.Route.reading`), and says why keepalived drops a line and
what else it reports while reading it, so that lint asks instead of reading the words
again."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import NoReturn

from kaconf.model.ipwords import (
    PROTOS,
    RT_TABLE_MAIN,
    RTN_NAMES,
    RTPROT_KEEPALIVED,
    Prefix,
    realms_value,
    route_prefix,
    rtn_type,
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
    (``gw``, ``or``) keepalived complained about before it stopped reading. ``dest`` is
    the destination word as written (the one keepalived names in its messages), None when
    it did not get that far. ``untracked`` says keepalived switched tracking off because
    the route has no interface and ``no_track`` was not written ("cannot track route DEST
    with no interface specified"). ``nexthop_problem`` is what
    keepalived reported in the ``nexthop`` part: it stops reading hops there and keeps
    the route with the hops read before. ``missing_interface`` is the ``dev`` keepalived
    looked up and did not find (read with the host's interfaces only): the reason the line
    was dropped; ``missing_hop_interface`` the same for a nexthop's (the nexthop problem).
    ``given`` is what the line says, as written, for the options the model shows (``via``,
    ``src``, ``dev``, ``table``, ``metric``, ``protocol``, ``scope``, ``type``,
    ``no_track``), as far as keepalived read it (:class:`kaconf.model.objects.Route`).
    """

    info: RouteInfo | None
    reason: str = ""
    deprecated: tuple[str, ...] = ()
    dest: str | None = None
    untracked: bool = False
    nexthop_problem: str = ""
    missing_interface: str | None = None
    missing_hop_interface: str | None = None
    given: dict[str, str] = field(default_factory=dict)


def route_from_words(words: list[str], static: bool = False) -> RouteInfo | None:
    """keepalived's ``alloc_route``; ``None`` when it rejects the line."""
    return route_reading(words, static).info


def route_reading(words: list[str], static: bool = False,
                  interfaces: Collection[str] | None = None) -> RouteReading:
    """keepalived's ``alloc_route`` of ``words``, with why it drops the line, if it does.

    ``interfaces``: the host's interface names when known. keepalived looks each ``dev``
    up as it reads it and drops the route at the first one missing (a missing nexthop
    ``dev`` ends the nexthops); without them every name is taken as present.
    """
    notes = _Notes()
    try:
        info = _read_route(words, static, notes, interfaces)
    except LineRejected as exc:
        return RouteReading(None, str(exc), tuple(notes.deprecated), notes.dest,
                            nexthop_problem=notes.hop_problem,
                            missing_interface=notes.missing,
                            missing_hop_interface=notes.hop_missing, given=notes.given)
    return RouteReading(info, "", tuple(notes.deprecated), notes.dest, notes.untracked,
                        notes.hop_problem, missing_hop_interface=notes.hop_missing,
                        given=notes.given)


@dataclass
class _Notes:
    """What keepalived met and said while reading one route line."""

    deprecated: list[str] = field(default_factory=list)
    dest: str | None = None
    untracked: bool = False
    hop_problem: str = ""
    missing: str | None = None
    hop_missing: str | None = None
    given: dict[str, str] = field(default_factory=dict)


def _read_route(words: list[str], static: bool, notes: _Notes,
                interfaces: Collection[str] | None) -> RouteInfo:
    r = RouteInfo()
    fam = 0
    i = 0
    n = len(words)
    v: int | None

    def nxt(k: int) -> str | None:
        return words[k] if k < n else None

    def set_fam(f: int) -> bool:
        """keepalived's family check: the first family given sticks (0, "default",
        leaves it open); later ones must equal it, 0 included."""
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
            i += 2  # keepalived steps over the word after inet/inet6 as well
            continue
        if w == "src":
            notes.given["src"] = nxt(i + 1) or ""
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
                notes.deprecated.append(w)
            k = i + 1
            if nxt(k) in ("inet", "inet6"):
                if not set_fam(6 if nxt(k) == "inet6" else 4):
                    reject(mix)
                k += 1
            notes.given["via"] = nxt(k) or ""
            p = Prefix.parse(nxt(k) or "", False)
            if p is None:
                reject(f"invalid route via address {nxt(k)}")
            if not set_fam(p.family):
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
            notes.given["table"] = nxt(i + 1) or ""
            v = table_number(nxt(i + 1) or "")
            if v is None:
                reject(f"routing table {nxt(i + 1)} not found for route")
            r.table = v
            i += 2
        elif w == "protocol":
            t = nxt(i + 1) or ""
            notes.given["protocol"] = t
            v = PROTOS.get(t)
            if v is None:
                v = read_uint(t, 0, 255)
            if v is None:
                reject(f"protocol {nxt(i + 1)} not found or invalid for route")
            r.protocol = v
            i += 2
        elif w == "scope":
            notes.given["scope"] = nxt(i + 1) or ""
            v = scope_number(nxt(i + 1) or "")
            if v is None:
                reject(f"scope {nxt(i + 1)} not found or invalid for route")
            r.scope = v
            i += 2
        elif w in ("metric", "priority", "preference"):
            notes.given["metric"] = nxt(i + 1) or ""
            v = read_uint(nxt(i + 1))
            if v is None:
                reject(f"invalid metric {nxt(i + 1)} specified for route")
            r.metric = v
            i += 2
        elif w in ("dev", "oif"):
            name = nxt(i + 1)
            if name is None:
                reject(f"{w} without an interface name")
            notes.given["dev"] = name
            if interfaces is not None and name not in interfaces:
                notes.missing = name
                reject(f"interface {name} for VROUTE nexthop doesn't exist")
            r.oif = name
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
        elif w in ("expires", "pref"):
            if fam == 4:
                reject(f"{w} is only valid for IPv6")
            fam = 6  # both make the route IPv6, whatever came before
            t = nxt(i + 1) or ""
            if w == "expires" and read_uint(t) is None:
                reject(f"invalid expires time {t} specified for route")
            if w == "pref" and t not in ("low", "medium", "high") \
                    and read_uint(t, 0, 255) is None:
                reject(f"invalid pref value {t} specified for route")
            i += 2
        elif w in ("quickack", "fastopen_no_cookie"):
            if read_uint(nxt(i + 1), 0, 1) is None:
                reject(f"invalid {w} value {nxt(i + 1)} specified for route")
            i += 2
        elif w in ("rtt", "rttvar", "reordering", "cwnd", "ssthresh", "rto_min",
                   "congctl", "ttl-propagate", "encap", "vrf"):
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
            notes.deprecated.append(w)
            a1 = r.via
            a2 = Prefix.parse(nxt(i + 1) or "", False)
            if a2 is None:
                reject(f"invalid \"or\" address {nxt(i + 1)}")
            if not r.nexthops:
                r.nexthops = [(a1, None, None, False), (a2, None, None, False)]
                r.via = None
            i += 2
        elif w == "nexthop":
            if r.nexthops:
                reject("cannot specify nexthops with \"or\" route")
            fam, notes.hop_problem = _nexthops(words, i, r, fam, notes, interfaces)
            break
        elif w == "no_track":
            r.no_track = True
            notes.given["no_track"] = w
            i += 1
        elif static and w == "track_group":
            r.track_group = nxt(i + 1)
            i += 2
        else:
            if w == "to":
                i += 1
                w = nxt(i) or ""
            rtn = rtn_type(w)
            if rtn is not None:
                notes.given["type"] = w
                r.type = rtn
                i += 1
                w = nxt(i) or ""
            p = route_prefix(w)
            if p is None:
                reject(f"unknown route keyword {w}" if w else "route has no destination")
            if not set_fam(p.family):  # "default" after an address of either family too
                reject(mix)
            r.dst = p
            notes.dest = w
            i += 1
    if r.dst is None:
        reject("route has no destination")
    if not r.no_track:
        r.protocol = RTPROT_KEEPALIVED
        if not r.oif:
            r.no_track = True
            notes.untracked = True
    if r.track_group and not r.oif:
        r.track_group = None
    r.family = fam or 4
    if r.dst.family == 0:
        r.dst = Prefix(r.family, "::" if r.family == 6 else "0.0.0.0", 0)
    return r


def _nexthops(words: list[str], i: int, r: RouteInfo, fam: int, notes: _Notes,
              interfaces: Collection[str] | None) -> tuple[int, str]:
    """The ``nexthop ...`` tail of a route line, into ``r``: (the route's family, what
    keepalived reported, or ''). Like keepalived, a problem ends the hops (the hop being
    read is dropped, the ones before are kept) but not the route."""
    n = len(words)
    hop_fam = 0
    while i < n and words[i] == "nexthop":
        i += 1
        addr: Prefix | None = None
        dev: str | None = None
        weight: int | None = None
        onlink = False
        while i < n:
            w = words[i]
            nxt = words[i + 1] if i + 1 < n else ""
            if w == "via":
                k = i + 1
                if k < n and words[k] in ("inet", "inet6"):
                    hop_fam = 6 if words[k] == "inet6" else 4
                    k += 1
                if hop_fam:
                    if not fam:
                        fam = hop_fam
                    elif fam != hop_fam:
                        return fam, "IPv4/6 mismatch for nexthop"
                addr = Prefix.parse(words[k] if k < n else "", False)
                if addr is None:
                    return fam, f"invalid nexthop address {words[k] if k < n else ''}"
                if fam and addr.family != fam:
                    return fam, "address family mismatch for next hop"
                fam = fam or addr.family
                i = k
            elif w == "dev":
                if interfaces is not None and nxt not in interfaces:
                    notes.hop_missing = nxt
                    return fam, f"interface {nxt} for VROUTE nexthop doesn't exist"
                dev = nxt
                i += 1
            elif w == "weight":
                weight = read_uint(nxt, 0, 256)
                if not weight:
                    return fam, f"invalid weight {nxt} specified for route"
                i += 1
            elif w == "onlink":
                onlink = True
            elif w == "encap":
                i += 1
            elif w == "realms":
                if realms_value(nxt, strict=True) is None:
                    return fam, f"invalid realms {nxt} for route"
                if fam and fam != 4:
                    return fam, "realms are only supported for IPv4"
                fam = 4
                i += 1
            elif w == "as":
                return fam, "'as [to]' (nat) not supported"
            else:
                break
            i += 1
        r.nexthops.append((addr, dev, weight, onlink))
    if i < n:
        return fam, f"route has trailing nonsense after nexthops - {words[i]}"
    return fam, ""
