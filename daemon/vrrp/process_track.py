"""Tracked processes (``vrrp_track_process``): /proc scanned, quorum changes broadcast.

keepalived follows processes with the kernel's proc connector (fork, exec, exit
events). That connector only reports to the initial network namespace, where a
daemon in a container or a test namespace never is, so kaconfd scans ``/proc``
instead: once at start (the state the instances start with, as keepalived's first
scan) and then every :data:`SCAN_INTERVAL` seconds, only while some process is
tracked. The quorum and delay logic is :mod:`.process_match`'s; a change is sent as a
:class:`~.events.TrackUpdate` named ``process:<name>`` to the instances tracking it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable, Iterable

from .events import TrackUpdate
from .process_match import ProcessConfig, ProcessQuorum, comm_of_stat, matches

log = logging.getLogger("Keepalived_vrrp")

#: Seconds between two scans of /proc (keepalived reacts to events at once).
SCAN_INTERVAL = 1.0
#: keepalived reads at most this much of a command line beyond what it compares.
_CMDLINE_MAX = 4096

Broadcast = Callable[[str, TrackUpdate], None]


def _read(path: str, size: int) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        return os.read(fd, size)
    except OSError:
        return None
    finally:
        os.close(fd)


def count_processes(configs: Iterable[ProcessConfig], proc: str = "/proc") -> dict[str, int]:
    """How many running processes match each config, by name (one pass over ``proc``)."""
    cfgs = list(configs)
    counts = dict.fromkeys((c.name for c in cfgs), 0)
    if not cfgs:
        return counts
    need_cmdline = any(c.full_command for c in cfgs)
    need_comm = any(not c.full_command for c in cfgs)
    try:
        entries = os.listdir(proc)
    except OSError:
        return counts
    for entry in entries:
        if not entry.isdigit():
            continue
        comm: str | None = None
        if need_comm:
            raw = _read(f"{proc}/{entry}/stat", 512)
            if raw is None:
                continue
            comm = comm_of_stat(raw.decode(errors="replace"))
            if comm is None:
                continue  # a zombie, or gone
        cmdline = _read(f"{proc}/{entry}/cmdline", _CMDLINE_MAX) if need_cmdline else None
        for cfg in cfgs:
            if matches(cfg, comm, cmdline):
                counts[cfg.name] += 1
    return counts


class TrackedProcesses:
    """Every tracked process of the child, scanned together (see the module docstring)."""

    def __init__(self, broadcast: Broadcast, proc: str = "/proc") -> None:
        self.broadcast = broadcast
        self.proc = proc
        self.quorums: dict[str, ProcessQuorum] = {}
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    def state(self, name: str) -> bool | None:
        """Whether ``name`` has its quorum now (None: not tracked)."""
        q = self.quorums.get(name)
        return None if q is None else q.up

    def sync(self, configs: Iterable[ProcessConfig]) -> None:
        """Track exactly ``configs``: a new or changed one is scanned at once; others kept."""
        wanted = {c.name: c for c in configs}
        before: dict[str, bool] = {}
        for name in [n for n, q in self.quorums.items() if wanted.get(n) != q.cfg]:
            before[name] = self.quorums.pop(name).up
        new = [c for n, c in wanted.items() if n not in self.quorums]
        counts = count_processes(new, self.proc)
        for cfg in new:
            q = ProcessQuorum(cfg)
            q.start(counts[cfg.name])
            self.quorums[cfg.name] = q
            log.info("Track process %s: %d process(es), quorum %s", cfg.name, q.count,
                     "gained" if q.up else "not achieved")
            if cfg.name in before and before[cfg.name] != q.up:
                # changed by a reload: instances kept running must hear the new state
                key = f"process:{cfg.name}"
                self.broadcast(key, TrackUpdate(key, q.up))
        if self.quorums:
            self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="track_process scan")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def scan(self, now: float) -> None:
        """Count again, end due delays, and broadcast each change of state."""
        counts = count_processes([q.cfg for q in self.quorums.values()], self.proc)
        for name, q in self.quorums.items():
            changed = q.observe(counts.get(name, 0), now)
            if changed is None:
                changed = q.expire(now)
            if changed is not None:
                log.info("Quorum %s for tracked process %s", "gained" if changed else "lost",
                         name)
                key = f"process:{name}"
                self.broadcast(key, TrackUpdate(key, changed))

    async def _loop(self) -> None:
        """Scan every interval (or at a delay's end, if sooner) while anything is tracked."""
        loop = asyncio.get_running_loop()
        while True:
            if not self.quorums:
                self._wake.clear()
                await self._wake.wait()
            now = loop.time()
            deadlines = [q.deadline for q in self.quorums.values() if q.deadline is not None]
            wait = min([SCAN_INTERVAL, *(d - now for d in deadlines)])
            await asyncio.sleep(max(0.0, wait))
            self.scan(loop.time())
