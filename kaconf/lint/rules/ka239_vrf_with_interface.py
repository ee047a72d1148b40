"""KA239: use_vrf/vrf together with interface."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA239",
    name="vrf-with-interface",
    severity=Severity.ERROR,
    summary="vrf given in an instance that also has an interface",
    rationale="A VRF instance is bound to the VRF device, not to an interface; keepalived "
              "ignores the vrf line (\"Cannot specify VRF interface and interface\"), or clears "
              "it later (\"vrf can only be specified without interface\").",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    vrf blue\n    virtual_router_id 51\n"
        "    priority 100\n    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=("vrf-misuse",),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for inst in ctx.config.vrrp_instances:
        if inst.given("vrf") and inst.interface is not None:
            yield ctx.diag(META, f"({inst.name}) cannot specify a VRF and an interface - "
                           "keepalived ignores the vrf", tree.setting_span(inst, "vrf"),
                           "use vrf only for unicast instances without 'interface'")
