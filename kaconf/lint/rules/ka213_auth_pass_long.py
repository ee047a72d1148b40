"""KA213: VRRPv2 passwords are 8 bytes."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA213",
    name="auth-pass-too-long",
    severity=Severity.ERROR,
    summary="auth_pass longer than 8 characters",
    rationale="The VRRPv2 authentication field holds 8 bytes; keepalived truncates the password "
              "(\"Truncating auth_pass to 8 characters\"). Two nodes whose passwords differ only "
              "after the 8th character will agree, which is rarely what was meant.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    authentication {\n        auth_type PASS\n        auth_pass verysecret123\n    }\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    authentication {\n        auth_type PASS\n        auth_pass secret12\n    }\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=("auth-pass-long",),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for inst in ctx.config.vrrp_instances:
        auth = inst.authentication
        if auth is None or auth.auth_pass is None or len(auth.auth_pass) <= 8:
            continue
        s = auth.settings.get("auth_pass")
        yield ctx.diag(META, f"({inst.name}) auth_pass is {len(auth.auth_pass)} characters - "
                       f"keepalived truncates it to '{auth.auth_pass[:8]}'",
                       s.span if s else None, "use at most 8 characters")
