"""The resolved configuration: keepalived's "complete the configuration" step, once.

keepalived does not run the text of ``keepalived.conf``: each child process
reads it, then completes it (inheritance from ``global_defs``, defaults that
depend on other settings, family and version, priority and state, sync-group
alignment, unicast vs multicast, script users and security, host facts such as
interface addresses). :func:`resolve` performs that step on a kaconf model and
returns an :class:`Effective`. ``kaconf dump`` prints an Effective, lint rules
ask it, and the daemon builds its run-time parameters from it, so every derived
value is computed here and nowhere else.

The work is split by concern: :mod:`.globals` (``global_data``), :mod:`.host`
(what the machine says), :mod:`.values` (keepalived's readers for numbers,
booleans and scripts), :mod:`.iplines` (addresses, and the numbering of rules; route
and rule lines are read in the model, :mod:`kaconf.model.iproutes` and
:mod:`kaconf.model.iprules`), and the VRRP stages :mod:`.vrrp_defs`,
:mod:`.vrrp_parse`, :mod:`.vrrp_complete`, :mod:`.vrrp_startup` run by :mod:`.vrrp`;
the checker child's virtual servers in :mod:`.lvs` (with :mod:`.lvs_servers`,
:mod:`.lvs_types`).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kaconf.effective.globals import GlobalState
    from kaconf.effective.host import Host
    from kaconf.effective.lvs_types import LvsNote, LvsState
    from kaconf.effective.vrrp_types import VrrpState
    from kaconf.model.objects import Config

__all__ = ["Effective", "resolve", "has_vrrp"]


def has_vrrp(cfg: Config) -> bool:
    """Whether keepalived would start its VRRP child for this config."""
    return bool(cfg.vrrp_instances or cfg.static_ipaddress or cfg.static_routes
                or cfg.static_rules)


class Effective:
    """What keepalived's children hold after start-up, for one configuration and host.

    ``vrrp`` is None when keepalived would start no VRRP child (no instance and no
    static addresses, routes or rules, but virtual servers). The VRRP child and the
    checker child each complete their own copy of ``global_data``: ``globals`` is the
    VRRP child's (after instance completion, which may set e.g. the nftables table),
    ``checker_globals`` the checker child's (None without virtual servers), and ``lvs``
    its completed virtual servers and checkers (:mod:`.lvs`; None without virtual servers).

    Each part is computed when first asked for, once: lint asks only for the VRRP side,
    the checker child only for the LVS side, and neither pays for the other.
    """

    def __init__(self, config: Config, host: Host) -> None:
        self.config = config
        self.host = host

    @functools.cached_property
    def globals(self) -> GlobalState:
        from kaconf.effective.globals import GlobalState

        return GlobalState(self.config, self.host)

    @functools.cached_property
    def vrrp(self) -> VrrpState | None:
        from kaconf.effective.vrrp import build_vrrp

        cfg = self.config
        if not (has_vrrp(cfg) or not cfg.virtual_servers):
            return None
        return build_vrrp(cfg, self.globals, self.host)

    @functools.cached_property
    def checker_globals(self) -> GlobalState | None:
        from kaconf.effective.globals import GlobalState

        return GlobalState(self.config, self.host) if self.config.virtual_servers else None

    @functools.cached_property
    def lvs_notes(self) -> list[LvsNote]:
        """The LVS fix-ups keepalived logs (what lint reports), without resolving the
        checkers: ``lvs``'s notes when it is already computed, else a servers-only pass."""
        if "lvs" in self.__dict__:
            return self.lvs.notes if self.lvs is not None else []
        from kaconf.effective.lvs import build_lvs

        cgs = self.checker_globals
        return build_lvs(self.config, cgs, checkers=False).notes if cgs is not None else []

    @functools.cached_property
    def lvs(self) -> LvsState | None:
        from kaconf.effective.lvs import build_lvs

        cgs = self.checker_globals
        return build_lvs(self.config, cgs) if cgs is not None else None


def resolve(cfg: Config, host: Host | None = None) -> Effective:
    """Complete ``cfg`` as keepalived 2.2.7 would on ``host`` (default: this machine).

    The parts are resolved on first use (see :class:`Effective`).
    """
    from kaconf.effective.host import Host

    return Effective(cfg, host if host is not None else Host.local())
