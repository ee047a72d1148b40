"""Runs every checker on its own schedule and turns results into actions and IPVS operations.

Why one asyncio task per checker sleeping on a clock (rather than a timer wheel): it is the
simplest shape that keeps keepalived's timing exactly - the next check is due ``delay_loop``
(or ``delay_before_retry``) after the *end* of the previous one, the first one after a random
``warmup`` - and asyncio's own timer heap is what a wheel would be anyway.  At 1,000 checks a
second it costs well under a quarter of a core (bench/checks.py, docs/performance.md).

Why an injected :class:`Clock`: unit tests drive the scheduler with :class:`FakeClock`, whose
time only moves when the test says so, so retry / warm-up / quorum timelines are asserted
exactly and instantly (tests/unit/check/test_check_scheduler.py).  Probes and the script runner are
injected for the same reason.

Decisions live in :mod:`kaconfd.check.state`; this module only does the I/O around them:
probes, notify scripts (:class:`ScriptRunner`: spawned, never waited for by the checks) and
IPVS (only the virtual servers whose state changed are re-planned).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import os
import random
import signal
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from kaconfd.check import ipvs_plan
from kaconfd.check.ipvs_writer import IpvsWriter
from kaconfd.check.spec import Resolved, VirtualServerSpec
from kaconfd.check.state import Action, CheckerState, Log, Mail, Notify, Pool, VsMail
from kaconfd.check.status import CheckRecord

from kaconf.checkers import registry
from kaconf.checkers.base import CheckerSpec, CheckResult, CheckUnsupported, ProbeContext
from kaconf.effective.scriptsec import run_as

from ..alerts import checker_mail, virtual_server_mail
from ..command import Command
from ..smtp import Alerter

#: Checkers of a kind keepalived does not schedule (FILE_CHECK: keepalived uses inotify) are
#: polled at most this far apart.
FILE_POLL_INTERVAL = 1.0

Probe = Callable[[CheckerSpec], Awaitable[CheckResult]]
#: (checker, lateness s, duration s, result) after every check; used by bench/checks.py.
CheckHook = Callable[[CheckerSpec, float, float, CheckResult], None]


class Clock(Protocol):
    """Monotonic seconds and a way to wait for them."""

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class LoopClock:
    """The event loop's clock (monotonic), i.e. real time."""

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class FakeClock:
    """Virtual time for tests: sleepers wake only when :meth:`advance` passes their time.

    :meth:`advance` wakes sleepers in time order and lets the event loop run the woken tasks
    to their next suspension point before moving on, so a test sees exactly the sequence of
    events real time would produce, without waiting.  Only coroutines that suspend on this
    clock (or finish without suspending) are simulated faithfully.
    """

    #: event-loop iterations granted to woken tasks before time moves again
    SETTLE_ROUNDS = 20

    def __init__(self, start: float = 0.0) -> None:
        self.t = start
        self._heap: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._heap, (self.t + seconds, next(self._seq), fut))
        await fut

    async def settle(self) -> None:
        """Let every runnable task run until it waits again."""
        for _ in range(self.SETTLE_ROUNDS):
            await asyncio.sleep(0)

    async def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``, waking every sleeper due on the way."""
        target = self.t + seconds
        await self.settle()
        while self._heap and self._heap[0][0] <= target:
            when, _, fut = heapq.heappop(self._heap)
            self.t = max(self.t, when)
            if not fut.done():
                fut.set_result(None)
            await self.settle()
        self.t = target
        await self.settle()


class ScriptRunner:
    """Starts notify / quorum scripts without waiting for them, and reaps them.

    keepalived does not wait for notify scripts either; waiting would delay every check
    behind a slow script.  :meth:`close` gives the still-running ones a bounded time,
    then kills their process groups (keepalived kills its stopping notifies after one
    second; the others die with it by ``PR_SET_PDEATHSIG``).
    """

    def __init__(self, log: logging.Logger) -> None:
        self.log = log
        self._tasks: set[asyncio.Task[None]] = set()
        self._procs: set[asyncio.subprocess.Process] = set()

    def run(self, command: Command, why: str) -> None:
        task = asyncio.get_running_loop().create_task(self._run(command, why))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, command: Command, why: str) -> None:
        args = command.argv
        try:
            # as the script user the resolver decided (keepalived's set_script_env)
            proc = await asyncio.create_subprocess_exec(
                *args, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL, start_new_session=True,
                **run_as(command.uid, command.gid))
        except OSError as e:
            self.log.error("Cannot run notify script %s (%s): %s", args[0], why, e)
            return
        self._procs.add(proc)
        code = await proc.wait()
        self._procs.discard(proc)
        if code:
            self.log.warning("Notify script %s (%s) exited with status %d", args[0], why, code)

    async def close(self, timeout: float = 2.0) -> None:
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)
        for proc in list(self._procs):
            self._procs.discard(proc)
            if proc.returncode is None:  # its own session: the group is its pid
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)


class Scheduler:
    """Runs the checkers of resolved virtual servers until :meth:`stop`.

    ``probe`` (default: each kind's probe, from :mod:`kaconf.checkers.registry`), ``clock``,
    ``rng`` (warm-up jitter), ``run_script`` and ``writer`` are injectable for tests.
    """

    def __init__(
        self,
        resolved: Resolved | list[VirtualServerSpec],
        *,
        log: logging.Logger,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        probe: Probe | None = None,
        run_script: Callable[[Command, str], None] | None = None,
        writer: IpvsWriter | None = None,
        on_check: CheckHook | None = None,
        file_poll: float = FILE_POLL_INTERVAL,
    ) -> None:
        vss = resolved.virtual_servers if isinstance(resolved, Resolved) else resolved
        self.log = log
        self.pool = Pool(vss)
        self.clock: Clock = clock or LoopClock()
        self.rng = rng or random.Random()
        self.probe: Probe = probe or self._default_probe
        self._scripts: ScriptRunner | None = None
        if run_script is None:
            self._scripts = ScriptRunner(log)
            run_script = self._scripts.run
        self.run_script = run_script
        self.writer = writer or IpvsWriter(log, use_kernel=False)
        self.on_check = on_check
        self.file_poll = file_poll
        #: smtp_alert mails (sent in the background; awaited briefly at stop)
        self.alerter = Alerter(log)
        if isinstance(resolved, Resolved):
            self.alerter.settings = resolved.smtp
            self.no_checker_emails = resolved.no_checker_emails
        else:
            self.no_checker_emails = False
        self._tasks: list[asyncio.Task[None]] = []
        self._ipvs_lock = asyncio.Lock()
        self._probe_ctx: dict[int, ProbeContext] = {}
        #: last result, its time and the latency histogram of each checker, by id(state)
        self.records: dict[int, CheckRecord] = {}
        self.started = False

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        """Initial readings, initial pool state and IPVS table, then one task per checker."""
        initial: dict[int, CheckResult] = {}
        for cs in self.pool.checkers:
            if cs.kind is None:
                continue
            if cs.kind.unsupported is not None:
                self.log.warning("%s: %s", cs.spec.name, cs.kind.unsupported)
            elif not cs.kind.scheduled:  # it has a state before its first run
                initial[id(cs)] = await self._safe_probe(cs.spec)
        await self._execute(self.pool.start(initial), full=True)
        self.started = True
        loop = asyncio.get_running_loop()
        for cs in self.pool.checkers:
            if cs.enabled:
                self._tasks.append(loop.create_task(self._checker_loop(cs),
                                                    name=f"check {cs.spec.name}"))

    async def stop(self, *, keep_table: bool = False) -> None:
        """Stop every checker, run the omega notifies and empty the IPVS table.

        ``keep_table`` (a reload): only stop the checks; the table stays as it is for the
        next scheduler, which shares this one's writer.
        """
        for t in self._tasks:
            t.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self.started and not keep_table:
            await self._execute(self.pool.stop())
        self.started = False
        if self._scripts is not None:
            await self._scripts.close()
        if self.alerter.pending:
            await asyncio.wait(set(self.alerter.pending), timeout=2.0)

    async def run(self, stop_event: asyncio.Event) -> None:
        await self.start()
        try:
            await stop_event.wait()
        finally:
            await self.stop()

    # -- checks ---------------------------------------------------------------------------

    async def _checker_loop(self, cs: CheckerState) -> None:
        spec = cs.spec
        clock = self.clock
        polled = cs.kind is not None and not cs.kind.scheduled
        poll = min(spec.delay_loop, self.file_poll)
        if polled:
            delay = poll
        else:
            delay = self.rng.random() * spec.warmup if spec.warmup > 0 else 0.0
        due = clock.now() + delay
        while True:
            now = clock.now()
            if due > now:
                await clock.sleep(due - now)
            started = clock.now()
            res = await self._safe_probe(spec)
            took = clock.now() - started
            rec = self.records.get(id(cs))
            if rec is None:
                rec = self.records[id(cs)] = CheckRecord()
            rec.last_time, rec.last_duration, rec.last_up = time.time(), took, res.up
            rec.latency.observe(took)
            if self.on_check is not None:
                self.on_check(spec, started - due, took, res)
            delay, actions = self.pool.result(cs, res)
            if polled:
                delay = poll
            if actions or self.pool.dirty:
                await self._execute(actions)
            due = clock.now() + delay

    async def _safe_probe(self, spec: CheckerSpec) -> CheckResult:
        try:
            return await self.probe(spec)
        except asyncio.CancelledError:
            raise
        except Exception as e:  # noqa: BLE001 - a probe bug must not kill its checker
            self.log.exception("%s: checker error", spec.name)
            return CheckResult(False, f"checker error: {e!r}")

    async def _default_probe(self, spec: CheckerSpec) -> CheckResult:
        """Run the probe the checker's kind declares, with its own memo."""
        kind = registry.get(spec.kind)
        if kind is None or kind.probe is None:
            raise CheckUnsupported(spec.kind)
        ctx = self._probe_ctx.get(id(spec))
        if ctx is None:
            ctx = self._probe_ctx[id(spec)] = ProbeContext(self.log)
        return await kind.probe(spec, ctx)

    # -- actions and IPVS -----------------------------------------------------------------

    async def _execute(self, actions: list[Action], full: bool = False) -> None:
        for a in actions:
            if isinstance(a, Log):
                self.log.info("%s", a.text)
            elif isinstance(a, Notify):
                self.run_script(a.command, a.why)
            elif isinstance(a, Mail):
                self._mail(a)
            elif isinstance(a, VsMail) and self.alerter.settings is not None:
                self.alerter.send(*virtual_server_mail(self.alerter.settings, a.vs, a.up,
                                                       a.body))
        await self.sync_ipvs(full)

    def _mail(self, a: Mail) -> None:
        """``smtp_alert``: send the transition's mail (``no_checker_emails``: only when the
        real server's state changed with it)."""
        settings = self.alerter.settings
        if settings is None or (self.no_checker_emails and not a.rs_changed):
            return
        mail = checker_mail(settings, a.kind, a.up, a.rs, a.vs, a.rs_alive)
        if mail is not None:
            self.alerter.send(*mail)

    async def sync_ipvs(self, full: bool = False) -> None:
        """Re-plan the virtual servers whose state changed and apply the operations.

        ``full`` compares the whole table instead (at start: after a reload the writer's
        table may hold services of virtual servers that are gone).
        """
        async with self._ipvs_lock:
            if full:
                self.pool.take_dirty()
                ops = ipvs_plan.plan(self.writer.table, self.pool.desired_all())
                if ops:
                    await self.writer.apply(ops)
                return
            for vs in self.pool.take_dirty():
                desired = self.pool.desired(vs)
                ops = ipvs_plan.plan(self.writer.table, desired, scope=vs.spec.services)
                if ops:
                    await self.writer.apply(ops)

    # -- introspection (SIGUSR1 dump, tests) ----------------------------------------------

    def render_state(self) -> str:
        """Checker and real-server state, keepalived-dump style, for the SIGUSR1 dump."""
        lines = ["------< Health checkers >------"]
        for vs in self.pool.virtual_servers:
            lines.append(f"VS {vs.spec.label}: quorum {'up' if vs.quorum_up else 'down'}"
                         f" ({vs.weight_sum()}/{vs.spec.quorum}+-{vs.spec.hysteresis})"
                         + (", sorry server active" if vs.sorry_active else ""))
            for rs in vs.real_servers:
                lines.append(f"  RS {rs.spec.label}: {'alive' if rs.alive else 'dead'},"
                             f" weight {rs.ipvs_weight}")
                for cs in rs.checkers:
                    state = "up" if cs.is_up else "down"
                    if not cs.enabled:
                        state = "unsupported"
                    lines.append(f"    {cs.spec.kind}: {state} - {cs.last_reason}")
        return "\n".join(lines) + "\n"
