"""KA266: 'or' and 'gw' in route lines."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.fix import build
from kaconf.lint.helpers import lists
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA266",
    name="route-deprecated-syntax",
    severity=Severity.ERROR,
    summary="route line uses the deprecated 'gw' or 'or' words",
    rationale="keepalived still accepts them but reports a deprecation (\"\\\"gw\\\" for routes "
              "is deprecated. Please use \\\"via\\\"\", \"\\\"or\\\" ... Please use "
              "\\\"nexthop\\\"\"), which fails `keepalived -t`.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n    virtual_routes {\n"
        "        0.0.0.0/0 gw 10.0.0.1 dev eth0\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n    virtual_routes {\n"
         "        0.0.0.0/0 via 10.0.0.1 dev eth0\n    }\n}\n",
    keepalived_check=("route-deprecated-words",),
    fix="replace 'gw' with 'via'",
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for r, reading in lists.route_readings(ctx):  # keepalived's reading, by the model
        said = reading.deprecated
        if "gw" in said:
            yield ctx.diag(META, "\"gw\" for routes is deprecated - use \"via\"", r.span,
                           "replace 'gw' with 'via'",
                           fix=build.replace_word(ctx, r.span, "gw", "via",
                                                  "replace 'gw' with 'via'"))
        if "or" in said:
            yield ctx.diag(META, "\"or\" for routes is deprecated - use \"nexthop\"", r.span,
                           "write 'nexthop via A nexthop via B'")
