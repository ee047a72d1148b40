"""KA216: an instance without virtual addresses."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA216",
    name="no-virtual-ipaddress",
    severity=Severity.ERROR,
    summary="vrrp_instance without any (valid) virtual_ipaddress",
    rationale="An instance that owns no address fails over nothing. keepalived complains "
              "(\"No VIP specified; at least one is sensible\") and, for VRRPv3, IPv6 or strict "
              "mode, rejects the VRRP configuration (\"at least one is required\").",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=("vip-none-v2", "vip-none-v3"),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    cfg = ctx.config
    for inst in cfg.vrrp_instances:
        ei = ctx.resolved(inst)
        if ei.parsed_vips:
            continue
        required = ei.version == 3 or ei.family == 6 or ei.strict
        what = ("at least one is required - keepalived rejects the VRRP configuration"
                if required else "at least one is sensible")
        span = tree.setting_span(inst, "virtual_ipaddress")
        yield ctx.diag(META, f"({inst.name}) No VIP specified; {what}", span,
                       "add a virtual_ipaddress block with the address(es) to fail over")
