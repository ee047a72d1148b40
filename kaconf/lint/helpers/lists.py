"""Lists gathered across the config: tracking entries, route, rule and address lines.

Several rules check every route (or rule, or address) line wherever it is given
(``static_*`` blocks and each instance's ``virtual_*`` blocks); these put them in
one list, in config order.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from kaconf.lint.helpers.host import host_interfaces
from kaconf.lint.helpers.semantics import line_weight
from kaconf.model.objects import (
    Config,
    Route,
    Rule,
    SyncGroup,
    TrackRef,
    VirtualAddress,
    VrrpInstance,
)

if TYPE_CHECKING:
    from kaconf.lint.rule import Context
    from kaconf.model.iproutes import RouteReading
    from kaconf.model.iprules import RuleReading


def has_vrrp_instances(cfg: Config) -> bool:
    return bool(cfg.vrrp_instances)


def tracks(inst: VrrpInstance | SyncGroup) -> dict[str, list[TrackRef]]:
    """The tracking lists of an instance or sync group by keyword."""
    return {
        "track_script": inst.track_script,
        "track_interface": inst.track_interface,
        "track_file": inst.track_file,
        "track_process": inst.track_process,
        "track_bfd": inst.track_bfd,
    }


def weighted_tracks(ctx: Context, inst: VrrpInstance) -> list[tuple[TrackRef, str]]:
    """Tracking entries of ``inst`` that carry a non-zero weight, with keepalived's wording.

    Used where keepalived refuses weights (address owner, sync group members).
    """
    cfg = ctx.config
    out: list[tuple[TrackRef, str]] = []
    for ref in inst.track_interface:
        if ref.weight:
            out.append((ref, f"{ref.name} tracked interface weight"))
    for ref in inst.filled("track_script"):
        if ref.name in cfg.vrrp_scripts and line_weight(ctx, inst, ref):
            out.append((ref, f"tracked script {ref.name} with weights (keepalived drops it)"))
    for ref in inst.filled("track_file"):
        if ref.name in cfg.track_files and line_weight(ctx, inst, ref):
            out.append((ref, f"weight from tracked file {ref.name} (specify weight 0)"))
    for ref in inst.filled("track_bfd"):
        if ref.name in cfg.bfd_instances and line_weight(ctx, inst, ref):
            out.append((ref, f"tracked bfd {ref.name} with weight"))
    return out


def route_readings(ctx: Context) -> list[tuple[Route, RouteReading]]:
    """Every route line with keepalived's reading of it (the model's), on the host's
    interfaces when they are known (:func:`kaconf.lint.helpers.host.host_interfaces`)."""
    have = host_interfaces(ctx)
    return [(r, r.reading_on(have)) for r in ip_routes(ctx.config)]


def rule_readings(ctx: Context) -> list[tuple[Rule, RuleReading]]:
    """Every rule line with keepalived's reading of it, like :func:`route_readings`."""
    have = host_interfaces(ctx)
    return [(r, r.reading_on(have)) for r in ip_rules(ctx.config)]


def ip_routes(cfg: Config) -> list[Route]:
    """Every route line: static_routes, then each instance's virtual_routes."""
    return list(cfg.static_routes) + [r for i in cfg.vrrp_instances
                                      for r in i.filled("virtual_routes")]


def ip_rules(cfg: Config) -> list[Rule]:
    """Every (ip) rule line: static_rules, then each instance's virtual_rules."""
    return list(cfg.static_rules) + [r for i in cfg.vrrp_instances
                                     for r in i.filled("virtual_rules")]


def address_lines(cfg: Config) -> Iterator[VirtualAddress]:
    """Every address line: static_ipaddress, then each instance's VIPs and excluded VIPs."""
    yield from cfg.static_ipaddress
    for inst in cfg.vrrp_instances:
        yield from inst.virtual_ipaddress
        yield from inst.filled("virtual_ipaddress_excluded")
