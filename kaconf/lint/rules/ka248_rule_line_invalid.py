"""KA248: ip rule lines keepalived cannot parse."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import lists
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA248",
    name="rule-line-invalid",
    severity=Severity.ERROR,
    summary="virtual/static rule with an unknown option or mixed IPv4/IPv6 selectors",
    rationale="keepalived parses rule lines like ip-rule and drops the whole rule for a word it "
              "does not know (\"Unknown rule option X\") or for mixed families (\"rule "
              "specification has mixed IPv4 and IPv6\"). Note that 'pref' is not accepted: "
              "write preference, priority or order.",
    bad="static_rules {\n    from 192.168.100.0/24 lookup 7 pref 13\n}\n",
    good="static_rules {\n    from 192.168.100.0/24 lookup 7 preference 13\n}\n",
    keepalived_check=(),
)

_VALUE = {"from", "to", "table", "lookup", "preference", "order", "priority", "tos", "dsfield",
          "fwmark", "realms", "suppress_prefixlength", "sup_pl", "suppress_ifgroup",
          "sup_group", "dev", "iif", "oif", "tunnel-id", "uidrange", "protocol", "ipproto",
          "sport", "dport", "track_group", "goto"}
_FLAGS = {"inet", "inet6", "not", "l3mdev", "no_track", "nop", "blackhole", "unreachable",
          "prohibit"}


def problem(words: list[str]) -> str:
    """What keepalived rejects in a rule line, or ''."""
    fams: set[int] = set()
    i = 0
    while i < len(words):
        w = words[i]
        if w == "type" and i + 1 < len(words):
            i += 1
            w = words[i]
            if w == "goto":
                i += 1
            elif w not in _FLAGS:
                return f"unknown rule option {w}"
        elif w in ("from", "to") and i + 1 < len(words):
            v = words[i + 1]
            if v != "all":
                try:
                    fams.add(ipaddress.ip_network(v, strict=False).version)
                except ValueError:
                    return ""  # reported by KA268
            i += 1
        elif w in _VALUE:
            i += 1
        elif w not in _FLAGS:
            return f"unknown rule option {w}"
        i += 1
    if len(fams) > 1:
        return "rule specification has mixed IPv4 and IPv6"
    return ""


def check(ctx: Context) -> Iterable[Diagnostic]:
    for r in lists.ip_rules(ctx.config):
        why = problem(r.words)
        if why:
            yield ctx.diag(META, f"rule '{' '.join(r.words)}': {why} - keepalived drops the rule",
                           r.span, "use ip-rule syntax: [from A] [to B] table T preference N")
