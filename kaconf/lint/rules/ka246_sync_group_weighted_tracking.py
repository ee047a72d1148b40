"""KA246: weights are ignored inside sync groups (unless asked for)."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import lists, semantics, sync
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA246",
    name="sync-group-weighted-tracking",
    severity=Severity.ERROR,
    summary="weighted tracking on a sync-group member (or group tracking with an owner member)",
    rationale="Members of a sync group must change state together, so keepalived ignores "
              "per-instance weights (\"ignoring tracked script S with weights due to SYNC "
              "group\") unless the group sets sync_group_tracking_weight; and a group with an "
              "address-owner member cannot have weighted group tracking.",
    bad="global_defs {\n    enable_script_security\n    script_user root\n}\n"
        "vrrp_script chk {\n    script \"/bin/true\"\n    weight -20\n}\n"
        "vrrp_sync_group G1 {\n    group {\n        VI_1\n        VI_2\n    }\n}\n"
        "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    track_script {\n        chk\n    }\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n"
        "vrrp_instance VI_2 {\n    interface eth1\n    virtual_router_id 52\n    priority 100\n"
        "    virtual_ipaddress {\n        10.0.1.10/24\n    }\n}\n",
    good="global_defs {\n    enable_script_security\n    script_user root\n}\n"
         "vrrp_script chk {\n    script \"/bin/true\"\n    weight -20\n}\n"
         "vrrp_sync_group G1 {\n    group {\n        VI_1\n        VI_2\n    }\n"
         "    sync_group_tracking_weight\n}\n"
         "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    track_script {\n        chk\n    }\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n"
         "vrrp_instance VI_2 {\n    interface eth1\n    virtual_router_id 52\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.1.10/24\n    }\n}\n",
    keepalived_check=("sync-weights",),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    cfg = ctx.config
    for inst in cfg.vrrp_instances:
        sg = sync.sync_group_of_member(ctx, inst)
        if sg is None or sg.given("sync_group_tracking_weight") or sg.global_tracking:
            continue
        for ref, text in lists.weighted_tracks(ctx, inst):
            yield ctx.diag(META, f"({inst.name}) ignoring {text} due to SYNC group {sg.name}",
                           ref.span, "add 'sync_group_tracking_weight' to the group, or use "
                           "weight 0")
    for sg in cfg.sync_groups:
        members = sync.sync_members(ctx, sg)
        if not any(semantics.is_owner(ctx, i) for i in members):
            continue
        for ref in sg.track_script:
            if ref.name in cfg.vrrp_scripts and semantics.line_weight(ctx, sg, ref):
                yield ctx.diag(META, f"({sg.name}) cannot have weighted track script {ref.name} "
                               "with a member having priority 255 - keepalived clears the weight",
                               ref.span, "use weight 0")
        for ref in sg.track_interface:
            if ref.weight:
                yield ctx.diag(META, f"({sg.name}) cannot have weighted track interface "
                               f"{ref.name} with a member having priority 255", ref.span,
                               "use weight 0")
        for ref in sg.track_file:
            if ref.name in cfg.track_files and semantics.line_weight(ctx, sg, ref):
                yield ctx.diag(META, f"({sg.name}) cannot have weighted track file {ref.name} "
                               "with a member having priority 255", ref.span, "use weight 0")
