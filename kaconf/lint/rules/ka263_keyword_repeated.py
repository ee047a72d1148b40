"""KA263: a single-valued keyword given twice in one block."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.fix import build
from kaconf.lint.helpers import tree
from kaconf.lint.rule import Context, RuleMeta

if TYPE_CHECKING:
    from kaconf.tree import Node

META = RuleMeta(
    code="KA263",
    name="keyword-repeated",
    severity=Severity.WARNING,
    summary="the same setting appears twice in a block; the later one silently wins",
    rationale="keepalived accepts the repetition without a word, so a priority or interface "
              "added at the bottom of a long block quietly overrides the one at the top - a "
              "common leftover of copy-and-paste between the two nodes' files.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    priority 150\n    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 150\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=(),
    fix="remove the earlier line, whose value keepalived overrides",
)

#: blocks checked, and keywords there that legitimately repeat or have their own rule
_BLOCKS = {"global_defs", "vrrp_instance", "vrrp_script", "vrrp_sync_group", "virtual_server",
           "virtual_server/real_server", "vrrp_instance/authentication"}
_SKIP = {"notify", "notify_master", "notify_backup", "notify_fault", "notify_stop",
         "notify_deleted", "notify_master_rx_lower_pri", "quorum_up", "quorum_down",
         "notify_up", "notify_down", "state", "real_server", "include"}


def check(ctx: Context) -> Iterable[Diagnostic]:
    for node, _path, repeated in tree.sections_with_repeats(ctx, _BLOCKS):
        if repeated <= _SKIP:
            continue  # e.g. a virtual server's real_server blocks
        seen: dict[str, Node] = {}
        last: dict[str, Node] = {}  # the line the next repetition overrides
        for c in tree.statements(ctx, node):
            kw = c.name
            if kw in _SKIP or c.children is not None:
                continue
            if kw in seen:
                first = seen[kw].keyword.line  # tokens made only for what is reported
                prev = last[kw]
                yield ctx.diag(META, f"'{kw}' is given again (first on line {first}) - the "
                               "later value wins", c.head_span, "keep one line",
                               fix=build.delete_node(ctx, prev, f"remove the earlier '{kw}' "
                                                     f"(line {prev.keyword.line})"))
            else:
                seen[kw] = c
            last[kw] = c
