"""kaconfd.vrrp.timers: slots shared by many instances, lazy master-down deadlines."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any, cast

from kaconfd.vrrp.child import VrrpChild
from kaconfd.vrrp.fsm import ADVER_TIMER, MASTER_DOWN_TIMER, Event, SetTimer, TimerFired
from kaconfd.vrrp.runner import InstanceRunner
from kaconfd.vrrp.timers import SlotTimers


class _Slotted:
    def __init__(self, slots: SlotTimers, loop: asyncio.AbstractEventLoop) -> None:
        self.slots, self.loop = slots, loop
        self.fired: list[tuple[str, float]] = []

    def slot_due(self, name: str, slot: float) -> None:
        self.fired.append((name, self.loop.time()))


def test_slot_timers_serve_timers_due_together_with_one_wake_up() -> None:
    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        slots = SlotTimers()
        base = (loop.time() // 0.1 + 2) * 0.1  # a slot boundary 0.1-0.2 s ahead
        runners = [_Slotted(slots, loop) for _ in range(4)]
        for k, runner in enumerate(runners[:3]):
            slots.add(base + 0.01 + 0.02 * k, 0.1, cast(InstanceRunner, runner), "adver")
        reads: list[int] = []  # the quiet sockets are read first, once per slot
        slots.before = lambda: reads.append(sum(len(r.fired) for r in runners))
        gone = slots.add(base + 0.05, 0.1, cast(InstanceRunner, runners[3]), "adver")
        slots.remove(gone, cast(InstanceRunner, runners[3]), "adver")
        assert len(slots.slots) == 1  # one loop timer for all of them
        await asyncio.sleep(base + 0.15 - loop.time())
        times = [t for r in runners[:3] for _, t in r.fired]
        assert len(times) == 3 and not runners[3].fired
        assert reads == [0]
        # Served together, at the slot: early by less than 0.1 s, never late.
        assert max(times) - min(times) < 0.005 and base - 0.001 <= min(times) < base + 0.01

    asyncio.run(scenario())


def _runner(posted: list[tuple[Event, float | None]]) -> InstanceRunner:
    child = SimpleNamespace(slots=SlotTimers())
    cfg = SimpleNamespace(version=2, vrid=1, advert_int=1.0, auth_type=0,
                          auth_data=bytes(8), unicast=False, name="VI_1")
    runner = InstanceRunner(cast(VrrpChild, child), cast(Any, cfg))
    drains: list[float] = []
    runner.receiver = cast(Any, SimpleNamespace(drain=lambda: drains.append(0.0)))
    runner.post = lambda event, at=None: posted.append((event, at))  # type: ignore[method-assign]
    return runner


def test_master_down_deadline_moved_later_keeps_one_wake_up_and_fires_on_time() -> None:
    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        posted: list[tuple[Event, float | None]] = []
        runner = _runner(posted)
        start = loop.time()
        runner._set_timer(SetTimer(MASTER_DOWN_TIMER, start + 0.3))
        for k in range(1, 6):  # an advert every 0.1 s moves the deadline on
            await asyncio.sleep(0.1)
            runner._set_timer(SetTimer(MASTER_DOWN_TIMER, start + 0.3 + 0.1 * k))
            assert not posted
        await asyncio.sleep(start + 0.75 - loop.time())
        assert not posted  # due at start + 0.8
        await asyncio.sleep(start + 0.85 - loop.time())
        assert posted == [(TimerFired(MASTER_DOWN_TIMER), start + 0.8)]
        # Earlier deadlines re-arm at once; cancelling leaves nothing behind.
        runner._set_timer(SetTimer(ADVER_TIMER, loop.time() + 0.05))
        runner._set_timer(SetTimer(ADVER_TIMER, None))
        runner._set_timer(SetTimer(MASTER_DOWN_TIMER, loop.time() + 5))
        runner._set_timer(SetTimer(MASTER_DOWN_TIMER, loop.time() + 0.05))
        await asyncio.sleep(0.1)
        assert [e for e, _ in posted] == [TimerFired(MASTER_DOWN_TIMER)] * 2
        runner.receiver = None
        runner.close()
        assert not runner.timers and not runner.slotted and not runner.child.slots.slots

    asyncio.run(scenario())
