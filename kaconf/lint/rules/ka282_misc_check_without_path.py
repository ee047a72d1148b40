"""KA282: a MISC_CHECK needs misc_path."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA282",
    name="misc-check-without-path",
    severity=Severity.ERROR,
    summary="MISC_CHECK without misc_path",
    rationale="The checker has no script to run; keepalived skips it (\"No script path has been "
              "specified for MISC_CHECKER - skipping\").",
    bad="global_defs {\n    enable_script_security\n    script_user root\n}\n"
        "virtual_server 10.0.0.10 80 {\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n"
        "    real_server 10.0.1.1 80 {\n        MISC_CHECK {\n            misc_timeout 5\n"
        "        }\n    }\n}\n",
    good="global_defs {\n    enable_script_security\n    script_user root\n}\n"
         "virtual_server 10.0.0.10 80 {\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n"
         "    real_server 10.0.1.1 80 {\n        MISC_CHECK {\n"
         "            misc_path \"/bin/true\"\n        }\n    }\n}\n",
    keepalived_check=(),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for vs in ctx.config.virtual_servers:
        for rs in vs.real_server:
            for ck in rs.checkers:
                if ck.kind == "MISC_CHECK" and (ck.misc_path is None or not ck.misc_path.args):
                    yield ctx.diag(META, f"MISC_CHECK of real server {rs.address} has no "
                                   "misc_path - keepalived skips it", tree.head(ck.span),
                                   "add 'misc_path \"/path/to/check args\"'")
