"""KA289: sorry_server options before (or without) the sorry_server line."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.fix import build
from kaconf.lint.helpers import tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA289",
    name="sorry-server-option-order",
    severity=Severity.ERROR,
    summary="sorry_server_inhibit / sorry_server_lvs_method before or without sorry_server",
    rationale="keepalived applies these to the sorry server defined so far, so given first (or "
              "alone) they are ignored (\"Ignoring sorry_server inhibit used before or without "
              "sorry_server\", \"sorry_server forwarding used without sorry_server\").",
    bad="virtual_server 10.0.0.10 80 {\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n"
        "    sorry_server_inhibit\n    sorry_server 10.0.1.9 80\n"
        "    real_server 10.0.1.1 80 {\n        weight 1\n    }\n}\n",
    good="virtual_server 10.0.0.10 80 {\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n"
         "    sorry_server 10.0.1.9 80\n    sorry_server_inhibit\n"
         "    real_server 10.0.1.1 80 {\n        weight 1\n    }\n}\n",
    keepalived_check=(),
    fix="remove the option keepalived ignores (unsafe: it may belong after a sorry_server line)",
    fix_safe=False,
)


_OPTIONS = ("sorry_server_inhibit", "sorry_server_lvs_method")


def check(ctx: Context) -> Iterable[Diagnostic]:
    if tree.names_in(ctx, "virtual_server").isdisjoint(_OPTIONS):
        return  # the usual case: no virtual server has one of the options
    for node in tree.sections(ctx, "virtual_server"):
        names = tree.statement_names(ctx, node)
        if not any(kw in names for kw in _OPTIONS):
            continue  # the usual case: no option, nothing out of order
        have = False
        for c in tree.statements(ctx, node):
            kw = c.name
            if kw == "sorry_server":
                have = True
            elif kw in _OPTIONS and not have:
                yield ctx.diag(META, f"{kw} used before or without sorry_server - keepalived "
                               "ignores it", c.head_span, "put it after the sorry_server line",
                               fix=build.delete_node(ctx, c, f"remove {kw}", safe=False))
