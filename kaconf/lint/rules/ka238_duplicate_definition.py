"""KA238: two vrrp_instance (or sync group) blocks with the same name."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA238",
    name="duplicate-definition",
    severity=Severity.ERROR,
    summary="a vrrp_instance or vrrp_sync_group name is defined twice",
    rationale="keepalived skips the whole second block (\"vrrp instance VI_1 already defined\"); "
              "usually a copied block whose name was not changed, so the second instance never "
              "runs.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n"
        "vrrp_instance VI_1 {\n    interface eth1\n    virtual_router_id 52\n    priority 100\n"
        "    virtual_ipaddress {\n        10.0.1.10/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n"
         "vrrp_instance VI_2 {\n    interface eth1\n    virtual_router_id 52\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.1.10/24\n    }\n}\n",
    keepalived_check=(),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    cfg = ctx.config
    for kind, blocks in (("vrrp instance", cfg.vrrp_instances),
                         ("vrrp sync group", cfg.sync_groups)):
        seen: set[str] = set()
        for b in blocks:
            if not b.name:
                continue
            if b.name in seen:
                yield ctx.diag(META, f"{kind} {b.name} already defined - keepalived skips this "
                               "block", tree.head(b.span), "give every block its own name")
            seen.add(b.name)
