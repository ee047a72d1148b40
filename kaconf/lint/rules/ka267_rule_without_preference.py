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

_PREF = {"preference", "priority", "order", "pref", "prio"}


def check(ctx: Context) -> Iterable[Diagnostic]:
    for r in lists.ip_rules(ctx.config):
        if any(w in _PREF for w in r.words[:-1]):
            continue
        if _invalid_address(r.words):
            continue  # the line is rejected before the preference is looked at (KA268)
        yield ctx.diag(META, "rule has no preference specified - keepalived picks one "
                       "(16384 and down), which is probably not what you want", r.span,
                       "add 'preference N'")


def _invalid_address(words: list[str]) -> bool:
    from kaconf.lint.rules.ka248_rule_line_invalid import problem
    from kaconf.lint.rules.ka268_rule_invalid_address import bad_address

    return bad_address(words) is not None or bool(problem(words))
