"""The VRRP child: one asyncio loop that drives every instance's state machine.

Theory of operation
-------------------
Each :class:`InstanceRunner` owns one :class:`~.fsm.VrrpFsm`, its sockets and its
timers. Everything that can happen to an instance (an advert arrives, a timer fires,
a link goes down, the daemon stops) becomes an event on the runner's queue; one task
per runner takes events in order, asks the FSM for actions and executes them before
taking the next event. So the FSM never sees two events at once, and an action that
awaits (netlink, notify scripts) cannot interleave with the next decision.

The child also serves a UNIX socket for the parent's watchdog: the hello is answered
by this same loop, so a loop that is stuck stops answering and gets restarted.

State that must survive a watchdog restart (which instances were MASTER) is written
to ``<run dir>/vrrp.state`` at every state change; a restarted child resumes MASTER
for an unchanged instance whose VIPs are still in place.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import logging
import os
import signal
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kaconf.model.objects import Config

from ..netlink import Link, Netlink
from .config import InstanceConfig, UnsupportedConfig, instance_configs
from .fsm import (
    Action,
    AddVips,
    AdvertReceived,
    Event,
    Log,
    RemoveVips,
    RunNotify,
    SendAdvert,
    SendGarp,
    SetTimer,
    Shutdown,
    Startup,
    State,
    TimerFired,
    TrackUpdate,
    VrrpFsm,
)
from .io import AdvertSockets, Announcer
from .packet import Advertisement, Expectation, PacketError, Reason, decode, validate

log = logging.getLogger("Keepalived_vrrp")

EXIT_OK = 0
EXIT_FATAL = 2
EXIT_CONFIG = 3
#: How long a stopping child waits for notify_stop scripts before it exits anyway.
NOTIFY_GRACE = 5.0

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, slots=True)
class ChildOptions:
    """What the parent hands the VRRP child."""

    config_path: str
    control_path: str
    state_path: str
    config_id: str | None = None
    data_file: str = "/tmp/keepalived.data"


class InstanceRunner:
    """Executes the actions of one instance's FSM (see the module docstring)."""

    def __init__(self, child: VrrpChild, cfg: InstanceConfig) -> None:
        self.child = child
        self.cfg = cfg
        self.fsm: VrrpFsm | None = None
        self.sockets: AdvertSockets | None = None
        self.announcer: Announcer | None = None
        self.queue: asyncio.Queue[Event | None] = asyncio.Queue()
        self.timers: dict[str, asyncio.TimerHandle] = {}
        self.task: asyncio.Task[None] | None = None
        self.background: set[asyncio.Task[None]] = set()
        self.ifindex: dict[str, int] = {}
        self.expect = Expectation(cfg.version, cfg.vrid, cfg.advert_int, cfg.auth_type,
                                  cfg.auth_data, check_ttl=not cfg.unicast)
        self.loop = asyncio.get_running_loop()

    @property
    def state(self) -> State:
        return self.fsm.state if self.fsm is not None else State.INIT

    # ---------------------------------------------------------------- start / stop

    async def start(self, resume_master: bool) -> bool:
        """Open sockets and post Startup; False (logged) when the instance cannot run."""
        cfg, nl = self.cfg, self.child.netlink
        link = await nl.link(cfg.interface)
        if link is None:
            log.error("(%s) interface %s does not exist, instance not started",
                      cfg.name, cfg.interface)
            return False
        self.ifindex[cfg.interface] = link.index
        primary = cfg.src_ip or await self._primary_address(link.index)
        if primary is None:
            log.error("(%s) no IPv%d address on %s to advertise from, instance not started",
                      cfg.name, cfg.family, cfg.interface)
            return False
        group = None if cfg.unicast else cfg.mcast_dst
        self.sockets = AdvertSockets(family=cfg.family, ifname=cfg.interface,
                                     ifindex=link.index, src=primary, mcast_group=group,
                                     ttl=cfg.ttl)
        src_v6 = primary if isinstance(primary, ipaddress.IPv6Address) else None
        self.announcer = Announcer(cfg.interface, link.index, link.mac, src_v6)
        self.loop.add_reader(self.sockets.fileno(), self._on_readable)
        self.fsm = VrrpFsm(cfg.fsm_params(primary))
        for name in cfg.tracked_interfaces:
            tracked = link if name == cfg.interface else await nl.link(name)
            if tracked is not None:
                self.ifindex[name] = tracked.index
                self.child.link_state.setdefault(name, tracked.up)
            self.post(TrackUpdate(f"if:{name}", tracked is not None and tracked.up))
        if resume_master:
            resume_master = await self._vips_present()
        self.post(Startup(resume_master=resume_master))
        self.task = asyncio.create_task(self._consume(), name=f"vrrp {cfg.name}")
        return True

    async def _primary_address(self, index: int) -> IPAddress | None:
        for iface in await self.child.netlink.addresses(index):
            ip = iface.ip
            if ip.version != self.cfg.family:
                continue
            if ip.version == 6 and not ip.is_link_local:
                continue  # RFC 5798: IPv6 adverts come from the link-local address
            if any(v.address.ip == ip for v in self.cfg.vips):
                continue
            return ip
        return None

    async def _vips_present(self) -> bool:
        for vip in self.cfg.vips:
            index = await self._index(vip.dev)
            if index is None:
                return False
            present = await self.child.netlink.addresses(index)
            if vip.address not in present:
                return False
        return True

    async def stop(self) -> None:
        """Shutdown event (priority 0 if MASTER, VIPs removed, notify_stop), then close."""
        if self.task is not None:
            self.post(Shutdown())
            self.queue.put_nowait(None)
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        self.close()

    def close(self) -> None:
        for handle in self.timers.values():
            handle.cancel()
        self.timers.clear()
        for task in self.background:
            task.cancel()
        if self.sockets is not None:
            with contextlib.suppress(ValueError, OSError):
                self.loop.remove_reader(self.sockets.fileno())
            self.sockets.close()
            self.sockets = None
        if self.announcer is not None:
            self.announcer.close()

    # ---------------------------------------------------------------- events

    def post(self, event: Event) -> None:
        self.queue.put_nowait(event)

    async def _consume(self) -> None:
        while True:
            event = await self.queue.get()
            if event is None or self.fsm is None:
                return
            before = self.fsm.state
            try:
                actions = self.fsm.handle(event, self.loop.time())
                await self._execute(actions)
            except Exception:
                log.exception("(%s) failed handling %s", self.cfg.name, event)
            if self.fsm.state != before:
                self.child.state_changed()

    def _on_readable(self) -> None:
        if self.sockets is None:
            return
        while (rcv := self.sockets.receive()) is not None:
            try:
                adv = decode(rcv.payload, family=self.cfg.family, src=rcv.src, dst=rcv.dst)
                validate(adv, self.expect, rcv.ttl)
            except PacketError as exc:
                if exc.reason is not Reason.VRID:
                    log.debug("(%s) discarding advert from %s: %s", self.cfg.name, rcv.src, exc)
                    if exc.reason in (Reason.AUTH, Reason.ADVERT_INTERVAL, Reason.TTL,
                                      Reason.VERSION):
                        log.warning("(%s) received an invalid advert from %s: %s",
                                    self.cfg.name, rcv.src, exc)
                continue
            if self.cfg.unicast and rcv.src not in self.cfg.unicast_peers:
                log.debug("(%s) advert from %s, not a unicast peer", self.cfg.name, rcv.src)
                continue
            if self.sockets is not None and rcv.src == self.sockets.src:
                continue
            self.post(AdvertReceived(rcv.src, adv.priority, adv.advert_int))

    # ---------------------------------------------------------------- actions

    async def _execute(self, actions: list[Action]) -> None:
        for act in actions:
            if isinstance(act, Log):
                log.log(logging.WARNING if act.warning else logging.INFO, "%s", act.message)
            elif isinstance(act, SetTimer):
                self._set_timer(act)
            elif isinstance(act, SendAdvert):
                self._send_advert(act.priority)
            elif isinstance(act, AddVips):
                await self._vips(add=True)
            elif isinstance(act, RemoveVips):
                await self._vips(add=False)
            elif isinstance(act, SendGarp):
                self._garp(act)
            elif isinstance(act, RunNotify):
                self._notify(act)

    def _set_timer(self, act: SetTimer) -> None:
        old = self.timers.pop(act.name, None)
        if old is not None:
            old.cancel()
        if act.at is not None:
            self.timers[act.name] = self.loop.call_at(act.at, self.post, TimerFired(act.name))

    def _send_advert(self, priority: int) -> None:
        cfg, socks = self.cfg, self.sockets
        if socks is None:
            return
        adv = Advertisement(cfg.version, cfg.vrid, priority,
                            tuple(v.address.ip for v in cfg.vips)[:255], cfg.advert_int,
                            cfg.auth_type, cfg.auth_data)
        for dst in cfg.unicast_peers or (cfg.mcast_dst,):
            try:
                socks.send(adv.to_bytes(socks.src, dst), dst)
            except OSError as exc:
                log.debug("(%s) sending advert to %s failed: %s", cfg.name, dst, exc)

    async def _index(self, dev: str) -> int | None:
        if dev not in self.ifindex:
            link = await self.child.netlink.link(dev)
            if link is None:
                return None
            self.ifindex[dev] = link.index
        return self.ifindex[dev]

    async def _vips(self, *, add: bool) -> None:
        nl = self.child.netlink
        for vip in self.cfg.vips + self.cfg.excluded_vips:
            index = await self._index(vip.dev)
            if index is None:
                log.error("(%s) interface %s for VIP %s does not exist", self.cfg.name,
                          vip.dev, vip)
                continue
            try:
                if add:
                    await nl.add_address(index, vip.address, label=vip.label, scope=vip.scope,
                                         broadcast=vip.broadcast)
                else:
                    await nl.remove_address(index, vip.address)
            except Exception as exc:
                log.error("(%s) %s VIP %s failed: %s", self.cfg.name,
                          "adding" if add else "removing", vip, exc)

    def _garp(self, act: SendGarp) -> None:
        if act.delay <= 0:
            self._send_garps(act.count)
            return

        async def later() -> None:
            await asyncio.sleep(act.delay)
            if self.state is State.MASTER:
                self._send_garps(act.count)

        self._spawn(later())

    def _send_garps(self, count: int) -> None:
        if self.announcer is None:
            return
        what = "gratuitous ARPs" if self.cfg.family == 4 else "Unsolicited Neighbour Adverts"
        for vip in self.cfg.vips:
            log.info("(%s) Sending/queueing %s on %s for %s", self.cfg.name, what, vip.dev, vip)
            for _ in range(count):
                try:
                    self.announcer.send(vip.address.ip)
                except OSError as exc:
                    log.debug("(%s) announcing %s failed: %s", self.cfg.name, vip, exc)
                    break

    def _notify(self, act: RunNotify) -> None:
        cfg = self.cfg
        specific = {State.MASTER: cfg.notify_master, State.BACKUP: cfg.notify_backup,
                    State.FAULT: cfg.notify_fault, State.STOP: cfg.notify_stop}.get(act.state)
        commands: list[tuple[str, ...]] = []
        if specific:
            commands.append(specific)
        if cfg.notify:
            commands.append(cfg.notify + ("INSTANCE", cfg.name, act.state.value,
                                          str(act.priority)))
        for argv in commands:
            self._spawn(self.child.run_script(argv))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self.background.add(task)
        self.child.scripts.add(task)
        task.add_done_callback(self.background.discard)
        task.add_done_callback(self.child.scripts.discard)


class VrrpChild:
    """The whole VRRP child process: instances, netlink, control socket, signals."""

    def __init__(self, opts: ChildOptions, config: Config) -> None:
        self.opts = opts
        self.config = config
        self.netlink = Netlink()
        self.runners: dict[str, InstanceRunner] = {}
        self.scripts: set[asyncio.Task[None]] = set()
        self.stopping: asyncio.Event | None = None
        self.link_state: dict[str, bool] = {}
        self._reloading = False
        self._ready = False
        self._reload_pending = False

    # ---------------------------------------------------------------- life cycle

    async def run(self) -> int:
        """Start everything, serve until SIGTERM, stop cleanly; returns the exit status."""
        loop = asyncio.get_running_loop()
        self.stopping = asyncio.Event()
        try:
            configs = instance_configs(self.config)
        except UnsupportedConfig as exc:
            log.error("%s", exc)
            return EXIT_CONFIG
        # Handlers first: scripts started below must not inherit SIG_IGN from the fork.
        loop.add_signal_handler(signal.SIGTERM, self.stopping.set)
        loop.add_signal_handler(signal.SIGINT, self.stopping.set)
        loop.add_signal_handler(signal.SIGHUP, self._schedule_reload)
        loop.add_signal_handler(signal.SIGUSR1, self.write_data)
        await self.netlink.open()
        previous = self._read_state()
        for cfg in configs:
            await self._start_instance(cfg, previous.get(cfg.name) == State.MASTER.value)
        self.state_changed()
        watcher = asyncio.create_task(self.netlink.watch_links(self._on_link))
        watcher.add_done_callback(_log_watcher_end)
        server = await asyncio.start_unix_server(self._serve_control, self.opts.control_path)
        self._ready = True
        if self._reload_pending:
            self._schedule_reload()
        await self.stopping.wait()
        log.info("Stopping")
        server.close()
        await asyncio.gather(*(r.stop() for r in self.runners.values()))
        self.state_changed()
        watcher.cancel()
        if self.scripts:
            await asyncio.wait(set(self.scripts), timeout=NOTIFY_GRACE)
        await self.netlink.close()
        return EXIT_OK

    async def _start_instance(self, cfg: InstanceConfig, resume_master: bool) -> None:
        runner = InstanceRunner(self, cfg)
        try:
            started = await runner.start(resume_master)
        except OSError as exc:
            log.error("(%s) cannot open sockets: %s", cfg.name, exc)
            runner.close()
            return
        if started:
            self.runners[cfg.name] = runner

    def _on_link(self, link: Link) -> None:
        before = self.link_state.get(link.name)
        self.link_state[link.name] = link.up
        if before == link.up:
            return
        if before is not None:
            log.info("Netlink reports %s %s", link.name, "up" if link.up else "down")
        for runner in self.runners.values():
            if link.name in runner.cfg.tracked_interfaces:
                runner.post(TrackUpdate(f"if:{link.name}", link.up))

    # ---------------------------------------------------------------- reload

    def _schedule_reload(self) -> None:
        if not self._ready or self._reloading:
            self._reload_pending = True  # during start-up or a reload: once it is over
            return
        self._reload_pending = False
        self._reloading = True
        asyncio.ensure_future(self.reload())

    async def reload(self) -> None:
        """SIGHUP: re-read the config; on errors keep the running one; keep unchanged instances."""
        from kaconf.loader import load_full

        self._reloading = True
        try:
            log.info("Reloading")
            loaded = load_full(self.opts.config_path, config_id=self.opts.config_id)
            if loaded.errors or not loaded.config.files:
                for diag in loaded.errors or loaded.diagnostics:
                    log.error("%s", diag)
                log.error("Reload failed: configuration has errors, keeping the running "
                          "configuration")
                return
            try:
                configs = {c.name: c for c in instance_configs(loaded.config)}
            except UnsupportedConfig as exc:
                log.error("Reload failed: %s, keeping the running configuration", exc)
                return
            for name, runner in list(self.runners.items()):
                if configs.get(name) != runner.cfg:
                    await runner.stop()
                    del self.runners[name]
            for name, cfg in configs.items():
                if name not in self.runners:
                    await self._start_instance(cfg, False)
            self.config = loaded.config
            self.state_changed()
            log.info("Reload finished")
        finally:
            self._reloading = False
            if self._reload_pending:
                self._schedule_reload()

    # ---------------------------------------------------------------- state, data, control

    def _read_state(self) -> dict[str, str]:
        try:
            data = json.loads(Path(self.opts.state_path).read_text())
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def state_changed(self) -> None:
        states = {name: r.state.value for name, r in self.runners.items()}
        tmp = f"{self.opts.state_path}.tmp"
        try:
            Path(tmp).write_text(json.dumps(states))
            os.replace(tmp, self.opts.state_path)
        except OSError as exc:
            log.debug("cannot write %s: %s", self.opts.state_path, exc)

    def write_data(self) -> None:
        """SIGUSR1: write configuration and state to the data file, as keepalived does."""
        lines = ["------< Global definitions >------",
                 f" Router ID = {self.config.global_defs.router_id or os.uname().nodename}",
                 f" Data written = {time.strftime('%a %b %d %H:%M:%S %Y')}",
                 "------< VRRP Topology >------"]
        for name, runner in self.runners.items():
            cfg, fsm = runner.cfg, runner.fsm
            lines += [f" VRRP Instance = {name}",
                      f"   State = {runner.state.value}",
                      f"   Wantstate = {cfg.initial_state.value}",
                      f"   Running on device = {cfg.interface}",
                      f"   Virtual Router ID = {cfg.vrid}",
                      f"   VRRP Version = {cfg.version}",
                      f"   Priority = {cfg.priority}",
                      f"   Effective priority = {fsm.effective_priority if fsm else cfg.priority}",
                      f"   Advert interval = {cfg.advert_int:g} sec",
                      f"   Preempt = {'disabled' if cfg.nopreempt else 'enabled'}",
                      f"   Preempt delay = {cfg.preempt_delay:g} secs",
                      f"   Virtual IP = {len(cfg.vips)}"]
            lines += [f"     {v.address} dev {v.dev}" for v in cfg.vips]
            if cfg.unicast_peers:
                lines.append(f"   Unicast Peer = {len(cfg.unicast_peers)}")
                lines += [f"     {p}" for p in cfg.unicast_peers]
        try:
            Path(self.opts.data_file).write_text("\n".join(lines) + "\n")
        except OSError as exc:
            log.error("cannot write %s: %s", self.opts.data_file, exc)

    async def _serve_control(self, reader: asyncio.StreamReader,
                             writer: asyncio.StreamWriter) -> None:
        """Line protocol for the parent: ``hello`` -> ``ok vrrp <pid>``; ``state`` -> JSON."""
        try:
            while line := await reader.readline():
                cmd = line.decode(errors="replace").strip()
                if cmd == "hello":
                    writer.write(f"ok vrrp {os.getpid()}\n".encode())
                elif cmd == "state":
                    states = {n: r.state.value for n, r in self.runners.items()}
                    writer.write((json.dumps(states) + "\n").encode())
                else:
                    writer.write(b"error unknown command\n")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def run_script(self, argv: tuple[str, ...]) -> None:
        """Run a notify script; its exit status is logged, never awaited by the FSM."""
        try:
            proc = await asyncio.create_subprocess_exec(
                *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL, start_new_session=True)
        except OSError as exc:
            log.error("cannot run script %s: %s", " ".join(argv), exc)
            return
        status = await proc.wait()
        if status:
            log.info("Script %s exited with status %d", argv[0], status)


def _log_watcher_end(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("link tracking stopped: %s", task.exception())


def child_main(opts: ChildOptions, config: Config) -> int:
    """Entry point in the forked child: a fresh event loop, run, exit status."""
    return asyncio.run(VrrpChild(opts, config).run())
