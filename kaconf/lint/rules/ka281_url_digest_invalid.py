"""KA281: url digests are 32 hex digits (MD5)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA281",
    name="url-digest-invalid",
    severity=Severity.ERROR,
    summary="url digest is not a 32-digit hexadecimal MD5 sum",
    rationale="keepalived compares the page's MD5 with the digest; a malformed one is rejected "
              "(\"digest ... character length should be 32\" / \"Unable to interpret hex "
              "digit\") and the url is checked by status code only. Use genhash to compute it.",
    bad="virtual_server 10.0.0.10 80 {\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n"
        "    real_server 10.0.1.1 80 {\n        HTTP_GET {\n            url {\n"
        "                path /\n                digest 1234\n            }\n        }\n"
        "    }\n}\n",
    good="virtual_server 10.0.0.10 80 {\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n"
         "    real_server 10.0.1.1 80 {\n        HTTP_GET {\n            url {\n"
         "                path /\n                digest 9b3a0c85a887a256d6939da88aabd8cd\n"
         "            }\n        }\n    }\n}\n",
    keepalived_check=(),
)

_MD5 = re.compile(r"[0-9A-Fa-f]{32}")


def check(ctx: Context) -> Iterable[Diagnostic]:
    for vs in ctx.config.virtual_servers:
        for rs in vs.real_server:
            for ck in rs.checkers:
                for url in ck.filled("url"):  # (makes no empty list in the model)
                    d = url.digest
                    if d is not None and not _MD5.fullmatch(str(d)):
                        yield ctx.diag(META, f"url digest '{d}' is not 32 hexadecimal digits - "
                                       "keepalived ignores it", tree.setting_span(url, "digest"),
                                       "compute it with: genhash -s IP -p PORT -u PATH")
