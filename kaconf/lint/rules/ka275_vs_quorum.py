"""KA275: quorum/hysteresis that can never be met."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import lvs
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA275",
    name="virtual-server-quorum-unreachable",
    severity=Severity.ERROR,
    summary="quorum above the total real-server weight, or hysteresis >= quorum",
    rationale="The service can never be 'up' if the quorum exceeds the sum of the weights; "
              "keepalived lowers it (\"quorum Q exceeds total weight of real servers W, "
              "reducing quorum\") and then clamps hysteresis (\"hysteresis H >= quorum Q\"). "
              "With every real server at weight 0 even the default quorum of 1 is too high.",
    bad="virtual_server 10.0.0.10 80 {\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n"
        "    quorum 10\n    real_server 10.0.1.1 80 {\n        weight 2\n    }\n}\n",
    good="virtual_server 10.0.0.10 80 {\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n"
         "    quorum 2\n    real_server 10.0.1.1 80 {\n        weight 2\n    }\n}\n",
    keepalived_check=("vs-quorum-gt-weight", "vs-hysteresis"),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for n in lvs.notes(ctx, "vs-quorum", "vs-hysteresis"):
        name, v = lvs.vs_name(n.vs), n.values
        if n.kind == "vs-quorum":
            yield ctx.diag(META, f"quorum {v['quorum']} for {name} exceeds the total weight of "
                           f"the real servers ({v['total']}) - keepalived reduces it to "
                           f"{v['total']}", lvs.note_span(n),
                           "lower the quorum or raise real-server weights")
        else:
            yield ctx.diag(META, f"virtual server {name}: hysteresis {v['hysteresis']} >= "
                           f"quorum {v['quorum']} - keepalived sets it to {v['new']}",
                           lvs.note_span(n), "keep hysteresis below quorum")
