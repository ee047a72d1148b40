"""KA247: route lines keepalived cannot parse."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import lists
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA247",
    name="route-line-invalid",
    severity=Severity.ERROR,
    summary="virtual/static route with an unknown word or mixed IPv4/IPv6 addresses",
    rationale="keepalived parses route lines like ip-route; a word it does not know is taken as "
              "the destination and rejected (\"unknown route keyword X\"), and IPv4 and IPv6 "
              "addresses cannot be mixed (\"Cannot mix IPv4 and IPv6 addresses for route\"). "
              "Either way the whole route is dropped.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n    virtual_routes {\n"
        "        10.9.0.0/16 dev eth0 proto static\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n    virtual_routes {\n"
         "        10.9.0.0/16 dev eth0 protocol static\n    }\n}\n",
    keepalived_check=(),
)

#: route options followed by one value (keepalived's route parser, ip-route syntax)
_VALUE = {"src", "from", "tos", "dsfield", "table", "protocol", "scope", "metric", "priority",
          "preference", "dev", "oif", "expires", "hoplimit", "advmss", "rtt", "rttvar",
          "reordering", "window", "cwnd", "ssthresh", "initcwnd", "initrwnd", "realms",
          "rto_min", "features", "quickack", "pref", "ttl-propagate", "fastopen_no_cookie",
          "vrf", "track_group", "or"}
_LOCKABLE = {"mtu", "congctl", "window", "cwnd", "ssthresh", "initcwnd", "initrwnd", "rtt",
             "rttvar", "advmss", "hoplimit", "reordering", "rto_min", "features"}
_FLAGS = {"onlink", "no_track", "inet", "inet6"}
_TYPES = {"unicast", "local", "broadcast", "multicast", "throw", "unreachable", "prohibit",
          "blackhole", "nat", "anycast"}


def _family(text: str) -> int | None:
    if text == "default":
        return None
    try:
        return ipaddress.ip_network(text, strict=False).version
    except ValueError:
        return 0


def problem(words: list[str]) -> str:
    """What keepalived rejects in a route line, or ''."""
    fams: set[int] = set()
    i = 0
    n = len(words)
    while i < n:
        w = words[i]
        if w in ("nexthop", "encap"):
            break  # sub-grammars: not checked
        if w in ("via", "gw"):
            i += 1
            if i < n and words[i] in ("inet", "inet6"):
                i += 1
            if i < n:
                f = _family(words[i])
                if f:
                    fams.add(f)
        elif w in ("src", "from", "or"):
            i += 1
            if i < n:
                f = _family(words[i])
                if f:
                    fams.add(f)
        elif w in _LOCKABLE or w == "mtu":
            i += 1
            if i < n and words[i] == "lock":
                i += 1
        elif w in _VALUE:
            i += 1
        elif w == "as":
            i += 1
            if i < n and words[i] == "to":
                i += 1
        elif w in _FLAGS or w in ("add", "append", "prepend"):
            pass
        else:
            if w == "to":
                i += 1
            if i < n and words[i] in _TYPES:
                i += 1
            if i >= n:
                return "route has no destination"
            f = _family(words[i])
            if f == 0:
                return f"unknown route keyword {words[i]}"
            if f:
                fams.add(f)
        i += 1
    if len(fams) > 1:
        return "cannot mix IPv4 and IPv6 addresses"
    return ""


def check(ctx: Context) -> Iterable[Diagnostic]:
    for r in lists.ip_routes(ctx.config):
        why = problem(r.words)
        if why:
            yield ctx.diag(META, f"route '{' '.join(r.words)}': {why} - keepalived drops the "
                           "route", r.span, "use ip-route syntax: DEST [via GW] [dev IF] ...")
