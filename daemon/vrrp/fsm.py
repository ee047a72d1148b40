"""The VRRP state machine of one instance, sans-I/O: events in, actions out.

Theory of operation
-------------------
:meth:`VrrpFsm.handle` takes an event and the current time (``now``, seconds of any
monotonic clock) and returns the list of :data:`Action` the I/O layer must execute, in
order. The FSM never reads a clock, opens a socket or starts a process, so every
protocol decision can be tested with a fake clock (``tests/unit/test_vrrp_fsm.py``).

Rule 1: everything that decides a state change lives in this file, in the handlers of
:data:`_HANDLERS` (one per (state, event type)); an event a state has no handler for
raises :class:`FsmError`, because silently ignoring one hides bugs.

Timers are named (``"adver"``, ``"master_down"``). :class:`SetTimer` arms (``at`` is an
absolute time) or cancels (``at`` is None) one; the I/O layer keeps one pending timer
per name and feeds :class:`TimerFired` back. The FSM remembers the deadlines it set and
ignores a :class:`TimerFired` that is early or for a timer it cancelled, so a callback
that raced with a cancellation is harmless.

Semantics follow keepalived 2.2 where it refines the RFCs:

* every instance starts in BACKUP (keepalived never goes INIT -> MASTER directly); an
  address owner (priority 255) with ``state MASTER`` waits one advert interval + skew,
  everybody else ``down_timer_adverts`` (3) intervals + skew;
* ``nopreempt`` is ignored with ``state MASTER`` (keepalived clears it with a warning);
* ``preempt_delay``: a backup that could preempt waits that long after start-up or after
  first seeing a lower-priority master;
* a master that receives a lower-priority advert answers at once with its own advert
  ("forcing new election") instead of silently discarding it;
* tracking: an object with weight 0 that fails puts the instance in FAULT; a non-zero
  weight moves the effective priority (base + weights, clamped to 1..254); an owner
  (base 255) keeps 255.
"""

from __future__ import annotations

import enum
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ADVER_TIMER = "adver"
MASTER_DOWN_TIMER = "master_down"
#: A timer firing this much before its deadline still counts (event loops round).
_TIMER_SLACK = 0.002


class State(enum.Enum):
    """Instance states, named as keepalived logs them."""

    INIT = "INIT"
    BACKUP = "BACKUP"
    MASTER = "MASTER"
    FAULT = "FAULT"
    STOP = "STOP"


class FsmError(RuntimeError):
    """An event reached a state that has no handler for it (a bug in the caller)."""


# --------------------------------------------------------------------------- parameters


@dataclass(frozen=True, slots=True)
class Tracker:
    """A tracked object (interface, script, file...) and how it moves the instance.

    ``weight`` 0: failure means FAULT. ``weight`` > 0: added while up. ``weight`` < 0:
    added while down. ``reverse`` swaps up and down first (keepalived's ``reverse``).
    """

    name: str
    weight: int = 0
    reverse: bool = False


@dataclass(frozen=True, slots=True)
class InstanceParams:
    """What the state machine needs of a ``vrrp_instance``, defaults already applied."""

    name: str
    vrid: int
    priority: int = 100
    advert_int: float = 1.0
    version: int = 2
    initial_state: State = State.BACKUP
    nopreempt: bool = False
    preempt_delay: float = 0.0
    #: Our address in adverts' IP source; breaks priority ties (higher address wins).
    primary_ip: IPAddress = ipaddress.IPv4Address("0.0.0.0")
    garp_master_delay: float = 5.0
    garp_master_repeat: int = 5
    down_timer_adverts: int = 3
    trackers: tuple[Tracker, ...] = ()

    @property
    def preempt(self) -> bool:
        """Whether a higher-priority backup may take over (nopreempt needs state BACKUP)."""
        return not self.nopreempt or self.initial_state == State.MASTER


# --------------------------------------------------------------------------- events


@dataclass(frozen=True, slots=True)
class Startup:
    """The instance is configured and its sockets are open.

    ``resume_master``: a restarted VRRP child whose previous incarnation was MASTER and
    left the VIPs in place takes the role back at once instead of waiting a master-down
    interval, so a watchdog restart does not move the VIPs (kaconfd extension).
    """

    resume_master: bool = False


@dataclass(frozen=True, slots=True)
class Shutdown:
    """The daemon stops (SIGTERM) or the instance is removed by a reload."""


@dataclass(frozen=True, slots=True)
class AdvertReceived:
    """A validated advertisement for this instance (see :func:`..packet.validate`)."""

    src: IPAddress
    priority: int
    advert_int: float


@dataclass(frozen=True, slots=True)
class TimerFired:
    """A timer armed by :class:`SetTimer` expired."""

    name: str


@dataclass(frozen=True, slots=True)
class TrackUpdate:
    """A tracked object changed: ``up`` is its raw state, before ``reverse``."""

    name: str
    up: bool


Event = Startup | Shutdown | AdvertReceived | TimerFired | TrackUpdate

# --------------------------------------------------------------------------- actions


@dataclass(frozen=True, slots=True)
class SendAdvert:
    """Send one advertisement with this priority (0 = "master stopping")."""

    priority: int


@dataclass(frozen=True, slots=True)
class AddVips:
    """Install the instance's virtual addresses."""


@dataclass(frozen=True, slots=True)
class RemoveVips:
    """Remove the instance's virtual addresses."""


@dataclass(frozen=True, slots=True)
class SendGarp:
    """Send ``count`` gratuitous ARPs / unsolicited NAs for every VIP, ``delay`` s from now."""

    count: int
    delay: float


@dataclass(frozen=True, slots=True)
class RunNotify:
    """Run the notify scripts for entering ``state`` (notify_<state> and notify)."""

    state: State
    priority: int


@dataclass(frozen=True, slots=True)
class SetTimer:
    """Arm timer ``name`` to fire at absolute time ``at``; ``at`` None cancels it."""

    name: str
    at: float | None


@dataclass(frozen=True, slots=True)
class Log:
    """A log line, worded like keepalived's so existing log alerts keep matching."""

    message: str
    warning: bool = False


Action = SendAdvert | AddVips | RemoveVips | SendGarp | RunNotify | SetTimer | Log


# --------------------------------------------------------------------------- the machine


@dataclass
class VrrpFsm:
    """State of one VRRP instance; feed it events with :meth:`handle`."""

    params: InstanceParams
    state: State = State.INIT
    #: Interval the current master advertises (v3 backups adopt it, RFC 5798 §6.4.2).
    master_adver_int: float = 0.0
    timers: dict[str, float] = field(default_factory=dict)
    #: Raw up/down of each tracker, by name; unknown trackers count as up.
    track_up: dict[str, bool] = field(default_factory=dict)
    preempt_until: float | None = None

    def __post_init__(self) -> None:
        if not self.master_adver_int:
            self.master_adver_int = self.params.advert_int

    # ---------------------------------------------------------------- derived values

    @property
    def effective_priority(self) -> int:
        """Base priority plus the weights of the trackers that currently apply."""
        base = self.params.priority
        if base >= 255:
            return base
        total = base
        for t in self.params.trackers:
            ok = self.track_up.get(t.name, True) != t.reverse
            if t.weight > 0 and ok:
                total += t.weight
            elif t.weight < 0 and not ok:
                total += t.weight
        return max(1, min(254, total))

    @property
    def faulty(self) -> bool:
        """Whether a weight-0 tracker is down."""
        return any(t.weight == 0 and self.track_up.get(t.name, True) == t.reverse
                   for t in self.params.trackers)

    def skew_time(self) -> float:
        """Skew_Time: v2 (256-prio)/256 s; v3 scaled by the master's advert interval."""
        prio = self.effective_priority
        if self.params.version == 3:
            return ((256 - prio) * self.master_adver_int) / 256
        return (256 - prio) / 256

    def master_down_interval(self) -> float:
        """Master_Down_Interval: down_timer_adverts x the master's interval, plus skew."""
        return self.params.down_timer_adverts * self.master_adver_int + self.skew_time()

    def _tag(self, text: str) -> Log:
        return Log(f"({self.params.name}) {text}")

    # ---------------------------------------------------------------- entry point

    def handle(self, event: Event, now: float) -> list[Action]:
        """Process ``event`` at time ``now``; returns the actions to execute, in order."""
        if isinstance(event, TimerFired):
            deadline = self.timers.get(event.name)
            if deadline is None or now + _TIMER_SLACK < deadline:
                return []  # cancelled or re-armed since: a stale callback
            del self.timers[event.name]
        handler = _HANDLERS.get((self.state, type(event)))
        if handler is None:
            raise FsmError(f"{self.params.name}: no transition for {type(event).__name__} "
                           f"in state {self.state.value}")
        return handler(self, event, now)

    # ---------------------------------------------------------------- helpers

    def _set(self, name: str, at: float | None) -> SetTimer:
        if at is None:
            self.timers.pop(name, None)
        else:
            self.timers[name] = at
        return SetTimer(name, at)

    def _cancel_all(self) -> list[Action]:
        return [self._set(name, None) for name in sorted(self.timers)]

    def _become_master(self, now: float) -> list[Action]:
        self.state = State.MASTER
        self.preempt_until = None
        prio = self.effective_priority
        p = self.params
        return [
            self._tag("Entering MASTER STATE"),
            self._set(MASTER_DOWN_TIMER, None),
            self._tag("setting VIPs."),
            AddVips(),
            SendAdvert(prio),
            SendGarp(p.garp_master_repeat, 0.0),
            SendGarp(p.garp_master_repeat, p.garp_master_delay),
            RunNotify(State.MASTER, prio),
            self._set(ADVER_TIMER, now + p.advert_int),
        ]

    def _become_backup(self, now: float, *, init: bool = False,
                       master_adver_int: float | None = None) -> list[Action]:
        was_master = self.state == State.MASTER
        self.state = State.BACKUP
        self.master_adver_int = self.params.advert_int
        if master_adver_int and self.params.version == 3:
            self.master_adver_int = master_adver_int
        actions: list[Action] = [self._tag("Entering BACKUP STATE" + (" (init)" if init else ""))]
        if was_master:
            actions += [self._set(ADVER_TIMER, None), self._tag("removing VIPs."), RemoveVips()]
        actions.append(RunNotify(State.BACKUP, self.effective_priority))
        actions.append(self._set(MASTER_DOWN_TIMER, now + self._initial_down(init)))
        return actions

    def _initial_down(self, init: bool) -> float:
        p = self.params
        if init and p.priority >= 255 and p.initial_state == State.MASTER:
            return p.advert_int + self.skew_time()
        return self.master_down_interval()

    def _become_fault(self, now: float) -> list[Action]:
        actions: list[Action] = []
        if self.state == State.MASTER:
            actions += [SendAdvert(0), self._tag("sent 0 priority"),
                        self._tag("removing VIPs."), RemoveVips()]
        self.state = State.FAULT
        actions[:0] = [self._tag("Entering FAULT STATE")]
        actions += self._cancel_all()
        actions.append(RunNotify(State.FAULT, self.effective_priority))
        return actions

    def _reset_down_timer(self, now: float) -> SetTimer:
        return self._set(MASTER_DOWN_TIMER, now + self.master_down_interval())

    def _may_preempt(self, now: float) -> bool:
        """Guard: a backup that out-prioritises the master may let its down timer run out."""
        p = self.params
        if not p.preempt:
            return False
        if p.preempt_delay > 0:
            if self.preempt_until is None:
                self.preempt_until = now + p.preempt_delay
            if now < self.preempt_until:
                return False
        return True


# --------------------------------------------------------------------------- handlers
# Named after (state, event); each returns the actions for that transition.

def _init_startup(fsm: VrrpFsm, ev: Startup, now: float) -> list[Action]:
    p = fsm.params
    actions: list[Action] = []
    if p.nopreempt and p.initial_state == State.MASTER:
        actions.append(Log(f"({p.name}) Warning - nopreempt will not work with initial state "
                           "MASTER - clearing", warning=True))
    if p.preempt_delay > 0:
        fsm.preempt_until = now + p.preempt_delay
    if fsm.faulty:
        return actions + fsm._become_fault(now)
    if ev.resume_master:
        fsm.state = State.MASTER
        prio = fsm.effective_priority
        return actions + [fsm._tag("Entering MASTER STATE (resumed after child restart)"),
                          AddVips(), SendAdvert(prio),
                          SendGarp(p.garp_master_repeat, 0.0),
                          fsm._set(ADVER_TIMER, now + p.advert_int)]
    # Like keepalived: VIPs left over by an unclean stop must not linger on a backup.
    actions += [fsm._tag("removing VIPs."), RemoveVips()]
    return actions + fsm._become_backup(now, init=True)


def _backup_advert(fsm: VrrpFsm, ev: AdvertReceived, now: float) -> list[Action]:
    if ev.priority == 0:
        # RFC 3768 §6.4.2: the master is stopping, take over after Skew_Time only.
        return [fsm._tag("Backup received priority 0 advertisement"),
                fsm._set(MASTER_DOWN_TIMER, now + fsm.skew_time())]
    if fsm.params.version == 3:
        fsm.master_adver_int = ev.advert_int
    if ev.priority >= fsm.effective_priority:
        if fsm.preempt_until is not None and now >= fsm.preempt_until:
            fsm.preempt_until = None  # the next lower-priority master starts a new delay
        return [fsm._reset_down_timer(now)]
    if not fsm._may_preempt(now):
        return [fsm._reset_down_timer(now)]
    # A lower-priority master and we may preempt: discard, the down timer runs out.
    return [fsm._tag(f"received lower priority ({ev.priority}) advert from {ev.src} "
                     "- discarding")]


def _backup_down_timer(fsm: VrrpFsm, ev: TimerFired, now: float) -> list[Action]:
    if ev.name != MASTER_DOWN_TIMER:
        return []
    return [fsm._tag("Receive advertisement timeout")] + fsm._become_master(now)


def _master_advert(fsm: VrrpFsm, ev: AdvertReceived, now: float) -> list[Action]:
    ours = fsm.effective_priority
    if ev.priority == 0:
        # Somebody else stopped being master: reassert at once (RFC 5798 §6.4.3).
        return [SendAdvert(ours), fsm._set(ADVER_TIMER, now + fsm.params.advert_int)]
    if ev.priority > ours or (ev.priority == ours and int(ev.src) > int(fsm.params.primary_ip)):
        actions: list[Action] = [fsm._tag(
            f"Master received advert from {ev.src} with higher priority {ev.priority}, "
            f"ours {ours}")]
        return actions + fsm._become_backup(now, master_adver_int=ev.advert_int)
    return [fsm._tag(f"Master received advert from {ev.src} with lower priority "
                     f"{ev.priority}, ours {ours}, forcing new election"),
            SendAdvert(ours), fsm._set(ADVER_TIMER, now + fsm.params.advert_int)]


def _master_timer(fsm: VrrpFsm, ev: TimerFired, now: float) -> list[Action]:
    if ev.name != ADVER_TIMER:
        return []
    return [SendAdvert(fsm.effective_priority),
            fsm._set(ADVER_TIMER, now + fsm.params.advert_int)]


def _running_shutdown(fsm: VrrpFsm, ev: Shutdown, now: float) -> list[Action]:
    actions: list[Action] = []
    if fsm.state == State.MASTER:
        actions += [SendAdvert(0), fsm._tag("sent 0 priority"),
                    fsm._tag("removing VIPs."), RemoveVips()]
    actions += fsm._cancel_all()
    fsm.state = State.STOP
    actions.append(RunNotify(State.STOP, fsm.effective_priority))
    return actions


def _init_shutdown(fsm: VrrpFsm, ev: Shutdown, now: float) -> list[Action]:
    fsm.state = State.STOP
    return []


def _running_track(fsm: VrrpFsm, ev: TrackUpdate, now: float) -> list[Action]:
    before = fsm.effective_priority
    fsm.track_up[ev.name] = ev.up
    if fsm.faulty:
        return fsm._become_fault(now)
    after = fsm.effective_priority
    if after == before:
        return []
    actions: list[Action] = [fsm._tag(f"Changing effective priority from {before} to {after}")]
    if fsm.state == State.MASTER:
        # Tell the backups now: a lower priority may let one of them preempt.
        actions += [SendAdvert(after), fsm._set(ADVER_TIMER, now + fsm.params.advert_int)]
    return actions


def _fault_track(fsm: VrrpFsm, ev: TrackUpdate, now: float) -> list[Action]:
    fsm.track_up[ev.name] = ev.up
    if fsm.faulty:
        return []
    return [fsm._tag("Leaving FAULT state")] + fsm._become_backup(now)


def _init_track(fsm: VrrpFsm, ev: TrackUpdate, now: float) -> list[Action]:
    fsm.track_up[ev.name] = ev.up
    return []


def _ignore(fsm: VrrpFsm, ev: Event, now: float) -> list[Action]:
    return []


_Handler = Callable[[VrrpFsm, Any, float], list[Action]]
_HANDLERS: dict[tuple[State, type], _Handler] = {
    (State.INIT, Startup): _init_startup,
    (State.INIT, Shutdown): _init_shutdown,
    (State.INIT, TrackUpdate): _init_track,
    (State.INIT, AdvertReceived): _ignore,
    (State.BACKUP, AdvertReceived): _backup_advert,
    (State.BACKUP, TimerFired): _backup_down_timer,
    (State.BACKUP, TrackUpdate): _running_track,
    (State.BACKUP, Shutdown): _running_shutdown,
    (State.MASTER, AdvertReceived): _master_advert,
    (State.MASTER, TimerFired): _master_timer,
    (State.MASTER, TrackUpdate): _running_track,
    (State.MASTER, Shutdown): _running_shutdown,
    (State.FAULT, AdvertReceived): _ignore,
    (State.FAULT, TimerFired): _ignore,
    (State.FAULT, TrackUpdate): _fault_track,
    (State.FAULT, Shutdown): _running_shutdown,
    (State.STOP, AdvertReceived): _ignore,
    (State.STOP, TimerFired): _ignore,
    (State.STOP, TrackUpdate): _ignore,
    (State.STOP, Shutdown): _ignore,
}
