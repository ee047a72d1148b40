"""KA285: vrrp_track_process without the process to watch."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA285",
    name="track-process-without-process",
    severity=Severity.ERROR,
    summary="vrrp_track_process without a 'process' line",
    rationale="keepalived removes the block (\"track process ... process name not specified\") "
              "and every track_process reference to it is then dropped too.",
    bad="vrrp_track_process tp {\n    weight 10\n}\n",
    good="vrrp_track_process tp {\n    process haproxy\n    weight 10\n}\n",
    keepalived_check=(),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for name, tp in ctx.config.track_processes.items():
        if not tp.process and not tp.given("process"):
            yield ctx.diag(META, f"track process '{name}': process name not specified - "
                           "keepalived removes it", tree.head(tp.span),
                           "add 'process NAME [params]'")
