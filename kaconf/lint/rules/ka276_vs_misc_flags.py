"""KA276: virtual-server options that do not fit the service."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import fixes, lvs
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
    for n in lvs.notes(ctx, "vs-ha-suspend-fwmark", "vs-ops-not-udp", "vs-zero-port"):
        vs = n.vs
        assert vs is not None  # these notes are about a virtual server
        name, where = lvs.vs_name(vs), lvs.note_span(n)
        if n.kind == "vs-ha-suspend-fwmark":
            yield ctx.diag(META, f"virtual server {name}: cannot use ha_suspend with "
                           "fwmarks - keepalived clears it", where, "remove ha_suspend",
                           fix=fixes.remove_setting(ctx, vs, "ha_suspend"))
        elif n.kind == "vs-ops-not-udp":
            yield ctx.diag(META, f"virtual server {name}: one packet scheduling "
                           "requires UDP - keepalived resets it", where,
                           "remove 'ops' or use protocol UDP",
                           fix=fixes.remove_setting(ctx, vs, "ops"))
        else:
            yield ctx.diag(META, f"virtual server {name}: zero port only valid for "
                           "persistent services - keepalived sets persistence", where,
                           "give every group entry a port" if vs.group is not None
                           else "give a port or a persistence_timeout")
