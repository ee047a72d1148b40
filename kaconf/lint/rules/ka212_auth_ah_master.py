"""KA212: AH needs to hear an advert before mastering."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import semantics, tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA212",
    name="authentication-ah-state-master",
    severity=Severity.ERROR,
    summary="AH authentication with state MASTER on a non-owner",
    rationale="With AH the node must learn the sequence number from an advert before taking "
              "over, so keepalived starts it as BACKUP (\"Initial state master is incompatible "
              "with AH authentication - clearing\").",
    bad="vrrp_instance VI_1 {\n    state MASTER\n    interface eth0\n    virtual_router_id 51\n"
        "    priority 100\n    authentication {\n        auth_type AH\n        auth_pass secret\n"
        "    }\n    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    state BACKUP\n    interface eth0\n    virtual_router_id 51\n"
         "    priority 100\n    authentication {\n        auth_type AH\n        auth_pass secret\n"
         "    }\n    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=("auth-ah-master",),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for inst in ctx.config.vrrp_instances:
        auth = semantics.auth_kept(ctx, inst)
        if auth is None or auth.auth_type != "AH" or ctx.resolved(inst).family == 6:
            continue
        if semantics.starts_master(ctx, inst) and not semantics.is_owner(ctx, inst):
            yield ctx.diag(META, f"({inst.name}) Initial state master is incompatible with AH "
                           "authentication - keepalived starts it as BACKUP",
                           tree.setting_span(inst, "state"), "use 'state BACKUP'")
