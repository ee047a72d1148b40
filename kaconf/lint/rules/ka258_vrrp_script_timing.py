"""KA258: vrrp_script interval and timeout are whole seconds."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA258",
    name="vrrp-script-timing-not-integer",
    severity=Severity.ERROR,
    summary="vrrp_script interval or timeout that is not a whole number of seconds",
    rationale="keepalived 2.2.7 reads both as unsigned integers, so '0.5' is rejected (\"vrrp "
              "script interval '0.5' must be between 1 and 4294 - ignoring\") and the default "
              "(1 s interval, no timeout) is used instead.",
    bad="vrrp_script chk {\n    script \"/bin/true\"\n    interval 0.5\n}\n",
    good="vrrp_script chk {\n    script \"/bin/true\"\n    interval 1\n}\n",
    keepalived_check=("script-interval",),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for name, vs in ctx.config.vrrp_scripts.items():
        for kw in ("interval", "timeout"):
            s = vs.settings.get(kw)
            if s is None or not s.args:
                continue
            text = s.args[0]
            if not text.isdigit() or int(text) > 4294:
                yield ctx.diag(META, f"({name}) vrrp script {kw} '{text}' is not a whole number "
                               "of seconds (0-4294) - keepalived ignores it", s.span,
                               f"use an integer {kw}")
