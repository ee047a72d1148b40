"""KA202: nopreempt only works when the node starts as BACKUP."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.effective.vrrp_types import MASTER
from kaconf.lint.helpers import fixes, semantics, tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA202",
    name="nopreempt-with-state-master",
    severity=Severity.ERROR,
    summary="nopreempt together with state MASTER",
    rationale="A node that starts as MASTER takes the VIP at once, which is exactly what "
              "nopreempt is meant to prevent; keepalived says \"nopreempt will not work with "
              "initial state MASTER\", clears nopreempt and `keepalived -t` fails.",
    bad="vrrp_instance VI_1 {\n    state MASTER\n    interface eth0\n    virtual_router_id 51\n"
        "    priority 100\n    nopreempt\n    virtual_ipaddress {\n        10.0.0.10/24\n"
        "    }\n}\n",
    good="vrrp_instance VI_1 {\n    state BACKUP\n    interface eth0\n    virtual_router_id 51\n"
         "    priority 100\n    nopreempt\n    virtual_ipaddress {\n        10.0.0.10/24\n"
         "    }\n}\n",
    keepalived_check=("nopreempt-master",),
    fix="remove nopreempt, which keepalived clears (unsafe: the node may have been meant to "
        "start as BACKUP)",
    fix_safe=False,
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    cfg = ctx.config
    for inst in cfg.vrrp_instances:
        if not inst.nopreempt or inst.state != "MASTER":
            continue
        if semantics.is_owner(ctx, inst):
            continue  # KA205 (owner) fires first and clears nopreempt
        if ctx.resolved(inst).completion_wantstate != MASTER:
            continue  # strict mode (KA207) or AH (KA212) turn the state into BACKUP first
        yield ctx.diag(META, f"({inst.name}) nopreempt will not work with initial state MASTER "
                       "- keepalived clears nopreempt", tree.setting_span(inst, "nopreempt"),
                       "use 'state BACKUP' on every node that should not pre-empt",
                       fix=fixes.remove_setting(ctx, inst, "nopreempt", safe=False))
