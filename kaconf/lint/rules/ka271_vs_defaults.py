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
    cfg = ctx.config
    for vs in cfg.virtual_servers:
        if not vs.real_server:
            continue  # dropped first (KA270)
        if lvs.vs_by_address(cfg, vs) and not vs.given("protocol"):
            yield ctx.diag(META, f"virtual server {lvs.vs_name(vs)}: no protocol set - keepalived "
                           "defaults to UDP", lvs.vs_head(vs), "add 'protocol TCP' (or UDP/SCTP)")
        if not vs.lb_algo:
            yield ctx.diag(META, f"virtual server {lvs.vs_name(vs)}: no scheduler set - keepalived "
                           "uses 'wlc'", lvs.vs_head(vs), "add 'lb_algo rr' (or another scheduler)")
        if not vs.lb_kind and any(not rs.given("lvs_method") for rs in vs.real_server):
            yield ctx.diag(META, f"virtual server {lvs.vs_name(vs)}: no forwarding method set - "
                           "keepalived uses NAT", lvs.vs_head(vs), "add 'lb_kind NAT' (or DR/TUN)")

