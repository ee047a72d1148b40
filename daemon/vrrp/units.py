"""Units: who decides for a running instance, alone or as a ``vrrp_sync_group``.

Theory of operation
-------------------
Decisions are made by a :class:`Unit`: a standalone instance, or a sync group whose
members' machines are coordinated by a :class:`~.sync.SyncGroupFsm`. Everything that
can happen to an instance (an advert arrives, a timer fires, a link goes down, a
tracked script or file changes, the daemon stops) becomes an event on its unit's
queue; one task per unit takes events in order, asks the pure core for actions
(tagged with the member they are for) and executes them through the members'
runners before taking the next event. So no machine sees two events at once, a
group's members change state in one consistent step, and an action that awaits
(netlink, notify scripts) cannot interleave with the next decision.

The two routine events skip the queue when the unit is idle (:meth:`Unit.post`), and
for a master's advert timer and a backup's advert from its master even the general
decision (:meth:`Unit.fast_advert_timer_fired`, :meth:`Unit.fast_advert_received`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..alerts import instance_mail
from .core import UnitCore
from .effects import run_script
from .events import (
    AdvertReceived,
    Event,
    Log,
    SendAdvert,
    SetTimer,
    Shutdown,
    TimerFired,
    describe,
)
from .params import State
from .sync import GroupAction, RunGroupNotify, SyncGroupFsm, Tagged

if TYPE_CHECKING:
    from .child import VrrpChild
    from .config import InstanceConfig, SyncGroupConfig
    from .runner import InstanceRunner

log = logging.getLogger("Keepalived_vrrp")


@dataclass(slots=True)
class _Resume:
    """The rest of an event's actions, from the first one that must be awaited."""

    member: str
    event: Event
    actions: list[Tagged]
    index: int
    before: dict[str, tuple[State, int]]


#: Events a unit may handle in the caller's stack when it is idle (see Unit.post).
_INLINE = (AdvertReceived, TimerFired)


class Unit:
    """One decision-maker: a standalone instance, or a sync group and its members.

    Its task takes ``(member, event)`` pairs in order, lets the pure core decide and
    executes the tagged actions through the members' runners.

    The two frequent events, an advert and a timer, skip the queue when the unit is
    idle (nothing queued, nothing being executed): they are decided and their actions
    executed at once, in the caller's stack. If one of those actions must be awaited
    (VIPs, routes), it and the rest go to the task as a :class:`_Resume`, and the unit
    stays busy until the task is done, so events are still handled one at a time and
    in order.
    """

    def __init__(self, child: VrrpChild, key: str, runners: dict[str, InstanceRunner],
                 group: SyncGroupConfig | None = None) -> None:
        self.child = child
        self.key = key
        self.runners = runners
        self.group_cfg = group
        #: The pure decisions (shared with the simulator), built by :meth:`start`.
        self.core: UnitCore | None = None
        self.queue: asyncio.Queue[tuple[str, Event, float | None] | _Resume | None] = (
            asyncio.Queue())
        self.task: asyncio.Task[None] | None = None
        #: Something is queued or being executed: new events must queue behind it.
        self.busy = True
        #: the group state last mailed (keepalived's ``last_email_state``)
        self.last_email_state: State | None = None
        self.loop = asyncio.get_running_loop()
        for runner in runners.values():
            runner.unit = self

    @property
    def configs(self) -> tuple[tuple[InstanceConfig, ...], SyncGroupConfig | None]:
        """What a reload compares to decide whether this unit can keep running."""
        return tuple(r.cfg for r in self.runners.values()), self.group_cfg

    def post(self, member: str, event: Event, at: float | None = None) -> None:
        """Handle ``event`` for ``member``; ``at``: an advert's arrival, a timer's deadline."""
        for runner in self.runners.values():
            if runner.heard is not None:
                runner.forget_heard(at)
        if self.busy or not isinstance(event, _INLINE):
            self.busy = True
            self.queue.put_nowait((member, event, at))
            return
        self.busy = True
        resume = self._step(member, event, at)
        if resume is not None:
            self.queue.put_nowait(resume)
        elif self.queue.empty():
            self.busy = False

    def fast_advert_received(self, member: str, event: AdvertReceived, at: float,
                       force: bool = False) -> SetTimer | None:
        """The pure core's fast path for a routine advert, if the unit is idle.

        ``force``: a noted advert (see InstanceRunner.flush_heard), handled even while
        events wait in the queue: it arrived before they were posted.
        """
        if (self.busy and not force) or self.core is None or member not in self.core.fsms:
            return None
        return self.core.fast_advert_received(member, event, at)

    def fast_advert_timer_fired(self, member: str,
                                at: float) -> tuple[SendAdvert, SetTimer] | None:
        """The pure core's fast path for a master's advert timer, if the unit is idle."""
        if self.busy or self.core is None or member not in self.core.fsms:
            return None
        return self.core.fast_advert_timer_fired(member, at)

    def start(self) -> None:
        fsms = {name: r.fsm for name, r in self.runners.items() if r.fsm is not None}
        self.core = UnitCore(fsms, self.group_cfg.name if self.group_cfg is not None else None)
        self.task = asyncio.create_task(self._consume(), name=f"vrrp {self.key}")

    async def stop(self) -> None:
        """Shutdown for every member (priority 0 if MASTER, VIPs removed, notify_stop)."""
        if self.task is not None:
            for name in self.runners:
                self.post(name, Shutdown())
            self.queue.put_nowait(None)
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        for runner in self.runners.values():
            runner.close()
            await runner.remove_vmac()

    @property
    def group(self) -> SyncGroupFsm | None:
        """The sync group's coordinator (None: a standalone instance, or not started)."""
        return self.core.group if self.core is not None else None

    def _decide(self, member: str, event: Event, now: float) -> list[Tagged]:
        assert self.core is not None
        return self.core.decide(member, event, now)

    def _now(self, event: Event, at: float | None) -> float:
        """The time the core is told: an advert's arrival, a due timer's deadline."""
        now = self.loop.time()
        if at is None:
            return now
        if isinstance(event, TimerFired):
            return max(at, now)  # a timer slot served early counts as on time
        return min(at, now)

    def _step(self, member: str, event: Event, at: float | None) -> _Resume | None:
        """Decide and execute what needs no awaiting; the rest as a _Resume."""
        runner = self.runners.get(member)
        if runner is None or runner.fsm is None:
            return None
        before = {n: (r.state, r.fsm.effective_priority if r.fsm else 0)
                  for n, r in self.runners.items()}
        try:
            actions = self._decide(member, event, self._now(event, at))
            for index, (target, action) in enumerate(actions):
                if target is None:
                    self._group_action(action)
                elif not self.runners[target].execute_now(action):
                    return _Resume(member, event, actions, index, before)
        except Exception:
            log.exception("(%s) failed handling %s", member, event)
        self._after(member, event, before)
        return None

    async def _resume(self, item: _Resume) -> None:
        try:
            for target, action in item.actions[item.index:]:
                if target is None:
                    self._group_action(action)
                else:
                    await self.runners[target].execute(action)
        except Exception:
            log.exception("(%s) failed handling %s", item.member, item.event)
        self._after(item.member, item.event, item.before)

    def _after(self, member: str, event: Event,
               before: dict[str, tuple[State, int]]) -> None:
        """After an event: state file, priority notifications, receive hold limits."""
        changed = False
        for name, runner in self.runners.items():
            state, prio = before[name]
            if runner.state != state:  # when and why, for kaconf status and the data file
                why = describe(event)
                runner.last_why = why if name == member else f"{member}: {why}"
                runner.last_transition = time.time()
            now_prio = runner.fsm.effective_priority if runner.fsm else prio
            if runner.state != state or now_prio != prio or isinstance(event, AdvertReceived):
                runner.refresh_hold()
            changed = changed or runner.state != state
            if now_prio != prio and runner.cfg.notify_priority_changes and \
                    runner.state in (State.MASTER, State.BACKUP):
                self.child.fifo.write(f'INSTANCE "{name}" {runner.state.value}_PRIORITY '
                                      f"{now_prio}")
        if changed:
            self.child.state_changed()

    async def _consume(self) -> None:
        while True:
            item = await self.queue.get()
            if item is None:
                return
            if isinstance(item, _Resume):
                await self._resume(item)
            else:
                resume = self._step(*item)
                if resume is not None:
                    await self._resume(resume)
            if self.queue.empty():
                self.busy = False

    def _group_action(self, act: GroupAction) -> None:
        if isinstance(act, Log):
            log.log(logging.WARNING if act.warning else logging.INFO, "%s", act.message)
        elif isinstance(act, RunGroupNotify) and self.group_cfg is not None:
            g = self.group_cfg
            specific = {State.MASTER: g.notify_master, State.BACKUP: g.notify_backup,
                        State.FAULT: g.notify_fault, State.STOP: g.notify_stop}.get(act.state)
            if specific:
                self._spawn(run_script(specific))
            if g.notify:
                self._spawn(run_script(g.notify.with_args("GROUP", g.name, act.state.value,
                                                          "0")))
            self.child.fifo.write(f'GROUP "{g.name}" {act.state.value} 0')
            settings = self.child.alerts.settings
            stopping = self.child.stopping is not None and self.child.stopping.is_set()
            if g.smtp_alert and settings is not None and self.last_email_state != act.state \
                    and not stopping:  # keepalived exits before a "Stopping" mail leaves
                mail = instance_mail(settings, g.name, act.state.value, group=True)
                if mail is not None:
                    self.last_email_state = act.state
                    self.child.alerts.send(*mail)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self.child.notifies.add(task)
        task.add_done_callback(self.child.notifies.discard)
