"""KA293: a node listing itself as unicast peer."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA293",
    name="unicast-peer-is-self",
    severity=Severity.WARNING,
    summary="unicast_peer lists the node's own unicast_src_ip",
    rationale="The node sends adverts to itself and receives its own packets; the usual cause "
              "is copying the peer list from the other node's file without swapping addresses. "
              "keepalived does not check this.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    unicast_src_ip 192.168.200.1\n    unicast_peer {\n        192.168.200.1\n"
        "        192.168.200.2\n    }\n    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    unicast_src_ip 192.168.200.1\n    unicast_peer {\n        192.168.200.2\n    }\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=(),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for inst in ctx.config.vrrp_instances:
        src = inst.unicast_src_ip
        if src is None:
            continue
        for p in inst.filled("unicast_peer"):
            if p.address == src:
                yield ctx.diag(META, f"({inst.name}) unicast_peer {p.address} is this node's own "
                               "unicast_src_ip", p.span, "list the other node(s) only")
