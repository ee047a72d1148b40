"""KA271: protocol, scheduler and forwarding method left to keepalived's defaults."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import lvs
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA271",
    name="virtual-server-implicit-defaults",
    severity=Severity.ERROR,
    summary="virtual_server without protocol, lb_algo or lb_kind",
    rationale="keepalived fills them in and says so (\"no protocol set - defaulting to UDP\", "
              "\"no scheduler set, setting default 'wlc'\", \"no forwarding method set, setting "
              "default NAT\"); UDP in particular is rarely what a web service wants. Each "
              "message fails `keepalived -t`.",
    bad="virtual_server 10.0.0.10 80 {\n    real_server 10.0.1.1 80 {\n        weight 1\n"
        "    }\n}\n",
    good="virtual_server 10.0.0.10 80 {\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n"
         "    real_server 10.0.1.1 80 {\n        weight 1\n    }\n}\n",
    keepalived_check=("vs-no-proto", "vs-no-sched", "vs-no-fwd", "vs-sched-unknown"),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for n in lvs.notes(ctx, "vs-no-proto", "vs-no-sched", "vs-no-fwd"):
        name, where = lvs.vs_name(n.vs), lvs.note_span(n)
        if n.kind == "vs-no-proto":
            yield ctx.diag(META, f"virtual server {name}: no protocol set - keepalived "
                           "defaults to UDP", where, "add 'protocol TCP' (or UDP/SCTP)")
        elif n.kind == "vs-no-sched":
            yield ctx.diag(META, f"virtual server {name}: no scheduler set - keepalived "
                           "uses 'wlc'", where, "add 'lb_algo rr' (or another scheduler)")
        else:
            yield ctx.diag(META, f"virtual server {name}: no forwarding method set - "
                           "keepalived uses NAT", where, "add 'lb_kind NAT' (or DR/TUN)")
