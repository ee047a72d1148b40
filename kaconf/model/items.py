"""Parsers for the lines of value blocks (virtual_ipaddress, routes, peers, ...).

Each function takes one item line (a :class:`~kaconf.tree.Node` whose keyword is
the first word) and returns a model object plus findings. The word grammars
follow keepalived 2.2.7 (see ``value-blocks`` in the reference notes): option
words in any order after the leading item, unknown options reported.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.model.addr import make_interface, parse_ip, sockaddr_text
from kaconf.model.objects import Route, Rule, TrackRef, UnicastPeer, VirtualAddress, VsgEntry
from kaconf.tree import Node

Report = Callable[[str, str, Node, str], None]

_ADDR_VALUE_OPTS = {"dev", "brd", "broadcast", "scope", "label", "peer", "preferred_lft",
                    "track_group"}
_ADDR_FLAGS = {"home", "-nodad", "mngtmpaddr", "noprefixroute", "autojoin", "no_track",
               "use_vmac"}
_SCOPES = {"host", "link", "global", "site", "nowhere"}


def _diag(code: str, msg: str, node: Node, hint: str = "",
          severity: Severity = Severity.ERROR) -> Diagnostic:
    return Diagnostic(code, severity, msg, node.head_span, hint)


def parse_address(node: Node, out: list[Diagnostic], static: bool = False) -> VirtualAddress | None:
    """``<ip>[/<prefix>] [dev IF] [brd X] [scope S] [label L] ...``."""
    words = node.words()
    first = words[0]
    va = VirtualAddress(node)
    va.text = first
    addr_text, slash, plen = first.partition("/")
    try:
        ip = parse_ip(addr_text)
    except ValueError:
        out.append(_diag(
            "KA030", f"invalid IP address '{first}' - keepalived skips this line", node,
            "each line of an address block must start with an IPv4 or IPv6 address"
            + (" (a '{' here usually means a brace on its own line)" if first in "{}" else ""),
        ))
        return None
    maxlen: int = ip.max_prefixlen
    prefix: int = maxlen
    if slash:
        if plen.isdigit() and 0 <= int(plen) <= maxlen:
            prefix = int(plen)
            va.prefix_given = True
        else:
            out.append(_diag("KA031", f"invalid prefix length '/{plen}' for {addr_text} - "
                             f"keepalived uses /{maxlen}", node,
                             f"use a prefix length between 0 and {maxlen}"))
    va.address = make_interface(ip, prefix)
    i = 1
    while i < len(words):
        w = words[i]
        if w in _ADDR_VALUE_OPTS:
            if i + 1 >= len(words):
                out.append(_diag("KA032", f"No {w} parameter specified", node,
                                 f"'{w}' needs a value"))
                break
            v = words[i + 1]
            if w == "dev":
                if va.dev is not None:
                    out.append(_diag("KA032", "dev specified twice", node, "keep one 'dev'"))
                va.dev = v
            elif w in ("brd", "broadcast"):
                va.brd = v
            elif w == "scope":
                if v not in _SCOPES and not (v.isdigit() and int(v) <= 255):
                    out.append(_diag("KA032", f"invalid scope '{v}'", node,
                                     "use host, link, global, site, nowhere or 0-255"))
                va.scope = v
            elif w == "label":
                if len(v) > 15:
                    out.append(_diag("KA032", f"label '{v}' is longer than 15 characters", node,
                                     "keepalived drops an address whose label is too long"))
                va.label = v
            elif w == "peer":
                va.peer = v
            elif w == "preferred_lft":
                va.preferred_lft = v
            elif w == "track_group":
                if not static:
                    out.append(_diag("KA032", "track_group is only valid in static_ipaddress",
                                     node, "remove track_group"))
                va.track_group = v
            i += 2
            continue
        if w in _ADDR_FLAGS:
            va.flags.append(w)
        else:
            out.append(_diag("KA032", f"unknown address option '{w}' - ignoring", node,
                             "see keepalived.conf(5) for the options of an address line"))
        i += 1
    return va


_ROUTE_VALUE = {"src", "via", "gw", "from", "tos", "dsfield", "table", "protocol", "proto",
                "scope", "metric", "priority", "preference", "dev", "oif", "expires", "mtu",
                "hoplimit", "advmss", "rtt", "rttvar", "reordering", "window", "cwnd",
                "ssthresh", "initcwnd", "initrwnd", "realms", "rto_min", "features", "quickack",
                "congctl", "pref", "ttl-propagate", "fastopen_no_cookie", "as", "vrf",
                "track_group", "or", "to"}
_ROUTE_FLAGS = {"onlink", "no_track", "add", "prepend", "append", "inet", "inet6", "lock"}
_ROUTE_TYPES = {"unicast", "local", "broadcast", "multicast", "throw", "unreachable",
                "prohibit", "blackhole", "nat", "anycast"}


def parse_route(node: Node, out: list[Diagnostic], static: bool = False) -> Route:
    """An ip-route style line: its words; keepalived's reading is :attr:`Route.reading`.

    The destination is looked for here only for KA033 (a missing or unparsable
    destination, reported while the model is built).
    """
    words = node.words()
    r = Route(node, words=words)
    if static:
        r._static = True
    dest: str | None = None
    i = 0
    while i < len(words):
        w = words[i]
        if w == "nexthop" or w == "encap":
            break  # multipath / encap sub-grammars: kept as words
        if w in _ROUTE_VALUE and i + 1 < len(words):
            if w == "via" and words[i + 1] in ("inet", "inet6") and i + 2 < len(words):
                i += 1
            elif w == "to":
                dest = words[i + 1]
            i += 2
            continue
        if w not in _ROUTE_FLAGS and dest is None and w not in _ROUTE_TYPES:
            dest = w
        i += 1
    if dest is None:
        out.append(_diag("KA033", "route has no destination", node,
                         "write the destination prefix, e.g. 10.0.0.0/8 via 192.0.2.1"))
    elif dest != "default":
        try:
            ipaddress.ip_network(dest, strict=False)
        except ValueError:
            out.append(_diag("KA033", f"invalid route destination '{dest}'", node,
                             "the destination must be an address or prefix"))
    return r


def parse_rule(node: Node, out: list[Diagnostic], static: bool = False) -> Rule:
    """An ip-rule style line: its words; keepalived's reading is :attr:`Rule.reading`."""
    r = Rule(node, words=node.words())
    if static:
        r._static = True
    return r


def parse_peer(node: Node, out: list[Diagnostic]) -> UnicastPeer | None:
    """``<ip> [min_ttl N] [max_ttl N]``."""
    words = node.words()
    try:
        ip = parse_ip(sockaddr_text(words[0]))  # keepalived: inet_stosockaddr
    except ValueError:
        out.append(_diag("KA034", f"invalid unicast peer address '{words[0]}' - skipping", node,
                         "each unicast_peer line is one IPv4 or IPv6 address"))
        return None
    p = UnicastPeer(node, address=ip, text=words[0])
    i = 1
    while i < len(words):
        w = words[i]
        if w in ("min_ttl", "max_ttl"):
            if i + 1 >= len(words):
                out.append(_diag("KA034", f"unicast_peer {w} needs a value", node, "0-255"))
                break
            v = words[i + 1]
            if v.isdigit() and int(v) <= 255:
                setattr(p, w, int(v))
            i += 2
            continue
        out.append(_diag("KA034", f"unknown unicast_peer option '{w}'", node,
                         "only min_ttl and max_ttl may follow the address"))
        i += 1
    return p


def parse_track(node: Node, out: list[Diagnostic], interface: bool = False) -> TrackRef:
    """``<name> [weight W [reverse|noreverse]]``."""
    words = node.words()
    t = TrackRef(node)
    t.name = words[0]
    i = 1
    while i < len(words):
        w = words[i]
        if w == "weight" and i + 1 < len(words):
            v = words[i + 1]
            try:
                wt = int(v)
            except ValueError:
                out.append(_diag("KA035", f"invalid weight '{v}' for {t.name}", node,
                                 "weight is an integer between -253 and 253"))
                wt = 0
            if abs(wt) == 254:
                out.append(_diag("KA035", f"weight {wt} for {t.name} is out of range - "
                                 f"keepalived uses {253 if wt > 0 else -253}", node,
                                 "use a weight between -253 and 253"))
                wt = 253 if wt > 0 else -253
            elif abs(wt) > 254:
                out.append(_diag("KA035", f"weight {wt} for {t.name} must be between -253 and "
                                 "253 - keepalived uses 0", node,
                                 "use a weight between -253 and 253"))
                wt = 0
            t.weight = wt
            i += 2
            continue
        if w == "reverse" or (w == "noreverse" and not interface):
            t.reverse = w == "reverse"
        else:
            out.append(_diag("KA035", f"unknown tracking option '{w}' for {t.name}", node,
                             "only 'weight N [reverse]' may follow the name"))
        i += 1
    return t


def parse_vsg_entry(node: Node, out: list[Diagnostic]) -> VsgEntry | None:
    """``<ip>[-<end>] <port>`` | ``<ip>/<prefix> <port>`` | ``fwmark N [inet|inet6]``."""
    words = node.words()
    e = VsgEntry(node, text=" ".join(words))
    if words[0] == "fwmark":
        e.kind = "fwmark"
        if len(words) < 2 or not words[1].isdigit():
            out.append(_diag("KA036", "fwmark needs a number", node, "fwmark 0-4294967295"))
            return None
        e.fwmark = int(words[1])
        return e
    addr = words[0]
    if "/" in addr:
        e.kind = "subnet"
        base = addr
    elif "-" in addr:
        e.kind = "range"
        base = addr.split("-", 1)[0]
    else:
        e.kind = "address"
        base = addr
    try:
        if e.kind == "subnet":
            ipaddress.ip_network(base, strict=True)
        else:
            parse_ip(base)
    except ValueError:
        out.append(_diag("KA036", f"invalid virtual_server_group entry '{addr}'", node,
                         "use <ip>[-<end>] <port>, <ip>/<prefix> <port> or fwmark <n>"))
        return None
    if len(words) > 1:
        if words[1].isdigit() and int(words[1]) <= 65535:
            e.port = int(words[1])
        else:
            out.append(_diag("KA036", f"invalid port '{words[1]}'", node, "port 0-65535"))
    return e
