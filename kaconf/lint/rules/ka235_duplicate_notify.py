"""KA235: a notify script given twice: keepalived keeps the first."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.fix import build
from kaconf.lint.helpers import tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA235",
    name="notify-script-repeated",
    severity=Severity.ERROR,
    summary="notify*/quorum_* script keyword given twice in one block",
    rationale="keepalived keeps the first script and ignores the later one (\"notify_master "
              "script already specified - ignoring X\"), the opposite of most keywords where the "
              "last one wins; the script you added last is the one that never runs.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    notify_master /bin/true\n    notify_master /bin/false\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    notify_master /bin/true\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=("dup-notify",),
    fix="remove the later line, which keepalived ignores",
)

_KEYWORDS = {
    "vrrp_instance": ("notify", "notify_master", "notify_backup", "notify_fault", "notify_stop",
                      "notify_deleted", "notify_master_rx_lower_pri"),
    "vrrp_sync_group": ("notify", "notify_master", "notify_backup", "notify_fault",
                        "notify_stop"),
    "virtual_server": ("quorum_up", "quorum_down"),
    "virtual_server/real_server": ("notify_up", "notify_down"),
}


def check(ctx: Context) -> Iterable[Diagnostic]:
    # only a block with some keyword given twice can repeat a notify script
    for node, path, repeated in tree.sections_with_repeats(ctx, _KEYWORDS):
        keywords = _KEYWORDS[path]
        if repeated.isdisjoint(keywords):
            continue
        seen: set[str] = set()
        for c in tree.statements(ctx, node):
            kw = c.name
            if kw not in keywords:
                continue
            if kw in seen:
                yield ctx.diag(META, f"{kw} script already specified - keepalived ignores "
                               f"this one ({' '.join(a.text for a in c.args)})", c.head_span,
                               "keep a single line; keepalived uses the first",
                               fix=build.delete_node(ctx, c, f"remove the second {kw} line"))
            seen.add(kw)
