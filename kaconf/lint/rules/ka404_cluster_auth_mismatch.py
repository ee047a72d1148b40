"""KA404: the nodes of a pair authenticate differently."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import cluster, tree
from kaconf.lint.rule import ClusterContext, Context, RuleMeta
from kaconf.model.objects import VrrpInstance

META = RuleMeta(
    code="KA404",
    name="cluster-authentication-mismatch",
    severity=Severity.ERROR,
    summary="an instance has different authentication (type or password) on different nodes",
    rationale="A node drops adverts whose authentication does not match its own, so each node "
              "thinks the other is gone and both become MASTER. Only the first 8 characters of "
              "a password count.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 90\n    priority 100\n"
        "    authentication {\n        auth_type PASS\n        auth_pass secret1\n    }\n"
        "    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n"
        "---\n"
        "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 90\n    priority 99\n"
        "    authentication {\n        auth_type PASS\n        auth_pass secret2\n    }\n"
        "    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 90\n    priority 100\n"
         "    authentication {\n        auth_type PASS\n        auth_pass secret1\n    }\n"
         "    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n"
         "---\n"
         "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 90\n    priority 99\n"
         "    authentication {\n        auth_type PASS\n        auth_pass secret1\n    }\n"
         "    virtual_ipaddress {\n        10.1.10.240/24\n    }\n}\n",
    scope="cluster",
)


def auth_in_use(ctx: Context, inst: VrrpInstance) -> tuple[str, str] | None:
    """(type, password) keepalived really uses, or None when it ignores the block."""
    ei = ctx.resolved(inst)
    if ei.auth_type is None:
        return None
    return (ei.auth_type, ei.auth_pass)


def check(cctx: ClusterContext) -> Iterable[Diagnostic]:
    for name, (ref_ctx, ref), (ctx, inst) in cluster.against_first(cctx.nodes):
        want = auth_in_use(ref_ctx, ref)
        have = auth_in_use(ctx, inst)
        if have == want:
            continue
        same_type = want is not None and have is not None and want[0] == have[0]
        mine = _show(have, same_type)
        theirs = _show(want, same_type)
        span = tree.setting_span(inst.authentication, "auth_type") \
            if inst.authentication is not None else tree.head(inst.span)
        yield cctx.diag(META, f"{name}: authentication {mine} on {cluster.node_label(ctx)} "
                        f"but {theirs} on {cluster.node_label(ref_ctx)}", span,
                        "use the same auth_type and auth_pass on every node")


def _show(auth: tuple[str, str] | None, same_type: bool) -> str:
    if auth is None:
        return "none"
    return f"{auth[0]} (password differs)" if same_type else auth[0]
