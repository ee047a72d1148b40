"""``vrrp_sync_group``, sans-I/O: the members of a group change state together.

Theory of operation
-------------------
A :class:`SyncGroupFsm` owns the :class:`~.fsm.VrrpFsm` of each member. Every event
for a member goes through :meth:`SyncGroupFsm.handle`, which lets the member's machine
decide first and then applies keepalived 2.2's group rules to the others, returning
the actions of every machine tagged with the member they belong to (``None`` for the
group itself: its log lines and :class:`RunGroupNotify`). Like :mod:`.fsm` it never
reads a clock and does no I/O, so the rules are tested on a fake clock.

Why a coordinator rather than members messaging each other: the rules need a
consistent view of all members at once ("does everybody want MASTER?"), and deciding
everything in one call keeps the order of the log lines what keepalived prints.

The rules (keepalived's ``vrrp_sync.c`` / ``vrrp_scheduler.c``):

* one member in FAULT (its own tracker) -> ``VRRP_Group(G) Syncing instances to FAULT
  state``: the others go FAULT (a master sends priority 0 and drops its VIPs); when no
  member is faulty any more -> ``Syncing instances to BACKUP state``;
* a member whose master-down timer expires only *wants* MASTER (:class:`~.fsm.RequestMaster`);
  the group goes MASTER when every other member wants it too, or when the group already
  is MASTER: the requester first, then ``Syncing instances to MASTER state`` and the
  others. So a group takes over only when all its members lost their master;
* a member that steps down from MASTER (higher priority heard) -> ``Syncing instances
  to BACKUP state``: the other masters step down too;
* a weight-0 script that has not finished its first run holds the whole group in FAULT
  silently (no notify), as keepalived's group INIT state does;
* group notify scripts (``notify_master`` ...; ``notify`` gets ``GROUP <name> <STATE>
  0``) run when the group's state changes, and once at start-up (BACKUP or FAULT), and
  for STOP when every member has stopped;
* a master hearing a lower priority sends its lower-priority gratuitous ARPs for the
  group's other masters too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .fsm import (
    Action,
    AdvertReceived,
    Event,
    Log,
    RequestMaster,
    SendAdvert,
    SendGarp,
    SetTimer,
    State,
    SyncBackup,
    SyncFault,
    SyncMaster,
    VrrpFsm,
)


@dataclass(frozen=True, slots=True)
class RunGroupNotify:
    """Run the group's notify scripts for ``state`` (notify_<state> and notify)."""

    state: State


GroupAction = Action | RunGroupNotify
#: An action and the member it belongs to; ``None`` for the group's own actions.
Tagged = tuple[str | None, GroupAction]


@dataclass
class SyncGroupFsm:
    """The members of one sync group, moved together (see the module docstring)."""

    name: str
    members: dict[str, VrrpFsm]
    state: State = State.INIT
    #: Whether the start-up phase is over (every member started once).
    settled: bool = field(default=False)

    def _log(self, text: str) -> Tagged:
        return (None, Log(f"VRRP_Group({self.name}) {text}"))

    def _feed(self, member: str, event: Event, now: float) -> list[Tagged]:
        return [(member, a) for a in self.members[member].handle(event, now)]

    # ---------------------------------------------------------------- entry point

    def handle(self, member: str, event: Event, now: float) -> list[Tagged]:
        """Process ``event`` for ``member`` at ``now``; actions of every member, in order."""
        fsm = self.members[member]
        before = fsm.state
        produced = self._feed(member, event, now)
        requested = any(isinstance(a, RequestMaster) for _, a in produced)
        out: list[Tagged] = [(m, a) for m, a in produced if not isinstance(a, RequestMaster)]
        if requested and fsm.state is State.BACKUP and self._may_go_master(member):
            out += self._sync_master(member, now)
        elif (before is State.MASTER and fsm.state is State.BACKUP
              and self.state is State.MASTER):
            out += self._sync_backup(now, exclude=member)
        out += self._lower_prio_garps(member, produced)
        out += self._reconcile(now)
        return out

    def fast_advert_received(self, member: str, ev: AdvertReceived,
                             now: float) -> SetTimer | None:
        """:meth:`VrrpFsm.fast_advert_received` for a member when the group rules cannot act.

        A settled BACKUP or MASTER group none of whose members is starting, stopping,
        faulty or waiting for a script has nothing to reconcile after a routine advert,
        so the member's fast path is the whole of :meth:`handle`. Otherwise None.
        """
        if not self._steady():
            return None
        return self.members[member].fast_advert_received(ev, now)

    def fast_advert_timer_fired(self, member: str,
                                now: float) -> tuple[SendAdvert, SetTimer] | None:
        """:meth:`VrrpFsm.fast_advert_timer_fired` for a member when the group rules cannot act."""
        if not self._steady():
            return None
        return self.members[member].fast_advert_timer_fired(now)

    def _steady(self) -> bool:
        """Whether :meth:`_reconcile` has nothing to do (see :meth:`fast_advert_received`)."""
        if not self.settled or self.state not in (State.BACKUP, State.MASTER):
            return False
        return not any(f.state in (State.INIT, State.STOP) or f.faulty or f.pending
                       for f in self.members.values())

    # ---------------------------------------------------------------- rules

    def _may_go_master(self, member: str) -> bool:
        """keepalived prefers BACKUP to thrashing: MASTER only if every member wants it."""
        if self.state is State.MASTER:
            return True
        if self.state is not State.BACKUP:
            return False
        return all(other.want_master for name, other in self.members.items()
                   if name != member and other.state is not State.MASTER)

    def _sync_master(self, requester: str, now: float) -> list[Tagged]:
        out = self._feed(requester, SyncMaster(), now)
        if self.state is State.MASTER:
            return out
        out.append(self._log("Syncing instances to MASTER state"))
        for name, other in self.members.items():
            if name != requester and other.state is State.BACKUP:
                out += self._feed(name, SyncMaster(), now)
        self.state = State.MASTER
        out.append((None, RunGroupNotify(State.MASTER)))
        return out

    def _sync_backup(self, now: float, exclude: str | None = None) -> list[Tagged]:
        out = [self._log("Syncing instances to BACKUP state")]
        for name, other in self.members.items():
            if name != exclude and other.state in (State.MASTER, State.FAULT):
                out += self._feed(name, SyncBackup(), now)
        self.state = State.BACKUP
        out.append((None, RunGroupNotify(State.BACKUP)))
        return out

    def _lower_prio_garps(self, member: str, produced: list[Tagged]) -> list[Tagged]:
        if not any(isinstance(a, SendGarp) and a.lower_prio for _, a in produced):
            return []
        out: list[Tagged] = []
        for name, other in self.members.items():
            p = other.params
            if name == member or other.state is not State.MASTER or p.garp_lower_prio_repeat <= 0:
                continue
            out.append((name, SendGarp(p.garp_lower_prio_repeat, 0.0, lower_prio=True)))
            if p.garp_lower_prio_delay > 0:
                out.append((name, SendGarp(p.garp_lower_prio_repeat, p.garp_lower_prio_delay,
                                           lower_prio=True)))
        return out

    def _reconcile(self, now: float) -> list[Tagged]:
        """Bring the group state in line with its members after any change."""
        fsms = self.members
        if self.state is State.STOP:
            return []
        if all(f.state is State.STOP for f in fsms.values()):
            self.state = State.STOP
            return [(None, RunGroupNotify(State.STOP))]
        if any(f.state is State.STOP for f in fsms.values()):
            return []  # stopping one member after the other: nothing to synchronise
        fault = any(f.faulty for f in fsms.values())
        # A member resumed MASTER after a child restart keeps its VIPs until its first
        # script result: only members held in FAULT wait for theirs.
        pending = any(f.pending and f.state is State.FAULT for f in fsms.values())
        starting = any(f.state is State.INIT for f in fsms.values())
        out: list[Tagged] = []
        if fault or pending:
            silent = not fault
            entering = fault and self.state is not State.FAULT
            if entering and self.settled:
                out.append(self._log("Syncing instances to FAULT state"))
            for name, f in fsms.items():
                if f.faulty or (f.pending and f.state is State.FAULT):
                    continue  # in FAULT by itself already
                if not f.sync_hold or (f.sync_hold_silent and not silent
                                       and f.state is State.INIT):
                    out += self._feed(name, SyncFault(silent=silent), now)
            if starting:
                return out
            was_settled, self.settled = self.settled, True
            if entering:
                self.state = State.FAULT
                out.append((None, RunGroupNotify(State.FAULT)))
            elif not fault and not was_settled:
                self.state = State.INIT  # waiting for a first script result
            return out
        if starting:
            return out
        if not self.settled:
            self.settled = True
            if any(f.state is State.MASTER for f in fsms.values()):
                # Members resumed MASTER after a child restart: the group stays MASTER.
                self.state = State.MASTER
                for name, f in fsms.items():
                    if f.state is State.BACKUP:
                        out += self._feed(name, SyncMaster(), now)
                return out
            if any(f.state is State.FAULT for f in fsms.values()):
                return out + self._sync_backup(now)  # only held by the group: release
            self.state = State.BACKUP
            return out + [(None, RunGroupNotify(State.BACKUP))]
        if self.state in (State.FAULT, State.INIT):
            return out + self._sync_backup(now)
        return out
