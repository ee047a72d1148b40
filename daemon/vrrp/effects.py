"""What an instance's actions do to the system: VIPs, routes, rules, ARPs, notify scripts.

Why apart from the runner: these are the slow, awaited side of an instance (netlink,
nftables, subprocesses), run only on state changes, while :mod:`.runner` is the path
every advert and timer takes. :class:`InstanceEffects` is mixed into
:class:`~.runner.InstanceRunner`; notify scripts run in the background and are
never awaited by the machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from kaconf.effective.scriptsec import run_as

from ..alerts import instance_mail
from .events import RunNotify, SendGarp
from .io import Announcer
from .params import State
from .statics import apply_addresses, apply_routes, apply_rules

if TYPE_CHECKING:
    from .child import VrrpChild
    from .config import Command, InstanceConfig

log = logging.getLogger("Keepalived_vrrp")


#: Notify scripts started and not yet seen to exit (also those whose task was cancelled:
#: the process runs on). See :func:`kill_running_scripts`.
RUNNING: set[asyncio.subprocess.Process] = set()


async def run_script(cmd: Command) -> None:
    """Run a notify script as its uid:gid; its exit status is logged, never awaited.

    keepalived puts no time limit on a notify script while it runs (a hung one hangs
    alone: nothing waits for it); the child reaps each one when it exits, and kills
    the process group of any still running when it stops (:func:`kill_running_scripts`).
    """
    argv = cmd.argv
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL, start_new_session=True,
            **run_as(cmd.uid, cmd.gid))
    except (OSError, ValueError) as exc:
        log.error("cannot run script %s: %s", " ".join(argv), exc)
        return
    RUNNING.add(proc)
    status = await proc.wait()
    RUNNING.discard(proc)
    if status:
        log.info("Script %s exited with status %d", argv[0], status)


def kill_running_scripts() -> int:
    """SIGKILL the process group of every notify script still running; how many.

    At stop, after the grace the child gives them: keepalived gives ``notify_stop`` one
    second, then kills its process group, and its other scripts die with it
    (``PR_SET_PDEATHSIG``). A script here is in its own session (process group =
    its pid), so what it started in the foreground or background goes too.
    """
    killed = 0
    for proc in list(RUNNING):
        RUNNING.discard(proc)
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
                killed += 1
    return killed


class InstanceEffects:
    """VIPs, routes, rules, gratuitous ARPs and notify scripts of one instance."""

    # Provided by InstanceRunner.
    child: VrrpChild
    cfg: InstanceConfig
    ifindex: dict[str, int]
    announcers: dict[str, Announcer]
    background: set[asyncio.Task[None]]
    #: the state last mailed (keepalived's ``last_email_state``)
    last_email_state: State | None = None
    if TYPE_CHECKING:
        @property
        def state(self) -> State: ...

    async def _index(self, dev: str) -> int | None:
        if dev not in self.ifindex:
            link = await self.child.netlink.link(dev)
            if link is None:
                return None
            self.ifindex[dev] = link.index
        return self.ifindex[dev]

    async def _vips(self, *, add: bool) -> None:
        """VIPs, excluded VIPs, routes, rules: added in that order, removed in reverse."""
        # no_accept (keepalived): drop rules go in before the VIPs, out after them.
        dropped = [v.address.ip for v in self.cfg.vips + self.cfg.excluded_vips]
        if add:
            if not self.cfg.accept:
                await self.child.firewall.drop(dropped, add=True)
            await self._addresses(add=True)
            await self._routes(add=True)
            await self._rules(add=True)
        else:
            await self._rules(add=False)
            await self._routes(add=False)
            await self._addresses(add=False)
            if not self.cfg.accept:
                await self.child.firewall.drop(dropped, add=False)

    async def _addresses(self, *, add: bool) -> None:
        await apply_addresses(self.child.netlink, self._index,
                              self.cfg.vips + self.cfg.excluded_vips, add=add,
                              who=f"({self.cfg.name}) ", noun="VIP")

    async def _routes(self, *, add: bool) -> None:
        await apply_routes(self.child.netlink, self._index, self.cfg.routes, add=add,
                           who=f"({self.cfg.name}) ", noun="route")

    async def _rules(self, *, add: bool) -> None:
        await apply_rules(self.child.netlink, self.cfg.rules, add=add,
                          who=f"({self.cfg.name}) ", noun="rule")

    def _garp(self, act: SendGarp) -> None:
        if act.delay <= 0:
            self._spawn(self._send_garps(act.count))
            return

        async def later() -> None:
            await asyncio.sleep(act.delay)
            if self.state is State.MASTER:
                await self._send_garps(act.count)

        self._spawn(later())

    async def _announcer(self, dev: str) -> Announcer | None:
        if dev not in self.announcers:
            link = await self.child.netlink.link(dev)
            if link is None:
                return None
            self.announcers[dev] = Announcer(dev, link.index, link.mac)
        return self.announcers[dev]

    async def _send_garps(self, count: int) -> None:
        """Gratuitous ARPs (IPv4) / unsolicited NAs (IPv6) for VIPs and excluded VIPs."""
        for vip in self.cfg.vips + self.cfg.excluded_vips:
            announcer = await self._announcer(vip.dev)
            if announcer is None:
                continue
            what = ("gratuitous ARPs" if vip.address.version == 4
                    else "Unsolicited Neighbour Adverts")
            log.info("(%s) Sending/queueing %s on %s for %s", self.cfg.name, what, vip.dev, vip)
            for _ in range(count):
                try:
                    announcer.send(vip.address.ip)
                except OSError as exc:
                    log.debug("(%s) announcing %s failed: %s", self.cfg.name, vip, exc)
                    break

    def _notify(self, act: RunNotify) -> None:
        cfg = self.cfg
        specific = {State.MASTER: cfg.notify_master, State.BACKUP: cfg.notify_backup,
                    State.FAULT: cfg.notify_fault, State.STOP: cfg.notify_stop}.get(act.state)
        commands: list[Command] = []
        if specific:
            commands.append(specific)
        if cfg.notify:
            commands.append(cfg.notify.with_args("INSTANCE", cfg.name, act.state.value,
                                                 str(act.priority)))
        for cmd in commands:
            self._spawn(run_script(cmd))
        self.child.fifo.write(f'INSTANCE "{cfg.name}" {act.state.value} {act.priority}')
        self._mail(act.state)

    def _mail(self, state: State) -> None:
        """``smtp_alert``: mail the new state (never the same state twice in a row)."""
        settings = self.child.alerts.settings
        if not self.cfg.smtp_alert or settings is None or self.last_email_state == state:
            return
        stopping = self.child.stopping
        if stopping is not None and stopping.is_set():
            return  # keepalived's process exits before its "Stopping" mail can leave
        mail = instance_mail(settings, self.cfg.name, state.value)
        if mail is not None:
            self.last_email_state = state
            self.child.alerts.send(*mail)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self.background.add(task)
        self.child.notifies.add(task)
        task.add_done_callback(self.background.discard)
        task.add_done_callback(self.child.notifies.discard)

