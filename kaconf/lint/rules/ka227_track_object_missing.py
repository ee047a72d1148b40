"""KA227: track_file / track_process / track_bfd name an undefined object."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.rule import Context, RuleMeta
from kaconf.model.objects import SyncGroup, VrrpInstance

META = RuleMeta(
    code="KA227",
    name="tracked-object-undefined",
    severity=Severity.ERROR,
    summary="track_file, track_process or track_bfd refers to an undefined object",
    rationale="keepalived drops the reference (\"track file F not found, ignoring...\"), so "
              "the instance does not react to what you meant it to track.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n    track_file {\n"
        "        nosuch\n    }\n}\n",
    good="track_file tf {\n    file /run/keepalived.state\n}\n"
         "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n    track_file {\n"
         "        tf weight 0\n    }\n}\n",
    keepalived_check=("track-script-missing",),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    cfg = ctx.config
    kinds = (("track_file", "file", cfg.track_files),
             ("track_process", "process", cfg.track_processes),
             ("track_bfd", "bfd", cfg.bfd_instances))
    owners: list[VrrpInstance | SyncGroup] = [*cfg.vrrp_instances, *cfg.sync_groups]
    for owner in owners:
        for attr, word, defined in kinds:
            for ref in owner.filled(attr):  # (makes no empty list in the model)
                if ref.name not in defined:
                    name = getattr(owner, "name", "")
                    yield ctx.diag(META, f"({name}) track {word} {ref.name} not found - "
                                   "keepalived ignores it", ref.span,
                                   f"define the {word} to track or fix the name")
