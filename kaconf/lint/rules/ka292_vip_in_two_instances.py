"""KA292: one address managed by two instances."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA292",
    name="vip-in-two-instances",
    severity=Severity.WARNING,
    summary="the same virtual address appears in two instances (or twice in one)",
    rationale="Each instance adds and removes its VIPs on its own state changes, so a shared "
              "address disappears when either instance goes BACKUP while the other is MASTER. "
              "keepalived does not check this.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n"
        "vrrp_instance VI_2 {\n    interface eth1\n    virtual_router_id 52\n    priority 100\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n"
         "vrrp_instance VI_2 {\n    interface eth1\n    virtual_router_id 52\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.11/24\n    }\n}\n",
    keepalived_check=(),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    # address -> instance; keyed by (class, integer), which equal exactly when the
    # addresses (``.ip``, scope dropped) do, without making and hashing an address each
    first: dict[tuple[type, int], str] = {}
    for inst in ctx.config.vrrp_instances:
        for va in [*inst.virtual_ipaddress, *inst.filled("virtual_ipaddress_excluded")]:
            address = va.address
            if address is None:
                continue
            key = (type(address), int(address))
            if key in first:
                other = first[key]
                where = "again in this instance" if other == inst.name else f"also in {other}"
                yield ctx.diag(META, f"({inst.name}) virtual address {address.ip} is {where}",
                               va.span, "manage each address in exactly one instance")
            else:
                first[key] = inst.name
