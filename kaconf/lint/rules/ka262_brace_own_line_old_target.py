"""KA262: '{' on its own line after a value block, for keepalived < 1.4.2."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.fix import build
from kaconf.lint.helpers import tree, versions
from kaconf.lint.rule import Context, RuleMeta

#: first release whose parser joins a lone '{' to the preceding value-block keyword
#: (keepalived commit 5332be8c "Allow more flexibility of layout of { and }", Feb 2018)
FIXED_IN = "1.4.2"
#: the examples in META need an old target to trigger
EXAMPLE_TARGET = "1.2.2"

META = RuleMeta(
    code="KA262",
    name="brace-own-line-old-target",
    severity=Severity.ERROR,
    summary="value block whose '{' stands on its own line, for keepalived older than 1.4.2",
    rationale="Before 1.4.2 keepalived read the lines after virtual_ipaddress (and the other "
              "value blocks) as items straight away, so a '{' on its own line became an item: "
              "1.2.2 logs \"VRRP is trying to assign invalid VIP {. skipping VIP...\". Newer "
              "releases accept the layout; this rule only applies with --target-version < 1.4.2.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    virtual_ipaddress\n    {\n        10.0.0.10/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=("vip-1.2.2-brace",),
    fix="move the '{' up to the keyword's line",
)

_ADDRESS_BLOCKS = {"virtual_ipaddress", "virtual_ipaddress_excluded", "static_ipaddress"}


def check(ctx: Context) -> Iterable[Diagnostic]:
    if not versions.older_than(ctx.target_version, FIXED_IN):
        return
    for node, _path, spec in tree.walk_with_paths(ctx):
        if spec is None or spec.opens != "value_block" or not node.brace_own_line:
            continue
        brace = node.open_brace
        span = brace.span if brace is not None else node.head_span
        kw = node.name
        if kw in _ADDRESS_BLOCKS:
            msg = (f"'{{' on its own line after {kw}: keepalived {ctx.target_version} reads it as "
                   "an address and logs \"VRRP is trying to assign invalid VIP {. skipping "
                   "VIP...\"")
        else:
            msg = (f"'{{' on its own line after {kw}: keepalived {ctx.target_version} reads it as "
                   f"the first item of the {kw} block")
        yield ctx.diag(META, msg, span, f"put the '{{' on the same line: '{kw} {{' "
                       f"(fixed in keepalived {FIXED_IN})",
                       fix=build.join_brace(ctx, node, f"move '{{' to the {kw} line"))
