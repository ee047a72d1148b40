"""KA255: vrrp_script defined but never tracked."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA255",
    name="vrrp-script-unused",
    severity=Severity.WARNING,
    summary="vrrp_script that no instance or sync group tracks",
    rationale="An unused check is never run (keepalived drops it when it starts); usually the "
              "track_script line was forgotten or misspelt, so the failover you expect from the "
              "check does not happen. `keepalived -t` accepts it, hence a warning.",
    bad="global_defs {\n    enable_script_security\n    script_user root\n}\n"
        "vrrp_script chk {\n    script \"/bin/true\"\n}\n"
        "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    good="global_defs {\n    enable_script_security\n    script_user root\n}\n"
         "vrrp_script chk {\n    script \"/bin/true\"\n}\n"
         "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n    track_script {\n"
         "        chk\n    }\n}\n",
    keepalived_check=("script-unused",),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    cfg = ctx.config
    used = {r.name for i in cfg.vrrp_instances for r in i.filled("track_script")}
    used |= {r.name for g in cfg.sync_groups for r in g.filled("track_script")}
    for name, vs in cfg.vrrp_scripts.items():
        if name not in used:
            yield ctx.diag(META, f"vrrp_script {name} is not used by any vrrp_instance or sync "
                           "group - keepalived never runs it", tree.head(vs.span),
                           f"add '{name}' to a track_script block, or remove the script")
