"""The vocabulary of the VRRP state machine: the events it takes, the actions it returns.

Why a module of its own: the I/O layer (:mod:`.runner`, :mod:`.syncunits`), the sync
group coordinator (:mod:`.sync`) and the machine (:mod:`.fsm`) all speak it, and none
of them needs the others' internals to do so. Events and actions are frozen values:
they can be compared in tests and queued without copying.

Timers are named (:data:`ADVER_TIMER`, :data:`MASTER_DOWN_TIMER`,
:data:`GARP_REFRESH_TIMER`); :class:`SetTimer` arms one at an absolute time or cancels
it, and the I/O layer feeds :class:`TimerFired` back.
"""

from __future__ import annotations

from dataclasses import dataclass

from .params import IPAddress, State

ADVER_TIMER = "adver"
MASTER_DOWN_TIMER = "master_down"
GARP_REFRESH_TIMER = "garp_refresh"


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
    #: ``auth_type AH``: the advert's AH sequence number (see :class:`SyncAhSeq`)
    ah_seq: int | None = None


@dataclass(frozen=True, slots=True)
class TimerFired:
    """A timer armed by :class:`SetTimer` expired."""

    name: str


@dataclass(frozen=True, slots=True)
class TrackUpdate:
    """A tracked object changed: ``up`` is its raw state, before ``reverse``.

    VALUE trackers (files) carry ``value`` instead; ``up`` is then ignored.
    """

    name: str
    up: bool | None = True
    value: int | None = None


@dataclass(frozen=True, slots=True)
class SourceAddress:
    """The instance's source address changed (see :mod:`.ifaddrs`): ``src`` None means
    its interface has no address left to advertise from, which keeps it in FAULT until
    one comes (keepalived's ``down_instance`` / ``try_up_instance``)."""

    src: IPAddress | None


@dataclass(frozen=True, slots=True)
class SyncFault:
    """The sync group is in FAULT because of another member (or one still starting).

    ``silent``: the group is only waiting for a member's first script result, which
    keepalived does without running notify scripts.
    """

    silent: bool = False


@dataclass(frozen=True, slots=True)
class SyncBackup:
    """The sync group goes BACKUP: a master steps down, a held member leaves FAULT."""


@dataclass(frozen=True, slots=True)
class SyncMaster:
    """The sync group goes MASTER: every member becomes MASTER now."""


Event = (Startup | Shutdown | AdvertReceived | TimerFired | TrackUpdate | SourceAddress
         | SyncFault | SyncBackup | SyncMaster)


def describe(event: Event) -> str:
    """Why a state changed, in words, for ``kaconf status`` (the event that changed it)."""
    if isinstance(event, AdvertReceived):
        return f"advert from {event.src} with priority {event.priority}"
    if isinstance(event, TimerFired):
        return {MASTER_DOWN_TIMER: "master down timer expired"}.get(
            event.name, f"{event.name} timer")
    if isinstance(event, TrackUpdate):
        if event.value is not None:
            return f"{event.name} value {event.value}"
        return f"{event.name} {'up' if event.up else 'down'}"
    if isinstance(event, SourceAddress):
        return f"source address {event.src}" if event.src is not None else "no source address"
    if isinstance(event, Startup):
        return "resumed as master after child restart" if event.resume_master else "start-up"
    if isinstance(event, Shutdown):
        return "stopping"
    if isinstance(event, SyncFault):
        return "sync group fault"
    if isinstance(event, SyncBackup):
        return "sync group to backup"
    return "sync group to master"



@dataclass(frozen=True, slots=True)
class SendAdvert:
    """Send one advertisement with this priority (0 = "master stopping").

    ``counted``: whether a priority-0 advert counts in keepalived's "Priority Zero
    Packets Sent" (a MASTER leaving for a fault of its own sends two and counts one).
    """

    priority: int
    counted: bool = True


@dataclass(frozen=True, slots=True)
class AddVips:
    """Install the instance's virtual addresses."""


@dataclass(frozen=True, slots=True)
class RemoveVips:
    """Remove the instance's virtual addresses."""


@dataclass(frozen=True, slots=True)
class SendGarp:
    """Send ``count`` gratuitous ARPs / unsolicited NAs for every VIP, ``delay`` s from now.

    ``lower_prio``: sent because a lower-priority advert was heard; a sync group repeats
    it for its other masters.
    """

    count: int
    delay: float
    lower_prio: bool = False


@dataclass(frozen=True, slots=True)
class RunNotify:
    """Run the notify scripts for entering ``state`` (notify_<state> and notify)."""

    state: State
    priority: int


@dataclass(frozen=True, slots=True)
class RunLowerPriorityNotify:
    """A MASTER heard a lower-priority advert: ``notify_master_rx_lower_pri`` and a FIFO line.

    keepalived runs that script (as configured, no arguments added) every time, so a
    master can take back what a peer that briefly thought itself master took over.
    """

    priority: int


@dataclass(frozen=True, slots=True)
class SyncAhSeq:
    """``auth_type AH``: a MASTER heard a lower priority; number its adverts past ``seq``.

    keepalived does so before answering that advert (see :class:`~.ah.SeqCounter`).
    """

    seq: int


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


@dataclass(frozen=True, slots=True)
class RequestMaster:
    """A sync-group member's down timer expired: it wants MASTER if the group agrees."""


Action = (SendAdvert | AddVips | RemoveVips | SendGarp | RunNotify | RunLowerPriorityNotify
          | SetTimer | Log | RequestMaster | SyncAhSeq)
