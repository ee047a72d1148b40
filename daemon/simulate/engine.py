"""The cluster simulator: the daemon's own state machines on a virtual clock.

Theory of operation
-------------------
Each node runs what ``kaconf run`` would: one :class:`~kaconfd.vrrp.core.UnitCore`
per standalone instance or sync group, built from the node's
:class:`~kaconfd.vrrp.config.VrrpConfig`, fed the same start-up events
(:func:`~kaconfd.vrrp.core.startup_events`) and driven the way the daemon's units and
timers drive it: a timer the machine arms (:class:`~kaconfd.vrrp.events.SetTimer`)
is an entry in one event queue (a heap ordered by time, then by insertion), lazy like
the daemon's (a deadline that moves later keeps its entry, which re-queues itself when
it comes up early); the two routine events go through the machines' fast paths first,
as in the daemon. There is no second implementation of VRRP here: only delivery.

The network: one LAN per interface name. An advert sent by an instance reaches, after
``delay`` (plus seeded jitter), every other running node's instances on that LAN with
the same VRID and family that are not cut off by a partition and whose link is up;
a unicast instance sends only to the nodes owning its ``unicast_peer`` addresses. Who
may hear whom is decided once, by the daemon's own receive checks
(:func:`kaconfd.vrrp.packet.validate`: version, authentication, advert interval, TTL;
the unicast peer check): a mismatch is a dropped advert, as on a real LAN.

The world: tracked interfaces, scripts and files belong to the node and survive its
restarts; a script's first result is known when its node starts (the simulation does
not model how long a check script takes).
"""

from __future__ import annotations

import dataclasses
import heapq
import ipaddress
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ..vrrp.config import InstanceConfig
from ..vrrp.core import UnitCore, startup_events
from ..vrrp.events import (
    ADVER_TIMER,
    AddVips,
    AdvertReceived,
    Event,
    RemoveVips,
    SendAdvert,
    SetTimer,
    Shutdown,
    TimerFired,
    TrackUpdate,
)
from ..vrrp.fsm import VrrpFsm
from ..vrrp.packet import Advertisement, Expectation, PacketError, validate
from ..vrrp.params import IPAddress, State, Tracker, TrackKind
from . import causes
from .nodes import NodeConfig, assign_addresses
from .result import PriorityChange, SimResult, Transition
from .scenario import Event as ScenarioEvent
from .scenario import Scenario, ScenarioError
from .vips import VipLedger

__all__ = ["Simulator", "settle_time"]

#: The synthetic tracker that carries ``priority INSTANCE N`` events (a value tracker
#: with weight 1 moves the effective priority by its value, like a tracked file).
PRIORITY_TRACKER = "sim:priority"

_SCENARIO, _TIMER, _ADVERT, _BEGIN = 0, 1, 2, 3


@dataclass(eq=False)
class Inst:
    """One instance of one node: its configuration and, while the node runs, its machine."""

    node: Node
    cfg: InstanceConfig
    src: IPAddress
    vips: tuple[str, ...]
    params_extra: tuple[Tracker, ...] = ()
    fsm: VrrpFsm | None = None
    core: UnitCore | None = None
    #: Instances of other nodes that accept our adverts (static checks passed).
    receivers: list[Inst] = field(default_factory=list)
    #: Deadlines the machine set, and the queue entry pending for each (lazy timers).
    deadlines: dict[str, float] = field(default_factory=dict)
    pending: dict[str, float] = field(default_factory=dict)
    holding: bool = False
    #: The last advert heard (sender node, priority), for the causes.
    heard: tuple[str, int] | None = None

    @property
    def name(self) -> str:
        return self.cfg.name


@dataclass(eq=False)
class Node:
    """One simulated machine: its instances and the state of its world."""

    name: str
    config: NodeConfig
    insts: dict[str, Inst] = field(default_factory=dict)
    #: Units in the daemon's start order: sync groups, then standalone instances.
    units: list[tuple[str | None, list[str]]] = field(default_factory=list)
    running: bool = False
    links: dict[str, bool] = field(default_factory=dict)
    scripts: dict[str, bool] = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)
    priority: dict[str, int] = field(default_factory=dict)
    side: int = 0
    epoch: int = 0


def settle_time(configs: Sequence[NodeConfig]) -> float:
    """Long enough for any election of these configurations to be over (seconds)."""
    longest = 1.0
    for node in configs:
        for c in node.vrrp.instances:
            longest = max(longest, (c.down_timer_adverts + 1) * c.advert_int + c.preempt_delay)
    return round(2 * longest + 1, 3)


class Simulator:
    """Runs one :class:`Scenario` over the nodes' configurations (see the module docstring)."""

    def __init__(self, configs: Sequence[NodeConfig], scenario: Scenario) -> None:
        self.scenario = scenario
        self.now = 0.0
        self.queue: list[tuple[float, int, int, object, object, object]] = []
        self.seq = 0
        self.rng = random.Random(scenario.seed)
        self.nodes: dict[str, Node] = {}
        self.owner: dict[IPAddress, str] = {}
        names = [c.name for c in configs]
        if len(set(names)) != len(names):
            raise ScenarioError("node names must be unique")
        self._check_events(configs)
        addresses = assign_addresses(list(configs), scenario.addresses)
        for name, by_iface in scenario.addresses.items():
            for addr in by_iface.values():
                self.owner.setdefault(ipaddress.ip_address(addr), name)
        prio_events = {(e.node, e.args[0]) for e in scenario.events if e.action == "priority"}
        for nc in configs:
            node = Node(nc.name, nc)
            for cfg in nc.vrrp.instances:
                src = addresses[(nc.name, cfg.name)]
                self.owner.setdefault(src, nc.name)
                extra = (Tracker(PRIORITY_TRACKER, 1, kind=TrackKind.VALUE),) \
                    if (nc.name, cfg.name) in prio_events else ()
                vips = tuple(dict.fromkeys(str(v.address.ip)
                                           for v in (*cfg.vips, *cfg.excluded_vips)))
                node.insts[cfg.name] = Inst(node, cfg, src, vips, extra)
            grouped = {m for g in nc.vrrp.groups for m in g.members}
            node.units = [(g.name, [m for m in g.members if m in node.insts])
                          for g in nc.vrrp.groups]
            node.units += [(None, [c.name]) for c in nc.vrrp.instances if c.name not in grouped]
            for tf in nc.vrrp.track_files:
                node.files[tf.name] = tf.init_value or 0
            self.nodes[nc.name] = node
        self._wire()
        last = max((e.time for e in scenario.events), default=0.0)
        self.duration = scenario.duration if scenario.duration is not None \
            else round(last + settle_time(configs), 3)
        self.ledger = VipLedger()
        for node in self.nodes.values():
            for inst in node.insts.values():
                for vip in inst.vips:
                    self.ledger.declare(vip)
        self.result = SimResult(self.duration, tuple(names), tuple(scenario.events))

    # ---------------------------------------------------------------- set-up

    def _check_events(self, configs: Sequence[NodeConfig]) -> None:
        by_name = {c.name: c for c in configs}
        for name, by_iface in self.scenario.addresses.items():
            if name not in by_name:
                raise ScenarioError(f"addresses: no node {name!r}")
            for iface, addr in by_iface.items():
                try:
                    ipaddress.ip_address(addr)
                except ValueError:
                    raise ScenarioError(f"addresses: {name} {iface}: {addr!r} is not an "
                                        "address") from None
        for ev in self.scenario.events:
            where = f"event '{ev}'"
            if ev.node == "*":
                for part in ev.args:
                    for name in part.split(","):
                        if name and name not in by_name:
                            raise ScenarioError(f"{where}: no node {name!r}")
                continue
            nc = by_name.get(ev.node)
            if nc is None:
                raise ScenarioError(f"{where}: no node {ev.node!r} "
                                    f"(nodes: {', '.join(by_name)})")
            vrrp = nc.vrrp
            if ev.action == "script" and ev.args[0] not in {s.name for s in vrrp.scripts}:
                raise ScenarioError(f"{where}: {ev.node} tracks no vrrp_script {ev.args[0]!r} "
                                    "(keepalived drops the scripts nothing tracks, and "
                                    "weighted ones in a sync group)")
            if ev.action == "track" and ev.args[1] not in {f.name for f in vrrp.track_files}:
                raise ScenarioError(f"{where}: {ev.node} tracks no file {ev.args[1]!r}")
            if ev.action == "priority" and ev.args[0] not in {i.name for i in vrrp.instances}:
                raise ScenarioError(f"{where}: {ev.node} has no instance {ev.args[0]!r}")

    def _wire(self) -> None:
        """Decide once who hears whom (LAN, VRID, family, unicast peers, receive checks)."""
        by_vrid: dict[tuple[int, int], list[Inst]] = {}
        for node in self.nodes.values():
            for inst in node.insts.values():
                by_vrid.setdefault((inst.cfg.vrid, inst.cfg.family), []).append(inst)
        for group in by_vrid.values():
            for sender in group:
                sender.receivers = [r for r in group if r.node is not sender.node
                                    and self._hears(sender, r)]

    def _hears(self, s: Inst, r: Inst) -> bool:
        """Whether ``r`` accepts ``s``'s adverts: the daemon's receive checks.

        Multicast stays on its LAN (interface name) and group; a unicast advert goes to
        the nodes owning the peer addresses, whatever their interface is called.
        """
        sc, rc = s.cfg, r.cfg
        if sc.unicast:
            if not any(self.owner.get(p) == r.node.name for p in sc.unicast_peers):
                return False
        elif rc.interface != sc.interface or rc.unicast or rc.mcast_dst != sc.mcast_dst:
            return False
        if rc.unicast and s.src not in rc.unicast_peers:
            return False
        adv = Advertisement(sc.version, sc.vrid, 100, (), sc.advert_int, sc.auth_type,
                            sc.auth_data)
        expect = Expectation(rc.version, rc.vrid, rc.advert_int, rc.auth_type, rc.auth_data,
                             check_ttl=not rc.unicast)
        try:
            validate(adv, expect, sc.ttl)
        except PacketError:
            return False
        return True

    # ---------------------------------------------------------------- queue

    def _push(self, at: float, kind: int, a: object, b: object = None, c: object = None
              ) -> None:
        self.seq += 1
        heapq.heappush(self.queue, (at, self.seq, kind, a, b, c))

    def run(self) -> SimResult:
        # A node starts at 0 unless its first event is an explicit start.
        first: dict[str, str] = {}
        for e in sorted(self.scenario.events, key=lambda e: e.time):
            first.setdefault(e.node, e.action)
        for name in self.nodes:
            if first.get(name) != "start":
                self._push(0.0, _SCENARIO, ScenarioEvent(0.0, name, "start"))
        for ev in sorted(self.scenario.events, key=lambda e: e.time):
            self._push(ev.time, _SCENARIO, ev)
        queue, duration = self.queue, self.duration
        pop = heapq.heappop
        while queue and queue[0][0] <= duration:
            at, _, kind, a, b, c = pop(queue)
            self.now = at
            if kind == _ADVERT:
                self._deliver(a, b, c)  # type: ignore[arg-type]
            elif kind == _TIMER:
                self._timer_due(a, b, c)  # type: ignore[arg-type]
            elif kind == _BEGIN:
                self._begin(a, b)  # type: ignore[arg-type]
            else:
                self._scenario_event(a)  # type: ignore[arg-type]
        self.result.vips = self.ledger.intervals(duration)
        return self.result

    # ---------------------------------------------------------------- timers

    def _set_timer(self, inst: Inst, act: SetTimer) -> None:
        name, at = act.name, act.at
        if at is None:
            inst.deadlines.pop(name, None)
            return
        inst.deadlines[name] = at
        pending = inst.pending.get(name)
        if pending is None or pending > at:
            inst.pending[name] = at
            self._push(at, _TIMER, inst, name, inst.node.epoch)

    def _timer_due(self, inst: Inst, name: str, epoch: int) -> None:
        if epoch != inst.node.epoch or inst.pending.get(name) != self.now:
            return  # the node restarted, or an earlier entry replaced this one
        del inst.pending[name]
        at = inst.deadlines.get(name)
        if at is None:
            return
        if at > self.now:
            inst.pending[name] = at
            self._push(at, _TIMER, inst, name, epoch)
            return
        core = inst.core
        if core is None:
            return
        if name == ADVER_TIMER:
            fast = core.fast_advert_timer_fired(inst.name, at)
            if fast is not None:
                self._send(inst, fast[0].priority)
                self._set_timer(inst, fast[1])
                return
        self._handle(inst, TimerFired(name), None)

    # ---------------------------------------------------------------- adverts

    def _send(self, inst: Inst, priority: int) -> None:
        node = inst.node
        if not node.links.get(inst.cfg.interface, True):
            return
        delay, jitter = self.scenario.delay, self.scenario.jitter
        if jitter <= 0:
            self._push(self.now + delay, _ADVERT, inst, priority, None)
            return
        for r in inst.receivers:
            d = max(0.0, delay + self.rng.uniform(-jitter, jitter))
            self._push(self.now + d, _ADVERT, inst, priority, r)

    def _deliver(self, sender: Inst, priority: int, only: Inst | None) -> None:
        side = sender.node.side
        ev = AdvertReceived(sender.src, priority, sender.cfg.advert_int)
        for r in (sender.receivers if only is None else (only,)):
            node = r.node
            core = r.core
            if (core is None or node.side != side or not node.links.get(r.cfg.interface, True)):
                continue
            r.heard = (sender.node.name, priority)
            act = core.fast_advert_received(r.name, ev, self.now)
            if act is not None:
                self._set_timer(r, act)
            else:
                self._handle(r, ev, None)

    # ---------------------------------------------------------------- decisions

    def _handle(self, inst: Inst, event: Event, why: str | None) -> None:
        """Let the unit decide, execute, and record what changed and why."""
        core = inst.core
        assert core is not None
        node, now = inst.node, self.now
        fsms = core.fsms
        before = {m: (f.state, f.effective_priority) for m, f in fsms.items()}
        for target, act in core.decide(inst.name, event, now):
            if target is None:
                continue
            t = node.insts[target]
            if isinstance(act, SetTimer):
                self._set_timer(t, act)
            elif isinstance(act, SendAdvert):
                self._send(t, act.priority)
            elif isinstance(act, AddVips):
                self._vips(t, True)
            elif isinstance(act, RemoveVips):
                self._vips(t, False)
        group = core.group.name if core.group is not None else None
        own_state, own_prio = before[inst.name]
        own_cause: str | None = None
        for m, f in fsms.items():
            state, prio = before[m]
            new_prio = f.effective_priority
            prio_moved = new_prio != prio and state is not State.INIT \
                and not isinstance(event, Shutdown)
            if not prio_moved and f.state is state:
                continue
            if own_cause is None:
                own = fsms[inst.name]
                if why:
                    after = own.effective_priority
                    own_cause = why + (f", priority {own_prio} -> {after}"
                                       if after != own_prio else "")
                else:
                    own_cause = causes.cause(inst, event, own_state, own, own_prio)
            text = own_cause if m == inst.name else causes.via_group(group, inst.name,
                                                                     own_cause)
            if prio_moved:
                self.result.priorities.append(PriorityChange(now, node.name, m, prio,
                                                             new_prio, text))
            if f.state is not state:
                self.result.transitions.append(Transition(now, node.name, m, state.value,
                                                          f.state.value, text))

    def _vips(self, inst: Inst, add: bool) -> None:
        if inst.holding == add:
            return
        inst.holding = add
        for vip in inst.vips:
            self.ledger.change(vip, inst.node.name, add, self.now)

    def _broadcast(self, node: Node, tracker: str, event: TrackUpdate, why: str) -> None:
        """A tracked object changed: tell every instance tracking it (as child.broadcast)."""
        if not node.running:
            return
        for inst in node.insts.values():
            if inst.fsm is not None and any(t.name == tracker for t in inst.fsm.params.trackers):
                self._handle(inst, event, why)

    # ---------------------------------------------------------------- scenario

    def _scenario_event(self, ev: ScenarioEvent) -> None:
        handler = _ACTIONS[ev.action]
        if ev.node == "*":
            handler(self, None, ev)
            return
        handler(self, self.nodes[ev.node], ev)

    def _start(self, node: Node | None, ev: ScenarioEvent) -> None:
        assert node is not None
        if node.running:
            self.result.warnings.append(f"{ev}: {node.name} is already running")
            return
        node.running = True
        node.epoch += 1
        delay = node.config.vrrp.startup_delay
        if delay > 0:
            self._push(self.now + delay, _BEGIN, node, node.epoch)  # vrrp_startup_delay
            return
        self._begin(node, node.epoch)

    def _begin(self, node: Node, epoch: int) -> None:
        """The node's instances start: machines built, start-up events fed."""
        if epoch != node.epoch or not node.running:
            return  # stopped during its vrrp_startup_delay
        for group, members in node.units:
            fsms: dict[str, VrrpFsm] = {}
            for m in members:
                inst = node.insts[m]
                params = inst.cfg.fsm_params(inst.src)
                if inst.params_extra:
                    params = dataclasses.replace(params,
                                                 trackers=(*params.trackers, *inst.params_extra))
                inst.fsm = fsms[m] = VrrpFsm(params)
                inst.deadlines.clear()
                inst.pending.clear()
                inst.heard = None
            core = UnitCore(fsms, group)
            for m in members:
                node.insts[m].core = core
            for m in members:
                inst = node.insts[m]
                events = startup_events(inst.cfg, lambda n: node.links.get(n, True),
                                        lambda n: node.scripts.get(n, True),
                                        node.files.get)
                if m in node.priority:
                    events.insert(-1, TrackUpdate(PRIORITY_TRACKER,
                                                  value=node.priority[m] - inst.cfg.priority))
                for event in events:
                    self._handle(inst, event, None)

    def _stop(self, node: Node | None, ev: ScenarioEvent) -> None:
        assert node is not None
        if not node.running:
            self.result.warnings.append(f"{ev}: {node.name} is not running")
            return
        if ev.action == "stop":
            for _group, members in node.units:
                for m in members:
                    if node.insts[m].core is not None:
                        self._handle(node.insts[m], Shutdown(), "stop")
        for inst in node.insts.values():
            fsm = inst.fsm
            if fsm is not None and fsm.state is not State.STOP:
                self.result.transitions.append(Transition(self.now, node.name, inst.name,
                                                          fsm.state.value, "STOP", ev.action))
            self._vips(inst, False)
            inst.fsm = inst.core = None
            inst.deadlines.clear()
            inst.pending.clear()
        node.running = False
        node.epoch += 1

    def _link(self, node: Node | None, ev: ScenarioEvent) -> None:
        assert node is not None
        up, iface = ev.args[0] == "up", ev.args[1]
        if node.links.get(iface, True) == up:
            return
        node.links[iface] = up
        why = f"link {iface} {ev.args[0]}"
        if not node.running:
            return
        for inst in node.insts.values():
            if inst.fsm is not None and iface in inst.cfg.tracked_interfaces:
                self._handle(inst, TrackUpdate(f"if:{iface}", up), why)

    def _script(self, node: Node | None, ev: ScenarioEvent) -> None:
        assert node is not None
        name, ok = ev.args[0], ev.args[1] == "ok"
        if node.scripts.get(name, True) == ok and node.running:
            return
        node.scripts[name] = ok
        why = f"script {name} " + ("ok" if ok else "failed")
        self._broadcast(node, f"script:{name}", TrackUpdate(f"script:{name}", ok), why)

    def _track(self, node: Node | None, ev: ScenarioEvent) -> None:
        assert node is not None
        name, value = ev.args[1], int(ev.args[3])
        node.files[name] = value
        self._broadcast(node, f"file:{name}", TrackUpdate(f"file:{name}", value=value),
                        f"track file {name} value {value}")

    def _priority(self, node: Node | None, ev: ScenarioEvent) -> None:
        assert node is not None
        name, value = ev.args[0], int(ev.args[1])
        node.priority[name] = value
        inst = node.insts[name]
        if inst.fsm is not None:
            update = TrackUpdate(PRIORITY_TRACKER, value=value - inst.cfg.priority)
            self._handle(inst, update, f"priority {name} set to {value}")

    def _partition(self, node: Node | None, ev: ScenarioEvent) -> None:
        for n in self.nodes.values():
            n.side = 0
        if ev.action == "heal":
            return
        for side, part in enumerate(ev.args, start=1):
            for name in part.split(","):
                if name:
                    self.nodes[name].side = side


_Action = Callable[[Simulator, Node | None, ScenarioEvent], None]
_ACTIONS: Mapping[str, _Action] = {
    "start": Simulator._start, "stop": Simulator._stop, "crash": Simulator._stop,
    "link": Simulator._link, "script": Simulator._script, "track": Simulator._track,
    "priority": Simulator._priority, "partition": Simulator._partition,
    "heal": Simulator._partition,
}
