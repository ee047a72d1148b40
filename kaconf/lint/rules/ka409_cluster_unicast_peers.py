"""KA409: unicast peer lists that do not name each other."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import cluster, tree
from kaconf.lint.rule import ClusterContext, RuleMeta

META = RuleMeta(
    code="KA409",
    name="cluster-unicast-peers-mismatch",
    severity=Severity.ERROR,
    summary="a node's unicast_src_ip is missing from another node's unicast_peer list",
    rationale="In unicast mode a node only sends adverts to the addresses in its unicast_peer "
              "block (and only accepts them from there); a node left out never hears the "
              "master and takes over as well (split brain).",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 90\n    priority 100\n"
        "    unicast_src_ip 10.1.10.117\n    unicast_peer {\n        10.1.10.185\n    }\n"
        "    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n"
        "---\n"
        "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 90\n    priority 99\n"
        "    unicast_src_ip 10.1.10.185\n    unicast_peer {\n        10.1.10.118\n    }\n"
        "    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 90\n    priority 100\n"
         "    unicast_src_ip 10.1.10.117\n    unicast_peer {\n        10.1.10.185\n    }\n"
         "    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n"
         "---\n"
         "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 90\n    priority 99\n"
         "    unicast_src_ip 10.1.10.185\n    unicast_peer {\n        10.1.10.117\n    }\n"
         "    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n",
    scope="cluster",
)


def check(cctx: ClusterContext) -> Iterable[Diagnostic]:
    for name, members in cluster.shared_instances(cctx.nodes):
        for ctx, inst in members:
            peers = {str(p.address) for p in inst.unicast_peer if p.address is not None}
            if not peers:
                continue
            for octx, other in members:
                if other is inst:
                    continue
                src = _own_address(other)
                if src is None or src in peers:
                    continue
                yield cctx.diag(META, f"{name}: {cluster.node_label(octx)}'s address {src} "
                                "is not in "
                                f"the unicast_peer list of {cluster.node_label(ctx)}",
                                tree.setting_span(inst, "unicast_peer"),
                                f"add {src} to unicast_peer")


def _own_address(inst: object) -> str | None:
    """The address a node sends from: unicast_src_ip, else mcast_src_ip (if given)."""
    for attr in ("unicast_src_ip", "mcast_src_ip"):
        v = getattr(inst, attr, None)
        if v is not None:
            return str(v)
    return None
