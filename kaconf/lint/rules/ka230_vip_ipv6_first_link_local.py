"""KA230: the first IPv6 VIP of a multicast instance should be link-local."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA230",
    name="ipv6-first-vip-not-link-local",
    severity=Severity.WARNING,
    summary="first IPv6 VIP is not link-local (error in strict mode)",
    rationale="RFC 5798 wants the first address of an IPv6 virtual router to be its link-local "
              "address; other implementations drop adverts otherwise. keepalived logs \"should "
              "be link local\" and, in strict mode, reports \"must be link local\" (a -t error).",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    virtual_ipaddress {\n        2001:db8::10/64\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        fe80::10/64\n        2001:db8::10/64\n    }\n}\n",
    keepalived_check=("vip-v6-first-ll",),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    cfg = ctx.config
    for inst in cfg.vrrp_instances:
        if ctx.resolved(inst).family != 6 or ctx.resolved(inst).has("UNICAST"):
            continue
        vips = [v for v in inst.virtual_ipaddress if v.address is not None
                and v.address.version == 6]
        if not vips or vips[0].address is None or vips[0].address.ip.is_link_local:
            continue
        if ctx.resolved(inst).strict:
            yield ctx.diag(META, f"({inst.name}) the first IPv6 VIP address must be link local "
                           "(strict mode)", vips[0].span, "list a fe80:: address first",
                           severity=Severity.ERROR)
        else:
            yield ctx.diag(META, f"({inst.name}) the first IPv6 VIP address should be link local",
                           vips[0].span, "list a fe80:: address first")
