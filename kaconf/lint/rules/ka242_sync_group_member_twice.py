"""KA242: an instance can belong to one sync group only."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.fix import build
from kaconf.lint.helpers import sync
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA242",
    name="sync-group-member-repeated",
    severity=Severity.ERROR,
    summary="an instance is listed in two sync groups (or twice in one)",
    rationale="keepalived keeps the first membership and drops the others (\"Virtual router X "
              "cannot exist in more than one sync group; ignoring G\").",
    bad="vrrp_sync_group G1 {\n    group {\n        VI_1\n        VI_2\n    }\n}\n"
        "vrrp_sync_group G2 {\n    group {\n        VI_1\n        VI_2\n    }\n}\n"
        "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n"
        "vrrp_instance VI_2 {\n    interface eth1\n    virtual_router_id 52\n    priority 100\n"
        "    virtual_ipaddress {\n        10.0.1.10/24\n    }\n}\n",
    good="vrrp_sync_group G1 {\n    group {\n        VI_1\n        VI_2\n    }\n}\n"
         "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n"
         "vrrp_instance VI_2 {\n    interface eth1\n    virtual_router_id 52\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.1.10/24\n    }\n}\n",
    keepalived_check=("sync-dup-member",),
    fix="remove the member keepalived ignores",
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for m in sync.sync_memberships(ctx):
        if m.status == "taken":
            yield ctx.diag(META, f"virtual router {m.name} cannot exist in more than one sync "
                           f"group (already in {m.taken_by}) - keepalived ignores it in "
                           f"{m.group.name}", m.span, "list each instance in one group only",
                           fix=build.delete_item(ctx, m.span, m.name,
                                                 f"remove {m.name} from {m.group.name}"))
