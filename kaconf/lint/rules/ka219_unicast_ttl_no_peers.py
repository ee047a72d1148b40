"""KA219: unicast_ttl needs unicast peers."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import fixes, tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA219",
    name="unicast-ttl-without-peers",
    severity=Severity.ERROR,
    summary="unicast_ttl on an instance without unicast peers",
    rationale="The TTL applies to unicast adverts only; keepalived resets it (\"Cannot use "
              "unicast_ttl without unicast peers\").",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    unicast_ttl 10\n    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    unicast_ttl 10\n    unicast_peer {\n        192.168.200.2\n    }\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=("unicast-ttl-no-peers",),
    fix="remove unicast_ttl (keepalived resets it)",
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for inst in ctx.config.vrrp_instances:
        if inst.unicast_ttl is None or ctx.resolved(inst).peers:
            continue
        yield ctx.diag(META, f"({inst.name}) Cannot use unicast_ttl without unicast peers - "
                       "keepalived resets it", tree.setting_span(inst, "unicast_ttl"),
                       "remove unicast_ttl or add unicast_peer",
                       fix=fixes.remove_setting(ctx, inst, "unicast_ttl"))
