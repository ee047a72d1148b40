"""KA223: interfaces that do not exist on the target host (opt-in)."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import host, lists, tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA223",
    name="interface-missing",
    severity=Severity.ERROR,
    summary="interface, VIP 'dev' or track_interface names an interface the host lacks",
    rationale="keepalived -t checks interfaces on the machine it runs on (\"WARNING - interface "
              "X for vrrp_instance ... doesn't exist\", \"Non-existent interface specified\") "
              "and refuses to run the instance. kaconf cannot see the target host, so this rule "
              "runs only when the host's interfaces are known: set KACONF_INTERFACES to a comma "
              "separated list, or to 'auto' when linting on the target itself.",
    bad="vrrp_instance VI_1 {\n    interface eth9\n    virtual_router_id 51\n    priority 100\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=("interface-missing", "vip-dev-missing", "track-if-missing"),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    have = host.host_interfaces(ctx)
    if have is None:
        return
    for inst in ctx.config.vrrp_instances:
        name = inst.interface
        if name is not None and name not in have and len(name) <= 15 and name != "lo":
            yield ctx.diag(META, f"interface {name} for vrrp_instance {inst.name} doesn't exist "
                           "on the host - keepalived refuses to run it",
                           tree.setting_span(inst, "interface"),
                           f"known interfaces: {', '.join(sorted(have)) or 'none'}")
        for va in [*inst.virtual_ipaddress, *inst.filled("virtual_ipaddress_excluded")]:
            if va.dev is not None and va.dev not in have:
                yield ctx.diag(META, f"interface {va.dev} for ip address {va.text} doesn't exist "
                               "on the host", va.span, "fix the 'dev' of the address")
        for ref in inst.track_interface:
            if ref.name not in have:
                yield ctx.diag(META, f"({inst.name}) tracked interface {ref.name} doesn't exist "
                               "on the host - keepalived ignores it", ref.span,
                               "fix the interface name")
    # keepalived looks each route/rule interface up as it reads the line and stops at the
    # first it cannot find (the model's reading on these interfaces says which)
    for r, reading in lists.route_readings(ctx):
        name = reading.missing_interface or reading.missing_hop_interface
        if name is not None:
            yield ctx.diag(META, f"interface {name} for route "
                           f"{reading.dest or repr(' '.join(r.words))} doesn't exist on the "
                           "host",
                           r.span, "fix the 'dev' of the route")
    for rule, rreading in lists.rule_readings(ctx):
        name = rreading.missing_interface
        if name is not None:
            yield ctx.diag(META, f"interface {name} for rule doesn't exist on the host",
                           rule.span, "fix the interface of the rule")
    for sg in ctx.config.sync_groups:
        for ref in sg.track_interface:
            if ref.name not in have:
                yield ctx.diag(META, f"({sg.name}) tracked interface {ref.name} doesn't exist on "
                               "the host - keepalived ignores it", ref.span,
                               "fix the interface name")

