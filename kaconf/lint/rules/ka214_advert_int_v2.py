"""KA214: VRRPv2 carries advert_int in whole seconds."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import fixes, tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA214",
    name="advert-int-vrrpv2-fraction",
    severity=Severity.ERROR,
    summary="fractional advert_int on a VRRPv2 instance",
    rationale="The VRRPv2 advert field counts whole seconds; keepalived rounds the interval "
              "(\"VRRPv2 advertisement interval ... must be an integer. rounding\"), so the "
              "failover time is not the one configured, and a v3 peer would disagree.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    advert_int 1.5\n    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    advert_int 2\n    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=("advert-v2-round", "advert-v2-max"),
    fix="write the whole number of seconds keepalived rounds the interval to",
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for inst in ctx.config.vrrp_instances:
        if inst.advert_int is None or ctx.resolved(inst).version != 2:
            continue
        micro = round(inst.advert_int * 1_000_000)
        if micro % 1_000_000 == 0:
            continue
        rounded = max(1, (micro + 500_000) // 1_000_000)
        yield ctx.diag(META, f"({inst.name}) VRRPv2 advertisement interval {inst.advert_int:g}s "
                       f"must be an integer - keepalived rounds it to {rounded}s",
                       tree.setting_span(inst, "advert_int"),
                       "use whole seconds, or 'version 3' (on every node) for sub-second adverts",
                       fix=fixes.replace_value(ctx, inst, "advert_int", str(rounded)))
