"""KA410: an instance defined on some nodes only."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import cluster, tree
from kaconf.lint.rule import ClusterContext, RuleMeta

META = RuleMeta(
    code="KA410",
    name="cluster-instance-missing",
    severity=Severity.WARNING,
    summary="a vrrp_instance exists on some nodes of the cluster but not on others",
    rationale="An instance without a counterpart has no backup (or no master); often the name "
              "was changed on one node only, which also defeats every other cluster check.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 90\n    priority 100\n"
        "    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n"
        "---\n"
        "vrrp_instance VI_2 {\n    interface eth0\n    virtual_router_id 90\n    priority 99\n"
        "    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 90\n    priority 100\n"
         "    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n"
         "---\n"
         "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 90\n    priority 99\n"
         "    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n",
    scope="cluster",
)


def check(cctx: ClusterContext) -> Iterable[Diagnostic]:
    if len(cctx.nodes) < 2:
        return
    for name, members in cluster.peers_by_instance(cctx.nodes).items():
        if len(members) == len(cctx.nodes):
            continue
        present = {id(c) for c, _ in members}
        absent = [cluster.node_label(c) for c in cctx.nodes if id(c) not in present]
        ctx, inst = members[0]
        yield cctx.diag(META, f"vrrp_instance {name} is not defined on {', '.join(absent)}",
                        tree.head(inst.span), "define it on every node, with the same name")
