"""KA407: more than one node starts as MASTER."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import cluster, semantics, tree
from kaconf.lint.rule import ClusterContext, RuleMeta

META = RuleMeta(
    code="KA407",
    name="cluster-multiple-masters",
    severity=Severity.WARNING,
    summary="more than one node has state MASTER for an instance",
    rationale="Both nodes claim the VIP and send gratuitous ARPs at start-up until the election "
              "settles; after a restart of the lower node the ARP tables flap. Start at most the "
              "preferred node as MASTER (or all as BACKUP and let priority decide).",
    bad="vrrp_instance VI_1 {\n    state MASTER\n    interface eth0\n    virtual_router_id 90\n"
        "    priority 100\n    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n"
        "---\n"
        "vrrp_instance VI_1 {\n    state MASTER\n    interface eth0\n    virtual_router_id 90\n"
        "    priority 99\n    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    state MASTER\n    interface eth0\n    virtual_router_id 90\n"
         "    priority 100\n    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n"
         "---\n"
         "vrrp_instance VI_1 {\n    state BACKUP\n    interface eth0\n    virtual_router_id 90\n"
         "    priority 99\n    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n",
    scope="cluster",
)


def check(cctx: ClusterContext) -> Iterable[Diagnostic]:
    for name, members in cluster.peers_by_instance(cctx.nodes).items():
        masters = [(c, i) for c, i in members if semantics.starts_master(c, i)]
        if len(masters) < 2:
            continue
        first = cluster.node_label(masters[0][0])
        for ctx, inst in masters[1:]:
            yield cctx.diag(META, f"{name}: {cluster.node_label(ctx)} starts as MASTER, "
                            f"like {first}",
                            tree.setting_span(inst, "state"),
                            "use state BACKUP on all but the preferred node")
