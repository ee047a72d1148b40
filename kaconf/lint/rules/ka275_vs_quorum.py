"""KA275: quorum/hysteresis that can never be met."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import lvs, tree
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
    for vs in ctx.config.virtual_servers:
        if not vs.real_server:
            continue
        # duplicates are removed before the weights are added up
        total = sum(lvs.rs_weight(vs, rs) for rs in lvs.real_servers(ctx, vs).kept)
        quorum = vs.quorum if vs.quorum is not None else 1
        if quorum > total:
            yield ctx.diag(META, f"quorum {quorum} for {lvs.vs_name(vs)} exceeds the total "
                           "weight of "
                           f"the real servers ({total}) - keepalived reduces it to {total}",
                           tree.setting_span(vs, "quorum"),
                           "lower the quorum or raise real-server weights")
            quorum = total
        hyst = vs.hysteresis or 0
        if hyst >= quorum:
            yield ctx.diag(META, f"virtual server {lvs.vs_name(vs)}: hysteresis {hyst} >= quorum "
                           f"{quorum} - keepalived sets it to {max(quorum - 1, 0)}",
                           tree.setting_span(vs, "hysteresis"), "keep hysteresis below quorum")
