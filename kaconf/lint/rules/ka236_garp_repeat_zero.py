"""KA236: garp repeat counts of zero."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import fixes, tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA236",
    name="garp-repeat-zero",
    severity=Severity.ERROR,
    summary="garp_master_repeat or garp_master_refresh_repeat set to 0",
    rationale="At least one gratuitous ARP must be sent for the network to learn the new "
              "master; keepalived changes 0 to 1 (\"must be greater than 0, setting to 1\").",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    garp_master_repeat 0\n    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    garp_master_repeat 5\n    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=("garp-repeat-zero",),
    fix="write 1, the value keepalived uses instead of 0",
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for inst in ctx.config.vrrp_instances:
        for kw in ("garp_master_repeat", "garp_master_refresh_repeat"):
            if inst.given(kw) and inst.get(kw) == 0:
                yield ctx.diag(META, f"({inst.name}) {kw} must be greater than 0 - keepalived "
                               "uses 1", tree.setting_span(inst, kw), f"use '{kw} 1' or more",
                               fix=fixes.replace_value(ctx, inst, kw, "1"))
