"""KA277: real server of the other address family."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import lvs, tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA277",
    name="real-server-family-mismatch",
    severity=Severity.ERROR,
    summary="IPv4 virtual server with an IPv6 real server (or the reverse)",
    rationale="IPVS cannot translate between families; keepalived skips the real server "
              "(\"Address family of virtual server and real server don't match - skipping real "
              "server\").",
    bad="virtual_server 10.0.0.10 80 {\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n"
        "    real_server 2001:db8::1 80 {\n        weight 1\n    }\n"
        "    real_server 10.0.1.1 80 {\n        weight 1\n    }\n}\n",
    good="virtual_server 10.0.0.10 80 {\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n"
         "    real_server 10.0.1.1 80 {\n        weight 1\n    }\n}\n",
    keepalived_check=("rs-family",),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for vs in ctx.config.virtual_servers:
        if vs.address is None:
            continue
        fam = vs.get("ip_family")
        if fam in ("inet", "inet6") and (fam == "inet6") != (vs.address.version == 6):
            yield ctx.diag(META, f"virtual server {lvs.vs_name(vs)}: ip_family {fam} conflicts "
                           "with the server's address family - keepalived ignores it",
                           tree.setting_span(vs, "ip_family"), "remove ip_family")
        s = vs.settings.get("sorry_server")
        if s is not None and s.args and (":" in s.args[0]) != (vs.address.version == 6):
            yield ctx.diag(META, f"address family of virtual server {lvs.vs_name(vs)} and sorry "
                           f"server {s.args[0]} don't match - keepalived skips the sorry server",
                           s.span, "use a sorry server of the virtual server's family")
        version = vs.address.version
        for rs in vs.real_server:
            if rs.address is not None and rs.address.version != version:
                yield ctx.diag(META, f"address family of virtual server {lvs.vs_name(vs)} and real "
                               f"server {rs.address} don't match - keepalived skips the real "
                               "server", tree.head(rs.span), "use addresses of one family")
