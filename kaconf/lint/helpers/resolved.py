"""The resolved configuration as lint sees it: one :func:`kaconf.resolve` per file.

Rules ask the :class:`~kaconf.effective.Effective` of their config for every value
keepalived derives (priority and state, family, version, unicast, the authentication
it keeps, tracking weights, sync-group membership) instead of recomputing it, so
lint, ``kaconf dump`` and the daemon cannot disagree. Lint stays reproducible: the
config is resolved against a host-neutral :meth:`Host.static` with no interfaces
(those of ``KACONF_INTERFACES`` when given, see :func:`.host.host_interfaces`), no
users but root and no script files.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from kaconf.lint.helpers.host import host_interfaces
from kaconf.lint.rule import RESOLVED_INSTANCES

if TYPE_CHECKING:
    from kaconf.effective import Effective
    from kaconf.effective.host import Host
    from kaconf.effective.vrrp_types import EffInstance, EffSyncGroup, SyncMembership
    from kaconf.lint.rule import Context
    from kaconf.model.objects import Config, SyncGroup, VrrpInstance

#: the host name of the lint host (only keepalived's router_id default uses it)
LINT_HOSTNAME = "kaconf-lint"


def lint_host(ctx: Context) -> Host:
    """The host-neutral host lint resolves against (see module docstring)."""
    from kaconf.effective.host import Host, Interface

    names = host_interfaces(ctx) or frozenset()
    return Host.static(hostname=LINT_HOSTNAME,
                       interfaces=[Interface(n, loopback=n == "lo") for n in sorted(names)])


def effective(ctx: Context) -> Effective:
    """The Effective of ``ctx``'s config on the lint host, resolved once per context."""
    return ctx.memo("effective", _resolve)


def _resolve(ctx: Context) -> Effective:
    from kaconf.effective import resolve

    return resolve(ctx.config, lint_host(ctx))


class _Index:
    """Model objects to resolved ones, built once per context."""

    def __init__(self, ctx: Context) -> None:
        eff = effective(ctx)
        insts = eff.vrrp.instances if eff.vrrp is not None else []
        by_name = {ei.name: ei for ei in insts}
        #: id of a model instance -> its EffInstance (the first of each name)
        self.instances: dict[int, EffInstance] = {}
        for inst in ctx.config.vrrp_instances:
            ei = by_name.pop(inst.name, None)
            if ei is not None:
                self.instances[id(inst)] = ei
        ctx.memo(RESOLVED_INSTANCES, lambda _ctx: self.instances)
        groups = eff.vrrp.sync_groups if eff.vrrp is not None else []
        self.groups: dict[str, EffSyncGroup] = {g.name: g for g in groups}
        self.memberships: list[SyncMembership] = \
            eff.vrrp.sync_memberships if eff.vrrp is not None else []


def _index(ctx: Context) -> _Index:
    return ctx.memo("effective_index", _Index)


def instance(ctx: Context, inst: VrrpInstance) -> EffInstance:
    """The resolved ``inst``.

    keepalived (and the resolver) keep only the first instance of a name; a later one
    is resolved on its own, as if it replaced the first, so rules still see its values.
    """
    ei = _index(ctx).instances.get(id(inst))
    if ei is not None:
        return ei
    shadowed: dict[int, EffInstance] = ctx.memo("effective_shadowed", _new_dict)
    ei = shadowed.get(id(inst))
    if ei is None:
        ei = shadowed[id(inst)] = _resolve_alone(ctx, inst)
    return ei


def _new_dict(_ctx: Context) -> dict[int, EffInstance]:
    return {}


def _resolve_alone(ctx: Context, inst: VrrpInstance) -> EffInstance:
    """``inst`` resolved in a copy of the config where it is the only one of its name."""
    from kaconf.effective import resolve

    cfg: Config = copy.copy(ctx.config)
    cfg.vrrp_instances = [i for i in ctx.config.vrrp_instances
                          if i is inst or i.name != inst.name]
    vrrp = resolve(cfg, lint_host(ctx)).vrrp
    assert vrrp is not None  # the config has an instance
    return next(ei for ei in vrrp.instances if ei.name == inst.name)


def sync_group(ctx: Context, sg: SyncGroup) -> EffSyncGroup | None:
    """The resolved sync group of ``sg``'s name (None: keepalived drops it, e.g. no member)."""
    return _index(ctx).groups.get(sg.name)


def memberships(ctx: Context) -> list[SyncMembership]:
    """Every name of every sync group's ``group`` block, as keepalived resolved it."""
    return _index(ctx).memberships
