"""The checker scheduler (kaconfd.check.scheduler) on a fake clock: exact timelines, no I/O.

Probes, the script runner and the clock are injected; the IPVS writer is the in-memory one.
"""

from __future__ import annotations

import asyncio
import logging
import random

import pytest
from kaconfd.check.ipvs_writer import IpvsWriter
from kaconfd.check.probes import CheckResult
from kaconfd.check.scheduler import FakeClock, Scheduler
from kaconfd.check.spec import (
    BfdParams,
    CheckerSpec,
    ConnOpts,
    FileParams,
    RealServerSpec,
    ServiceAddr,
    VirtualServerSpec,
)
from kaconfd.command import Command

LOG = logging.getLogger("test.check.scheduler")
SVC = ServiceAddr(4, "TCP", "192.0.2.1", 80)


class FixedRandom(random.Random):
    """random() always returns ``value`` (warm-up jitter made predictable)."""

    def __init__(self, value: float) -> None:
        super().__init__(0)
        self.value = value

    def random(self) -> float:
        return self.value


def spec(host: str = "192.0.2.10", *, delay: float = 10.0, retry: int = 1, dbr: float = 2.0,
         warmup: float = 0.0, params=None, kind: str = "TCP_CHECK") -> CheckerSpec:
    return CheckerSpec(host, kind, ConnOpts(host, 80, 1.0), delay, retry, dbr, warmup, False,
                       params)


def vs_of(*checkers: CheckerSpec, omega: bool = False) -> VirtualServerSpec:
    rss = [RealServerSpec(c.name, 80, 1, False, False, notify_up=Command(("up", c.name)),
                          notify_down=Command(("down", c.name)), checkers=[c]) for c in checkers]
    return VirtualServerSpec("192.0.2.1:80", [SVC], quorum=1, quorum_up=Command(("qup",)),
                             quorum_down=Command(("qdown",)), omega=omega, real_servers=rss)


class Harness:
    """A scheduler wired to a fake clock, scripted probe results and recorded scripts."""

    def __init__(self, vss: list[VirtualServerSpec], *, rng: random.Random | None = None,
                 duration: float = 0.0) -> None:
        self.clock = FakeClock()
        self.up: dict[str, bool] = {}
        self.calls: list[tuple[float, str]] = []
        self.scripts: list[tuple[float, tuple[str, ...]]] = []
        self.duration = duration
        self.writer = IpvsWriter(LOG, use_kernel=False)
        self.sched = Scheduler(vss, log=LOG, clock=self.clock, rng=rng or FixedRandom(0.0),
                               probe=self.probe, run_script=self.script, writer=self.writer)

    async def probe(self, s: CheckerSpec) -> CheckResult:
        self.calls.append((self.clock.now(), s.name))
        if self.duration:
            await self.clock.sleep(self.duration)
        return CheckResult(self.up.get(s.name, True), "scripted")

    def script(self, command: Command, why: str) -> None:
        self.scripts.append((self.clock.now(), command.argv))

    def times(self, name: str) -> list[float]:
        return [t for t, n in self.calls if n == name]

    def weights(self) -> dict[str, int]:
        e = self.writer.table.get(SVC)
        return {} if e is None else {d.address: d.weight for d in e.dests.values()}


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 10))


def test_checks_every_delay_loop_after_the_previous_check_ends() -> None:
    async def main() -> None:
        h = Harness([vs_of(spec(delay=10.0))], duration=0.5)
        await h.sched.start()
        await h.clock.advance(35)
        assert h.times("192.0.2.10") == [0.0, 10.5, 21.0, 31.5]
        await h.sched.stop()

    run(main())


def test_warmup_delays_the_first_check_randomly() -> None:
    async def main() -> None:
        h = Harness([vs_of(spec(delay=10.0, warmup=4.0))], rng=FixedRandom(0.25))
        await h.sched.start()
        await h.clock.advance(12)
        assert h.times("192.0.2.10") == [1.0, 11.0]
        await h.sched.stop()

    run(main())


def test_retry_timeline_notifies_once_per_transition_and_programs_ipvs() -> None:
    async def main() -> None:
        h = Harness([vs_of(spec(delay=10.0, retry=2, dbr=1.0))])
        await h.sched.start()
        assert h.scripts == [(0.0, ("qup",))]
        assert h.weights() == {"192.0.2.10": 1}
        await h.clock.advance(5)  # first check at 0: up
        h.up["192.0.2.10"] = False
        await h.clock.advance(20)
        # failure at 10, retries at 11 and 12, declared down at 12, then every 10 s
        assert h.times("192.0.2.10") == [0.0, 10.0, 11.0, 12.0, 22.0]
        assert h.scripts[1:] == [(12.0, ("down", "192.0.2.10")), (12.0, ("qdown",))]
        assert h.weights() == {}
        h.up["192.0.2.10"] = True
        await h.clock.advance(10)
        assert h.scripts[3:] == [(32.0, ("up", "192.0.2.10")), (32.0, ("qup",))]
        assert h.weights() == {"192.0.2.10": 1}
        await h.sched.stop()
        assert h.weights() == {} and h.writer.table == {}

    run(main())


def test_independent_checkers_keep_their_own_schedule() -> None:
    async def main() -> None:
        h = Harness([vs_of(spec("a", delay=3.0), spec("b", delay=5.0))])
        await h.sched.start()
        await h.clock.advance(10)
        assert h.times("a") == [0.0, 3.0, 6.0, 9.0]
        assert h.times("b") == [0.0, 5.0, 10.0]
        await h.sched.stop()

    run(main())


def test_a_probe_that_raises_counts_as_a_failure() -> None:
    async def main() -> None:
        h = Harness([vs_of(spec(retry=0))])

        async def broken(s: CheckerSpec) -> CheckResult:
            raise RuntimeError("boom")

        h.sched.probe = broken
        await h.sched.start()
        await h.clock.advance(1)
        assert ("down", "192.0.2.10") in [a for _, a in h.scripts]
        assert "checker error" in h.sched.pool.checkers[0].last_reason
        await h.sched.stop()

    run(main())


def test_bfd_check_is_reported_unsupported_and_never_run(caplog) -> None:
    async def main() -> None:
        h = Harness([vs_of(spec(kind="BFD_CHECK", params=BfdParams("b1")))])
        await h.sched.start()
        await h.clock.advance(30)
        assert h.calls == []
        assert h.weights() == {"192.0.2.10": 1}  # the real server is not affected
        assert "unsupported" in h.sched.render_state()
        await h.sched.stop()

    with caplog.at_level(logging.WARNING):
        run(main())
    assert "BFD_CHECK is not supported by kaconfd" in caplog.text


def test_file_check_is_read_at_start_and_polled(tmp_path) -> None:
    f = tmp_path / "weight"
    f.write_text("0\n")

    async def main() -> None:
        fspec = spec(kind="FILE_CHECK", retry=0, delay=60.0, params=FileParams(str(f), 0))
        clock = FakeClock()
        scripts: list[tuple[float, tuple[str, ...]]] = []
        writer = IpvsWriter(LOG, use_kernel=False)
        sched = Scheduler([vs_of(fspec)], log=LOG, clock=clock,
                          run_script=lambda a, w: scripts.append((clock.now(), a.argv)),
                          writer=writer, file_poll=1.0)
        await sched.start()
        await clock.advance(2.5)
        assert scripts == [(0.0, ("qup",))]
        f.write_text("1\n")  # weight 0: non-zero is a fault
        await clock.advance(1.0)
        assert scripts[1:] == [(3.0, ("down", "192.0.2.10")), (3.0, ("qdown",))]
        f.write_text("garbage")  # no number reads as 0
        await clock.advance(1.0)
        assert scripts[3:] == [(4.0, ("up", "192.0.2.10")), (4.0, ("qup",))]
        await sched.stop()

    run(main())


def test_stop_runs_omega_notifies_and_empties_the_table() -> None:
    async def main() -> None:
        h = Harness([vs_of(spec(), omega=True)])
        await h.sched.start()
        await h.clock.advance(1)
        await h.sched.stop()
        assert [a for _, a in h.scripts] == [("qup",), ("down", "192.0.2.10"), ("qdown",)]
        assert h.writer.table == {}

    run(main())


def test_run_returns_when_the_stop_event_is_set() -> None:
    async def main() -> None:
        h = Harness([vs_of(spec())])
        stop = asyncio.Event()
        task = asyncio.create_task(h.sched.run(stop))
        await h.clock.advance(1)
        stop.set()
        await asyncio.wait_for(task, 5)
        assert h.writer.table == {}

    run(main())


@pytest.mark.parametrize("seconds", [0.0, -1.0])
def test_fake_clock_zero_sleep_just_yields(seconds: float) -> None:
    async def main() -> None:
        c = FakeClock(5.0)
        await c.sleep(seconds)
        assert c.now() == 5.0

    run(main())
