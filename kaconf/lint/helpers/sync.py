"""Sync-group membership as keepalived resolves it (first group naming an instance wins).

The resolver decides it (:attr:`kaconf.effective.vrrp_types.VrrpState.sync_memberships`);
this module hands it to rules with the model objects and spans they report at.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kaconf.diagnostics import Span
from kaconf.lint.helpers.resolved import memberships
from kaconf.lint.helpers.tree import head
from kaconf.model.objects import SyncGroup, VrrpInstance

if TYPE_CHECKING:
    from kaconf.lint.rule import Context


@dataclass(frozen=True)
class Membership:
    """How keepalived resolves one name of a sync group's ``group`` block."""

    group: SyncGroup
    name: str
    span: Span | None
    status: str  # "member", "missing", "taken"
    taken_by: str = ""


def sync_memberships(ctx: Context) -> list[Membership]:
    """Every sync-group member name as keepalived resolves it, in config order.

    An instance joins the first group that names it; later mentions (in the same or
    another group) are rejected, and names without an instance are dropped.
    """
    return ctx.memo("sync_memberships", _memberships)


def _memberships(ctx: Context) -> list[Membership]:
    groups = ctx.config.sync_groups
    out: list[Membership] = []
    for m in memberships(ctx):
        sg = groups[m.group_index]
        span = sg.group_spans[m.index] if m.index < len(sg.group_spans) else head(sg.span)
        out.append(Membership(sg, m.name, span, m.status, m.taken_by))
    return out


def sync_members(ctx: Context, sg: SyncGroup) -> list[VrrpInstance]:
    """The instances that really end up in ``sg`` (in group order)."""
    by_name: dict[str, VrrpInstance] = {}
    for i in ctx.config.vrrp_instances:
        by_name.setdefault(i.name, i)
    return [by_name[m.name] for m in sync_memberships(ctx)
            if m.group is sg and m.status == "member"]


def is_repeat(ctx: Context, sg: SyncGroup) -> bool:
    """``sg`` repeats the name of an earlier sync group: keepalived skips the block
    ("vrrp sync group G already defined"), so nothing in it counts."""
    for other in ctx.config.sync_groups:
        if other is sg:
            return False
        if other.name == sg.name:
            return True
    return False


def sync_group_of_member(ctx: Context, inst: VrrpInstance) -> SyncGroup | None:
    """The sync group keepalived puts ``inst`` in, if any."""
    for m in sync_memberships(ctx):
        if m.name == inst.name and m.status == "member":
            return m.group
    return None
