"""Effective VRRP values, as keepalived 2.2.7 derives them after parsing.

Most rules mirror a decision ``keepalived -t`` makes on the *effective* value of a
setting: priority from state, family from the first address, version from the family
and ``global_defs``, strict mode from the instance or the global default, the
authentication it keeps, the weight a tracking line applies. They live here, in one
module, so two rules can never disagree about what keepalived would do, and so a
shared resolver of effective values can replace this module in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from kaconf.lint.helpers.family import family_facts
from kaconf.model.objects import Authentication, Config, TrackRef, VrrpInstance

if TYPE_CHECKING:
    from kaconf.lint.rule import Context

#: keepalived's address-owner priority.
OWNER = 255
#: keepalived's default priority for a non-owner.
DEFAULT_PRIORITY = 100


def strict(cfg: Config, inst: VrrpInstance) -> bool:
    """strict_mode of the instance, else global ``vrrp_strict``."""
    if inst.strict_mode is not None:
        return bool(inst.strict_mode)
    return bool(cfg.global_defs.vrrp_strict)


def family(ctx: Context, inst: VrrpInstance) -> int:
    """4 or 6: the family keepalived gives the instance (IPv4 when nothing says).

    Most rules ask for the family of every instance, so the families of all of them
    are found in one pass on first use (see :func:`kaconf.lint.helpers.family.family_facts`).
    """
    return family_facts(ctx, inst)[0]


def may_mix_families(ctx: Context, inst: VrrpInstance) -> bool:
    """False when no two address-bearing statements of ``inst`` can be of different
    families: all of them are IPv4 text (no ``:``), or all IPv6 text / native_ipv6.

    :func:`kaconf.lint.helpers.family.family_items` then cannot disagree with its first
    item, so a rule about mismatches skips the instance without parsing every address.
    """
    return family_facts(ctx, inst)[1]


def version(ctx: Context, inst: VrrpInstance) -> int:
    """The VRRP version keepalived runs the instance with (2 or 3)."""
    if inst.version in (2, 3):
        return int(inst.version)
    if family(ctx, inst) == 6:
        return 3
    g = ctx.config.global_defs.vrrp_version
    return int(g) if g in (2, 3) else 2


def priority(inst: VrrpInstance) -> int:
    """Configured priority, else 255 for ``state MASTER`` and 100 otherwise (keepalived)."""
    if inst.priority is not None:
        return int(inst.priority)
    return OWNER if inst.state == "MASTER" else DEFAULT_PRIORITY


def want_state(inst: VrrpInstance) -> str:
    """Initial state: the configured one (bogus words mean BACKUP), else from priority."""
    if inst.state == "MASTER":
        return "MASTER"
    if inst.state is not None:
        return "BACKUP"
    return "MASTER" if priority(inst) == OWNER else "BACKUP"


def unicast_configured(inst: VrrpInstance) -> bool:
    """Any keyword that makes keepalived think the instance wants unicast."""
    return any(inst.given(k) for k in ("unicast_peer", "unicast_src_ip", "unicast_fault_no_peer",
                                       "check_unicast_src", "old_unicast_checksum"))


def valid_peers(ctx: Context, inst: VrrpInstance) -> list[Any]:
    """Unicast peers keepalived keeps (parsable, same family as the instance)."""
    fam = family(ctx, inst)
    return [p for p in inst.unicast_peer if p.address is not None and p.address.version == fam]


def is_unicast(ctx: Context, inst: VrrpInstance) -> bool:
    """keepalived runs the instance in unicast mode: it has at least one usable peer."""
    return bool(valid_peers(ctx, inst))


def kept_auth(ctx: Context, inst: VrrpInstance) -> Authentication | None:
    """The authentication block keepalived keeps for ``inst``, else None.

    It needs a type and a password, and is ignored in strict mode and with VRRPv3 (AH on
    IPv6 is returned: keepalived drops that one later, with its own message).
    """
    auth = inst.authentication
    if auth is None or auth.auth_type is None or not auth.auth_pass:
        return None
    if strict(ctx.config, inst) or version(ctx, inst) == 3:
        return None
    return auth


class _Weighted(Protocol):
    """A tracked object with an optional default weight (vrrp_script, track_file, bfd)."""

    weight: int | None


def _ref_weight(ref: TrackRef, defined: Mapping[str, _Weighted], default: int) -> int:
    """A tracking line's weight: its own, else the tracked object's, else ``default``."""
    if ref.weight is not None:
        return ref.weight
    obj = defined.get(ref.name)
    if obj is not None and obj.weight is not None:
        return obj.weight
    return default


def script_weight(cfg: Config, ref: TrackRef) -> int:
    """Weight a ``track_script`` line applies: its own, else the vrrp_script's, else 0."""
    return _ref_weight(ref, cfg.vrrp_scripts, 0)


def file_weight(cfg: Config, ref: TrackRef) -> int:
    """Weight a ``track_file`` line applies: its own, else the track_file's, else 1."""
    return _ref_weight(ref, cfg.track_files, 1)


def bfd_weight(cfg: Config, ref: TrackRef) -> int:
    """Weight a ``track_bfd`` line applies: its own, else the bfd_instance's, else 0."""
    return _ref_weight(ref, cfg.bfd_instances, 0)
