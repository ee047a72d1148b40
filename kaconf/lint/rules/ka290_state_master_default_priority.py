"""KA290: state MASTER without a priority makes the node the address owner."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from kaconf.diagnostics import Diagnostic, Fix, Severity
from kaconf.fix import build
from kaconf.lint.helpers import fixes, tree
from kaconf.lint.rule import Context, RuleMeta

if TYPE_CHECKING:
    from kaconf.model.objects import VrrpInstance

META = RuleMeta(
    code="KA290",
    name="state-master-without-priority",
    severity=Severity.WARNING,
    summary="state MASTER with no priority: keepalived uses priority 255 (address owner)",
    rationale="keepalived derives a missing priority from the state: MASTER gets 255, which "
              "means 'I own the address' - it always pre-empts, cannot use weighted tracking "
              "and the VIP should be a real address of this host. Usually a priority line was "
              "forgotten.",
    bad="vrrp_instance VI_1 {\n    state MASTER\n    interface eth0\n    virtual_router_id 51\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    state MASTER\n    interface eth0\n    virtual_router_id 51\n"
         "    priority 150\n    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=("prio-default",),
    fix="write the priority keepalived uses, 255 (unsafe: a backup-capable node wants less)",
    fix_safe=False,
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for inst in ctx.config.vrrp_instances:
        if inst.state == "MASTER" and inst.priority is None \
                and "priority" not in tree.statement_names(ctx, tree.instance_node(ctx, inst)):
            yield ctx.diag(META, f"({inst.name}) state MASTER without priority - keepalived uses "
                           "priority 255, making this node the address owner",
                           tree.setting_span(inst, "state"), "add an explicit 'priority' (< 255)",
                           fix=_fix(ctx, inst))


def _fix(ctx: Context, inst: VrrpInstance) -> Fix | None:
    node = fixes.setting_node(ctx, inst, "state")
    if node is None:
        return None
    return build.insert_line_after(ctx, node, "priority 255", "write 'priority 255'",
                                   safe=False)
