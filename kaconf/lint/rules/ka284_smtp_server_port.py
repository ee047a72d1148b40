"""KA284: smtp_server with an impossible port."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA284",
    name="smtp-server-invalid-port",
    severity=Severity.ERROR,
    summary="smtp_server port outside 1-65535",
    rationale="keepalived rejects the server (\"Invalid smtp server\"), so no alert e-mail is "
              "ever sent.",
    bad="global_defs {\n    smtp_server 10.0.0.1 99999\n}\n",
    good="global_defs {\n    smtp_server 10.0.0.1 25\n}\n",
    keepalived_check=(),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for node, _path, spec in tree.statements_in(ctx, "global_defs"):
        if spec is None or spec.name != "smtp_server":
            continue
        if len(node.args) < 2:
            continue
        port = node.args[1].text
        if not (port.isdigit() and 1 <= int(port) <= 65535):
            yield ctx.diag(META, f"invalid smtp server port '{port}' - keepalived ignores the "
                           "smtp_server", node.head_span, "use a port between 1 and 65535")
