"""KA412: a track_script weight too small to move the master."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import cluster, semantics
from kaconf.lint.rule import ClusterContext, RuleMeta

META = RuleMeta(
    code="KA412",
    name="cluster-track-weight-insufficient",
    severity=Severity.WARNING,
    summary="a failing track_script lowers the priority but not below the other node's",
    rationale="A negative weight is meant to hand the VIP over when the check fails; if the "
              "lowered priority is still above (or equal to) the best other node's priority, "
              "the master keeps the VIP with a broken service.",
    bad="global_defs {\n    enable_script_security\n    script_user root\n}\n"
        "vrrp_script chk {\n    script \"/bin/true\"\n    weight -5\n}\n"
        "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 90\n    priority 110\n"
        "    track_script {\n        chk\n    }\n"
        "    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n"
        "---\n"
        "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 90\n    priority 100\n"
        "    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n",
    good="global_defs {\n    enable_script_security\n    script_user root\n}\n"
         "vrrp_script chk {\n    script \"/bin/true\"\n    weight -20\n}\n"
         "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 90\n    priority 110\n"
         "    track_script {\n        chk\n    }\n"
         "    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n"
         "---\n"
         "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 90\n    priority 100\n"
         "    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n",
    scope="cluster",
)


def check(cctx: ClusterContext) -> Iterable[Diagnostic]:
    for name, members in cluster.shared_instances(cctx.nodes):
        for ctx, inst in members:
            p = ctx.resolved(inst).base_priority
            if p == semantics.OWNER:
                continue
            others = [c.resolved(i).base_priority for c, i in members if i is not inst]
            best = max(others)
            if p <= best:
                continue
            for ref in inst.track_script:
                if ref.name not in ctx.config.vrrp_scripts:
                    continue
                w, reverse = semantics.line_tracking(ctx, inst, ref) or (0, False)
                if w >= 0 and not reverse or w == 0:
                    continue
                lowered = p - abs(w)
                if lowered >= best:
                    yield cctx.diag(META, f"{name}: when {ref.name} fails on "
                                    f"{cluster.node_label(ctx)} its priority drops to {lowered}, "
                                    "not "
                                    f"below the other node's {best} - no failover happens",
                                    ref.span, f"use a weight of at least -{p - best + 1}")
