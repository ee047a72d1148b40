"""Timers of the running instances: lazy deadlines, and slots that serve many at once.

Why not one loop timer per deadline: a node serving hundreds of instances would spend
its idle time arming and cancelling them. Two things keep the wake-ups down, and
neither changes when the state machine is told a timer fired:

* timers are lazy (:class:`InstanceTimers`): a deadline that moves later keeps its
  pending wake-up, which finds the new deadline and re-arms for it (a backup's
  master-down deadline moves at every advert);
* masters' advert timers and backups' master-down checks may be served a little
  early, so they share one loop timer per slot (:class:`SlotTimers`); the FSM is still
  told the timer fired at its deadline. A master-down deadline itself gets an exact
  timer, and that timer reads the socket before it fires, so no backup takes over
  because an advert was still unread. The adverts the kernel queued on the quiet
  socket (:mod:`.quiet`) are read before every slot is served and by that timer.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from .events import ADVER_TIMER, MASTER_DOWN_TIMER, Event, SetTimer, TimerFired

if TYPE_CHECKING:
    from .child import VrrpChild
    from .config import InstanceConfig
    from .io import Heard
    from .receiver import AdvertReceiver
    from .units import Unit

#: Advert timers may fire this share of their interval early (at most ADVER_GRID) so
#: that instances due at nearly the same time are served by one loop wake-up.
ADVER_EARLY_SHARE = 0.05
ADVER_GRID = 0.05
#: Backups check their (lazy) master-down deadlines in slots this wide (at most half
#: an advert interval): only a check, the deadline itself gets an exact timer.
DOWN_CHECK_GRID = 1.0


class SlotTimers:
    """Timers that may be served a little early, grouped: one loop wake-up serves many.

    A timer due at ``at`` that may be served up to ``early`` seconds early goes into slot
    ``floor(at / early) * early`` (served in ``(at - early, at]``); all the timers of a
    slot share one loop timer. Masters' advert timers use it (a node that is MASTER of
    200 instances wakes up a few times per interval, not 200 times), and so do the lazy
    checks of backups' master-down timers (see :meth:`InstanceTimers.slot_due`).
    """

    def __init__(self) -> None:
        self.slots: dict[float, tuple[asyncio.TimerHandle,
                                      dict[tuple[InstanceTimers, str], None]]] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        #: Called before a slot is served: the child reads its quiet sockets (see
        #: .quiet), once for all the checks of the slot, which look at what they noted.
        self.before: Callable[[], object] | None = None

    def add(self, at: float, early: float, runner: InstanceTimers, name: str) -> float:
        """Schedule ``runner.slot_due(name, slot)``; returns the slot (for :meth:`remove`)."""
        slot = math.floor(at / early) * early
        entry = self.slots.get(slot)
        if entry is None:
            if self.loop is None:
                self.loop = asyncio.get_running_loop()
            handle = self.loop.call_at(slot, self._fire, slot)
            self.slots[slot] = (handle, {(runner, name): None})
        else:
            entry[1][(runner, name)] = None
        return slot

    def remove(self, slot: float, runner: InstanceTimers, name: str) -> None:
        entry = self.slots.get(slot)
        if entry is not None:
            entry[1].pop((runner, name), None)
            if not entry[1]:
                entry[0].cancel()
                del self.slots[slot]

    def _fire(self, slot: float) -> None:
        entry = self.slots.pop(slot, None)
        if entry is not None:
            if self.before is not None:
                self.before()
            for runner, name in entry[1]:
                runner.slot_due(name, slot)


class InstanceTimers:
    """The timers of one instance (mixed into :class:`~.runner.InstanceRunner`).

    Executes the machine's :class:`~.events.SetTimer` actions lazily and feeds
    :class:`~.events.TimerFired` back through the instance's unit; a master's due advert
    timer goes through the machine's fast path when the unit is idle.
    """

    # Provided by InstanceRunner.
    child: VrrpChild
    cfg: InstanceConfig
    unit: Unit | None
    receiver: AdvertReceiver | None
    heard: Heard | None
    heard_interval: float
    loop: asyncio.AbstractEventLoop
    if TYPE_CHECKING:
        def post(self, event: Event, at: float | None = None) -> None: ...
        def flush_heard(self) -> None: ...
        def _send_advert(self, priority: int) -> None: ...

    def _init_timers(self, advert_int: float) -> None:
        #: Pending wake-ups by timer name: a loop timer of its own, or a slot of the
        #: child's SlotTimers; and the deadline the FSM last set for each. A wake-up
        #: before the deadline re-arms, so moving a deadline later costs no loop timer.
        self.timers: dict[str, asyncio.TimerHandle] = {}
        self.slotted: dict[str, float] = {}
        self.deadlines: dict[str, float] = {}
        self._early_adver = min(ADVER_GRID, ADVER_EARLY_SHARE * advert_int)
        self._early_down = min(DOWN_CHECK_GRID, 0.5 * advert_int)

    def _close_timers(self) -> None:
        for handle in self.timers.values():
            handle.cancel()
        self.timers.clear()
        for name in list(self.slotted):
            self._cancel_timer(name)
        self.deadlines.clear()

    def _early(self, name: str) -> float:
        """How early timer ``name`` may be served (0: a loop timer of its own)."""
        if name == ADVER_TIMER:
            return self._early_adver
        if name == MASTER_DOWN_TIMER:
            # Only a check: the deadline itself gets an exact timer (see slot_due).
            return self._early_down
        return 0.0

    def _cancel_timer(self, name: str) -> None:
        handle = self.timers.pop(name, None)
        if handle is not None:
            handle.cancel()
        slot = self.slotted.pop(name, None)
        if slot is not None:
            self.child.slots.remove(slot, self, name)

    def _arm(self, name: str, at: float, exact: bool = False) -> None:
        early = 0.0 if exact else self._early(name)
        if early > 0:
            self.slotted[name] = self.child.slots.add(at, early, self, name)
        else:
            self.timers[name] = self.loop.call_at(at, self._timer_due, name)

    def _set_timer(self, act: SetTimer) -> None:
        """Timers are lazy: a deadline that moves later keeps the pending wake-up, which
        finds the new deadline and re-arms for it (a backup's master-down timer moves
        at every advert)."""
        name, at = act.name, act.at
        if at is None:
            self.deadlines.pop(name, None)
            self._cancel_timer(name)
            return
        self.deadlines[name] = at
        handle = self.timers.get(name)
        pending = handle.when() if handle is not None else self.slotted.get(name)
        if pending is not None:
            if pending <= at:
                return
            self._cancel_timer(name)
        self._arm(name, at)

    def slot_due(self, name: str, slot: float) -> None:
        """The slot of timer ``name`` is due: fire, re-arm (deadline moved) or go exact."""
        if self.slotted.get(name) != slot:
            return  # cancelled or re-armed by an event handled earlier in this slot
        del self.slotted[name]
        if name == MASTER_DOWN_TIMER and self.heard is not None:
            # Up to date: SlotTimers.before read the quiet sockets just now.
            heard_at = self.heard.at
            if heard_at is not None:
                # The adverts noted meanwhile moved the deadline; while it is not near,
                # only the wake-up follows it (the machine learns at the next flush).
                moved = heard_at + self.heard_interval
                if moved - self.loop.time() > self._early(name):
                    self._arm(name, moved)
                    return
                self.flush_heard()
                if name in self.slotted:
                    return
        at = self.deadlines.get(name)
        if at is None:
            return
        if at - self.loop.time() > self._early(name):
            self._arm(name, at)  # moved later meanwhile
        elif name == ADVER_TIMER:
            # Counted as fired at its deadline: the FSM schedules the next one from
            # there, so an instance keeps its own phase however its slots fall.
            unit = self.unit
            acts = unit.fast_advert_timer_fired(self.cfg.name, at) if unit is not None else None
            if acts is None:
                self.post(TimerFired(name), at)
            else:  # what the queue would do, without it
                self._send_advert(acts[0].priority)
                self._set_timer(acts[1])
        else:
            self._arm(name, at, exact=True)

    def _timer_due(self, name: str) -> None:
        """A loop timer fired: post TimerFired, or re-arm if the deadline moved later."""
        self.timers.pop(name, None)
        if name == MASTER_DOWN_TIMER and self.receiver is not None:
            # Adverts that arrived before the deadline but are not read yet still count.
            self.receiver.drain()
            self.flush_heard()
            if name in self.timers or name in self.slotted:
                return  # an advert read just now re-armed it
        at = self.deadlines.get(name)
        if at is None:
            return
        if at > self.loop.time() + 0.001:
            self._arm(name, at)
            return
        self.post(TimerFired(name), at)
