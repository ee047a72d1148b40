"""KA284: smtp_server that keepalived cannot use (no value, bad address or port)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA284",
    name="smtp-server-invalid-port",
    severity=Severity.ERROR,
    summary="smtp_server without a value, with an invalid address or a port outside 1-65535",
    rationale="keepalived rejects the server (\"Invalid smtp server\"), so no alert e-mail is "
              "ever sent; without any value it stops reading the configuration (exit 2). "
              "The server is an IP address or a host name (resolved when keepalived starts); "
              "a word with characters no host name has is neither, often a template "
              "placeholder left in the file.",
    bad="global_defs {\n    smtp_server 10.0.0.1 99999\n}\n",
    good="global_defs {\n    smtp_server 10.0.0.1 25\n}\n",
    keepalived_check=(),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for node, _path, spec in tree.statements_in(ctx, "global_defs"):
        if spec is None or spec.name != "smtp_server":
            continue
        if not node.args:
            yield ctx.diag(META, "smtp_server is missing a parameter - keepalived stops "
                           "reading the configuration", node.head_span,
                           "give the mail server: smtp_server ADDRESS [PORT]")
            continue
        server = node.args[0].text
        if not _HOSTNAME.match(server) and _ip(server) is None:
            yield ctx.diag(META, f"invalid smtp server '{server}' - keepalived ignores the "
                           "smtp_server", node.args[0].span,
                           "use an IP address or a host name")
            continue
        if len(node.args) < 2:
            continue
        port = node.args[1].text
        if not (port.isdigit() and 1 <= int(port) <= 65535):
            yield ctx.diag(META, f"invalid smtp server port '{port}' - keepalived ignores the "
                           "smtp_server", node.head_span, "use a port between 1 and 65535")


#: what a host name can look like (letters, digits, '-', '.', '_'); anything else with no
#: IP address in it is what keepalived calls an invalid smtp server
_HOSTNAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None
