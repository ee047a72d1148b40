"""KA240: a sync group names an instance that does not exist."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import sync
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA240",
    name="sync-group-member-undefined",
    severity=Severity.ERROR,
    summary="vrrp_sync_group lists an instance that is not defined",
    rationale="keepalived drops the name (\"Virtual router X specified in sync group G doesn't "
              "exist - ignoring\"); usually a typo, so the instances you meant to fail over "
              "together are not synchronised.",
    bad="vrrp_sync_group G1 {\n    group {\n        VI_1\n        VI_X\n    }\n}\n"
        "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n"
        "vrrp_instance VI_2 {\n    interface eth1\n    virtual_router_id 52\n    priority 100\n"
        "    virtual_ipaddress {\n        10.0.1.10/24\n    }\n}\n",
    good="vrrp_sync_group G1 {\n    group {\n        VI_1\n        VI_2\n    }\n}\n"
         "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n"
         "vrrp_instance VI_2 {\n    interface eth1\n    virtual_router_id 52\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.1.10/24\n    }\n}\n",
    keepalived_check=("sync-missing-member",),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    names = sorted(i.name for i in ctx.config.vrrp_instances)
    for m in sync.sync_memberships(ctx):
        if m.status == "missing":
            yield ctx.diag(META, f"virtual router {m.name} specified in sync group {m.group.name} "
                           "doesn't exist - keepalived ignores it", m.span,
                           f"defined instances: {', '.join(names) or 'none'}")
