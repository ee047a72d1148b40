"""systemd's readiness protocol (``sd_notify``), written out: a datagram to $NOTIFY_SOCKET.

Why not a library: the protocol is one ``sendto`` of ``KEY=VALUE`` lines on a UNIX
datagram socket (an ``@`` prefix meaning the abstract namespace); python-systemd needs
libsystemd's headers to build, and the pure-Python packages add a dependency for these
twenty lines. The parent process is the only sender (``NotifyAccess=main``): it takes
``NOTIFY_SOCKET`` out of the environment so that neither the children nor the scripts
they run can speak for it.

The parent sends ``READY=1`` once every child answers its control socket, ``RELOADING=1``
(with ``MONOTONIC_USEC``) on SIGHUP and ``READY=1`` when every child has finished that
reload, ``STOPPING=1`` on SIGTERM, and ``WATCHDOG=1`` every half ``WATCHDOG_USEC`` while
its loop runs (see docs/operations.md).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .parent import ChildSpec, Parent

log = logging.getLogger("Keepalived")

#: How long the parent waits for its children to answer before telling systemd READY=1.
READY_TIMEOUT = 60.0


class Notifier:
    """The daemon's link to systemd; every method is a no-op when not run by systemd."""

    def __init__(self, address: str | None = None, watchdog_usec: str | None = None) -> None:
        self.address = address
        self.sock: socket.socket | None = None
        #: seconds between two WATCHDOG=1 (half of WatchdogSec), None: no watchdog
        self.watchdog_interval: float | None = None
        if watchdog_usec and watchdog_usec.isdigit() and int(watchdog_usec) > 0:
            self.watchdog_interval = int(watchdog_usec) / 2_000_000

    @classmethod
    def from_environment(cls) -> Notifier:
        """Take NOTIFY_SOCKET / WATCHDOG_USEC / WATCHDOG_PID out of the environment.

        ``WATCHDOG_PID`` names the process the watchdog is for: another pid (a parent
        that exec'd us) means not ours.
        """
        address = os.environ.pop("NOTIFY_SOCKET", None)
        usec = os.environ.pop("WATCHDOG_USEC", None)
        pid = os.environ.pop("WATCHDOG_PID", None)
        if pid is not None and pid != str(os.getpid()):
            usec = None
        return cls(address, usec)

    @property
    def enabled(self) -> bool:
        return bool(self.address)

    def send(self, *fields: str) -> bool:
        """Send ``fields`` as one message; False (never an exception) when it cannot."""
        if not self.address:
            return False
        target = self.address
        if target.startswith("@"):
            target = "\0" + target[1:]
        try:
            if self.sock is None:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self.sock.sendto("\n".join(fields).encode(), target)
        except OSError:
            return False
        return True

    def ready(self, status: str = "") -> bool:
        return self.send("READY=1", *([f"STATUS={status}"] if status else []))

    def reloading(self) -> bool:
        usec = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        return self.send("RELOADING=1", f"MONOTONIC_USEC={usec}")

    def stopping(self) -> bool:
        return self.send("STOPPING=1")

    def watchdog(self) -> bool:
        return self.send("WATCHDOG=1")

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


class Readiness:
    """When to tell systemd READY=1: every child answers and has caught up with SIGHUPs.

    A child's hello reports how many SIGHUPs its last finished reload had seen
    (:mod:`kaconfd.control`); the parent counts those it sent (``ChildSpec.hups_sent``),
    so READY=1 after a reload means every child has finished it, with no race against a
    reload still running. Bounded by :data:`READY_TIMEOUT` (logged, then READY anyway:
    systemd would otherwise kill a daemon whose VRRP side runs).
    """

    def __init__(self, parent: Parent) -> None:
        self.parent = parent
        self.task: asyncio.Task[None] | None = None

    def announce(self) -> None:
        """Send READY=1 as soon as the children are up (a no-op outside systemd)."""
        if not self.parent.notifier.enabled:
            return
        self.cancel()
        self.task = asyncio.get_running_loop().create_task(self._wait())

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.task = None

    async def _wait(self) -> None:
        parent = self.parent
        loop = asyncio.get_running_loop()
        deadline = loop.time() + READY_TIMEOUT
        while not parent.stopping:
            live = [s for s in parent.children if not s.retired]
            pending = [s for s in live if not await self._caught_up(s)]
            if not pending:
                parent.notifier.ready("running: " + ", ".join(s.title for s in live))
                return
            if loop.time() > deadline:
                log.warning("%s child did not report ready within %gs; telling systemd "
                            "anyway", pending[0].title, READY_TIMEOUT)
                parent.notifier.ready("running (a child did not report ready)")
                return
            await asyncio.sleep(0.1)

    @staticmethod
    async def _caught_up(spec: ChildSpec) -> bool:
        """The child answers hello and has finished a reload after every SIGHUP sent."""
        if spec.pid is None:
            return False
        from .statusd import ask

        answer = (await ask(spec.control_path, "hello", timeout=1.0) or "").split()
        if len(answer) < 3 or answer[0] != "ok":
            return False
        done = int(answer[3]) if len(answer) > 3 and answer[3].isdigit() else 0
        return done >= spec.hups_sent

    async def keepalive(self) -> None:
        """WATCHDOG=1 every half WatchdogSec while the parent's loop runs."""
        notifier = self.parent.notifier
        assert notifier.watchdog_interval is not None
        while True:
            notifier.watchdog()
            await asyncio.sleep(notifier.watchdog_interval)
