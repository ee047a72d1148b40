"""KA247: route lines keepalived cannot parse."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import lists
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA247",
    name="route-line-invalid",
    severity=Severity.ERROR,
    summary="virtual/static route keepalived drops: an unknown word, a bad value, mixed "
            "IPv4/IPv6 addresses (or a bad nexthop, which ends the nexthops)",
    rationale="keepalived parses route lines like ip-route; a word it does not know is taken as "
              "the destination and rejected (\"unknown route keyword X\"), and IPv4 and IPv6 "
              "addresses cannot be mixed (\"Cannot mix IPv4 and IPv6 addresses for route\"). "
              "Either way the whole route is dropped. A bad nexthop ends the list of nexthops "
              "(keepalived keeps the route with those before it).",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n    virtual_routes {\n"
        "        10.9.0.0/16 dev eth0 proto static\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n    virtual_routes {\n"
         "        10.9.0.0/16 dev eth0 protocol static\n    }\n}\n",
    keepalived_check=(),
)

def check(ctx: Context) -> Iterable[Diagnostic]:
    for r, reading in lists.route_readings(ctx):  # keepalived's reading, by the model
        line = " ".join(r.words)
        # an interface keepalived cannot find is KA223's
        if reading.reason and reading.missing_interface is None:
            yield ctx.diag(META, f"route '{line}': {reading.reason} - keepalived drops the "
                           "route", r.span, "use ip-route syntax: DEST [via GW] [dev IF] ...")
        elif reading.nexthop_problem and reading.missing_hop_interface is None \
                and reading.info is not None:
            yield ctx.diag(META, f"route '{line}': {reading.nexthop_problem} - keepalived "
                           "ignores the nexthops from there on", r.span,
                           "nexthop via ADDRESS [dev IF] [weight 1-256] [onlink], repeated")
