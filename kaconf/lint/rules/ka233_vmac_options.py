"""KA233: VMAC-only options without use_vmac, and options VMACs set themselves."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import host, tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA233",
    name="vmac-option-conflict",
    severity=Severity.ERROR,
    summary="vmac_xmit_base without use_vmac, promote_secondaries with use_vmac, bad use_ipvlan",
    rationale="vmac_xmit_base only changes how a VMAC sends (\"vmac_xmit_base is only valid "
              "with a vmac\"), and VMAC interfaces always promote secondaries (\"promote_"
              "secondaries is automatically set for vmacs - ignoring\"); keepalived clears both.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    vmac_xmit_base\n    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    use_vmac\n    vmac_xmit_base\n    virtual_ipaddress {\n        10.0.0.10/24\n"
         "    }\n}\n",
    keepalived_check=("vmac-xmit-no-vmac", "promote-sec-vmac"),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    have = host.host_interfaces(ctx)
    for inst in ctx.config.vrrp_instances:
        vmac = inst.given("use_vmac") or inst.given("use_ipvlan")
        if inst.given("vmac_xmit_base") and not inst.given("use_vmac"):
            yield ctx.diag(META, f"({inst.name}) vmac_xmit_base is only valid with a vmac - "
                           "keepalived clears it", tree.setting_span(inst, "vmac_xmit_base"),
                           "add use_vmac or remove vmac_xmit_base")
        if inst.given("use_vmac") and inst.interface is not None \
                and ctx.resolved(inst).has("UNICAST_CONFIGURED") \
                and not inst.given("vmac_xmit_base"):
            yield ctx.diag(META, f"({inst.name}) unicast with use_vmac requires vmac_xmit_base - "
                           "keepalived sets it", tree.setting_span(inst, "use_vmac"),
                           "add vmac_xmit_base")
        name = inst.vmac.name if inst.vmac is not None else None  # the model's reading
        if have is not None and name is not None and name in have:
            yield ctx.diag(META, f"({inst.name}) use_vmac name {name} is an existing "
                           "interface that is not a macvlan - keepalived ignores the name",
                           tree.setting_span(inst, "use_vmac"),
                           "pick an unused name such as vrrp.51")
        ipvlan = inst.ipvlan
        if ipvlan is not None and ctx.resolved(inst).family == 4 and ipvlan.address is None:
            yield ctx.diag(META, f"({inst.name}) IPv4 ipvlan requires a source ip address - "
                           "keepalived puts the instance in fault state", ipvlan.span,
                           "write 'use_ipvlan [NAME] ADDRESS/PREFIX'")
        if inst.given("promote_secondaries") and vmac:
            yield ctx.diag(META, f"({inst.name}) promote_secondaries is automatically set for "
                           "vmacs - keepalived ignores it",
                           tree.setting_span(inst, "promote_secondaries"),
                           "remove promote_secondaries")
