"""KA267: ip rules without an explicit preference."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import lists
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA267",
    name="rule-without-preference",
    severity=Severity.ERROR,
    summary="virtual/static rule without 'preference' (or priority/order)",
    rationale="Rule order decides which table a packet uses; keepalived invents a preference "
              "counting down from 16384 (\"Rule has no preference specified - setting to N. This "
              "is probably not what you want.\"), so the order can change when rules are added.",
    bad="static_rules {\n    from 192.168.100.0/24 table 1\n}\n",
    good="static_rules {\n    from 192.168.100.0/24 table 1 preference 100\n}\n",
    keepalived_check=("rule-no-pref",),
)

def check(ctx: Context) -> Iterable[Diagnostic]:
    for r, reading in lists.rule_readings(ctx):  # keepalived's reading, by the model
        info = reading.info  # None: keepalived drops the line before it numbers it
        if info is not None and info.priority is None:
            yield ctx.diag(META, "rule has no preference specified - keepalived picks one "
                           "(16384 and down), which is probably not what you want", r.span,
                           "add 'preference N'")
