"""The VRRP state machine of one instance, sans-I/O: events in, actions out.

Theory of operation
-------------------
:meth:`VrrpFsm.handle` takes an event and the current time (``now``, seconds of any
monotonic clock) and returns the list of :data:`Action` the I/O layer must execute, in
order. The FSM never reads a clock, opens a socket or starts a process, so every
protocol decision can be tested with a fake clock (``tests/unit/vrrp/test_vrrp_fsm.py``).

The events and actions are defined in :mod:`.events`, the parameters and the priority
and timer maths in :mod:`.params`; both are re-exported here.

Rule 1: everything that decides a state change lives in this file, in the handlers of
:data:`_HANDLERS` (one per (state, event type)); an event a state has no handler for
raises :class:`FsmError`, because silently ignoring one hides bugs.

Timers are named (``"adver"``, ``"master_down"``). :class:`SetTimer` arms (``at`` is an
absolute time) or cancels (``at`` is None) one; the I/O layer keeps one pending timer
per name and feeds :class:`TimerFired` back. The FSM remembers the deadlines it set and
ignores a :class:`TimerFired` that is early or for a timer it cancelled, so a callback
that raced with a cancellation is harmless.

Semantics follow keepalived 2.2 where it refines the RFCs:

* an address owner (priority 255) with ``state MASTER`` (outside a sync group) becomes
  MASTER at start-up, as keepalived's ``vrrp_init_state`` does; every other instance
  starts in BACKUP: an owner in a sync group waits one advert interval + skew,
  everybody else ``down_timer_adverts`` (3) intervals + skew;
* ``nopreempt`` is ignored with ``state MASTER`` (keepalived clears it with a warning);
* ``preempt_delay``: a backup that could preempt waits that long after start-up or after
  first seeing a lower-priority master;
* a master that receives a lower-priority advert answers at once with its own advert
  ("forcing new election") instead of silently discarding it;
* tracking (the maths is in :mod:`.params`): a failed weight-0 object means FAULT, a
  weighted one moves the effective priority; a weight-0 object whose state is not known
  yet (a ``vrrp_script`` still on its first run) holds the instance in FAULT without
  notifying ("init"), as keepalived's ``num_script_init`` does;
* an instance without a source address (its interface has none of its family, see
  :mod:`.ifaddrs`) is in FAULT as if a weight-0 object had failed; a
  :class:`SourceAddress` event gives it one (it leaves FAULT) or takes it away;
* a master hearing a lower priority also sends ``garp_lower_prio_repeat`` gratuitous
  ARPs (and again ``garp_lower_prio_delay`` later); ``garp_master_refresh`` re-sends
  ``garp_master_refresh_repeat`` of them periodically while MASTER.

Sync groups: an instance with ``sync_group`` set never decides alone to become MASTER or
to leave FAULT. When its master-down timer expires it wants MASTER, re-arms the timer
and returns :class:`RequestMaster`; in FAULT it stays there after its trackers recover.
The group's coordinator (:mod:`.sync`) answers with the ``Sync*`` events.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from .events import (
    ADVER_TIMER,
    GARP_REFRESH_TIMER,
    MASTER_DOWN_TIMER,
    Action,
    AddVips,
    AdvertReceived,
    Event,
    Log,
    RemoveVips,
    RequestMaster,
    RunLowerPriorityNotify,
    RunNotify,
    SendAdvert,
    SendGarp,
    SetTimer,
    Shutdown,
    SourceAddress,
    Startup,
    SyncAhSeq,
    SyncBackup,
    SyncFault,
    SyncMaster,
    TimerFired,
    TrackUpdate,
)
from .params import (
    InstanceParams,
    IPAddress,
    State,
    Tracker,
    TrackKind,
    effective_priority,
    faulty,
    pending,
    skew_time,
)

# The machine's vocabulary, importable from here as before the split.
__all__ = [
    "ADVER_TIMER", "GARP_REFRESH_TIMER", "MASTER_DOWN_TIMER", "Action", "AddVips",
    "AdvertReceived", "Event", "FsmError", "IPAddress", "InstanceParams", "Log",
    "RemoveVips", "RequestMaster", "RunLowerPriorityNotify", "RunNotify", "SendAdvert",
    "SendGarp", "SetTimer", "Shutdown", "SourceAddress", "Startup", "State", "SyncAhSeq",
    "SyncBackup", "SyncFault", "SyncMaster", "TimerFired", "TrackKind", "TrackUpdate", "Tracker",
    "VrrpFsm",
]

#: A timer firing this much before its deadline still counts (event loops round).
_TIMER_SLACK = 0.002


class FsmError(RuntimeError):
    """An event reached a state that has no handler for it (a bug in the caller)."""


# --------------------------------------------------------------------------- the machine


@dataclass
class VrrpFsm:
    """State of one VRRP instance; feed it events with :meth:`handle`."""

    params: InstanceParams
    state: State = State.INIT
    #: Interval the current master advertises (v3 backups adopt it, RFC 5798 §6.4.2).
    master_adver_int: float = 0.0
    timers: dict[str, float] = field(default_factory=dict)
    #: Raw up/down of each STATE tracker, by name (absent: the tracker's ``initial``).
    track_up: dict[str, bool | None] = field(default_factory=dict)
    #: Last value of each VALUE tracker (tracked files), by name (absent: 0).
    track_value: dict[str, int] = field(default_factory=dict)
    preempt_until: float | None = None
    #: Sync groups: the down timer expired and we would be MASTER if the group agreed.
    want_master: bool = False
    #: Sync groups: held in FAULT by the group, whatever our own trackers say.
    sync_hold: bool = False
    sync_hold_silent: bool = False
    #: Whether the FAULT we are in was announced (notify scripts); an "init" FAULT is not.
    fault_notified: bool = True
    #: ``vrrp_startup_delay``: until this time (the child's start + the delay), a
    #: master-down timer armed now counts from this time instead (keepalived's
    #: ``vrrp_delayed_start_time``): backups wait, an owner starts at once.
    delayed_start: float | None = None
    #: No source address to advertise from (keepalived's ``saddr`` AF_UNSPEC): FAULT.
    no_source: bool = False

    def __post_init__(self) -> None:
        if not self.master_adver_int:
            self.master_adver_int = self.params.advert_int

    # ---------------------------------------------------------------- derived values
    # The maths is in :mod:`.params`; these read it on the machine's current view.

    @property
    def effective_priority(self) -> int:
        """Base priority plus the weights of the trackers that currently apply."""
        return effective_priority(self.params, self.track_up, self.track_value)

    @property
    def faulty(self) -> bool:
        """Whether one of our own trackers puts us in FAULT (weight 0 down, file -254),
        or we have no source address."""
        return self.no_source or faulty(self.params, self.track_up, self.track_value)

    @property
    def pending(self) -> bool:
        """Whether a weight-0 tracker has no state yet (a script still on its first run)."""
        return pending(self.params, self.track_up)

    @property
    def in_sync_group(self) -> bool:
        return self.params.sync_group is not None

    def skew_time(self) -> float:
        """Skew_Time: v2 (256-prio)/256 s; v3 scaled by the master's advert interval."""
        return skew_time(self.params.version, self.effective_priority, self.master_adver_int)

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

    def fast_advert_received(self, ev: AdvertReceived, now: float) -> SetTimer | None:
        """Fast path of :meth:`handle` for the advert a backup hears every interval.

        When ``ev`` only restarts the master-down timer (BACKUP, a master that is not
        stopping, not preempted, no v3 interval change, no preempt_delay running) this
        does what :meth:`handle` would and returns its only action; otherwise it changes
        nothing and returns None, and the caller must call :meth:`handle`. It exists so
        that the I/O layer can skip the event queue for the one event that is most
        frequent; the tests check it agrees with :meth:`handle`.
        """
        if (self.state is not State.BACKUP or ev.priority == 0
                or self.preempt_until is not None
                or (self.params.version == 3 and ev.advert_int != self.master_adver_int)):
            return None
        if ev.priority < self.effective_priority and self.params.preempt:
            return None  # a lower-priority master: handle() decides (logs, may preempt)
        self.want_master = False
        return self._reset_down_timer(now)

    def fast_advert_timer_fired(self, now: float) -> tuple[SendAdvert, SetTimer] | None:
        """Fast path of :meth:`handle` for ``TimerFired(ADVER_TIMER)`` of a MASTER.

        Returns the two actions :meth:`handle` would (send an advert, re-arm the
        timer) and updates the state the same way; None (nothing changed) when the
        machine is not MASTER or the timer is not due, and the caller must call
        :meth:`handle`.
        """
        deadline = self.timers.get(ADVER_TIMER)
        if self.state is not State.MASTER or deadline is None or now + _TIMER_SLACK < deadline:
            return None
        del self.timers[ADVER_TIMER]
        return (SendAdvert(self.effective_priority),
                self._set(ADVER_TIMER, now + self.params.advert_int))

    # ---------------------------------------------------------------- helpers

    def _set(self, name: str, at: float | None) -> SetTimer:
        if at is None:
            self.timers.pop(name, None)
        else:
            self.timers[name] = at
        return SetTimer(name, at)

    def _cancel(self, name: str) -> list[Action]:
        """Cancel ``name`` if it is armed (no action otherwise)."""
        return [self._set(name, None)] if name in self.timers else []

    def _cancel_all(self) -> list[Action]:
        return [self._set(name, None) for name in sorted(self.timers)]

    def _apply(self, ev: TrackUpdate) -> None:
        if ev.value is not None:
            self.track_value[ev.name] = ev.value
        else:
            self.track_up[ev.name] = ev.up

    def _set_source(self, ev: SourceAddress) -> None:
        self.no_source = ev.src is None
        if ev.src is not None and ev.src != self.params.primary_ip:
            self.params = replace(self.params, primary_ip=ev.src)

    def _recovered(self, now: float) -> list[Action]:
        """A FAULT whose own cause is gone: BACKUP, unless something else holds us."""
        if self.faulty or self.pending or self.in_sync_group or self.sync_hold:
            return []  # still waiting, or the group decides when we leave FAULT
        return [self._tag("Leaving FAULT state")] + self._become_backup(now)

    def _become_master(self, now: float) -> list[Action]:
        self.state = State.MASTER
        self.preempt_until = None
        self.want_master = False
        prio = self.effective_priority
        p = self.params
        actions: list[Action] = [
            self._tag("Entering MASTER STATE"),
            self._set(MASTER_DOWN_TIMER, None),
            self._tag("setting VIPs."),
            AddVips(),
            SendAdvert(prio),
            SendGarp(p.garp_master_repeat, 0.0),
            # keepalived: garp_master_delay 0 means no second burst.
            *([SendGarp(p.garp_master_repeat, p.garp_master_delay)]
              if p.garp_master_delay > 0 else []),
            RunNotify(State.MASTER, prio),
            self._set(ADVER_TIMER, now + p.advert_int),
        ]
        if p.garp_refresh > 0:
            actions.append(self._set(GARP_REFRESH_TIMER, now + p.garp_refresh))
        return actions

    def _become_backup(self, now: float, *, init: bool = False,
                       master_adver_int: float | None = None) -> list[Action]:
        was_master = self.state == State.MASTER
        self.state = State.BACKUP
        self.want_master = False
        self.fault_notified = True
        self.master_adver_int = self.params.advert_int
        if master_adver_int and self.params.version == 3:
            self.master_adver_int = master_adver_int
        actions: list[Action] = [self._tag("Entering BACKUP STATE" + (" (init)" if init else ""))]
        if was_master:
            actions += [self._set(ADVER_TIMER, None), *self._cancel(GARP_REFRESH_TIMER),
                        self._tag("removing VIPs."), RemoveVips()]
        actions.append(RunNotify(State.BACKUP, self.effective_priority))
        actions.append(self._set(MASTER_DOWN_TIMER,
                                 self._down_from(now) + self._initial_down(init)))
        return actions

    def _initial_down(self, init: bool) -> float:
        p = self.params
        if init and p.priority >= 255 and p.initial_state == State.MASTER:
            return p.advert_int + self.skew_time()
        return self.master_down_interval()

    def _become_fault(self, now: float, *, notify: bool = True, init: bool = False,
                      own: bool = False) -> list[Action]:
        """FAULT. ``own``: for a fault of the instance's own (a tracker, its interface,
        its address), after which keepalived's MASTER sends priority 0 twice: once leaving
        MASTER, once more (the one it counts and logs) restoring the interface."""
        actions: list[Action] = []
        if self.state == State.MASTER:
            if own:
                actions.append(SendAdvert(0, counted=False))
            actions += [SendAdvert(0), self._tag("sent 0 priority"),
                        self._tag("removing VIPs."), RemoveVips()]
        self.state = State.FAULT
        self.want_master = False
        actions[:0] = [self._tag("Entering FAULT STATE" + (" (init)" if init else ""))]
        actions += self._cancel_all()
        self.fault_notified = notify
        if notify:
            actions.append(RunNotify(State.FAULT, self.effective_priority))
        return actions

    def _down_from(self, now: float) -> float:
        """Where a master-down timer armed at ``now`` starts counting (startup delay)."""
        d = self.delayed_start
        return d if d is not None and now < d else now

    def _reset_down_timer(self, now: float) -> SetTimer:
        return self._set(MASTER_DOWN_TIMER, self._down_from(now) + self.master_down_interval())

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

    def _priority_changed(self, before: int, now: float) -> list[Action]:
        """Log a new effective priority; a backup shifts its down timer by the skew change.

        A master keeps its advert rhythm: the next advert carries the new priority
        (keepalived's vrrp_set_effective_priority sends nothing at once; checked on the
        wire against keepalived 2.2.7).
        """
        after = self.effective_priority
        if after == before:
            return []
        actions: list[Action] = [self._tag(f"Changing effective priority from {before} "
                                           f"to {after}")]
        if self.state == State.BACKUP and MASTER_DOWN_TIMER in self.timers:
            # Like keepalived, move the running timer by the change of Skew_Time.
            old_skew = self._skew_for(before)
            shifted = self.timers[MASTER_DOWN_TIMER] + self.skew_time() - old_skew
            actions.append(self._set(MASTER_DOWN_TIMER, max(now, shifted)))
        return actions

    def _skew_for(self, prio: int) -> float:
        return skew_time(self.params.version, prio, self.master_adver_int)


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
    if fsm.effective_priority != p.priority:
        actions.append(fsm._tag(f"Changing effective priority from {p.priority} to "
                                f"{fsm.effective_priority}"))
    # Like keepalived: VIPs left over by an unclean stop must not linger on a backup.
    cleanup: list[Action] = [fsm._tag("removing VIPs."), RemoveVips()]
    if fsm.faulty or (fsm.sync_hold and not fsm.sync_hold_silent):
        return actions + cleanup + fsm._become_fault(now)
    if ev.resume_master:
        # Checked before "pending": the VIPs stay until a first script result says no.
        fsm.state = State.MASTER
        prio = fsm.effective_priority
        actions += [fsm._tag("Entering MASTER STATE (resumed after child restart)"),
                    AddVips(), SendAdvert(prio), SendGarp(p.garp_master_repeat, 0.0),
                    fsm._set(ADVER_TIMER, now + p.advert_int)]
        if p.garp_refresh > 0:
            actions.append(fsm._set(GARP_REFRESH_TIMER, now + p.garp_refresh))
        return actions
    if fsm.pending or fsm.sync_hold:
        # Waiting for a first script result: FAULT, but nothing to announce yet.
        return actions + cleanup + fsm._become_fault(now, notify=False, init=True)
    if p.priority >= 255 and p.initial_state == State.MASTER and p.sync_group is None:
        # keepalived (vrrp_init_state): an address owner that wants MASTER takes it at
        # once, with no BACKUP state, notify or VIP clean-up before it.
        return actions + fsm._become_master(now)
    return actions + cleanup + fsm._become_backup(now, init=True)


def _backup_advert(fsm: VrrpFsm, ev: AdvertReceived, now: float) -> list[Action]:
    if ev.priority == 0:
        # RFC 3768 §6.4.2: the master is stopping, take over after Skew_Time only.
        return [fsm._tag("Backup received priority 0 advertisement"),
                fsm._set(MASTER_DOWN_TIMER, fsm._down_from(now) + fsm.skew_time())]
    if fsm.params.version == 3:
        fsm.master_adver_int = ev.advert_int
    if ev.priority >= fsm.effective_priority:
        if fsm.preempt_until is not None and now >= fsm.preempt_until:
            fsm.preempt_until = None  # the next lower-priority master starts a new delay
        fsm.want_master = False  # a master is there: a sync group must not follow us
        return [fsm._reset_down_timer(now)]
    if not fsm._may_preempt(now):
        fsm.want_master = False
        return [fsm._reset_down_timer(now)]
    # A lower-priority master and we may preempt: discard, the down timer runs out.
    return [fsm._tag(f"received lower priority ({ev.priority}) advert from {ev.src} "
                     "- discarding")]


def _backup_down_timer(fsm: VrrpFsm, ev: TimerFired, now: float) -> list[Action]:
    if ev.name != MASTER_DOWN_TIMER:
        return []
    actions: list[Action] = [fsm._tag("Receive advertisement timeout")]
    if fsm.in_sync_group:
        # keepalived: wait (timer re-armed) until every member wants MASTER, so that a
        # group never splits; the coordinator answers with SyncMaster when it agrees.
        fsm.want_master = True
        return actions + [fsm._reset_down_timer(now), RequestMaster()]
    return actions + fsm._become_master(now)


def _master_advert(fsm: VrrpFsm, ev: AdvertReceived, now: float) -> list[Action]:
    ours = fsm.effective_priority
    p = fsm.params
    if ev.priority == 0:
        # Somebody else stopped being master: reassert at once (RFC 5798 §6.4.3).
        return [SendAdvert(ours), fsm._set(ADVER_TIMER, now + p.advert_int)]
    if ev.priority > ours or (ev.priority == ours and int(ev.src) > int(p.primary_ip)):
        if ev.priority > ours:
            text = (f"Master received advert from {ev.src} with higher priority "
                    f"{ev.priority}, ours {ours}")
        else:
            text = (f"Master received advert from {ev.src} with same priority "
                    f"{ev.priority} but higher IP address than ours")
        return [fsm._tag(text)] + fsm._become_backup(now, master_adver_int=ev.advert_int)
    suffix = "" if p.lower_prio_no_advert else ", forcing new election"
    actions: list[Action] = [fsm._tag(f"Received advert from {ev.src} with lower priority "
                                      f"{ev.priority}, ours {ours}{suffix}")]
    if ev.ah_seq is not None:
        actions += [fsm._tag("IPSEC-AH : Syncing seq_num - Increment seq"), SyncAhSeq(ev.ah_seq)]
    if not p.lower_prio_no_advert:
        actions += [SendAdvert(ours), fsm._set(ADVER_TIMER, now + p.advert_int)]
    if p.garp_lower_prio_repeat > 0:
        # The other router may have been master meanwhile: win the ARP caches back.
        actions.append(SendGarp(p.garp_lower_prio_repeat, 0.0, lower_prio=True))
        if p.garp_lower_prio_delay > 0:
            actions.append(SendGarp(p.garp_lower_prio_repeat, p.garp_lower_prio_delay,
                                    lower_prio=True))
    actions.append(RunLowerPriorityNotify(ours))
    return actions


def _master_timer(fsm: VrrpFsm, ev: TimerFired, now: float) -> list[Action]:
    p = fsm.params
    if ev.name == GARP_REFRESH_TIMER:
        return [SendGarp(p.garp_refresh_repeat, 0.0),
                fsm._set(GARP_REFRESH_TIMER, now + p.garp_refresh)]
    if ev.name != ADVER_TIMER:
        return []
    return [SendAdvert(fsm.effective_priority), fsm._set(ADVER_TIMER, now + p.advert_int)]


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
    fsm._apply(ev)
    if fsm.faulty:
        return fsm._become_fault(now, own=True)
    return fsm._priority_changed(before, now)


def _fault_track(fsm: VrrpFsm, ev: TrackUpdate, now: float) -> list[Action]:
    before = fsm.effective_priority
    fsm._apply(ev)
    actions = fsm._priority_changed(before, now)
    if fsm.faulty:
        if not fsm.fault_notified:
            # An "init" FAULT turned out to be a real one: announce it now.
            fsm.fault_notified = True
            actions.append(RunNotify(State.FAULT, fsm.effective_priority))
        return actions
    return actions + fsm._recovered(now)


def _running_source(fsm: VrrpFsm, ev: SourceAddress, now: float) -> list[Action]:
    fsm._set_source(ev)
    return fsm._become_fault(now, own=True) if fsm.faulty else []


def _fault_source(fsm: VrrpFsm, ev: SourceAddress, now: float) -> list[Action]:
    fsm._set_source(ev)
    if fsm.faulty and not fsm.fault_notified:
        # An "init" FAULT (a script's first run) that is now a real one: announce it.
        fsm.fault_notified = True
        return [RunNotify(State.FAULT, fsm.effective_priority)]
    return fsm._recovered(now)


def _init_source(fsm: VrrpFsm, ev: SourceAddress, now: float) -> list[Action]:
    fsm._set_source(ev)
    return []


def _init_track(fsm: VrrpFsm, ev: TrackUpdate, now: float) -> list[Action]:
    fsm._apply(ev)
    return []


def _sync_fault(fsm: VrrpFsm, ev: SyncFault, now: float) -> list[Action]:
    fsm.sync_hold = True
    fsm.sync_hold_silent = ev.silent
    if fsm.state in (State.INIT, State.FAULT):
        return []
    return fsm._become_fault(now, notify=not ev.silent)


def _sync_backup(fsm: VrrpFsm, ev: SyncBackup, now: float) -> list[Action]:
    fsm.sync_hold = fsm.sync_hold_silent = False
    if fsm.state == State.MASTER:
        return fsm._become_backup(now)
    if fsm.state == State.FAULT and not fsm.faulty and not fsm.pending:
        return fsm._become_backup(now)
    return []


def _sync_master(fsm: VrrpFsm, ev: SyncMaster, now: float) -> list[Action]:
    fsm.sync_hold = fsm.sync_hold_silent = False
    if fsm.state == State.BACKUP:
        return fsm._become_master(now)
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
_HANDLERS.update({
    (State.INIT, SourceAddress): _init_source,
    (State.BACKUP, SourceAddress): _running_source,
    (State.MASTER, SourceAddress): _running_source,
    (State.FAULT, SourceAddress): _fault_source,
    (State.STOP, SourceAddress): _ignore,
})
for _state in State:
    _HANDLERS[(_state, SyncFault)] = _ignore if _state is State.STOP else _sync_fault
    _HANDLERS[(_state, SyncBackup)] = _ignore if _state is State.STOP else _sync_backup
    _HANDLERS[(_state, SyncMaster)] = _ignore if _state is State.STOP else _sync_master
