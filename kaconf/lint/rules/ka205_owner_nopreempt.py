"""KA205: the address owner (priority 255) always pre-empts."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import fixes, semantics, tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA205",
    name="owner-nopreempt",
    severity=Severity.ERROR,
    summary="nopreempt on an address owner (priority 255)",
    rationale="RFC 5798 makes the address owner take over whenever it is up; keepalived "
              "resets nopreempt (\"nopreempt is incompatible with priority 255\").",
    bad="vrrp_instance VI_1 {\n    state BACKUP\n    interface eth0\n    virtual_router_id 51\n"
        "    priority 255\n    nopreempt\n    virtual_ipaddress {\n        10.0.0.10/24\n"
        "    }\n}\n",
    good="vrrp_instance VI_1 {\n    state BACKUP\n    interface eth0\n    virtual_router_id 51\n"
         "    priority 150\n    nopreempt\n    virtual_ipaddress {\n        10.0.0.10/24\n"
         "    }\n}\n",
    keepalived_check=("owner-nopreempt",),
    fix="remove nopreempt, which keepalived resets (unsafe: the priority may be what is wrong)",
    fix_safe=False,
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for inst in ctx.config.vrrp_instances:
        if inst.nopreempt and semantics.is_owner(ctx, inst):
            yield ctx.diag(META, f"({inst.name}) nopreempt is incompatible with priority 255 - "
                           "keepalived resets nopreempt", tree.setting_span(inst, "nopreempt"),
                           "use a priority below 255 if this node must not pre-empt",
                           fix=fixes.remove_setting(ctx, inst, "nopreempt", safe=False))
