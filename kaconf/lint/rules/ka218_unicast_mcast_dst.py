"""KA218: mcast_dst_ip is meaningless in unicast mode."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import fixes, tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA218",
    name="unicast-with-mcast-dst",
    severity=Severity.ERROR,
    summary="mcast_dst_ip on an instance with unicast peers",
    rationale="Unicast adverts go to the peers, never to a multicast group; keepalived ignores "
              "the setting (\"multicast destination specified with unicast - ignoring\").",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    mcast_dst_ip 224.0.0.19\n    unicast_peer {\n        192.168.200.2\n    }\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    unicast_peer {\n        192.168.200.2\n    }\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=("unicast-mcast-dst",),
    fix="remove mcast_dst_ip (keepalived ignores it with unicast peers)",
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for inst in ctx.config.vrrp_instances:
        dst = inst.mcast_dst_ip
        if dst is None or not ctx.resolved(inst).has("UNICAST"):
            continue
        if dst.version != ctx.resolved(inst).family or not _multicast(dst):
            continue  # rejected while parsing (KA220/KA221)
        yield ctx.diag(META, f"({inst.name}) multicast destination specified with unicast - "
                       "keepalived ignores it", tree.setting_span(inst, "mcast_dst_ip"),
                       "remove mcast_dst_ip", fix=fixes.remove_setting(ctx, inst, "mcast_dst_ip"))


def _multicast(ip: object) -> bool:
    import ipaddress

    if isinstance(ip, ipaddress.IPv6Address):
        return ip in ipaddress.ip_network("ff02::/16")
    return isinstance(ip, ipaddress.IPv4Address) and ip.is_multicast
