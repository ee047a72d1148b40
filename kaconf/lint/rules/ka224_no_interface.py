"""KA224: keepalived 2.2.7 needs an interface for every instance."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA224",
    name="interface-not-set",
    severity=Severity.ERROR,
    summary="vrrp_instance without an interface",
    rationale="keepalived checks the minimum configuration before it looks at unicast peers, "
              "so an instance without 'interface' is rejected (\"Unknown interface!\") and the "
              "VRRP child does not start.",
    bad="vrrp_instance VI_1 {\n    virtual_router_id 51\n    priority 100\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=("no-if-no-unicast", "unicast-no-if"),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for inst in ctx.config.vrrp_instances:
        if inst.interface is None:
            yield ctx.diag(META, f"({inst.name}) no interface given - keepalived rejects the VRRP "
                           "configuration (Unknown interface!)", tree.head(inst.span),
                           "add 'interface NAME' (the interface facing the other node)")
