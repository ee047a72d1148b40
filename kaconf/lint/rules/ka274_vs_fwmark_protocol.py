"""KA274: protocol on a fwmark service."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import fixes, lvs
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA274",
    name="fwmark-with-protocol",
    severity=Severity.ERROR,
    summary="protocol given for a fwmark virtual server",
    rationale="A firewall-mark service matches packets by mark, whatever their protocol; "
              "keepalived drops the setting (\"protocol specified for fwmark - protocol will be "
              "ignored\").",
    bad="virtual_server fwmark 1 {\n    lb_algo rr\n    lb_kind DR\n    protocol TCP\n"
        "    real_server 10.0.1.1 {\n        weight 1\n    }\n}\n",
    good="virtual_server fwmark 1 {\n    lb_algo rr\n    lb_kind DR\n"
         "    real_server 10.0.1.1 {\n        weight 1\n    }\n}\n",
    keepalived_check=("vs-fwm-proto",),
    fix="remove the protocol line (ignored for fwmark)",
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for n in lvs.notes(ctx, "vs-fwmark-protocol"):
        vs = n.vs
        assert vs is not None  # these notes are about a virtual server
        yield ctx.diag(META, f"virtual server {lvs.vs_name(vs)}: protocol specified for "
                       "fwmark - keepalived ignores it", lvs.note_span(n),
                       "remove the protocol line",
                       fix=fixes.remove_setting(ctx, vs, "protocol"))
