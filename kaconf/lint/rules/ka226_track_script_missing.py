"""KA226: track_script names a vrrp_script that does not exist."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA226",
    name="track-script-undefined",
    severity=Severity.ERROR,
    summary="track_script refers to an undefined (or removed) vrrp_script",
    rationale="keepalived drops the reference (\"track script S not found, ignoring...\"), so "
              "the check you meant to fail over on is never run. A vrrp_script without a "
              "'script' line is removed too, and then counts as undefined.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n    track_script {\n"
        "        nosuch\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=("track-script-missing",),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    cfg = ctx.config
    defined = {n for n, s in cfg.vrrp_scripts.items() if s.script is not None and s.script.args}
    owners = [(i.name, i.filled("track_script")) for i in cfg.vrrp_instances]
    owners += [(g.name, g.filled("track_script")) for g in cfg.sync_groups]
    for owner, refs in owners:
        for ref in refs:
            if ref.name not in defined:
                yield ctx.diag(META, f"({owner}) track script {ref.name} not found - keepalived "
                               "ignores it", ref.span,
                               f"define 'vrrp_script {ref.name} {{ script ... }}' or fix the name")
