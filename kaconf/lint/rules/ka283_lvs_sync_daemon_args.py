"""KA283: global lvs_sync_daemon needs a usable interface name."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA283",
    name="lvs-sync-daemon-interface",
    severity=Severity.ERROR,
    summary="lvs_sync_daemon without an interface, or with a name of 16+ characters",
    rationale="The IPVS sync daemon runs on an interface; keepalived ignores the line "
              "(\"lvs_sync_daemon requires interface\" / \"interface name ... too long\").",
    bad="global_defs {\n    lvs_sync_daemon\n}\n",
    good="global_defs {\n    lvs_sync_daemon eth0 VI_1\n}\n",
    keepalived_check=(),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for node, _path, spec in tree.statements_in(ctx, "global_defs"):
        if spec is None or spec.name != "lvs_sync_daemon":
            continue
        if not node.args:
            yield ctx.diag(META, "lvs_sync_daemon requires an interface - keepalived ignores it",
                           node.head_span, "write 'lvs_sync_daemon IFACE [VRRP_INSTANCE]'")
        elif len(node.args[0].text) >= 16:
            yield ctx.diag(META, f"lvs_sync_daemon interface name '{node.args[0].text}' is too "
                           "long - keepalived ignores it", node.head_span,
                           "interface names have at most 15 characters")
