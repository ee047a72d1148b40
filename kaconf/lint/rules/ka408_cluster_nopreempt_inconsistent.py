"""KA408: nopreempt where it has no effect, or missing where it matters."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import cluster, tree
from kaconf.lint.rule import ClusterContext, RuleMeta

META = RuleMeta(
    code="KA408",
    name="cluster-nopreempt-inconsistent",
    severity=Severity.WARNING,
    summary="nopreempt on a node without the highest priority, or missing on a higher node",
    rationale="nopreempt only changes what a node does when it comes back with a *higher* "
              "priority than the current master. On the lowest node it never matters; on the "
              "highest it is the whole point. If some node has it, every node except the lowest "
              "needs it, otherwise a middle node still pre-empts.",
    bad="vrrp_instance VI_1 {\n    state BACKUP\n    interface eth0\n    virtual_router_id 90\n"
        "    priority 100\n    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n"
        "---\n"
        "vrrp_instance VI_1 {\n    state BACKUP\n    interface eth0\n    virtual_router_id 90\n"
        "    priority 99\n    nopreempt\n    virtual_ipaddress {\n        10.1.10.240/24\n    }\n"
        "}\n",
    good="vrrp_instance VI_1 {\n    state BACKUP\n    interface eth0\n    virtual_router_id 90\n"
         "    priority 100\n    nopreempt\n    virtual_ipaddress {\n        10.1.10.240/24\n"
         "    }\n}\n"
         "---\n"
         "vrrp_instance VI_1 {\n    state BACKUP\n    interface eth0\n    virtual_router_id 90\n"
         "    priority 99\n    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n",
    scope="cluster",
)


def check(cctx: ClusterContext) -> Iterable[Diagnostic]:
    for name, members in cluster.shared_instances(cctx.nodes):
        if not any(i.nopreempt for _, i in members):
            continue
        prios = [c.resolved(i).base_priority for c, i in members]
        top, low = max(prios), min(prios)
        for ctx, inst in members:
            p = ctx.resolved(inst).base_priority
            if inst.nopreempt and p < top and not any(
                    i.nopreempt for c, i in members if c.resolved(i).base_priority == top):
                yield cctx.diag(META, f"{name}: nopreempt on {cluster.node_label(ctx)} "
                                f"(priority {p}) "
                                f"has no effect - the node with priority {top} still pre-empts",
                                tree.setting_span(inst, "nopreempt"),
                                "put nopreempt on the highest-priority node (on all nodes)")
            elif not inst.nopreempt and p > low:
                yield cctx.diag(META, f"{name}: {cluster.node_label(ctx)} (priority {p}) has no "
                                "nopreempt while other nodes do - it pre-empts lower masters",
                                tree.head(inst.span), "add nopreempt (with state BACKUP)")
