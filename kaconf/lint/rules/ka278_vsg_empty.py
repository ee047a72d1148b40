"""KA278: virtual_server_group without entries."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import lvs, tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA278",
    name="virtual-server-group-empty",
    severity=Severity.ERROR,
    summary="virtual_server_group without any (valid) entry",
    rationale="keepalived removes the group (\"virtual server group G has no entries - "
              "removing\"), and a virtual_server that refers to it serves nothing.",
    bad="virtual_server_group G1 {\n}\n",
    good="virtual_server_group G1 {\n    10.0.0.10 80\n}\n",
    keepalived_check=("vsg-empty",),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for name, vsg in ctx.config.virtual_server_groups.items():
        if not [e for e in vsg.entries if lvs.vsg_entry_valid(e)]:
            yield ctx.diag(META, f"virtual server group {name} has no entries - keepalived "
                           "removes it", tree.head(vsg.span), "add '<ip> <port>' lines")
