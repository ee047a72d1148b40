"""KA272: the same real server twice in one virtual server."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import lvs
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA272",
    name="real-server-duplicate",
    severity=Severity.ERROR,
    summary="two real_server blocks with the same address and port",
    rationale="IPVS holds a destination once; keepalived removes the second block (\"real "
              "server RS is duplicated - removing second rs\") with its checkers and weight.",
    bad="virtual_server 10.0.0.10 80 {\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n"
        "    real_server 10.0.1.1 80 {\n        weight 1\n    }\n"
        "    real_server 10.0.1.1 80 {\n        weight 2\n    }\n}\n",
    good="virtual_server 10.0.0.10 80 {\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n"
         "    real_server 10.0.1.1 80 {\n        weight 1\n    }\n"
         "    real_server 10.0.1.2 80 {\n        weight 2\n    }\n}\n",
    keepalived_check=("vs-rs-dup",),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for n in lvs.notes(ctx, "rs-duplicate"):
        rs = n.rs
        assert rs is not None
        yield ctx.diag(META, f"virtual server {lvs.vs_name(n.vs)}: real server {rs.address}:"
                       f"{rs.port or 0} is duplicated - keepalived removes this one",
                       lvs.note_span(n), "merge the two real_server blocks")
