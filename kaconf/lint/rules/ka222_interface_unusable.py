"""KA222: interfaces VRRP cannot use at all."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA222",
    name="interface-unusable",
    severity=Severity.ERROR,
    summary="interface is the loopback or a name longer than 15 characters",
    rationale="VRRP adverts cannot be sent on the loopback (\"cannot use a loopback interface "
              "... for vrrp - ignoring\"), and Linux interface names have at most 15 characters "
              "(\"Interface name ... too long - ignoring\"); either way the instance has no "
              "interface and keepalived rejects the VRRP configuration.",
    bad="vrrp_instance VI_1 {\n    interface lo\n    virtual_router_id 51\n    priority 100\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=("interface-loopback",),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for inst in ctx.config.vrrp_instances:
        name = inst.interface
        if name is None:
            continue
        if len(name) > 15:
            yield ctx.diag(META, f"({inst.name}) interface name '{name}' is too long - keepalived "
                           "ignores it", tree.setting_span(inst, "interface"),
                           "Linux interface names have at most 15 characters")
        elif name == "lo":
            yield ctx.diag(META, f"({inst.name}) cannot use the loopback interface for vrrp - "
                           "keepalived ignores it", tree.setting_span(inst, "interface"),
                           "use the interface that faces the other node(s)")
