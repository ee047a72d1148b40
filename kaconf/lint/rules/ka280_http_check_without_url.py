"""KA280: HTTP_GET / SSL_GET checkers need at least one url."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA280",
    name="http-check-without-url",
    severity=Severity.ERROR,
    summary="HTTP_GET or SSL_GET checker without a url block",
    rationale="The checker has nothing to fetch; keepalived drops it (\"HTTP/SSL_GET checker has "
              "no urls specified - ignoring\"), so the real server is never health-checked. "
              "keepalived 2.2.7 -t even crashes on this config.",
    bad="virtual_server 10.0.0.10 80 {\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n"
        "    real_server 10.0.1.1 80 {\n        HTTP_GET {\n            connect_timeout 3\n"
        "        }\n    }\n}\n",
    good="virtual_server 10.0.0.10 80 {\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n"
         "    real_server 10.0.1.1 80 {\n        HTTP_GET {\n            url {\n"
         "                path /\n                status_code 200\n            }\n        }\n"
         "    }\n}\n",
    keepalived_check=(),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for vs in ctx.config.virtual_servers:
        for rs in vs.real_server:
            for ck in rs.checkers:
                if ck.kind in ("HTTP_GET", "SSL_GET") and not ck.url:
                    yield ctx.diag(META, f"{ck.kind} checker of real server {rs.address} has no "
                                   "urls - keepalived ignores the checker", tree.head(ck.span),
                                   "add 'url { path / status_code 200 }'")
