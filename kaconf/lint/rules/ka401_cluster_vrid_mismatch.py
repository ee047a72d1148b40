"""KA401: the nodes of a pair disagree on the virtual_router_id."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import cluster, tree
from kaconf.lint.rule import ClusterContext, RuleMeta

META = RuleMeta(
    code="KA401",
    name="cluster-vrid-mismatch",
    severity=Severity.ERROR,
    summary="an instance has a different virtual_router_id on different nodes",
    rationale="Nodes only see each other's adverts for the same VRID; with different VRIDs each "
              "node believes it is alone, both become MASTER and both hold the VIP "
              "(split brain).",
    bad="vrrp_instance VI_1 {\n    state BACKUP\n    interface eth0\n    virtual_router_id 90\n"
        "    priority 100\n    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n"
        "---\n"
        "vrrp_instance VI_1 {\n    state BACKUP\n    interface eth0\n    virtual_router_id 91\n"
        "    priority 99\n    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    state BACKUP\n    interface eth0\n    virtual_router_id 90\n"
         "    priority 100\n    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n"
         "---\n"
         "vrrp_instance VI_1 {\n    state BACKUP\n    interface eth0\n    virtual_router_id 90\n"
         "    priority 99\n    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n",
    scope="cluster",
)


def check(cctx: ClusterContext) -> Iterable[Diagnostic]:
    for name, (ref_ctx, ref), (ctx, inst) in cluster.against_first(cctx.nodes):
        if inst.virtual_router_id is None or ref.virtual_router_id is None:
            continue
        if inst.virtual_router_id != ref.virtual_router_id:
            yield cctx.diag(META, f"{name}: virtual_router_id {inst.virtual_router_id} on "
                            f"{cluster.node_label(ctx)} but {ref.virtual_router_id} on "
                            f"{cluster.node_label(ref_ctx)} - the nodes will not see each other",
                            tree.setting_span(inst, "virtual_router_id"),
                            "use the same virtual_router_id on every node of the instance")
