"""KA210: auth_type without auth_pass disables authentication."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA210",
    name="authentication-without-password",
    severity=Severity.ERROR,
    summary="auth_type given without auth_pass",
    rationale="Without a password keepalived ignores the authentication block "
              "(\"Authentication specified but no password given\"), so the node sends "
              "unauthenticated adverts that its authenticated peer drops.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    authentication {\n        auth_type PASS\n    }\n    virtual_ipaddress {\n"
        "        10.0.0.10/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    authentication {\n        auth_type PASS\n        auth_pass secret\n    }\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=("auth-no-pass",),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    cfg = ctx.config
    for inst in cfg.vrrp_instances:
        auth = inst.authentication
        if auth is None or auth.auth_type is None or auth.auth_pass:
            continue
        if ctx.resolved(inst).strict or ctx.resolved(inst).version == 3:
            continue  # KA208/KA209 fire first
        yield ctx.diag(META, f"({inst.name}) Authentication specified but no password given - "
                       "keepalived ignores it", tree.setting_span(auth, "auth_type"),
                       "add 'auth_pass' (at most 8 characters)")
