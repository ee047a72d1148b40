"""KA241: a sync group with one member synchronises nothing."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import sync, tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA241",
    name="sync-group-single-member",
    severity=Severity.ERROR,
    summary="vrrp_sync_group ends up with only one instance",
    rationale="A sync group exists to move several instances together; with one member it "
              "only adds the sync-group restrictions on weights. keepalived says \"has only 1 "
              "virtual router(s) - this probably isn't what you want\".",
    bad="vrrp_sync_group G1 {\n    group {\n        VI_1\n    }\n}\n"
        "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=("sync-one-member",),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for sg in ctx.config.sync_groups:
        if len(sync.sync_members(ctx, sg)) == 1:
            yield ctx.diag(META, f"sync group {sg.name} has only 1 virtual router - this probably "
                           "isn't what you want", tree.head(sg.span),
                           "add the other instances or remove the sync group")
