"""KA208: strict mode forbids VRRP authentication."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA208",
    name="strict-authentication",
    severity=Severity.ERROR,
    summary="authentication block in strict mode",
    rationale="RFC 5798 removed authentication; with vrrp_strict keepalived ignores the block "
              "(\"Strict mode does not support authentication\"), so peers that still expect a "
              "password will reject this node's adverts.",
    bad="global_defs {\n    vrrp_strict\n}\nvrrp_instance VI_1 {\n    interface eth0\n"
        "    virtual_router_id 51\n    priority 100\n    authentication {\n"
        "        auth_type PASS\n        auth_pass secret\n    }\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    good="global_defs {\n    vrrp_strict\n}\nvrrp_instance VI_1 {\n    interface eth0\n"
         "    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=("strict-auth",),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    cfg = ctx.config
    for inst in cfg.vrrp_instances:
        auth = inst.authentication
        if auth is None or auth.auth_type is None or not ctx.resolved(inst).strict:
            continue
        yield ctx.diag(META, f"({inst.name}) Strict mode does not support authentication - "
                       "keepalived ignores it", tree.setting_span(auth, "auth_type"),
                       "remove the authentication block (on every node)")
