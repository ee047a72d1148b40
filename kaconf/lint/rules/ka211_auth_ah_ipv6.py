"""KA211: AH authentication is IPv4 only."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import semantics, tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA211",
    name="authentication-ah-ipv6",
    severity=Severity.ERROR,
    summary="AH authentication on an IPv6 instance",
    rationale="keepalived implements AH only for IPv4 and ignores it for IPv6 (\"Cannot use AH "
              "authentication with IPv6\").",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    version 2\n    authentication {\n        auth_type AH\n        auth_pass secret\n"
        "    }\n    virtual_ipaddress {\n        fe80::10\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        fe80::10\n    }\n}\n",
    keepalived_check=("auth-ah-v6",),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for inst in ctx.config.vrrp_instances:
        auth = semantics.auth_kept(ctx, inst)
        if auth is None or auth.auth_type != "AH" or ctx.resolved(inst).family != 6:
            continue
        yield ctx.diag(META, f"({inst.name}) Cannot use AH authentication with IPv6 - keepalived "
                       "ignores it", tree.setting_span(auth, "auth_type"),
                       "remove the authentication block")
