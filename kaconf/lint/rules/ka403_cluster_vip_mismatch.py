"""KA403: the nodes of a pair fail over different addresses."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import cluster, tree
from kaconf.lint.rule import ClusterContext, RuleMeta

META = RuleMeta(
    code="KA403",
    name="cluster-vip-mismatch",
    severity=Severity.ERROR,
    summary="an instance has different virtual_ipaddress sets on different nodes",
    rationale="Which addresses move depends on which node is master, so a failover silently "
              "drops or adds addresses; keepalived also logs address mismatches in every "
              "advert (and drops them in strict mode).",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 90\n    priority 100\n"
        "    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n"
        "---\n"
        "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 90\n    priority 99\n"
        "    virtual_ipaddress {\n        10.1.10.241/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 90\n    priority 100\n"
         "    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n"
         "---\n"
         "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 90\n    priority 99\n"
         "    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n",
    scope="cluster",
)


def check(cctx: ClusterContext) -> Iterable[Diagnostic]:
    for name, (ref_ctx, ref), (ctx, inst) in cluster.against_first(cctx.nodes):
        want = {a.split("/")[0] for a in cluster.vip_set(ref)}
        have = {a.split("/")[0] for a in cluster.vip_set(inst)}
        if have == want:
            continue
        extra = sorted(have - want)
        missing = sorted(want - have)
        parts = []
        if extra:
            parts.append(f"only here: {', '.join(extra)}")
        if missing:
            parts.append(f"only on {cluster.node_label(ref_ctx)}: {', '.join(missing)}")
        yield cctx.diag(META, f"{name}: virtual addresses differ between "
                        f"{cluster.node_label(ctx)} and {cluster.node_label(ref_ctx)} "
                        f"({'; '.join(parts)})", tree.setting_span(inst, "virtual_ipaddress"),
                        "list the same addresses on every node")
