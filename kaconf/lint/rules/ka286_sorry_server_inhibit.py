"""KA286: a sorry server that is also a real server, with other inhibit setting."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import lvs
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA286",
    name="sorry-server-inhibit-mismatch",
    severity=Severity.ERROR,
    summary="sorry_server equals a real server but their inhibit_on_failure settings differ",
    rationale="IPVS holds one destination for both, so keepalived copies the real server's "
              "setting to the sorry server (\"matches sorry server, but inhibit setting "
              "differs\").",
    bad="virtual_server 10.0.0.10 80 {\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n"
        "    sorry_server 10.0.1.1 80\n    real_server 10.0.1.1 80 {\n"
        "        inhibit_on_failure\n    }\n}\n",
    good="virtual_server 10.0.0.10 80 {\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n"
         "    sorry_server 10.0.1.9 80\n    real_server 10.0.1.1 80 {\n"
         "        inhibit_on_failure\n    }\n}\n",
    keepalived_check=("vs-sorry-inhibit",),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for vs in ctx.config.virtual_servers:
        s = vs.settings.get("sorry_server")
        if s is None or not s.args:
            continue
        try:
            addr = ipaddress.ip_address(s.args[0])
        except ValueError:
            continue
        port = int(s.args[1]) if len(s.args) > 1 and s.args[1].isdigit() else (vs.port or 0)
        sorry_inhibit = vs.given("sorry_server_inhibit")
        for rs in vs.real_server:
            if rs.address != addr or (rs.port or vs.port or 0) != port:
                continue
            rs_inhibit = bool(rs.inhibit_on_failure) if rs.inhibit_on_failure is not None \
                else bool(vs.inhibit_on_failure)
            if rs_inhibit != sorry_inhibit:
                yield ctx.diag(META, f"virtual server {lvs.vs_name(vs)}: real server {addr}:{port} "
                               "matches the sorry server but inhibit setting differs - "
                               "keepalived changes the sorry server", s.span,
                               "use another sorry server, or the same inhibit setting")
