"""KA244: a sync group without usable members is removed."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import fixes, sync, tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA244",
    name="sync-group-empty",
    severity=Severity.ERROR,
    summary="vrrp_sync_group without any existing member instance",
    rationale="keepalived removes the group (\"Sync group G has no virtual router(s). removing\" "
              "/ \"no matching virtual router found in group declaration\"), along with its "
              "notify scripts and tracking.",
    bad="vrrp_sync_group G1 {\n    group {\n        VI_X\n    }\n}\n"
        "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=("sync-no-member",),
    fix="remove a sync group that has no group block (keepalived removes it)",
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    cfg = ctx.config
    for sg in cfg.sync_groups:
        if sync.is_repeat(ctx, sg):
            continue  # keepalived skips the block (KA238)
        if not sg.group:
            yield ctx.diag(META, f"sync group {sg.name} has no virtual router(s) - keepalived "
                           "removes it", tree.head(sg.span),
                           "list the member instances in a 'group { ... }' block",
                           fix=fixes.remove_block(ctx, sg, f"remove sync group {sg.name}"))
        elif not sync.sync_members(ctx, sg):
            yield ctx.diag(META, f"sync group {sg.name}: no matching virtual router found - "
                           "keepalived removes it", tree.setting_span(sg, "group"),
                           "fix the instance names in the group block")
