"""KA228: tracking the instance's own interface."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.fix import build
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA228",
    name="track-own-interface",
    severity=Severity.ERROR,
    summary="track_interface lists the instance's own interface",
    rationale="An instance always tracks its own interface; keepalived drops the entry "
              "(\"Ignoring track_interface X since own interface\"), including any weight on it.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    track_interface {\n        eth0\n    }\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    track_interface {\n        eth1\n    }\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=("track-own-if",),
    fix="remove the entry, which keepalived ignores",
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for inst in ctx.config.vrrp_instances:
        for ref in inst.track_interface:
            if inst.interface is not None and ref.name == inst.interface:
                yield ctx.diag(META, f"({inst.name}) ignoring track_interface {ref.name} since "
                               "it is the instance's own interface", ref.span,
                               "remove the line (the own interface is always tracked)",
                               fix=build.delete_item(ctx, ref.span, ref.name,
                                                     f"remove track_interface {ref.name}"))
