"""KA406: two nodes with the same priority."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import cluster, tree
from kaconf.lint.rule import ClusterContext, RuleMeta

META = RuleMeta(
    code="KA406",
    name="cluster-priority-tie",
    severity=Severity.WARNING,
    summary="two nodes have the same priority for an instance",
    rationale="On equal priority VRRP elects the node with the higher primary IP address, which "
              "is rarely a deliberate choice and changes when addresses are renumbered.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 90\n    priority 100\n"
        "    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n"
        "---\n"
        "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 90\n    priority 100\n"
        "    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 90\n    priority 100\n"
         "    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n"
         "---\n"
         "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 90\n    priority 99\n"
         "    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n",
    scope="cluster",
)


def check(cctx: ClusterContext) -> Iterable[Diagnostic]:
    for name, members in cluster.peers_by_instance(cctx.nodes).items():
        seen: dict[int, str] = {}
        for ctx, inst in members:
            p = ctx.resolved(inst).base_priority
            if p in seen:
                yield cctx.diag(META, f"{name}: priority {p} on {cluster.node_label(ctx)} equals "
                                f"{seen[p]} - the higher IP address wins the election",
                                tree.setting_span(inst, "priority"),
                                "give each node a distinct priority")
            else:
                seen[p] = cluster.node_label(ctx)
