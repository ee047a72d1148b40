"""The VRRP child: one asyncio loop that drives every instance's state machine.

Theory of operation
-------------------
:class:`VrrpChild` is the process: it reads the configuration, starts what it asks
for, serves until SIGTERM and stops everything cleanly; SIGHUP reloads (unchanged
instances keep running), SIGUSR1 writes the data file (:mod:`.datafile`). The pieces
it starts, each in its own module:

* :mod:`.runner`: an :class:`~.runner.InstanceRunner` per instance owns its
  :class:`~.fsm.VrrpFsm` and executes the actions the machine returns, with its timers
  (:mod:`.timers`) and its effects on the system (:mod:`.effects`: VIPs, routes,
  rules, ARPs, notify scripts);
* :mod:`.units`: a :class:`~.units.Unit` decides for a standalone instance or a
  ``vrrp_sync_group``; every event for an instance goes through its unit's queue, so
  no machine sees two events at once;
* :mod:`.sockets` and :mod:`.receiver`: raw sockets shared by the instances on the
  same interface; adverts are read in batches with kernel arrival times, decoded once
  and handed on by VRID;
* :mod:`.tracked`: ``vrrp_script`` and ``track_file`` objects shared by the instances
  tracking them; link changes come from netlink (:meth:`VrrpChild._on_link`), and so
  do address changes, which move the instances' source addresses (:mod:`.ifaddrs`,
  :meth:`VrrpChild._on_address`);
* :mod:`.fifo`, :mod:`.statefile`, :mod:`.control`: notify FIFOs, the state file a
  restarted child resumes from, and the control socket the parent's watchdog talks to
  (answered by this same loop, so a loop that is stuck stops answering and gets
  restarted).

Idle cost matters (a node may serve hundreds of instances): see :mod:`.runner` and
:mod:`.timers` for the fast paths and the grouped, lazy timers, and :mod:`.receiver`
for the batched reads.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import signal
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from kaconf.effective import Effective, resolve
from kaconf.exitstatus import ExitStatus
from kaconf.model.objects import Config

from ..control import serve_control, start_control_server
from ..netlink import AddressEvent, Link, Netlink
from ..smtp import Alerter
from ..watchdog import WatchfulSelector, run_watched
from .accept import NftFirewall
from .ah import SeqCounter
from .config import (
    InstanceConfig,
    SyncGroupConfig,
    UnsupportedConfig,
    VrrpConfig,
    vrrp_config,
)
from .datafile import write_data, write_stats
from .effects import kill_running_scripts
from .events import TrackUpdate
from .fifo import NotifyFifo
from .ifaddrs import InterfaceAddresses, IPAddress, SourceUser, new_sources
from .params import State
from .prepared import take as take_prepared
from .process_track import TrackedProcesses
from .runner import InstanceRunner
from .sockets import SharedSockets
from .statefile import read_state, write_state
from .statics import StaticEntries
from .status import SIGJSON, vrrp_status, write_keepalived_json
from .timers import SlotTimers
from .tracked import TrackedObjects
from .units import Unit

log = logging.getLogger("Keepalived_vrrp")

#: How long a stopping child waits for notify_stop scripts before it exits anyway.
NOTIFY_GRACE = 5.0


@dataclass(frozen=True, slots=True)
class ChildOptions:
    """What the parent hands the VRRP child."""

    config_path: str
    control_path: str
    state_path: str
    config_id: str | None = None
    data_file: str = "/tmp/keepalived.data"
    #: the parent's checked configuration for reloads (see :mod:`kaconfd.snapshot`);
    #: None (a child run on its own, in tests) reads ``config_path`` instead
    snapshot: str | None = None



class VrrpChild:
    """The whole VRRP child process: instances, netlink, control socket, signals."""

    def __init__(self, opts: ChildOptions, config: Config) -> None:
        self.opts = opts
        self.config = config
        self.netlink = Netlink()
        self.statics = StaticEntries(self.netlink)
        self.units: dict[str, Unit] = {}
        #: Receiving and sending sockets, shared by the instances using them.
        self.sockets = SharedSockets()
        #: The advert timers of every instance (see SlotTimers).
        self.slots = SlotTimers()
        self.slots.before = self.sockets.note_quiet
        #: Tracked scripts and files (their changes are broadcast to the instances).
        self.tracked = TrackedObjects(self.broadcast)
        #: Tracked processes (vrrp_track_process), scanned in /proc.
        self.processes = TrackedProcesses(self.broadcast)
        self.notifies: set[asyncio.Task[None]] = set()
        #: SMTP alerts (smtp_alert): sent in the background, awaited at stop with notifies
        self.alerts = Alerter(log, self.notifies)
        self.fifo = NotifyFifo()
        #: nftables drop rules of no_accept instances (table/priority set in run()).
        self.firewall = NftFirewall()
        self.vrrp: VrrpConfig | None = None
        #: the resolved configuration the instances run (what SIGUSR1 prints)
        self.effective: Effective | None = None
        self.stopping: asyncio.Event | None = None
        self.link_state: dict[str, bool] = {}
        #: the addresses the instances may advertise from, followed over netlink; the
        #: VIPs and excluded VIPs of the configuration are never among them
        self.own_addresses: frozenset[IPAddress] = frozenset()
        self.ifaddrs = InterfaceAddresses(lambda ip: ip in self.own_addresses)
        #: AH sequence counters of instances restarted by a reload, by name: the new
        #: runner continues the numbering, as keepalived keeps ``ipsecah_counter``.
        self.ah_counters: dict[str, SeqCounter] = {}
        self._reloading = False
        self._ready = False
        self._reload_pending = False
        #: the end of vrrp_startup_delay (loop time), for every machine started before it
        self.delayed_start: float | None = None
        #: SIGHUPs received, and how many of them the last finished reload had seen:
        #: the parent's hello reads the latter to learn when a reload is over
        self.hups_seen = 0
        self.reloads = 0
        #: the loop's selector: answers the parent's watchdog line (see ..watchdog)
        self.watch: WatchfulSelector | None = None

    @property
    def runners(self) -> dict[str, InstanceRunner]:
        """Every running instance, by name."""
        return {name: r for unit in self.units.values() for name, r in unit.runners.items()}

    def states(self) -> dict[str, str]:
        """Every running instance's state, by name."""
        return {name: r.state.value for name, r in self.runners.items()}

    # ---------------------------------------------------------------- life cycle

    async def run(self) -> int:
        """Start everything, serve until SIGTERM, stop cleanly; returns the exit status."""
        loop = asyncio.get_running_loop()
        self.stopping = asyncio.Event()
        # Handlers first: scripts started below must not inherit SIG_IGN from the fork,
        # and a SIGUSR1 sent while the configuration is resolved must not be lost.
        loop.add_signal_handler(signal.SIGTERM, self.stopping.set)
        loop.add_signal_handler(signal.SIGINT, self.stopping.set)
        loop.add_signal_handler(signal.SIGHUP, self._on_sighup)
        loop.add_signal_handler(signal.SIGUSR1, self.write_data)
        loop.add_signal_handler(signal.SIGUSR2, self.write_stats)
        loop.add_signal_handler(SIGJSON, self.write_json)
        try:
            # the parent's resolution when it made one for this config (.prepared)
            kept = take_prepared(self.config)
            if kept is None:
                effective = resolve(self.config)
                vrrp = vrrp_config(effective)
            else:
                effective, vrrp = kept
        except UnsupportedConfig as exc:
            log.error("%s", exc)
            return ExitStatus.RUN_CONFIG
        self.effective = effective
        for warning in vrrp.warnings:
            log.warning("%s", warning)
        self.firewall.table, self.firewall.priority = vrrp.nft_table, vrrp.nft_priority
        self.alerts.settings = vrrp.smtp
        await self.netlink.open()
        await self.statics.start(vrrp.static_vips, vrrp.static_routes, vrrp.static_rules)
        await self.fifo.open(vrrp.notify_fifos, vrrp.fifo_scripts)
        self.tracked.open()
        self.tracked.sync(vrrp, reload=False)
        if vrrp.startup_delay > 0:  # the first start only, never a reload
            self.delayed_start = asyncio.get_running_loop().time() + vrrp.startup_delay
            log.info("Delaying startup for %g seconds", vrrp.startup_delay)
        self.processes.sync(vrrp.processes)
        self.processes.start()
        # Link and address events are heard from before the instances read their
        # interfaces: a change after that reading is not missed. (The task binds its
        # socket before its first wait, so one turn of the loop is enough.)
        watcher = asyncio.create_task(self.netlink.watch_links(self._on_link,
                                                               self._on_address))
        watcher.add_done_callback(_log_watcher_end)
        await asyncio.sleep(0)
        self.own_addresses = own_addresses(vrrp)
        previous = read_state(self.opts.state_path)
        await self._start_units(vrrp, {name for name, st in previous.items()
                                       if st == State.MASTER.value})
        self.vrrp = vrrp
        self.state_changed()
        self.tracked.start_poll()
        server = await start_control_server(self.opts.control_path, functools.partial(
            serve_control, role="vrrp", states=self.states, status=self.status,
            reloads=lambda: self.reloads, lazy=self.watch))
        self._ready = True
        if self._reload_pending:
            self._schedule_reload()
        await self.stopping.wait()
        log.info("Stopping")
        server.close()
        await self.tracked.stop_scripts()
        await self.processes.stop()
        await asyncio.gather(*(u.stop() for u in self.units.values()))
        self.state_changed()
        watcher.cancel()
        self.tracked.stop_poll()
        if self.notifies:
            await asyncio.wait(set(self.notifies), timeout=NOTIFY_GRACE)
        if kill_running_scripts():
            log.info("killed the notify scripts still running after %gs", NOTIFY_GRACE)
        self.fifo.close()
        self.tracked.close()
        await self.firewall.close()
        await self.statics.stop()
        await self.netlink.close()
        return ExitStatus.OK

    async def _start_units(self, vrrp: VrrpConfig, resume: set[str]) -> None:
        """Start the instances of ``vrrp`` that are not running, grouped into units."""
        running = self.runners
        group_of = {m: g for g in vrrp.groups for m in g.members}
        by_name = {c.name: c for c in vrrp.instances}
        for group in vrrp.groups:
            if f"group:{group.name}" in self.units:
                continue
            members = [by_name[m] for m in group.members if m not in running]
            await self._start_unit(f"group:{group.name}", members, group, resume)
        for cfg in vrrp.instances:
            if cfg.name not in group_of and cfg.name not in running:
                await self._start_unit(f"instance:{cfg.name}", [cfg], None, resume)

    async def _start_unit(self, key: str, configs: list[InstanceConfig],
                          group: SyncGroupConfig | None, resume: set[str]) -> None:
        runners: dict[str, InstanceRunner] = {}
        for cfg in configs:
            runner = InstanceRunner(self, cfg)
            try:
                opened = await runner.open()
            except OSError as exc:
                log.error("(%s) cannot open sockets: %s", cfg.name, exc)
                opened = False
            if opened:
                runners[cfg.name] = runner
            else:
                runner.close()
                await runner.remove_vmac()
        if not runners:
            return
        unit = Unit(self, key, runners, group)
        self.units[key] = unit  # from now on broadcasts reach its queue
        for name, runner in runners.items():
            for event in await runner.initial_events(name in resume):
                unit.post(name, event)
        for runner in runners.values():
            # an address that came or went since open() read it (the unit was not
            # listed yet, so _on_address could not tell it)
            primary = self.ifaddrs.primary(runner.ifindex[runner.cfg.interface],
                                           runner.cfg.family)
            if runner.follows_interface and runner.source != primary:
                runner.set_source(primary)
        unit.start()

    def broadcast(self, tracker: str, event: TrackUpdate) -> None:
        """Send a tracked object's change to every instance that tracks it."""
        for runner in self.runners.values():
            if runner.fsm is not None and any(t.name == tracker
                                              for t in runner.fsm.params.trackers):
                runner.post(event)

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

    def _on_address(self, event: AddressEvent) -> None:
        """An address came or went: move the sources of the instances it concerns."""
        change = self.ifaddrs.apply(event.index, event.address, event.added, event.tentative)
        if change is None:
            return
        runners = self.runners
        users = [SourceUser(name, r.ifindex.get(r.cfg.interface, -1), r.cfg.family, r.source)
                 for name, r in runners.items() if r.follows_interface]
        ifname = next((runners[u.name].cfg.interface for u in users
                       if u.index == event.index), str(event.index))
        if change.old is None:
            log.debug("Assigned address %s for interface %s", change.new, ifname)
        elif change.new is None:
            log.debug("Deassigned address %s from interface %s", change.old, ifname)
        for name, src in new_sources(change, users):
            runners[name].set_source(src)

    # ---------------------------------------------------------------- reload

    def _on_sighup(self) -> None:
        self.hups_seen += 1
        self._schedule_reload()

    def _schedule_reload(self) -> None:
        if not self._ready or self._reloading:
            self._reload_pending = True  # during start-up or a reload: once it is over
            return
        self._reload_pending = False
        self._reloading = True
        asyncio.ensure_future(self.reload())

    def _new_config(self) -> Config | None:
        """The configuration to reload: the parent's checked snapshot (never the files)."""
        if self.opts.snapshot is not None:
            from ..snapshot import read_snapshot

            try:
                return read_snapshot(self.opts.snapshot)
            except (OSError, ValueError, EOFError) as exc:
                log.error("cannot read the configuration snapshot: %s", exc)
                return None
        from kaconf.loader import load_full

        loaded = load_full(self.opts.config_path, config_id=self.opts.config_id)
        if loaded.errors or not loaded.config.files:
            for diag in loaded.errors or loaded.diagnostics:
                log.error("%s", diag)
            return None
        return loaded.config

    async def reload(self) -> None:
        """SIGHUP: re-read the config; on errors keep the running one; keep unchanged instances."""
        self._reloading = True
        seen = self.hups_seen
        try:
            log.info("Reloading")
            config = self._new_config()
            if config is None:
                log.error("Reload failed: keeping the running configuration")
                return
            try:
                effective = resolve(config)
                vrrp = vrrp_config(effective)
            except UnsupportedConfig as exc:
                log.error("Reload failed: %s, keeping the running configuration", exc)
                return
            await self._apply(vrrp)
            await self.statics.update(vrrp.static_vips, vrrp.static_routes, vrrp.static_rules)
            self.config = config
            self.effective = effective
            self.state_changed()
            log.info("Reload finished")
        finally:
            self._reloading = False
            self.reloads = seen
            if self._reload_pending:
                self._schedule_reload()

    async def _apply(self, vrrp: VrrpConfig) -> None:
        """Stop units, scripts and files that changed; start what is new."""
        # the VIPs of both configurations are ours while one replaces the other
        self.own_addresses = own_addresses(vrrp) | self.own_addresses
        by_name = {c.name: c for c in vrrp.instances}
        groups = {f"group:{g.name}": g for g in vrrp.groups}
        grouped = {m for g in vrrp.groups for m in g.members}
        for key, unit in list(self.units.items()):
            cfgs, group = unit.configs
            if group is not None:
                keep = groups.get(key) == group and all(by_name.get(c.name) == c for c in cfgs)
            else:
                keep = all(by_name.get(c.name) == c and c.name not in grouped for c in cfgs)
            # An instance without an address to advertise from is opened again, as
            # before kaconfd followed addresses: harmless (it is in FAULT) and a cure
            # if address events were lost (a full netlink receive buffer).
            keep = keep and not any(r.no_address for r in unit.runners.values())
            if not keep:
                await unit.stop()
                del self.units[key]
                self.ah_counters.update((name, r.ah) for name, r in unit.runners.items()
                                        if r.ah is not None)
        await self.tracked.drop_changed(vrrp)
        self.alerts.settings = vrrp.smtp
        if self.vrrp is None or (vrrp.notify_fifos, vrrp.fifo_scripts) != (
                self.vrrp.notify_fifos, self.vrrp.fifo_scripts):
            self.fifo.close()
            await self.fifo.open(vrrp.notify_fifos, vrrp.fifo_scripts)
        for warning in vrrp.warnings:
            log.warning("%s", warning)
        self.tracked.sync(vrrp, reload=True)
        self.processes.sync(vrrp.processes)
        await self._start_units(vrrp, set())
        self.ah_counters.clear()
        self.vrrp = vrrp
        self.own_addresses = own_addresses(vrrp)

    # ---------------------------------------------------------------- state, data

    def state_changed(self) -> None:
        write_state(self.opts.state_path, self.states())

    def write_data(self) -> None:
        """SIGUSR1: write configuration and state to the data file, as keepalived does."""
        self.sockets.note_quiet()
        write_data(self)

    def write_stats(self) -> None:
        """SIGUSR2: write every instance's counters to the stats file, as keepalived does."""
        self.sockets.note_quiet()
        write_stats(self)

    def write_json(self) -> None:
        """SIGRTMIN+2 (keepalived's SIGJSON): keepalived's JSON dump beside the data file."""
        self.sockets.note_quiet()
        write_keepalived_json(self)

    def status(self) -> dict[str, object]:
        """The control socket's ``status``: this child's part of ``kaconf status``."""
        self.sockets.note_quiet()
        return vrrp_status(self)


def own_addresses(vrrp: VrrpConfig) -> frozenset[IPAddress]:
    """The addresses the instances add (VIPs, excluded VIPs): never a source address."""
    return frozenset(v.address.ip for c in vrrp.instances
                     for v in (*c.vips, *c.excluded_vips))


def _log_watcher_end(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("link tracking stopped: %s", task.exception())


def child_main(opts: ChildOptions, config: Config) -> int:
    """Entry point in the forked child: a fresh event loop, run, exit status."""
    child = VrrpChild(opts, config)

    def main(selector: WatchfulSelector) -> Coroutine[Any, Any, int]:
        child.watch = selector
        return child.run()

    return run_watched(main)
