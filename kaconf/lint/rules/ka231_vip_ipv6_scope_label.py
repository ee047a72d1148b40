"""KA231: scope or label on an IPv6 address."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import lists
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA231",
    name="ipv6-address-scope-label",
    severity=Severity.ERROR,
    summary="IPv6 address line with a non-global scope or a label",
    rationale="Linux has no labels for IPv6 addresses and derives their scope from the "
              "address; keepalived ignores the option (\"Cannot specify scope/label for IPv6 "
              "addresses\").",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    virtual_ipaddress {\n        fe80::10/64 label eth0:vip\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        fe80::10/64\n    }\n}\n",
    keepalived_check=("vip-v6-scope-label",),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for va in lists.address_lines(ctx.config):
        if va.address is None or va.address.version != 6:
            continue
        if va.scope is not None and va.scope not in ("global", "0"):
            yield ctx.diag(META, f"cannot specify scope for IPv6 address {va.text} - "
                           "keepalived ignores it", va.span, "remove 'scope'")
        if va.label is not None and len(va.label) <= 15:
            yield ctx.diag(META, f"cannot specify label for IPv6 address {va.text} - "
                           "keepalived ignores it", va.span, "remove 'label'")
