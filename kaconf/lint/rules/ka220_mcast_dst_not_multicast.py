"""KA220: mcast_dst_ip must be a multicast group."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA220",
    name="mcast-dst-not-multicast",
    severity=Severity.ERROR,
    summary="mcast_dst_ip is not a (link-local) multicast address",
    rationale="Adverts to a unicast address reach one host at most; keepalived skips the "
              "setting (\"mcast_dst_ip ... not multicast. Skipping\") and uses the default group.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    mcast_dst_ip 10.0.0.1\n    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    mcast_dst_ip 224.0.0.19\n    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=("mcast-dst-not-mcast",),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    if "mcast_dst_ip" not in tree.names_in(ctx, "vrrp_instance"):
        return  # the usual case: no line to check in any instance
    for inst in ctx.config.vrrp_instances:
        # every line counts: keepalived reports a bad one even if a later line fixes it
        inode = tree.instance_node(ctx, inst)
        if "mcast_dst_ip" not in tree.statement_names(ctx, inode):
            continue  # the usual case: no line to check
        for node in tree.children(inode, "mcast_dst_ip"):
            if not node.args:
                continue
            try:
                dst = ipaddress.ip_address(node.args[0].text)
            except ValueError:
                continue  # not an address: the reader reports it
            if isinstance(dst, ipaddress.IPv6Address):
                ok = dst in ipaddress.ip_network("ff02::/16")
            else:
                ok = dst.is_multicast
            if ok:
                continue
            kind = "link-local multicast" if dst.version == 6 else "multicast"
            yield ctx.diag(META, f"({inst.name}) mcast_dst_ip {dst} is not {kind} - keepalived "
                           "skips it", node.head_span,
                           "use 224.0.0.18-style group (ff02::12 for IPv6) or remove the line")
