"""KA291: priority 255 claims ownership of the virtual address."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import semantics, tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA291",
    name="priority-address-owner",
    severity=Severity.WARNING,
    summary="priority 255: only the node that really owns the VIP should use it",
    rationale="In VRRP, 255 is reserved for the router whose own interface address is the "
              "virtual address. An owner always pre-empts, answers at once after a restart and "
              "ignores weights. kaconf cannot see the host's addresses, so check that the VIP "
              "is configured locally on this node, or use 254 or less.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 255\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 254\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=(),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for inst in ctx.config.vrrp_instances:
        if inst.priority == semantics.OWNER:
            yield ctx.diag(META, f"({inst.name}) priority 255 means this node owns the virtual "
                           "address - the VIP must be a local address of this host",
                           tree.setting_span(inst, "priority"),
                           "use 254 or less unless the VIP is this host's own address")
