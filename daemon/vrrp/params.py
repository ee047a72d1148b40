"""What the VRRP state machine knows of an instance, and the pure maths on it.

Why apart from :mod:`.fsm`: these are the values the machine decides *with* (states,
parameters with keepalived's defaults applied, tracked objects) and the arithmetic
that turns tracker states into an effective priority, a FAULT or a skew time. They are
plain functions of their arguments, so :class:`~.fsm.VrrpFsm` stays about transitions,
and the rules can be read and tested on their own.

Tracking follows keepalived 2.2:

* an object with weight 0 that fails puts the instance in FAULT; a non-zero weight
  moves the effective priority (base + weights, clamped to 1..254); an owner (base
  255) keeps 255. ``reverse`` works as keepalived's weight multiplier of -1: for a
  weighted object it negates the adjustment (``weight -10 reverse`` adds 10 while the
  object is down), for a weight-0 object it swaps which state is the fault;
* a weight-0 object whose state is not known yet (a ``vrrp_script`` that has not
  finished its first run) is "pending": the machine holds the instance in FAULT
  without notifying, as keepalived's ``num_script_init`` does;
* a tracked file is a value, not a state: ``weight`` w, multiplier m: the adjustment is
  ``value * w * m`` clamped to -254..253, and -254 means FAULT; with weight 0 a non-zero
  value is a FAULT (``reverse``: a zero value).

Like :mod:`.fsm`, pure: no clock, no I/O.
"""

from __future__ import annotations

import enum
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: Raw up/down of STATE trackers by name (absent: the tracker's ``initial``).
TrackStates = Mapping[str, bool | None]
#: Last value of VALUE trackers (tracked files) by name (absent: 0).
TrackValues = Mapping[str, int]


class State(enum.Enum):
    """Instance states, named as keepalived logs them."""

    INIT = "INIT"
    BACKUP = "BACKUP"
    MASTER = "MASTER"
    FAULT = "FAULT"
    STOP = "STOP"



class TrackKind(enum.Enum):
    """How a tracker reports: an up/down state (interface, script) or a number (file)."""

    STATE = "state"
    VALUE = "value"


@dataclass(frozen=True, slots=True)
class Tracker:
    """A tracked object (interface, script, file...) and how it moves the instance.

    ``weight`` 0: failure means FAULT. ``weight`` > 0: added while up. ``weight`` < 0:
    added while down. ``reverse`` is keepalived's multiplier -1: it negates a weight's
    adjustment, and for weight 0 makes "up" the fault. ``initial`` is the state assumed
    before the first :class:`TrackUpdate`: None (unknown) for a script that has not run
    yet, False for one with ``init_fail``. VALUE trackers (files) start at 0.
    """

    name: str
    weight: int = 0
    reverse: bool = False
    kind: TrackKind = TrackKind.STATE
    initial: bool | None = True


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
    #: keepalived defaults: the global garp_master_repeat / garp_master_delay.
    garp_lower_prio_repeat: int = 5
    garp_lower_prio_delay: float = 5.0
    #: 0 disables the periodic refresh (keepalived's default).
    garp_refresh: float = 0.0
    garp_refresh_repeat: int = 1
    #: ``lower_prio_no_advert``: a master does not answer a lower-priority advert.
    lower_prio_no_advert: bool = False
    #: Name of the vrrp_sync_group this instance belongs to (see the module docstring).
    sync_group: str | None = None

    @property
    def preempt(self) -> bool:
        """Whether a higher-priority backup may take over (nopreempt needs state BACKUP)."""
        return not self.nopreempt or self.initial_state == State.MASTER



# --------------------------------------------------------------------------- maths


def clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def file_status(t: Tracker, values: TrackValues) -> int:
    """keepalived's clamped ``value * weight * multiplier`` of a tracked file."""
    mult = -1 if t.reverse else 1
    return clamp(values.get(t.name, 0) * t.weight * mult, -254, 253)


def contribution(t: Tracker, states: TrackStates, values: TrackValues) -> int:
    """How much tracker ``t`` moves the priority now."""
    if t.weight == 0:
        return 0
    if t.kind is TrackKind.VALUE:
        status = file_status(t, values)
        return 0 if status == -254 else status
    up = states.get(t.name, t.initial)
    if up is None:
        return 0  # a script that has not run yet adjusts nothing
    # Weight > 0 applies while up, < 0 while down; reverse negates it.
    if (t.weight > 0) == up:
        return -t.weight if t.reverse else t.weight
    return 0


def tracker_fault(t: Tracker, states: TrackStates, values: TrackValues) -> bool:
    """Whether tracker ``t`` puts the instance in FAULT now."""
    if t.kind is TrackKind.VALUE:
        if t.weight == 0:
            return (values.get(t.name, 0) != 0) != t.reverse
        return file_status(t, values) == -254
    if t.weight != 0:
        return False
    up = states.get(t.name, t.initial)
    return up is not None and up == t.reverse


def effective_priority(params: InstanceParams, states: TrackStates,
                       values: TrackValues) -> int:
    """Base priority plus the weights of the trackers that currently apply."""
    base = params.priority
    if base >= 255:
        return base
    if not params.trackers:  # the common case, on every advert a master sends
        return clamp(base, 1, 254)
    total = base + sum(contribution(t, states, values) for t in params.trackers)
    return clamp(total, 1, 254)


def faulty(params: InstanceParams, states: TrackStates, values: TrackValues) -> bool:
    """Whether one of the trackers puts the instance in FAULT (weight 0 down, file -254)."""
    return any(tracker_fault(t, states, values) for t in params.trackers)


def pending(params: InstanceParams, states: TrackStates) -> bool:
    """Whether a weight-0 tracker has no state yet (a script still on its first run)."""
    return any(t.weight == 0 and t.kind is TrackKind.STATE
               and states.get(t.name, t.initial) is None for t in params.trackers)


def skew_time(version: int, priority: int, master_adver_int: float) -> float:
    """Skew_Time: v2 (256-prio)/256 s; v3 scaled by the master's advert interval."""
    if version == 3:
        return ((256 - priority) * master_adver_int) / 256
    return (256 - priority) / 256
