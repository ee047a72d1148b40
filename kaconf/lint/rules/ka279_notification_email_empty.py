"""KA279: an empty notification_email block."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.fix import build
from kaconf.lint.helpers import tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA279",
    name="notification-email-empty",
    severity=Severity.ERROR,
    summary="notification_email block without any address",
    rationale="keepalived reports \"Warning - empty notification_email block\"; with no "
              "recipient, smtp_alert sends nothing.",
    bad="global_defs {\n    notification_email {\n    }\n}\n",
    good="global_defs {\n    notification_email {\n        ops@example.com\n    }\n}\n",
    keepalived_check=(),
    fix="remove the empty block",
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for node, _path, _spec in tree.statements_in(ctx, "global_defs"):
        if node.name == "notification_email" \
                and node.children is not None and not tree.children(node):
            yield ctx.diag(META, "empty notification_email block", node.head_span,
                           "list at least one address, or remove the block",
                           fix=build.delete_node(ctx, node, "remove the empty notification_email"))
