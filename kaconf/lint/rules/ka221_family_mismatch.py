"""KA221: all addresses of an instance must be of one family."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.effective.vrrp_types import span_key
from kaconf.lint.helpers import family
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA221",
    name="address-family-mismatch",
    severity=Severity.ERROR,
    summary="VIP, peer or source address of the other address family",
    rationale="An instance is IPv4 or IPv6, fixed by its first address; keepalived drops every "
              "later address of the other family (\"address family must match VRRP instance\", "
              "\"MUST be of the same family\"). Put IPv6 VIPs of an IPv4 instance in "
              "virtual_ipaddress_excluded or in their own instance.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n        2001:db8::10/64\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n"
         "    virtual_ipaddress_excluded {\n        2001:db8::10/64\n    }\n}\n",
    keepalived_check=("unicast-src-family",),
)

_WHAT = {
    "virtual_ipaddress": "virtual address",
    "unicast_peer": "unicast peer",
    "unicast_src_ip": "unicast_src_ip",
    "mcast_src_ip": "mcast_src_ip",
    "mcast_dst_ip": "mcast_dst_ip",
    "native_ipv6": "native_ipv6",
}


def check(ctx: Context) -> Iterable[Diagnostic]:
    for inst in ctx.config.vrrp_instances:
        ei = ctx.resolved(inst)
        if not ei.family_skipped:
            continue  # the usual case: keepalived skipped nothing for its family
        skipped = set(ei.family_skipped)
        items = family.family_items(ctx, inst)
        origin = next((it for it in items if span_key(it.span) == ei.family_from), None)
        source = (origin.text or origin.what) if origin is not None else "its first address"
        for it in items:
            if span_key(it.span) not in skipped:
                continue
            what = _WHAT.get(it.what, it.what)
            yield ctx.diag(META, f"({inst.name}) {what} {it.text} is IPv{it.family} but the "
                           f"instance is IPv{ei.family} (from {source}) - "
                           "keepalived skips it", it.span,
                           "keep one address family per vrrp_instance")
