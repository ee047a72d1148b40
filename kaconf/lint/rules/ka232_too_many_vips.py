"""KA232: more VIPs than fit in one advertisement."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.effective.vrrp_types import span_key
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA232",
    name="too-many-vips",
    severity=Severity.ERROR,
    summary="more virtual addresses than one VRRP advert can carry",
    rationale="An advert lists at most 255 addresses and must fit the MTU (about 89 IPv6 "
              "addresses on a 1500-byte link); keepalived moves the rest to "
              "virtual_ipaddress_excluded (\"Number of VIPs exceeds maximum/space available in "
              "packet\"), so peers never see them.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    virtual_ipaddress {\n"
        + "".join(f"        fe80::{i:x}\n" for i in range(1, 92)) + "    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        fe80::1\n    }\n    virtual_ipaddress_excluded {\n"
         + "".join(f"        fe80::{i:x}\n" for i in range(2, 92)) + "    }\n}\n",
    keepalived_check=("vip-too-many",),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for inst in ctx.config.vrrp_instances:
        ei = ctx.resolved(inst)
        if ei.parsed_vips <= ei.max_vips:
            continue
        first_moved = ei.vip_keys[ei.max_vips]
        span = next((v.span for v in inst.virtual_ipaddress if span_key(v.span) == first_moved),
                    None)
        yield ctx.diag(META, f"({inst.name}) {ei.parsed_vips} VIPs exceed the {ei.max_vips} that "
                       "fit in an advert - keepalived moves the excess to eVIPs",
                       span, "move addresses to virtual_ipaddress_excluded")
