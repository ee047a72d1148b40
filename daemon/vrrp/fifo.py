"""``notify_fifo`` / ``vrrp_notify_fifo``: state changes written as lines to FIFOs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from typing import TYPE_CHECKING

from kaconf.effective.scriptsec import run_as

if TYPE_CHECKING:
    from .config import Command

log = logging.getLogger("Keepalived_vrrp")


class NotifyFifo:
    """``notify_fifo`` / ``vrrp_notify_fifo``: one line per state change, never blocking.

    Opened read-write and non-blocking like keepalived's, so a missing reader neither
    blocks the loop nor loses the FIFO; a full FIFO drops the line.
    """

    def __init__(self) -> None:
        self.fds: list[int] = []
        self.created: list[str] = []
        self.procs: list[asyncio.subprocess.Process] = []

    async def open(self, paths: tuple[str, ...], scripts: tuple[Command, ...]) -> None:
        for path in paths:
            try:
                os.mkfifo(path, 0o644)
                self.created.append(path)
            except FileExistsError:
                pass
            except OSError as exc:
                log.info("Unable to create notify fifo %s: %s", path, exc)
                continue
            for cmd in scripts:
                if cmd.argv and cmd.argv[-1] == path:
                    await self._start_script(cmd)
            try:
                self.fds.append(os.open(path, os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC
                                        | os.O_NOFOLLOW))
            except OSError as exc:
                log.info("Unable to open notify fifo %s - errno %d", path, exc.errno or 0)

    async def _start_script(self, cmd: Command) -> None:
        """Start the FIFO's script once, as the uid:gid the resolver chose."""
        try:
            self.procs.append(await asyncio.create_subprocess_exec(
                *cmd.argv, stdin=asyncio.subprocess.DEVNULL, start_new_session=True,
                **run_as(cmd.uid, cmd.gid)))
        except (OSError, ValueError) as exc:
            log.error("cannot run notify fifo script %s: %s", cmd.argv[0], exc)

    def write(self, line: str) -> None:
        data = (line + "\n").encode()
        for fd in self.fds:
            with contextlib.suppress(OSError):
                os.write(fd, data)

    def close(self) -> None:
        # Unlink first, so that a script that reopens the FIFO in a loop cannot find it.
        for path in self.created:
            with contextlib.suppress(OSError):
                os.unlink(path)
        for fd in self.fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        for proc in self.procs:
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGTERM)
        self.fds, self.created, self.procs = [], [], []
