"""KA402: the nodes of a pair advertise at different intervals."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import cluster, tree
from kaconf.lint.rule import ClusterContext, RuleMeta

META = RuleMeta(
    code="KA402",
    name="cluster-advert-int-mismatch",
    severity=Severity.ERROR,
    summary="an instance has a different advert_int on different nodes",
    rationale="VRRPv2 receivers must drop adverts whose interval differs from their own, so the "
              "backup does not hear the master and takes over too; with VRRPv3 the backup "
              "follows the master's interval but its own failover timing is off.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 90\n    priority 100\n"
        "    advert_int 1\n    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n"
        "---\n"
        "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 90\n    priority 99\n"
        "    advert_int 2\n    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 90\n    priority 100\n"
         "    advert_int 1\n    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n"
         "---\n"
         "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 90\n    priority 99\n"
         "    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n",
    scope="cluster",
)


def _interval(inst: object) -> float:
    v = getattr(inst, "advert_int", None)
    return float(v) if v is not None else 1.0


def check(cctx: ClusterContext) -> Iterable[Diagnostic]:
    for name, (ref_ctx, ref), (ctx, inst) in cluster.against_first(cctx.nodes):
        if abs(_interval(inst) - _interval(ref)) > 1e-9:
            yield cctx.diag(META, f"{name}: advert_int {_interval(inst):g}s on "
                            f"{cluster.node_label(ctx)} but {_interval(ref):g}s on "
                            f"{cluster.node_label(ref_ctx)}", tree.setting_span(inst, "advert_int"),
                            "use the same advert_int on every node")
