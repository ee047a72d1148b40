"""KA245: address-line options that do not fit the address."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import lists
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA245",
    name="address-option-conflict",
    severity=Severity.ERROR,
    summary="peer with a prefix length, peer of the other family, or broadcast on IPv6",
    rationale="keepalived rejects these address options: a point-to-point 'peer' takes the "
              "prefix itself (\"Cannot specify address prefix when specifying peer address\"), "
              "the peer must be of the address's family, and IPv6 has no broadcast (the line "
              "is skipped: \"trying to assign a broadcast ... to the IPv6 address\").",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    virtual_ipaddress {\n        10.0.0.10/24 peer 10.0.0.99\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.10 peer 10.0.0.99/24\n    }\n}\n",
    keepalived_check=(),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for va in lists.address_lines(ctx.config):
        if va.address is None:
            continue
        fam = va.address.version
        if va.peer is not None:
            if va.prefix_given:
                yield ctx.diag(META, f"{va.text}: cannot give a prefix length together with "
                               "'peer' - keepalived ignores the peer", va.span,
                               "put the prefix on the peer: 'A peer B/24'")
            else:
                try:
                    pf = ipaddress.ip_interface(va.peer).version
                except ValueError:
                    pf = fam
                if pf != fam:
                    yield ctx.diag(META, f"{va.text}: peer {va.peer} does not match the "
                                   "address family", va.span, "use a peer of the same family")
        if fam == 6 and va.brd is not None:
            yield ctx.diag(META, f"{va.text}: IPv6 addresses have no broadcast - keepalived "
                           "skips the address", va.span, "remove 'brd'/'broadcast'")
