"""KA276: virtual-server options that do not fit the service."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import fixes, lvs, tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA276",
    name="virtual-server-option-conflict",
    severity=Severity.ERROR,
    summary="ops without UDP, ha_suspend with fwmark, or port 0 without persistence",
    rationale="keepalived corrects these and says so: one-packet scheduling needs UDP "
              "(\"one packet scheduling requires UDP - resetting\"), ha_suspend cannot work "
              "with fwmarks (\"cannot use ha_suspend with fwmarks\"), and a zero port is only "
              "valid for persistent services (\"zero port only valid for persistent services - "
              "setting\").",
    bad="virtual_server 10.0.0.10 80 {\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n"
        "    ops\n    real_server 10.0.1.1 80 {\n        weight 1\n    }\n}\n",
    good="virtual_server 10.0.0.10 80 {\n    lb_algo rr\n    lb_kind NAT\n    protocol UDP\n"
         "    ops\n    real_server 10.0.1.1 80 {\n        weight 1\n    }\n}\n",
    keepalived_check=("vs-onepacket", "vs-ha-suspend-fwm", "vs-zero-port"),
    fix="remove ha_suspend (fwmark) or ops (not UDP), which keepalived clears",
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    cfg = ctx.config
    for vs in cfg.virtual_servers:
        if not vs.real_server:
            continue
        fwm = vs.fwmark is not None or (
            vs.group is not None and vs.group in cfg.virtual_server_groups
            and any(e.kind == "fwmark" for e in cfg.virtual_server_groups[vs.group].entries))
        if vs.given("ha_suspend") and fwm:
            yield ctx.diag(META, f"virtual server {lvs.vs_name(vs)}: cannot use ha_suspend with "
                           "fwmarks - keepalived clears it", tree.setting_span(vs, "ha_suspend"),
                           "remove ha_suspend", fix=fixes.remove_setting(ctx, vs, "ha_suspend"))
        if not lvs.vs_by_address(cfg, vs):
            continue
        proto = vs.protocol or "UDP"
        if vs.given("ops") and proto != "UDP":
            yield ctx.diag(META, f"virtual server {lvs.vs_name(vs)}: one packet scheduling "
                           "requires UDP - keepalived resets it", tree.setting_span(vs, "ops"),
                           "remove 'ops' or use protocol UDP",
                           fix=fixes.remove_setting(ctx, vs, "ops"))
        persistent = bool(vs.persistence_timeout)
        if not persistent and vs.group is None and vs.fwmark is None and not vs.port:
            yield ctx.diag(META, f"virtual server {lvs.vs_name(vs)}: zero port only valid for "
                           "persistent services - keepalived sets persistence",
                           lvs.vs_head(vs), "give a port or a persistence_timeout")
        elif not persistent and vs.group is not None:
            vsg = cfg.virtual_server_groups.get(vs.group)
            if vsg is not None and any(e.kind != "fwmark" and not e.port for e in vsg.entries):
                yield ctx.diag(META, f"virtual server {lvs.vs_name(vs)}: zero port only valid for "
                               "persistent services - keepalived sets persistence",
                               lvs.vs_head(vs), "give every group entry a port")
