"""KA248: ip rule lines keepalived cannot parse."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import lists
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA248",
    name="rule-line-invalid",
    severity=Severity.ERROR,
    summary="virtual/static rule keepalived drops: an unknown option, a bad value, mixed "
            "IPv4/IPv6 selectors, no action",
    rationale="keepalived parses rule lines like ip-rule and drops the whole rule for a word it "
              "does not know (\"Unknown rule option X\") or for mixed families (\"rule "
              "specification has mixed IPv4 and IPv6\"), and for a rule without an action "
              "(table, goto, nop, blackhole, ...). Note that 'pref' is not accepted: "
              "write preference, priority or order.",
    bad="static_rules {\n    from 192.168.100.0/24 lookup 7 pref 13\n}\n",
    good="static_rules {\n    from 192.168.100.0/24 lookup 7 preference 13\n}\n",
    keepalived_check=(),
)

def check(ctx: Context) -> Iterable[Diagnostic]:
    for r, reading in lists.rule_readings(ctx):  # keepalived's reading, by the model
        # a bad address is KA268's, an interface keepalived cannot find KA223's
        if reading.reason and reading.bad_address is None \
                and reading.missing_interface is None:
            yield ctx.diag(META, f"rule '{' '.join(r.words)}': {reading.reason} - keepalived "
                           "drops the rule", r.span,
                           "use ip-rule syntax: [from A] [to B] table T preference N")
