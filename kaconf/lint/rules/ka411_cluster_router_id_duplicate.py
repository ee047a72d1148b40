"""KA411: two nodes with the same router_id."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import tree
from kaconf.lint.rule import ClusterContext, RuleMeta

META = RuleMeta(
    code="KA411",
    name="cluster-router-id-duplicate",
    severity=Severity.WARNING,
    summary="two nodes share the same global router_id",
    rationale="router_id names the node in notification e-mails, SNMP and logs; with the same "
              "id you cannot tell which node changed state. Usually the file was copied without "
              "editing global_defs.",
    bad="global_defs {\n    router_id aaa\n}\n---\nglobal_defs {\n    router_id aaa\n}\n",
    good="global_defs {\n    router_id aaa\n}\n---\nglobal_defs {\n    router_id bbb\n}\n",
    scope="cluster",
)


def check(cctx: ClusterContext) -> Iterable[Diagnostic]:
    seen: dict[str, str] = {}
    for ctx in cctx.nodes:
        g = ctx.config.global_defs
        rid = g.router_id
        if not rid:
            continue
        if rid in seen:
            label = ctx.path or (ctx.config.files[0] if ctx.config.files else "?")
            yield cctx.diag(META, f"router_id {rid} of {label} is also used by {seen[rid]}",
                            tree.setting_span(g, "router_id"), "give every node its own router_id")
        else:
            seen[rid] = ctx.path or (ctx.config.files[0] if ctx.config.files else "?")
