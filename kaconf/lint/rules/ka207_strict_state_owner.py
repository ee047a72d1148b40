"""KA207: in strict mode the initial state must follow address ownership."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import semantics, tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA207",
    name="strict-state-not-owner",
    severity=Severity.ERROR,
    summary="strict mode with state MASTER but priority < 255 (or BACKUP with 255)",
    rationale="RFC 5798 (which vrrp_strict enforces) lets only the address owner start as "
              "master; keepalived overrides the state (\"State MASTER must match being "
              "address owner\").",
    bad="global_defs {\n    vrrp_strict\n}\nvrrp_instance VI_1 {\n    state MASTER\n"
        "    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    good="global_defs {\n    vrrp_strict\n}\nvrrp_instance VI_1 {\n    state BACKUP\n"
         "    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=("strict-master-owner",),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    cfg = ctx.config
    for inst in cfg.vrrp_instances:
        if inst.state is None or not ctx.resolved(inst).strict:
            continue
        master = semantics.starts_master(ctx, inst)
        if master != semantics.is_owner(ctx, inst):
            yield ctx.diag(META, f"({inst.name}) State MASTER must match being address owner "
                           f"- keepalived starts it as {'MASTER' if not master else 'BACKUP'}",
                           tree.setting_span(inst, "state"),
                           "in strict mode use state MASTER only with priority 255")
