"""KA206: an address owner ignores weighted tracking."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import lists, semantics, sync
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA206",
    name="owner-weighted-tracking",
    severity=Severity.ERROR,
    summary="weighted tracking on an address owner (priority 255)",
    rationale="The owner's priority is fixed at 255, so weights cannot apply: keepalived drops "
              "weighted track scripts/interfaces/bfds and zeroes track_file weights (\"ignoring "
              "tracked script ... with weights due to address_owner\"). The check you relied on "
              "is silently gone.",
    bad="global_defs {\n    enable_script_security\n    script_user root\n}\n"
        "vrrp_script chk {\n    script \"/bin/true\"\n    weight 10\n}\n"
        "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 255\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n    track_script {\n"
        "        chk\n    }\n}\n",
    good="global_defs {\n    enable_script_security\n    script_user root\n}\n"
         "vrrp_script chk {\n    script \"/bin/true\"\n}\n"
         "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 255\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n    track_script {\n"
         "        chk\n    }\n}\n",
    keepalived_check=("owner-weights", "owner-weighted-script-2"),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    cfg = ctx.config
    for inst in cfg.vrrp_instances:
        if not semantics.is_owner(ctx, inst):
            continue
        sg = sync.sync_group_of_member(ctx, inst)
        if sg is not None and not sg.given("sync_group_tracking_weight") \
                and not sg.global_tracking:
            continue  # KA246 reports it with the sync-group reason keepalived gives
        for ref, text in lists.weighted_tracks(ctx, inst):
            yield ctx.diag(META, f"({inst.name}) ignoring {text} due to address_owner",
                           ref.span, "use 'weight 0' (failure means FAULT) or a priority < 255")
