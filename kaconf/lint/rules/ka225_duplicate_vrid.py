"""KA225: two instances in the same VRID space."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import host, tree
from kaconf.lint.rule import Context, RuleMeta
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
    have = host.host_interfaces(ctx)
    # keepalived compares every pair sharing a VRID, but only pairs of the same family,
    # interface and unicast-ness can conflict: grouping by those first avoids looking
    # at the (many) pairs that cannot, and each instance's family is asked for once
    vrid_rank: dict[int, int] = {}
    groups: dict[tuple[int, int, bool, str], list[tuple[int, VrrpInstance]]] = {}
    for n, i in enumerate(cfg.vrrp_instances):
        if i.virtual_router_id is not None and i.interface is not None:
            vrid_rank.setdefault(i.virtual_router_id, len(vrid_rank))
            key = (i.virtual_router_id, ctx.resolved(i).family, ctx.resolved(i).has("UNICAST"),
                   i.interface)
            groups.setdefault(key, []).append((n, i))
    found: list[tuple[tuple[int, int, int], Diagnostic]] = []
    for (vrid, _fam, unicast, _ifname), insts in groups.items():
        if len(insts) > 1:
            found += [((vrid_rank[vrid], na, nb), d)
                      for na, nb, d in _pairs(ctx, insts, unicast, have)]
    # in keepalived's order: VRIDs as first met, then pairs as the instances come
    found.sort(key=lambda f: f[0])
    for _key, d in found:
        yield d


def _pairs(ctx: Context, insts: list[tuple[int, VrrpInstance]], unicast: bool,
           have: frozenset[str] | None) -> Iterable[tuple[int, int, Diagnostic]]:
    """Conflicts among instances of one VRID, family, interface and unicast-ness, as
    keepalived checks them pairwise: (index of the first, of the second, finding)."""
    for n, (na, a) in enumerate(insts):
        for nb, b in insts[n + 1:]:
            if unicast:  # unicast and multicast are separate VRID spaces
                if (a.unicast_src_ip or None) != (b.unicast_src_ip or None):
                    continue
                pa = {p[0] for p in ctx.resolved(a).peers}
                pb = {p[0] for p in ctx.resolved(b).peers}
                if not pa & pb:
                    continue
                msg = (f"({b.name}) duplicate VRID conflict with {a.name} VRID "
                       f"{a.virtual_router_id} (same source and a common unicast peer)")
            else:
                if have is not None and a.interface not in have:
                    continue  # keepalived only compares interfaces that exist
                if _dst(ctx, a) != _dst(ctx, b):
                    continue
                msg = (f"{a.name} and {b.name} both use VRID {a.virtual_router_id} with "
                       f"IPv{ctx.resolved(a).family} on interface {a.interface} - "
                       "keepalived rejects the VRRP configuration")
            yield na, nb, ctx.diag(META, msg, tree.setting_span(b, "virtual_router_id"),
                                   "give every instance on an interface its own virtual_router_id")


def _dst(ctx: Context, inst: VrrpInstance) -> str:
    """The multicast group the instance advertises to (its own, the global one, the RFC's)."""
    return ctx.resolved(inst).mcast_daddr or ""
