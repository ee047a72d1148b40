"""KA243: address owners and non-owners mixed in one sync group."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import resolved, sync, tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA243",
    name="sync-group-owner-mix",
    severity=Severity.ERROR,
    summary="sync group mixes an address owner (MASTER, priority 255) with BACKUP members",
    rationale="A sync group moves all members together, so it cannot start with one member "
              "owning its address and another waiting as BACKUP; keepalived says \"has some "
              "member(s) as address owner and some not as address owner. This won't work.\"",
    bad="vrrp_sync_group G1 {\n    group {\n        VI_1\n        VI_2\n    }\n}\n"
        "vrrp_instance VI_1 {\n    state MASTER\n    interface eth0\n    virtual_router_id 51\n"
        "    priority 255\n    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n"
        "vrrp_instance VI_2 {\n    state BACKUP\n    interface eth1\n    virtual_router_id 52\n"
        "    priority 100\n    virtual_ipaddress {\n        10.0.1.10/24\n    }\n}\n",
    good="vrrp_sync_group G1 {\n    group {\n        VI_1\n        VI_2\n    }\n}\n"
         "vrrp_instance VI_1 {\n    state BACKUP\n    interface eth0\n    virtual_router_id 51\n"
         "    priority 150\n    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n"
         "vrrp_instance VI_2 {\n    state BACKUP\n    interface eth1\n    virtual_router_id 52\n"
         "    priority 150\n    virtual_ipaddress {\n        10.0.1.10/24\n    }\n}\n",
    keepalived_check=("sync-owner-mix",),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    cfg = ctx.config
    for sg in cfg.sync_groups:
        # keepalived looks at the configured values here, before defaults are derived
        g = resolved.sync_group(ctx, sg)
        if g is None or g.owner_mix is None:
            continue
        for inst in sync.sync_members(ctx, sg):
            if inst.name == g.owner_mix:
                yield ctx.diag(META, f"sync group {sg.name} has some member(s) as address owner "
                               f"and some not ({inst.name} is BACKUP) - this won't work",
                               tree.setting_span(inst, "state"),
                               "give all members the same role: all owners or none")
                break
