"""KA269: sh-/mh- scheduler flags on a service with another scheduler."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.fix import build
from kaconf.lint.helpers import tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA269",
    name="scheduler-flag-mismatch",
    severity=Severity.ERROR,
    summary="sh-port/sh-fallback/mh-port/mh-fallback/hashed without an sh or mh scheduler before",
    rationale="These flags only mean something to the source/maglev hashing schedulers, and "
              "keepalived checks the scheduler set *so far*: a flag before 'lb_algo sh' or with "
              "another scheduler is dropped (\"only applies to sh scheduler - ignoring\").",
    bad="virtual_server 10.0.0.10 80 {\n    lb_algo rr\n    sh-port\n    lb_kind NAT\n"
        "    protocol TCP\n    real_server 10.0.1.1 80 {\n        weight 1\n    }\n}\n",
    good="virtual_server 10.0.0.10 80 {\n    lb_algo sh\n    sh-port\n    lb_kind NAT\n"
         "    protocol TCP\n    real_server 10.0.1.1 80 {\n        weight 1\n    }\n}\n",
    keepalived_check=(),
    fix="remove the flag keepalived ignores (unsafe: it was probably meant to follow 'lb_algo sh')",
    fix_safe=False,
)

_FLAGS = {"sh-port", "sh-fallback", "mh-port", "mh-fallback", "hashed"}


def check(ctx: Context) -> Iterable[Diagnostic]:
    if _FLAGS.isdisjoint(tree.names_in(ctx, "virtual_server")):
        return  # the usual case: no flag in any virtual server
    for node in tree.sections(ctx, "virtual_server"):
        if _FLAGS.isdisjoint(tree.statement_names(ctx, node)):
            continue  # the usual case: no flag to check
        sched = ""
        for c in tree.statements(ctx, node):
            kw = c.name
            if kw in ("lb_algo", "lvs_sched") and c.args:
                sched = c.args[0].text
            elif kw in _FLAGS and sched not in ("sh", "mh"):
                yield ctx.diag(META, f"{kw} only applies to the sh/mh scheduler (scheduler so far: "
                               f"{sched or 'none'}) - keepalived ignores it", c.head_span,
                               "put the flag after 'lb_algo sh' (or mh)",
                               fix=build.delete_node(ctx, c, f"remove {kw}", safe=False))
