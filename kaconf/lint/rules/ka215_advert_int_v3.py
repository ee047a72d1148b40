"""KA215: VRRPv3 carries advert_int in centiseconds, below 40.96 s."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA215",
    name="advert-int-vrrpv3-resolution",
    severity=Severity.ERROR,
    summary="VRRPv3 advert_int not a multiple of 10 ms, or 40.96 s or more",
    rationale="The VRRPv3 advert field is 12 bits of centiseconds; keepalived rounds or caps "
              "the value (\"must be in units of 10ms - rounding\" / \"out of range\"), so the "
              "timing differs from the configuration.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    version 3\n    advert_int 0.123\n    virtual_ipaddress {\n        10.0.0.10/24\n"
        "    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    version 3\n    advert_int 0.12\n    virtual_ipaddress {\n        10.0.0.10/24\n"
         "    }\n}\n",
    keepalived_check=("advert-v3-round", "advert-v3-max"),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for inst in ctx.config.vrrp_instances:
        if inst.advert_int is None or ctx.resolved(inst).version != 3:
            continue
        micro = round(inst.advert_int * 1_000_000)
        span = tree.setting_span(inst, "advert_int")
        if micro >= 4096 * 10_000:
            yield ctx.diag(META, f"({inst.name}) VRRPv3 advertisement interval "
                           f"{inst.advert_int:g}s is out of range - keepalived uses 40.95s",
                           span, "VRRPv3 adverts must be less than 40.96 s apart")
        elif micro % 10_000:
            rounded = max(10_000, (micro + 5_000) // 10_000 * 10_000) / 1_000_000
            yield ctx.diag(META, f"({inst.name}) VRRPv3 advertisement interval "
                           f"{inst.advert_int:g}s must be in units of 10ms - keepalived rounds "
                           f"it to {rounded:g}s", span, "use a multiple of 0.01")
