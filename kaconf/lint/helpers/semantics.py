"""Questions rules ask about what keepalived derives, answered by the resolver.

Rules mirror decisions ``keepalived -t`` makes on *effective* values (priority from
state, family from the first address, version from the family and ``global_defs``,
strict mode, the authentication it keeps, the weight a tracking line applies). None
of that is computed here: :func:`kaconf.resolve` (``ctx.effective``, per instance
``ctx.resolved(inst)``) holds every such value, the same ones ``kaconf dump`` prints
and the daemon runs. This module only phrases the questions several rules share.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kaconf.effective.vrrp_types import MASTER, PRIO_OWNER, span_key
from kaconf.lint.helpers.resolved import sync_group
from kaconf.model.objects import Authentication, SyncGroup, TrackRef, VrrpInstance

if TYPE_CHECKING:
    from kaconf.lint.rule import Context

#: keepalived's address-owner priority.
OWNER = PRIO_OWNER


def is_owner(ctx: Context, inst: VrrpInstance) -> bool:
    """The instance runs with priority 255 (given, or from ``state MASTER``)."""
    return ctx.resolved(inst).base_priority == PRIO_OWNER


def starts_master(ctx: Context, inst: VrrpInstance) -> bool:
    """The instance wants MASTER as configured (or from its priority), before strict mode,
    AH authentication or its sync group make it BACKUP."""
    return ctx.resolved(inst).configured_wantstate == MASTER


def auth_kept(ctx: Context, inst: VrrpInstance) -> Authentication | None:
    """The authentication block keepalived keeps for ``inst``, else None.

    AH on IPv6 is returned: keepalived drops that one later, with its own message.
    """
    ei = ctx.resolved(inst)
    if ei.auth_type is None and ei.auth_dropped != "ah_ipv6":
        return None
    return inst.authentication


def line_weight(ctx: Context, owner: VrrpInstance | SyncGroup, ref: TrackRef) -> int | None:
    """The weight a track_script/track_file/track_bfd line of ``owner`` applies, as
    configured (None when it names no defined object)."""
    found = line_tracking(ctx, owner, ref)
    return None if found is None else found[0]


def line_tracking(ctx: Context, owner: VrrpInstance | SyncGroup,
                  ref: TrackRef) -> tuple[int, bool] | None:
    """(weight, reverse) of a track_script/track_file/track_bfd line of ``owner``, as
    configured (None when it names no defined object)."""
    if isinstance(owner, VrrpInstance):
        weights = ctx.resolved(owner).line_weights
    else:
        g = sync_group(ctx, owner)
        if g is None:
            return None
        weights = g.line_weights
    return weights.get(span_key(ref.span))
