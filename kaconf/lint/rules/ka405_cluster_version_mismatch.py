"""KA405: the nodes of a pair speak different VRRP versions or families."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import cluster, tree
from kaconf.lint.rule import ClusterContext, RuleMeta

META = RuleMeta(
    code="KA405",
    name="cluster-version-or-family-mismatch",
    severity=Severity.ERROR,
    summary="an instance runs VRRPv2 on one node and VRRPv3 (or IPv4 vs IPv6) on another",
    rationale="Adverts of another version or family are dropped, so the nodes never hear each "
              "other and both become MASTER.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 90\n    priority 100\n"
        "    version 3\n    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n"
        "---\n"
        "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 90\n    priority 99\n"
        "    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 90\n    priority 100\n"
         "    version 3\n    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n"
         "---\n"
         "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 90\n    priority 99\n"
         "    version 3\n    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n",
    scope="cluster",
)


def check(cctx: ClusterContext) -> Iterable[Diagnostic]:
    for name, (ref_ctx, ref), (ctx, inst) in cluster.against_first(cctx.nodes):
        rei, ei = ref_ctx.resolved(ref), ctx.resolved(inst)
        rv, rf, v, f = rei.version, rei.family, ei.version, ei.family
        if f != rf:
            yield cctx.diag(META, f"{name}: IPv{f} on {cluster.node_label(ctx)} but IPv{rf} on "
                            f"{cluster.node_label(ref_ctx)}", tree.head(inst.span),
                            "use addresses of the same family on every node")
        elif v != rv:
            yield cctx.diag(META, f"{name}: VRRP version {v} on {cluster.node_label(ctx)} but "
                            f"{rv} on {cluster.node_label(ref_ctx)}",
                            tree.setting_span(inst, "version"),
                            "set the same 'version' (or global vrrp_version) everywhere")
