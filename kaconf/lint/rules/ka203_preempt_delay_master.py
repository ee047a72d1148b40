"""KA203: preempt_delay is meaningless for a node that starts as MASTER."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.effective.vrrp_types import MASTER
from kaconf.lint.helpers import fixes, tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA203",
    name="preempt-delay-with-state-master",
    severity=Severity.ERROR,
    summary="preempt_delay together with (initial) state MASTER",
    rationale="preempt_delay delays taking over from a lower-priority master after start; a "
              "node that starts as MASTER never waits, so keepalived clears preempt_delay "
              "(\"preempt delay will not work with initial state MASTER\").",
    bad="vrrp_instance VI_1 {\n    state MASTER\n    interface eth0\n    virtual_router_id 51\n"
        "    priority 100\n    preempt_delay 30\n    virtual_ipaddress {\n        10.0.0.10/24\n"
        "    }\n}\n",
    good="vrrp_instance VI_1 {\n    state BACKUP\n    interface eth0\n    virtual_router_id 51\n"
         "    priority 100\n    preempt_delay 30\n    virtual_ipaddress {\n        10.0.0.10/24\n"
         "    }\n}\n",
    keepalived_check=("preempt-delay-master",),
    fix="remove preempt_delay, which keepalived clears (unsafe: the state may be what is wrong)",
    fix_safe=False,
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    cfg = ctx.config
    for inst in cfg.vrrp_instances:
        if not inst.preempt_delay:
            continue
        # the state when keepalived looks at preempt_delay (after strict mode's fix-up)
        if ctx.resolved(inst).completion_wantstate != MASTER:
            continue
        yield ctx.diag(META, f"({inst.name}) preempt delay will not work with initial state "
                       "MASTER - keepalived clears preempt_delay",
                       tree.setting_span(inst, "preempt_delay"),
                       "remove preempt_delay or start the node as BACKUP",
                       fix=fixes.remove_setting(ctx, inst, "preempt_delay", safe=False))
