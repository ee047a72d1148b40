"""KA268: ip rules with an unparsable from/to address."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import lists
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA268",
    name="rule-invalid-address",
    severity=Severity.ERROR,
    summary="virtual/static rule whose 'from' or 'to' is not an address or prefix",
    rationale="keepalived drops the whole rule (\"Invalid rule to address X\"), so the policy "
              "routing you configured is missing.",
    bad="static_rules {\n    to 192.168.100./24 table 1 preference 100\n}\n",
    good="static_rules {\n    to 192.168.100.0/24 table 1 preference 100\n}\n",
    keepalived_check=(),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for r, reading in lists.rule_readings(ctx):  # keepalived's reading, by the model
        bad = reading.bad_address
        if bad is not None:
            yield ctx.diag(META, f"invalid rule {bad[0]} address {bad[1]} - keepalived drops the "
                           "rule", r.span, "use an address or prefix such as 192.0.2.0/24")
