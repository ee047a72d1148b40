"""KA232: more VIPs than fit in one advertisement."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
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

_MTU = 1500


def _limit(fam: int, version: int, ah: bool) -> int:
    """How many VIPs of family ``fam`` fit in one advert (keepalived's arithmetic)."""
    if fam == 4:
        hdr = 14 + 20 + 8
        if version == 2:
            hdr += 8
            if ah:
                hdr += 24
        limit = (_MTU - hdr) // 4
    else:
        limit = (_MTU - (14 + 40 + 8)) // 16
    return min(limit, 255)


#: no instance with at most this many VIPs can exceed its limit: most skip the family
_SMALLEST = min(_limit(f, v, ah) for f in (4, 6) for v in (2, 3) for ah in (False, True))


def check(ctx: Context) -> Iterable[Diagnostic]:
    for inst in ctx.config.vrrp_instances:
        if len(inst.virtual_ipaddress) <= _SMALLEST:
            continue
        fam = ctx.resolved(inst).family
        vips = [v for v in inst.virtual_ipaddress if v.address is not None
                and v.address.version == fam]
        auth = inst.authentication
        limit = _limit(fam, ctx.resolved(inst).version if fam == 4 else 3,
                       auth is not None and auth.auth_type == "AH")
        if len(vips) > limit:
            yield ctx.diag(META, f"({inst.name}) {len(vips)} VIPs exceed the {limit} that fit in "
                           "an advert - keepalived moves the excess to eVIPs",
                           vips[limit].span, "move addresses to virtual_ipaddress_excluded")
