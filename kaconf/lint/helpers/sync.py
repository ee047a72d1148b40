"""Sync-group membership as keepalived resolves it (first group naming an instance wins)."""

from __future__ import annotations

from dataclasses import dataclass

from kaconf.diagnostics import Span
from kaconf.lint.helpers.tree import head
from kaconf.model.objects import Config, SyncGroup, VrrpInstance


@dataclass(frozen=True)
class Membership:
    """How keepalived resolves one name of a sync group's ``group`` block."""

    group: SyncGroup
    name: str
    span: Span | None
    status: str  # "member", "missing", "taken"
    taken_by: str = ""


_MEMBERSHIP_CACHE: dict[int, tuple[Config, list[Membership]]] = {}


_CACHE_SIZE = 32  # a few configs (a cluster), never unbounded


def sync_memberships(cfg: Config) -> list[Membership]:
    """Resolve every sync-group member name the way keepalived does, in config order.

    An instance joins the first group that names it; later mentions (in the same or
    another group) are rejected, and names without an instance are dropped. Cached per
    config: several rules ask for every instance.
    """
    hit = _MEMBERSHIP_CACHE.get(id(cfg))
    if hit is not None and hit[0] is cfg:
        return hit[1]
    out = _resolve_memberships(cfg)
    if len(_MEMBERSHIP_CACHE) >= _CACHE_SIZE:
        _MEMBERSHIP_CACHE.clear()
    _MEMBERSHIP_CACHE[id(cfg)] = (cfg, out)
    return out


def _resolve_memberships(cfg: Config) -> list[Membership]:
    names = {i.name for i in cfg.vrrp_instances}
    owner: dict[str, str] = {}
    out: list[Membership] = []
    for sg in cfg.sync_groups:
        for idx, name in enumerate(sg.group):
            span = sg.group_spans[idx] if idx < len(sg.group_spans) else head(sg.span)
            if name not in names:
                out.append(Membership(sg, name, span, "missing"))
            elif name in owner:
                out.append(Membership(sg, name, span, "taken", owner[name]))
            else:
                owner[name] = sg.name
                out.append(Membership(sg, name, span, "member"))
    return out


def sync_members(cfg: Config, sg: SyncGroup) -> list[VrrpInstance]:
    """The instances that really end up in ``sg`` (in group order)."""
    by_name = {i.name: i for i in cfg.vrrp_instances}
    return [by_name[m.name] for m in sync_memberships(cfg)
            if m.group is sg and m.status == "member"]


def sync_group_of_member(cfg: Config, inst: VrrpInstance) -> SyncGroup | None:
    """The sync group keepalived puts ``inst`` in, if any."""
    for m in sync_memberships(cfg):
        if m.name == inst.name and m.status == "member":
            return m.group
    return None


def sync_group_of(cfg: Config, inst: VrrpInstance) -> SyncGroup | None:
    """The (first) sync group that really takes ``inst`` as a member."""
    for sg in cfg.sync_groups:
        if inst.name in sg.group:
            return sg
    return None
