"""The VRRP side of keepalived after start-up fix-ups, as ``-d`` shows it.

keepalived does not dump the configuration text: it dumps its data after
parsing (``vrrp_parser.c``), the completion pass (``vrrp_complete_init`` /
``vrrp_complete_instance`` in ``vrrp.c``: default priority and state, strict
mode, nopreempt cleared for MASTER, advert rounding, unicast detection, sync
group wantstate alignment, unused scripts removed ...) and the initial
tracking pass (interface/script state that decides FAULT and INIT). This
module replays those steps on the kaconf model and returns plain objects the
formatter prints; the steps follow the 2.2.7 sources and the behaviour notes
in the reference (validation-rules.md), not keepalived's code.

The stages live in vrrp_defs, vrrp_parse, vrrp_complete and vrrp_startup, in
keepalived's order; :class:`VrrpBuilder` runs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kaconf.effective.globals import GlobalState
from kaconf.effective.host import Host
from kaconf.effective.iplines import address_from_model
from kaconf.effective.values import (
    is_before,
)
from kaconf.effective.vrrp_startup import StartupStage
from kaconf.effective.vrrp_types import (
    EffInstance,
    VrrpState,
)
from kaconf.model.objects import Config, VrrpInstance

if TYPE_CHECKING:
    from kaconf.model.iprules import RuleInfo


class VrrpBuilder(StartupStage):
    """Replays keepalived's VRRP start-up on the model (see module docstring)."""

    # -- entry ------------------------------------------------------------------

    def build(self) -> VrrpState:
        cfg = self.cfg
        static_addrs = [a for a in (address_from_model(v, static=True)
                                    for v in cfg.static_ipaddress) if a is not None]
        default_if = self.gs.default_interface()
        for a in static_addrs:
            a.ifname = a.dev or default_if
            a.set = True
        static_routes = [r for r in (x.info for x in cfg.static_routes) if r is not None]
        self._scripts()
        self._track_files()
        self._processes()
        instances: list[EffInstance] = []
        seen: set[str] = set()
        models: dict[str, VrrpInstance] = {}
        # rules without a preference are numbered in parse order, static and
        # virtual alike, so static rules are parsed where their block stands
        sr = cfg.settings.get("static_rules")
        sr_span = sr.span if sr is not None else None
        static_rules_done = False
        static_rules: list[RuleInfo] = []
        for inst in cfg.vrrp_instances:
            if inst.name in seen:
                continue
            if not static_rules_done and cfg.static_rules and is_before(sr_span, inst.span):
                static_rules = self._static_rules()
                static_rules_done = True
            seen.add(inst.name)
            models[inst.name] = inst
            instances.append(self._parse_instance(inst))
        if not static_rules_done:
            static_rules = self._static_rules()
        self._script_security(instances)
        groups = self._sync_groups(instances)
        for ei in instances:
            self._complete(ei, models[ei.name])
        self._vrid_conflicts(instances)
        self._src_addrs(instances)
        self._group_tracking(groups)
        self._initial_states(instances)
        self._align_group_wantstates(groups)
        self._lvs_syncd(instances)
        scripts = [s for s in self.scripts.values() if s.tracking]
        files = [f for f in self.track_files.values()]
        state = VrrpState(instances, groups, scripts, files, list(self.processes.values()),
                         static_addrs, static_routes, static_rules, self._track_groups(),
                         self._garp_delays(instances), self.sync_memberships)
        state.missing_interfaces = self._missing_interfaces(instances)
        return state

    # -- definitions ------------------------------------------------------------------


def build_vrrp(cfg: Config, gs: GlobalState, host: Host) -> VrrpState:
    """The VRRP child's data after start-up (see :class:`VrrpBuilder`)."""
    return VrrpBuilder(cfg, gs, host).build()
