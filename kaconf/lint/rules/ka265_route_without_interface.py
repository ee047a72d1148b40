"""KA265: tracked routes need an interface."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import lists
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA265",
    name="route-without-interface",
    severity=Severity.ERROR,
    summary="virtual/static route without 'dev' and without 'no_track'",
    rationale="keepalived tracks the routes it installs through their interface; without one "
              "it stops tracking the route (\"Warning - cannot track route R with no interface "
              "specified, not tracking\") and `keepalived -t` fails.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n    virtual_routes {\n"
        "        192.168.112.0/24 via 10.0.0.1\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n    virtual_routes {\n"
         "        192.168.112.0/24 via 10.0.0.1 dev eth0\n    }\n}\n",
    keepalived_check=("static-route-track",),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for r, reading in lists.route_readings(ctx):  # keepalived's reading, by the model
        if reading.untracked:
            yield ctx.diag(META, f"cannot track route {reading.dest} with no interface "
                           "specified - keepalived does not track it", r.span,
                           "add 'dev IFACE', or 'no_track' if the route need not be tracked")
