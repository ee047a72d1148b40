"""KA295: persistence_granularity must be a netmask or prefix length of the service's family."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.rule import Context, RuleMeta
from kaconf.model.objects import VirtualServer

META = RuleMeta(
    code="KA295",
    name="persistence-granularity-invalid",
    severity=Severity.ERROR,
    summary="persistence_granularity is not a netmask or prefix length",
    rationale="keepalived accepts a dotted netmask (IPv4) or a prefix length (0-32 for IPv4, "
              "0-128 for IPv6) and rejects anything else with 'Invalid ... "
              "persistence_granularity specified'; persistence then groups clients by the "
              "default /32 (or /128), which is rarely what was meant.",
    bad="virtual_server 10.0.0.1 80 {\n    lb_algo rr\n    persistence_timeout 60\n"
        "    persistence_granularity eth0\n    real_server 10.0.0.2 80 {\n    }\n}\n",
    good="virtual_server 10.0.0.1 80 {\n    lb_algo rr\n    persistence_timeout 60\n"
         "    persistence_granularity 255.255.255.0\n    real_server 10.0.0.2 80 {\n    }\n}\n",
)


def _valid(text: str, v6: bool) -> bool:
    if text.isdigit():
        return int(text) <= (128 if v6 else 32)
    if v6:
        return False
    try:
        mask = int(ipaddress.IPv4Address(text))
    except ValueError:
        return False
    inverted = (~mask) & 0xFFFFFFFF
    return (inverted & (inverted + 1)) == 0  # contiguous ones then zeros


def check(ctx: Context) -> Iterable[Diagnostic]:
    for vs in ctx.config.virtual_servers:
        if not isinstance(vs, VirtualServer):
            continue
        st = vs.settings.get("persistence_granularity")
        if st is None or not st.args:
            continue
        v6 = isinstance(vs.address, ipaddress.IPv6Address)
        if not _valid(st.args[0], v6):
            fam = "IPv6" if v6 else "IPv4"
            yield ctx.diag(META, f"Invalid {fam} persistence_granularity specified - "
                           f"{st.args[0]}", st.span,
                           "use a prefix length" + ("" if v6 else " or a netmask such as "
                                                    "255.255.255.0"))
