"""KA294: unweighted track scripts put the instance in FAULT instead of re-electing."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import semantics
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA294",
    name="track-script-weight-zero",
    severity=Severity.INFO,
    summary="track_script with weight 0: a failing check means FAULT, not a priority change",
    rationale="With weight 0 a failing script puts the instance into FAULT state (it gives up "
              "the VIP and stops advertising) rather than lowering its priority so the peer "
              "wins the election. Often intended - but if you expected a re-election with "
              "priorities, give the script a weight that crosses the priority gap.",
    bad="global_defs {\n    enable_script_security\n    script_user root\n}\n"
        "vrrp_script chk {\n    script \"/bin/true\"\n    weight 0\n}\n"
        "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n    track_script {\n"
        "        chk\n    }\n}\n",
    good="global_defs {\n    enable_script_security\n    script_user root\n}\n"
         "vrrp_script chk {\n    script \"/bin/true\"\n    weight -20\n}\n"
         "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n    track_script {\n"
         "        chk\n    }\n}\n",
    keepalived_check=(),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    cfg = ctx.config
    for inst in cfg.vrrp_instances:
        for ref in inst.filled("track_script"):
            if ref.name in cfg.vrrp_scripts and semantics.line_weight(ctx, inst, ref) == 0:
                yield ctx.diag(META, f"({inst.name}) track script {ref.name} has weight 0 - when "
                               "it fails the instance goes to FAULT instead of re-electing",
                               ref.span, "give it a weight (e.g. -20) if a re-election is meant")
