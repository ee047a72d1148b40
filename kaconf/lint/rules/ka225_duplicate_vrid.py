"""KA225: two instances in the same VRID space."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.rule import Context, RuleMeta
from kaconf.lint.rules import _util as u
from kaconf.model.objects import VrrpInstance

META = RuleMeta(
    code="KA225",
    name="duplicate-vrid",
    severity=Severity.ERROR,
    summary="two instances use the same virtual_router_id on the same interface and family",
    rationale="VRRP identifies a virtual router by (interface, family, VRID); two instances "
              "sharing all three would answer each other's adverts. keepalived rejects the VRRP "
              "configuration (\"both use VRID N with IPv4 on interface X\").",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n"
        "vrrp_instance VI_2 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    virtual_ipaddress {\n        10.0.0.11/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n"
         "vrrp_instance VI_2 {\n    interface eth0\n    virtual_router_id 52\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.11/24\n    }\n}\n",
    keepalived_check=("dup-vrid", "dup-vrid-unicast"),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    cfg = ctx.config
    have = u.host_interfaces(ctx)
    by_vrid: dict[int, list[VrrpInstance]] = {}
    for i in cfg.vrrp_instances:
        if i.virtual_router_id is not None and i.interface is not None:
            by_vrid.setdefault(i.virtual_router_id, []).append(i)
    for insts in by_vrid.values():
        yield from _pairs(ctx, insts, have)


def _pairs(ctx: Context, insts: list[VrrpInstance],
           have: frozenset[str] | None) -> Iterable[Diagnostic]:
    """Conflicts among instances that share a VRID, as keepalived checks them pairwise."""
    for n, a in enumerate(insts):
        for b in insts[n + 1:]:
            if u.family(ctx, a) != u.family(ctx, b):
                continue
            ua, ub = u.is_unicast(ctx, a), u.is_unicast(ctx, b)
            if ua != ub:
                continue  # unicast and multicast are separate VRID spaces
            if ua:
                if a.interface != b.interface:
                    continue
                if (a.unicast_src_ip or None) != (b.unicast_src_ip or None):
                    continue
                pa = {str(p.address) for p in u.valid_peers(ctx, a)}
                pb = {str(p.address) for p in u.valid_peers(ctx, b)}
                if not pa & pb:
                    continue
                msg = (f"({b.name}) duplicate VRID conflict with {a.name} VRID "
                       f"{a.virtual_router_id} (same source and a common unicast peer)")
            else:
                if a.interface != b.interface:
                    continue
                if have is not None and a.interface not in have:
                    continue  # keepalived only compares interfaces that exist
                if _dst(ctx, a) != _dst(ctx, b):
                    continue
                msg = (f"{a.name} and {b.name} both use VRID {a.virtual_router_id} with "
                       f"IPv{u.family(ctx, a)} on interface {a.interface} - keepalived rejects "
                       "the VRRP configuration")
            yield ctx.diag(META, msg, u.setting_span(b, "virtual_router_id"),
                           "give every instance on an interface its own virtual_router_id")


def _dst(ctx: Context, inst: VrrpInstance) -> str:
    """The multicast group the instance advertises to (its own, the global one, the RFC's)."""
    if inst.mcast_dst_ip is not None:
        return str(inst.mcast_dst_ip)
    fam = u.family(ctx, inst)
    g = ctx.config.global_defs.get("vrrp_mcast_group6" if fam == 6 else "vrrp_mcast_group4")
    if g is not None:
        return str(g[0] if isinstance(g, list) else g)
    return "ff02::12" if fam == 6 else "224.0.0.18"
