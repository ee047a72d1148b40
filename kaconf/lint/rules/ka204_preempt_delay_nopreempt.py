"""KA204: preempt_delay cannot be combined with nopreempt."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.effective.vrrp_types import MASTER
from kaconf.lint.helpers import fixes, semantics, tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA204",
    name="preempt-delay-with-nopreempt",
    severity=Severity.ERROR,
    summary="preempt_delay together with nopreempt",
    rationale="preempt_delay delays pre-emption, nopreempt forbids it: the two contradict "
              "each other and keepalived resets preempt_delay (\"preempt_delay is incompatible "
              "with nopreempt mode\").",
    bad="vrrp_instance VI_1 {\n    state BACKUP\n    interface eth0\n    virtual_router_id 51\n"
        "    priority 100\n    nopreempt\n    preempt_delay 30\n    virtual_ipaddress {\n"
        "        10.0.0.10/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    state BACKUP\n    interface eth0\n    virtual_router_id 51\n"
         "    priority 100\n    nopreempt\n    virtual_ipaddress {\n        10.0.0.10/24\n"
         "    }\n}\n",
    keepalived_check=("preempt-delay-nopreempt",),
    fix="remove preempt_delay (keepalived resets it to 0)",
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for inst in ctx.config.vrrp_instances:
        if not inst.preempt_delay or not inst.nopreempt:
            continue
        if ctx.resolved(inst).completion_wantstate == MASTER or semantics.is_owner(ctx, inst):
            continue  # nopreempt is cleared first (KA202/KA203/KA205)
        yield ctx.diag(META, f"({inst.name}) preempt_delay is incompatible with nopreempt - "
                       "keepalived resets preempt_delay to 0",
                       tree.setting_span(inst, "preempt_delay"),
                       "remove preempt_delay (nopreempt already stops pre-emption)",
                       fix=fixes.remove_setting(ctx, inst, "preempt_delay"))
