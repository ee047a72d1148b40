"""KA217: unicast keywords without any unicast peer."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA217",
    name="unicast-without-peers",
    severity=Severity.ERROR,
    summary="unicast_src_ip / unicast_peer {} given but no usable peer",
    rationale="With no peer keepalived silently falls back to multicast (\"A unicast keyword "
              "has been specified without any unicast peers. Defaulting to multicast. This usage "
              "is deprecated\"), which the network may not carry.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    unicast_src_ip 192.168.200.1\n    unicast_peer {\n    }\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    unicast_src_ip 192.168.200.1\n    unicast_peer {\n        192.168.200.2\n    }\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=("unicast-empty",),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for inst in ctx.config.vrrp_instances:
        if not ctx.resolved(inst).has("UNICAST_CONFIGURED") or ctx.resolved(inst).has("UNICAST"):
            continue
        if inst.given("unicast_fault_no_peer"):
            continue  # the instance goes to FAULT, which is logged only
        span = tree.setting_span(inst, "unicast_peer" if inst.given("unicast_peer")
                              else "unicast_src_ip")
        yield ctx.diag(META, f"({inst.name}) a unicast keyword is given without any unicast peer "
                       "- keepalived defaults to multicast (deprecated usage)", span,
                       "list the other node(s) in unicast_peer, or remove the unicast keywords")
