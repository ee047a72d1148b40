"""KA209: VRRPv3 has no authentication."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import fixes, tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA209",
    name="authentication-with-vrrpv3",
    severity=Severity.ERROR,
    summary="authentication block on a VRRPv3 instance",
    rationale="VRRP version 3 (RFC 5798) has no authentication field; keepalived ignores the "
              "block (\"VRRP version 3 does not support authentication\"), so the password "
              "you think protects the pair does nothing.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    version 3\n    authentication {\n        auth_type PASS\n"
        "        auth_pass secret\n    }\n    virtual_ipaddress {\n        10.0.0.10/24\n"
        "    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    version 3\n    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=("auth-v3",),
    fix="remove the authentication block (VRRPv3 ignores it)",
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    cfg = ctx.config
    for inst in cfg.vrrp_instances:
        auth = inst.authentication
        if auth is None or auth.auth_type is None or ctx.resolved(inst).strict:
            continue
        if ctx.resolved(inst).version != 3:
            continue
        yield ctx.diag(META, f"({inst.name}) VRRP version 3 does not support authentication - "
                       "keepalived ignores it", tree.setting_span(auth, "auth_type"),
                       "remove the authentication block or use VRRP version 2",
                       fix=fixes.remove_block(ctx, auth, "remove the authentication block"))
