"""KA201: an instance without a virtual_router_id stops the whole VRRP process."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA201",
    name="vrid-missing",
    severity=Severity.ERROR,
    summary="vrrp_instance has no virtual_router_id",
    rationale="keepalived refuses the VRRP configuration (\"the virtual router id must be "
              "set\") and the VRRP child does not start: no instance runs, not only this one.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    priority 100\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=("vrid-missing", "vrid-range"),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for inst in ctx.config.vrrp_instances:
        if inst.virtual_router_id is not None:
            continue
        if "virtual_router_id" in tree.statement_names(ctx, tree.instance_node(ctx, inst)):
            continue  # given but invalid: the reader already reported the bad number
        yield ctx.diag(META, f"({inst.name}) the virtual router id must be set - keepalived "
                       "rejects the VRRP configuration", tree.head(inst.span),
                       "add 'virtual_router_id N' (1-255, the same on every node of the pair)")
