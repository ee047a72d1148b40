"""The VRRP child: one asyncio loop that drives every instance's state machine.

Theory of operation
-------------------
Each :class:`InstanceRunner` owns one :class:`~.fsm.VrrpFsm`, its sending socket and
its timers, and executes the actions its machine returns. Adverts arrive through one
:class:`AdvertReceiver` per interface and address family, shared by every instance
there, which decodes each advert once and hands it on by VRID. Decisions are made by a
:class:`Unit`: a standalone instance, or a ``vrrp_sync_group`` whose members' machines
are coordinated by a :class:`~.sync.SyncGroupFsm`. Everything that can happen to an
instance (an advert arrives, a timer fires, a link goes down, a tracked script or file
changes, the daemon stops) becomes an event on its unit's queue; one task per unit
takes events in order, asks the pure core for actions (tagged with the member they are
for) and executes them before taking the next event. So no machine sees two events at
once, a group's members change state in one consistent step, and an action that awaits
(netlink, notify scripts) cannot interleave with the next decision.

Tracked objects shared by several instances live in the child: each tracked
``vrrp_script`` runs in its own task (asyncio subprocess in a new session, so a timeout
kills its whole process group: SIGTERM, then SIGKILL 2 s later, as keepalived does),
each ``track_file`` is re-read on inotify events for its directory and every second
as a fall-back. A change is sent as a :class:`~.fsm.TrackUpdate` to every instance
that tracks the object.

Idle cost (a node serving hundreds of instances spends its time on the adverts it
sends and hears every interval): the two routine events skip the queue when the unit
is idle (:meth:`Unit.post`) and, for a master's advert timer and a backup's advert
from its master, even the general decision (:meth:`~.fsm.VrrpFsm.fast_advert_timer_fired`,
:meth:`~.fsm.VrrpFsm.fast_advert_received`, which the tests check against ``handle``). The
shared socket is read in batches with kernel arrival times, and an advert already
checked and handled as routine only has its arrival noted (:class:`AdvertReceiver`).
Timers are lazy and grouped: a deadline that moves later keeps its wake-up, and
masters' advert timers and backups' master-down checks share one loop timer per
slot (:class:`SlotTimers`). No decision is taken on a stale view: the master-down
timer reads the socket and hands noted adverts to the machine before it fires, and a
unit does the same before it handles any other event.

The child also serves a UNIX socket for the parent's watchdog: the hello is answered
by this same loop, so a loop that is stuck stops answering and gets restarted.

State that must survive a watchdog restart (which instances were MASTER) is written
to ``<run dir>/vrrp.state`` at every state change; a restarted child resumes MASTER
for an unchanged instance whose VIPs are still in place.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import errno
import ipaddress
import json
import logging
import math
import os
import signal
import stat
import struct
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kaconf.model.objects import Config

from ..netlink import Link, Netlink
from .accept import NftFirewall
from .config import (
    InstanceConfig,
    ScriptConfig,
    SyncGroupConfig,
    TrackFileConfig,
    UnsupportedConfig,
    VrrpConfig,
    vrrp_config,
)
from .fsm import (
    ADVER_TIMER,
    MASTER_DOWN_TIMER,
    Action,
    AddVips,
    AdvertReceived,
    Event,
    Log,
    RemoveVips,
    RunLowerPriorityNotify,
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
from .io import AdvertSender, Announcer, Heard, Received, ReceiveSocket
from .packet import Advertisement, Expectation, PacketError, Reason, decode, validate
from .statics import StaticEntries, apply_addresses, apply_routes, apply_rules
from .sync import GroupAction, RunGroupNotify, SyncGroupFsm, Tagged
from .track import ScriptOutcome, ScriptState, outcome_from_returncode, parse_file_value
from .vmac import create_vmac, remove_vmac

log = logging.getLogger("Keepalived_vrrp")

EXIT_OK = 0
EXIT_FATAL = 2
EXIT_CONFIG = 3
#: How long a stopping child waits for notify_stop scripts before it exits anyway.
NOTIFY_GRACE = 5.0
#: keepalived: a timed-out script gets SIGTERM, then SIGKILL this much later.
SCRIPT_KILL_DELAY = 2.0
#: Tracked files are re-read this often even without an inotify event.
FILE_POLL_INTERVAL = 1.0
#: Longest pause between two reads of a busy receive socket (see AdvertReceiver and
#: InstanceRunner.refresh_hold), and the shorter one when an instance there is MASTER.
MAX_HOLD = 0.25
MAX_HOLD_MASTER = 0.05
#: Advert timers may fire this share of their interval early (at most ADVER_GRID) so
#: that instances due at nearly the same time are served by one loop wake-up.
ADVER_EARLY_SHARE = 0.05
ADVER_GRID = 0.05
#: Backups check their (lazy) master-down deadlines in slots this wide (at most half
#: an advert interval): only a check, the deadline itself gets an exact timer.
DOWN_CHECK_GRID = 1.0

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
        self.unit: Unit | None = None
        self.fsm: VrrpFsm | None = None
        self.sender: AdvertSender | None = None
        #: The shared receiving socket this instance is registered with, and its group.
        self.receiver: AdvertReceiver | None = None
        self.group: IPAddress | None = None
        #: Encoded adverts by priority: (destination, bytes) for every destination.
        self._adverts: dict[int, list[tuple[IPAddress, bytes]]] = {}
        self.announcers: dict[str, Announcer] = {}
        #: Pending wake-ups by timer name: a loop timer of its own, or a slot of the
        #: child's SlotTimers; and the deadline the FSM last set for each. A wake-up
        #: before the deadline re-arms, so moving a deadline later costs no loop timer.
        self.timers: dict[str, asyncio.TimerHandle] = {}
        self.slotted: dict[str, float] = {}
        self.deadlines: dict[str, float] = {}
        #: The last advert that passed the receive checks and its event: the same bytes
        #: from the same source again need no decoding and no checks.
        self._last_good: Received | None = None
        self._last_event: AdvertReceived | None = None
        #: How long the shared socket may hold this instance's adverts unread.
        self.hold_limit = 0.0
        self._early_adver = min(ADVER_GRID, ADVER_EARLY_SHARE * cfg.advert_int)
        self._early_down = min(DOWN_CHECK_GRID, 0.5 * cfg.advert_int)
        #: Set while the socket knows our routine advert (see AdvertReceiver.learn).
        self.heard: Heard | None = None
        self.heard_key = b""
        #: How far a routine advert moves the master-down deadline past its arrival.
        self.heard_interval = 0.0
        self.background: set[asyncio.Task[None]] = set()
        self.ifindex: dict[str, int] = {}
        self.expect = Expectation(cfg.version, cfg.vrid, cfg.advert_int, cfg.auth_type,
                                  cfg.auth_data, check_ttl=not cfg.unicast)
        self.loop = asyncio.get_running_loop()
        #: open() created the instance's VMAC: :meth:`remove_vmac` deletes it at stop.
        self.vmac_created = False

    @property
    def state(self) -> State:
        return self.fsm.state if self.fsm is not None else State.INIT

    # ---------------------------------------------------------------- start / stop

    async def open(self) -> bool:
        """Open sockets and build the FSM; False (logged) when the instance cannot run."""
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
        send_index = link.index
        if cfg.vmac:
            vmac = await create_vmac(nl, name=cfg.vmac, mac=cfg.vmac_mac or "", base=link,
                                     family=cfg.family)
            if vmac is None:
                log.error("(%s) cannot create VMAC %s, instance not started", cfg.name, cfg.vmac)
                return False
            self.vmac_created = True
            self.ifindex[cfg.vmac] = vmac.index
            if not cfg.vmac_xmit_base:
                send_index = vmac.index
                if isinstance(primary, ipaddress.IPv6Address):
                    # The advert's source (the base link-local address) must be on the VMAC.
                    await nl.add_address(vmac.index, ipaddress.ip_interface(f"{primary}/64"))
        self.sender = self.child.sender(family=cfg.family, ifname=cfg.advert_interface,
                                        ifindex=send_index, src=primary, ttl=cfg.ttl)
        src_v6 = primary if isinstance(primary, ipaddress.IPv6Address) else None
        self.announcers[cfg.interface] = Announcer(cfg.interface, link.index, link.mac, src_v6)
        self.fsm = VrrpFsm(cfg.fsm_params(primary))
        # keepalived's socket is the VMAC's unless vmac_xmit_base: a peer's adverts from the
        # same virtual MAC are handed by the kernel to our VMAC, never to the base interface.
        self.child.attach(self, send_index, None if cfg.unicast else cfg.mcast_dst)
        return True

    async def initial_events(self, resume_master: bool) -> list[Event]:
        """The current state of every tracked object, then Startup.

        Scripts and files are read after the last ``await``: the caller posts the list
        at once, so a change broadcast meanwhile is either in this snapshot or queued
        after it, never overtaken by a stale value.
        """
        cfg, nl, child = self.cfg, self.child.netlink, self.child
        events: list[Event] = []
        for name in cfg.tracked_interfaces:
            tracked = await nl.link(name)
            if tracked is not None:
                self.ifindex[name] = tracked.index
                child.link_state.setdefault(name, tracked.up)
            events.append(TrackUpdate(f"if:{name}", tracked is not None and tracked.up))
        if resume_master:
            resume_master = await self._vips_present()
        for name in cfg.tracked_scripts:
            script = child.scripts.get(name)
            if script is not None and script.state.up is not None:
                events.append(TrackUpdate(f"script:{name}", script.state.up))
        for name in cfg.tracked_files:
            watcher = child.files.get(name)
            if watcher is not None:
                events.append(TrackUpdate(f"file:{name}", value=watcher.value))
        events.append(Startup(resume_master=resume_master))
        return events

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

    async def remove_vmac(self) -> None:
        """Delete the VMAC open() created (after close(): its VIPs are gone by then)."""
        if self.vmac_created and self.cfg.vmac:
            self.vmac_created = False
            await remove_vmac(self.child.netlink, name=self.cfg.vmac, base=self.cfg.interface,
                              family=self.cfg.family)

    def close(self) -> None:
        for handle in self.timers.values():
            handle.cancel()
        self.timers.clear()
        for name in list(self.slotted):
            self._cancel_timer(name)
        self.deadlines.clear()
        for task in self.background:
            task.cancel()
        if self.receiver is not None:
            self.child.detach(self)
        if self.sender is not None:
            self.child.release_sender(self.sender)
            self.sender = None
        for announcer in self.announcers.values():
            announcer.close()
        self.announcers.clear()

    # ---------------------------------------------------------------- events

    def post(self, event: Event, at: float | None = None) -> None:
        if self.unit is not None:
            self.unit.post(self.cfg.name, event, at)

    def fast_advert(self, rcv: Received) -> bool:
        """The advert heard every interval: True if it was handled without the queue.

        The same bytes (and TTL) from the same source as the last advert that passed
        the checks pass them again; if the unit is idle and the machine says the advert
        only restarts the master-down timer (:meth:`~.fsm.VrrpFsm.fast_advert_received`),
        that is all there is to do. False: the caller decodes and calls on_advert.
        """
        last, unit = self._last_good, self.unit
        if (last is None or unit is None or rcv.payload != last.payload
                or rcv.ttl != last.ttl or (rcv.src is not last.src and rcv.src != last.src)
                or (rcv.dst is not last.dst and rcv.dst != last.dst)):
            return False
        assert self._last_event is not None
        at = rcv.arrival if rcv.arrival is not None else self.loop.time()
        act = unit.fast_advert_received(self.cfg.name, self._last_event, at)
        if act is None:
            return False
        self._set_timer(act)
        if self.receiver is not None and rcv.ttl is not None and act.at is not None:
            # From now on the socket only notes its arrival (until the unit changes).
            self.receiver.learn(self, rcv, rcv.ttl)
            self.heard_interval = act.at - at
        return True

    def flush_heard(self) -> None:
        """Hand the machine the latest routine advert noted by the socket, if any.

        Called before the master-down timer is looked at and before the unit handles
        any event, so the machine never decides on a stale deadline; the advert is
        handled as if at its arrival (nothing happened to the unit in between).
        """
        heard = self.heard
        if heard is None or heard.at is None:
            return
        at, heard.at = heard.at, None
        unit, event = self.unit, self._last_event
        assert event is not None
        act = unit.fast_advert_received(self.cfg.name, event, at, force=True) if unit else None
        if act is not None:
            self._set_timer(act)
        elif self.receiver is not None:
            self.receiver.forget(self)
            self.post(event, at)  # cannot happen (nothing changed): the general path

    def forget_heard(self) -> None:
        """The unit is about to change: adverts must be checked against it again."""
        if self.heard is not None:
            self.flush_heard()
            if self.receiver is not None:
                self.receiver.forget(self)

    def on_advert(self, rcv: Received, adv: Advertisement) -> None:
        """An advert with our VRID from the shared socket: the per-instance receive checks."""
        try:
            validate(adv, self.expect, rcv.ttl)
        except PacketError as exc:
            self.rejected(rcv, exc)
            return
        if self.cfg.unicast and rcv.src not in self.cfg.unicast_peers:
            log.debug("(%s) advert from %s, not a unicast peer", self.cfg.name, rcv.src)
            return
        if self.sender is not None and rcv.src == self.sender.src:
            return
        event = AdvertReceived(rcv.src, adv.priority, adv.advert_int)
        self._last_good, self._last_event = rcv, event
        self.post(event, rcv.arrival)

    def refresh_hold(self) -> None:
        """Recompute :attr:`hold_limit` after a change of state, priority or interval.

        A held advert is read late, but with its arrival time, and a master-down timer
        reads the socket before it decides. So for a BACKUP holding only has to stay
        shorter than the skew time (a priority-0 advert starts a timer that long); an
        advert never changes a backup's state by itself. A MASTER that hears a better
        advert steps down as late as the hold: it is kept short against the interval.
        FAULT, INIT and STOP ignore adverts.
        """
        fsm = self.fsm
        limit = MAX_HOLD
        if fsm is not None and fsm.state is State.BACKUP:
            limit = min(MAX_HOLD, 0.5 * fsm.skew_time())
        elif fsm is not None and fsm.state is State.MASTER:
            limit = min(MAX_HOLD_MASTER, 0.05 * fsm.master_adver_int)
        if limit != self.hold_limit:
            self.hold_limit = limit
            if self.receiver is not None:
                self.receiver.hold_changed()

    def rejected(self, rcv: Received, exc: PacketError) -> None:
        """An advert with our VRID that failed a check: logged as before the socket was shared."""
        if exc.reason is Reason.VRID:
            return
        log.debug("(%s) discarding advert from %s: %s", self.cfg.name, rcv.src, exc)
        if exc.reason in (Reason.AUTH, Reason.ADVERT_INTERVAL, Reason.TTL, Reason.VERSION):
            log.warning("(%s) received an invalid advert from %s: %s",
                        self.cfg.name, rcv.src, exc)

    # ---------------------------------------------------------------- actions

    async def execute(self, act: Action | GroupAction) -> None:
        if isinstance(act, AddVips):
            await self._vips(add=True)
        elif isinstance(act, RemoveVips):
            await self._vips(add=False)
        else:
            self.execute_now(act)

    def execute_now(self, act: Action | GroupAction) -> bool:
        """Execute ``act`` at once; False (nothing done) for one that must be awaited."""
        if isinstance(act, SetTimer):
            self._set_timer(act)
        elif isinstance(act, SendAdvert):
            self._send_advert(act.priority)
        elif isinstance(act, Log):
            log.log(logging.WARNING if act.warning else logging.INFO, "%s", act.message)
        elif isinstance(act, AddVips | RemoveVips):
            return False
        elif isinstance(act, SendGarp):
            self._garp(act)
        elif isinstance(act, RunNotify):
            self._notify(act)
        elif isinstance(act, RunLowerPriorityNotify):
            if self.cfg.notify_master_rx_lower_pri:
                self._spawn(self.child.run_script(self.cfg.notify_master_rx_lower_pri))
            self.child.fifo.write(f'INSTANCE "{self.cfg.name}" MASTER_RX_LOWER_PRI '
                                  f'{act.priority}')
        return True

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

    def _send_advert(self, priority: int) -> None:
        cfg, sender = self.cfg, self.sender
        if sender is None:
            return
        packets = self._adverts.get(priority)
        if packets is None:  # everything but the priority is fixed for the instance
            adv = Advertisement(cfg.version, cfg.vrid, priority,
                                tuple(v.address.ip for v in cfg.vips)[:255], cfg.advert_int,
                                cfg.auth_type, cfg.auth_data)
            packets = [(dst, adv.to_bytes(sender.src, dst))
                       for dst in cfg.unicast_peers or (cfg.mcast_dst,)]
            if len(self._adverts) >= 8:
                self._adverts.clear()
            self._adverts[priority] = packets
        for dst, payload in packets:
            try:
                sender.send(payload, dst)
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
        commands: list[tuple[str, ...]] = []
        if specific:
            commands.append(specific)
        if cfg.notify:
            commands.append(cfg.notify + ("INSTANCE", cfg.name, act.state.value,
                                          str(act.priority)))
        for argv in commands:
            self._spawn(self.child.run_script(argv))
        self.child.fifo.write(f'INSTANCE "{cfg.name}" {act.state.value} {act.priority}')

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self.background.add(task)
        self.child.notifies.add(task)
        task.add_done_callback(self.background.discard)
        task.add_done_callback(self.child.notifies.discard)


class AdvertReceiver:
    """One shared receiving socket (interface, family) and the instances it serves.

    Each advert is decoded once (length, version, type, checksum) and handed to the
    instance(s) with its VRID, which run their own checks (TTL, version, auth,
    interval, unicast peer); an advert for a VRID no instance here has is dropped
    unread, as keepalived does. The advert a backup hears every interval (the same
    bytes as the last good one from that source) skips decoding and the event queue:
    see :meth:`InstanceRunner.fast_advert`.

    Reading in batches: when the socket becomes readable it is drained; if something
    was read, the reader is taken off the loop and the socket drained again ``hold``
    seconds later (and so on while adverts keep coming), so a node serving many
    instances wakes up a few times per interval instead of once per advert. Nothing is
    decided late because of it: every advert carries its kernel arrival time, which is
    what the machines use; a master-down timer drains the socket before it fires; and
    ``hold`` is the smallest :attr:`InstanceRunner.hold_limit` of the instances here.
    Sparse traffic (the previous readable event more than ``hold`` ago: a few instances)
    is read as it comes, since a hold would only add a wake-up of its own.
    """

    def __init__(self, sock: ReceiveSocket) -> None:
        self.sock = sock
        self.by_vrid: dict[int, list[InstanceRunner]] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self._hold: float | None = None  # None: recompute from the runners
        self._held: asyncio.TimerHandle | None = None
        self._reading = False
        self._draining = False
        #: loop time of the previous readable event (sparse traffic is not held)
        self._last_readable = -math.inf
        #: Routine adverts the socket only notes the arrival of (see learn()).
        self.known: dict[bytes, Heard] = {}

    @property
    def empty(self) -> bool:
        return not self.by_vrid

    def add(self, runner: InstanceRunner, group: IPAddress | None) -> None:
        if group is not None:
            self.sock.join(group)
        runner.receiver, runner.group = self, group
        self.by_vrid.setdefault(runner.cfg.vrid, []).append(runner)
        self._hold = None

    def learn(self, runner: InstanceRunner, rcv: Received, ttl: int) -> None:
        """From now on, ``rcv`` again (same bytes and TTL) only notes its arrival.

        For an advert that passed the checks and that the machine handled as routine
        (:meth:`InstanceRunner.fast_advert`); IPv4 only (the socket compares the IP
        datagram from the source address on), one instance per VRID. The runner gives
        the noted arrival to its machine before anything looks at its timer, and
        forgets the advert whenever its unit handles an event.
        """
        if self.sock.family != 4 or len(self.by_vrid.get(runner.cfg.vrid, ())) != 1:
            return
        self.forget(runner)
        key = rcv.src.packed + rcv.dst.packed + rcv.payload
        heard = self.known[key] = Heard(ttl)
        runner.heard, runner.heard_key = heard, key

    def forget(self, runner: InstanceRunner) -> None:
        heard = runner.heard
        if heard is not None:
            if self.known.get(runner.heard_key) is heard:
                del self.known[runner.heard_key]
            runner.heard, runner.heard_key = None, b""

    def remove(self, runner: InstanceRunner) -> None:
        self.forget(runner)
        runners = self.by_vrid.get(runner.cfg.vrid, [])
        if runner in runners:
            runners.remove(runner)
            if not runners:
                del self.by_vrid[runner.cfg.vrid]
            if runner.group is not None:
                self.sock.leave(runner.group)
        runner.receiver, runner.group = None, None
        self._hold = None

    def hold_changed(self) -> None:
        self._hold = None

    @property
    def hold(self) -> float:
        if self._hold is None:
            self._hold = min((r.hold_limit for runners in self.by_vrid.values()
                              for r in runners), default=0.0)
        return self._hold

    # ---------------------------------------------------------------- loop

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        loop.add_reader(self.sock.fileno(), self.on_readable)
        self._reading = True

    def stop(self) -> None:
        if self._held is not None:
            self._held.cancel()
            self._held = None
        if self._reading and self.loop is not None:
            with contextlib.suppress(ValueError, OSError, RuntimeError):
                self.loop.remove_reader(self.sock.fileno())
        self._reading = False

    def on_readable(self) -> None:
        if not self.drain() or self.loop is None or self.hold <= 0:
            return
        now = self.loop.time()
        last, self._last_readable = self._last_readable, now
        if now - last > self.hold:
            return
        with contextlib.suppress(ValueError, OSError, RuntimeError):
            self.loop.remove_reader(self.sock.fileno())
        self._reading = False
        self._held = self.loop.call_later(self.hold, self._hold_over)

    def _hold_over(self) -> None:
        self._held = None
        assert self.loop is not None
        if self.drain() and self.hold > 0:
            self._held = self.loop.call_later(self.hold, self._hold_over)
            return
        # Quiet again: wait for the next datagram (epoll reports one queued meanwhile).
        self.loop.add_reader(self.sock.fileno(), self.on_readable)
        self._reading = True

    # ---------------------------------------------------------------- reading

    def drain(self) -> int:
        """Read and dispatch everything queued; how many datagrams that was."""
        if self._draining:
            return 0
        self._draining = True
        sock = self.sock
        count = -getattr(sock, "hits", 0)
        try:
            receive, dispatch, known = sock.receive, self.dispatch, self.known
            while (rcv := receive(known)) is not None:
                count += 1
                dispatch(rcv)
        finally:
            self._draining = False
        return count + getattr(sock, "hits", 0)

    def dispatch(self, rcv: Received) -> None:
        payload = rcv.payload
        runners = self.by_vrid.get(payload[1]) if len(payload) > 1 else None
        if not runners:
            if len(payload) <= 1:
                log.debug("discarding advert from %s on %s: %d bytes", rcv.src,
                          self.sock.ifname, len(payload))
            return
        if len(runners) == 1:
            if runners[0].fast_advert(rcv):
                return
            slow = tuple(runners)
        else:
            slow = tuple(r for r in tuple(runners) if not r.fast_advert(rcv))
            if not slow:
                return
        try:
            adv = decode(payload, family=self.sock.family, src=rcv.src, dst=rcv.dst)
        except PacketError as exc:
            for runner in slow:
                runner.rejected(rcv, exc)
            return
        for runner in slow:
            runner.on_advert(rcv, adv)


class SlotTimers:
    """Timers that may be served a little early, grouped: one loop wake-up serves many.

    A timer due at ``at`` that may be served up to ``early`` seconds early goes into slot
    ``floor(at / early) * early`` (served in ``(at - early, at]``); all the timers of a
    slot share one loop timer. Masters' advert timers use it (a node that is MASTER of
    200 instances wakes up a few times per interval, not 200 times), and so do the lazy
    checks of backups' master-down timers (see :meth:`InstanceRunner.slot_due`).
    """

    def __init__(self) -> None:
        self.slots: dict[float, tuple[asyncio.TimerHandle,
                                      dict[tuple[InstanceRunner, str], None]]] = {}
        self.loop: asyncio.AbstractEventLoop | None = None

    def add(self, at: float, early: float, runner: InstanceRunner, name: str) -> float:
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

    def remove(self, slot: float, runner: InstanceRunner, name: str) -> None:
        entry = self.slots.get(slot)
        if entry is not None:
            entry[1].pop((runner, name), None)
            if not entry[1]:
                entry[0].cancel()
                del self.slots[slot]

    def _fire(self, slot: float) -> None:
        entry = self.slots.pop(slot, None)
        if entry is not None:
            for runner, name in entry[1]:
                runner.slot_due(name, slot)


@dataclass(slots=True)
class _Resume:
    """The rest of an event's actions, from the first one that must be awaited."""

    member: str
    event: Event
    actions: list[Tagged]
    index: int
    before: dict[str, tuple[State, int]]


#: Events a unit may handle in the caller's stack when it is idle (see Unit.post).
_INLINE = (AdvertReceived, TimerFired)


class Unit:
    """One decision-maker: a standalone instance, or a sync group and its members.

    Its task takes ``(member, event)`` pairs in order, lets the pure core decide and
    executes the tagged actions through the members' runners.

    The two frequent events, an advert and a timer, skip the queue when the unit is
    idle (nothing queued, nothing being executed): they are decided and their actions
    executed at once, in the caller's stack. If one of those actions must be awaited
    (VIPs, routes), it and the rest go to the task as a :class:`_Resume`, and the unit
    stays busy until the task is done, so events are still handled one at a time and
    in order.
    """

    def __init__(self, child: VrrpChild, key: str, runners: dict[str, InstanceRunner],
                 group: SyncGroupConfig | None = None) -> None:
        self.child = child
        self.key = key
        self.runners = runners
        self.group_cfg = group
        self.group: SyncGroupFsm | None = None
        self.queue: asyncio.Queue[tuple[str, Event, float | None] | _Resume | None] = (
            asyncio.Queue())
        self.task: asyncio.Task[None] | None = None
        #: Something is queued or being executed: new events must queue behind it.
        self.busy = True
        self.loop = asyncio.get_running_loop()
        for runner in runners.values():
            runner.unit = self

    @property
    def configs(self) -> tuple[tuple[InstanceConfig, ...], SyncGroupConfig | None]:
        """What a reload compares to decide whether this unit can keep running."""
        return tuple(r.cfg for r in self.runners.values()), self.group_cfg

    def post(self, member: str, event: Event, at: float | None = None) -> None:
        """Handle ``event`` for ``member``; ``at``: an advert's arrival, a timer's deadline."""
        for runner in self.runners.values():
            if runner.heard is not None:
                runner.forget_heard()
        if self.busy or not isinstance(event, _INLINE):
            self.busy = True
            self.queue.put_nowait((member, event, at))
            return
        self.busy = True
        resume = self._step(member, event, at)
        if resume is not None:
            self.queue.put_nowait(resume)
        elif self.queue.empty():
            self.busy = False

    def fast_advert_received(self, member: str, event: AdvertReceived, at: float,
                       force: bool = False) -> SetTimer | None:
        """The pure core's fast path for a routine advert, if the unit is idle.

        ``force``: a noted advert (see InstanceRunner.flush_heard), handled even while
        events wait in the queue: it arrived before they were posted.
        """
        if self.busy and not force:
            return None
        if self.group is not None:
            return self.group.fast_advert_received(member, event, at)
        fsm = self.runners[member].fsm
        return fsm.fast_advert_received(event, at) if fsm is not None else None

    def fast_advert_timer_fired(self, member: str, at: float) -> tuple[SendAdvert, SetTimer] | None:
        """The pure core's fast path for a master's advert timer, if the unit is idle."""
        if self.busy:
            return None
        if self.group is not None:
            return self.group.fast_advert_timer_fired(member, at)
        fsm = self.runners[member].fsm
        return fsm.fast_advert_timer_fired(at) if fsm is not None else None

    def start(self) -> None:
        fsms = {name: r.fsm for name, r in self.runners.items() if r.fsm is not None}
        if self.group_cfg is not None:
            self.group = SyncGroupFsm(self.group_cfg.name, fsms)
        self.task = asyncio.create_task(self._consume(), name=f"vrrp {self.key}")

    async def stop(self) -> None:
        """Shutdown for every member (priority 0 if MASTER, VIPs removed, notify_stop)."""
        if self.task is not None:
            for name in self.runners:
                self.post(name, Shutdown())
            self.queue.put_nowait(None)
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        for runner in self.runners.values():
            runner.close()
            await runner.remove_vmac()

    def _decide(self, member: str, event: Event, now: float) -> list[Tagged]:
        if self.group is not None:
            return self.group.handle(member, event, now)
        fsm = self.runners[member].fsm
        assert fsm is not None
        return [(member, a) for a in fsm.handle(event, now)]

    def _now(self, event: Event, at: float | None) -> float:
        """The time the core is told: an advert's arrival, a due timer's deadline."""
        now = self.loop.time()
        if at is None:
            return now
        if isinstance(event, TimerFired):
            return max(at, now)  # a timer slot served early counts as on time
        return min(at, now)

    def _step(self, member: str, event: Event, at: float | None) -> _Resume | None:
        """Decide and execute what needs no awaiting; the rest as a _Resume."""
        runner = self.runners.get(member)
        if runner is None or runner.fsm is None:
            return None
        before = {n: (r.state, r.fsm.effective_priority if r.fsm else 0)
                  for n, r in self.runners.items()}
        try:
            actions = self._decide(member, event, self._now(event, at))
            for index, (target, action) in enumerate(actions):
                if target is None:
                    self._group_action(action)
                elif not self.runners[target].execute_now(action):
                    return _Resume(member, event, actions, index, before)
        except Exception:
            log.exception("(%s) failed handling %s", member, event)
        self._after(event, before)
        return None

    async def _resume(self, item: _Resume) -> None:
        try:
            for target, action in item.actions[item.index:]:
                if target is None:
                    self._group_action(action)
                else:
                    await self.runners[target].execute(action)
        except Exception:
            log.exception("(%s) failed handling %s", item.member, item.event)
        self._after(item.event, item.before)

    def _after(self, event: Event, before: dict[str, tuple[State, int]]) -> None:
        """After an event: state file, priority notifications, receive hold limits."""
        changed = False
        for name, runner in self.runners.items():
            state, prio = before[name]
            now_prio = runner.fsm.effective_priority if runner.fsm else prio
            if runner.state != state or now_prio != prio or isinstance(event, AdvertReceived):
                runner.refresh_hold()
            changed = changed or runner.state != state
            if now_prio != prio and runner.cfg.notify_priority_changes and \
                    runner.state in (State.MASTER, State.BACKUP):
                self.child.fifo.write(f'INSTANCE "{name}" {runner.state.value}_PRIORITY '
                                      f"{now_prio}")
        if changed:
            self.child.state_changed()

    async def _consume(self) -> None:
        while True:
            item = await self.queue.get()
            if item is None:
                return
            if isinstance(item, _Resume):
                await self._resume(item)
            else:
                resume = self._step(*item)
                if resume is not None:
                    await self._resume(resume)
            if self.queue.empty():
                self.busy = False

    def _group_action(self, act: GroupAction) -> None:
        if isinstance(act, Log):
            log.log(logging.WARNING if act.warning else logging.INFO, "%s", act.message)
        elif isinstance(act, RunGroupNotify) and self.group_cfg is not None:
            g = self.group_cfg
            specific = {State.MASTER: g.notify_master, State.BACKUP: g.notify_backup,
                        State.FAULT: g.notify_fault, State.STOP: g.notify_stop}.get(act.state)
            if specific:
                self._spawn(self.child.run_script(specific))
            if g.notify:
                self._spawn(self.child.run_script(g.notify + ("GROUP", g.name,
                                                               act.state.value, "0")))
            self.child.fifo.write(f'GROUP "{g.name}" {act.state.value} 0')

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self.child.notifies.add(task)
        task.add_done_callback(self.child.notifies.discard)


# --------------------------------------------------------------------------- tracked objects


class TrackedScript:
    """One ``vrrp_script`` run every ``interval`` in its own task (see the module docstring)."""

    def __init__(self, child: VrrpChild, cfg: ScriptConfig) -> None:
        self.child = child
        self.cfg = cfg
        self.state = ScriptState(cfg.name, cfg.rise, cfg.fall, cfg.init_fail)
        self.task: asyncio.Task[None] | None = None
        self.pgid: int | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self._loop(), name=f"vrrp_script {self.cfg.name}")

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        self._kill_group(signal.SIGKILL)

    def _kill_group(self, sig: int) -> None:
        if self.pgid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pgid, sig)

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            try:
                outcome = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("VRRP_Script(%s) could not be run", self.cfg.name)
                outcome = ScriptOutcome(status=127)
            changed, lines = self.state.report(outcome)
            for line in lines:
                log.info("%s", line)
            if changed is not None:
                self.child.broadcast(f"script:{self.cfg.name}", TrackUpdate(
                    f"script:{self.cfg.name}", changed))
            # keepalived schedules the next run one interval after this one started.
            await asyncio.sleep(max(0.0, started + self.cfg.interval - loop.time()))

    async def run_once(self) -> ScriptOutcome:
        """Run the script once, bounded by its timeout (process group killed on overrun)."""
        try:
            proc = await asyncio.create_subprocess_exec(
                *self.cfg.argv, stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
                start_new_session=True)
        except OSError as exc:
            log.error("VRRP_Script(%s) cannot run %s: %s", self.cfg.name, self.cfg.argv[0],
                      exc.strerror or exc)
            return ScriptOutcome(status=127 if exc.errno == errno.ENOENT else 126)
        self.pgid = proc.pid  # start_new_session: its own process group
        timed_out = False
        try:
            try:
                returncode = await asyncio.wait_for(proc.wait(), self.cfg.timeout)
            except TimeoutError:
                timed_out = True
                self._kill_group(signal.SIGTERM)
                try:
                    returncode = await asyncio.wait_for(proc.wait(), SCRIPT_KILL_DELAY)
                except TimeoutError:
                    self._kill_group(signal.SIGKILL)
                    returncode = await proc.wait()
        except asyncio.CancelledError:
            self._kill_group(signal.SIGKILL)
            raise
        finally:
            if timed_out:
                self._kill_group(signal.SIGKILL)  # whatever it started dies with it
            self.pgid = None
        return outcome_from_returncode(returncode, timed_out)


class TrackedFile:
    """The current value of one ``track_file`` (see :func:`.track.parse_file_value`)."""

    def __init__(self, child: VrrpChild, cfg: TrackFileConfig) -> None:
        self.child = child
        self.cfg = cfg
        self.path = Path(cfg.path)
        self.value = 0

    def initialise(self, reload: bool) -> None:
        """``init_file``: create the file (or overwrite it, not on reload) with its value."""
        cfg = self.cfg
        if cfg.init_value is None:
            return
        try:
            st = self.path.stat()
        except FileNotFoundError:
            st = None
        except OSError:
            return
        if st is not None:
            if not cfg.init_overwrite or reload:
                return
            if not stat.S_ISREG(st.st_mode):
                log.error("Cannot initialise track file %s - it is not a regular file",
                          cfg.name)
                return
        try:
            self.path.write_text(f"{cfg.init_value}\n")
        except OSError as exc:
            log.error("Unable to initialise track file %s: %s", cfg.name, exc)

    def read(self) -> int:
        """The file's value now: 0 when it is missing or empty, the last one if invalid."""
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        except OSError:
            return 0
        try:
            data = os.read(fd, 128)
        except OSError:
            data = b""
        finally:
            os.close(fd)
        if not data:
            return 0
        value = parse_file_value(data)
        if value is None:
            log.info("Invalid number read from %s - ignoring", self.path)
            return self.value
        return value

    def refresh(self) -> None:
        value = self.read()
        if value != self.value:
            self.value = value
            log.debug("Track file %s now %d", self.cfg.name, value)
            name = f"file:{self.cfg.name}"
            self.child.broadcast(name, TrackUpdate(name, value=value))


class _Inotify:
    """inotify on the directories of tracked files (libc through ctypes); optional.

    keepalived watches the directory (IN_CLOSE_WRITE, IN_DELETE, IN_MOVE) so that a file
    written, replaced or removed is seen at once. If inotify is not available the 1 s
    poll alone keeps the values right, only later.
    """

    IN_CLOSE_WRITE = 0x008
    IN_MOVED_FROM = 0x040
    IN_MOVED_TO = 0x080
    IN_DELETE = 0x200
    IN_NONBLOCK = 0o4000
    IN_CLOEXEC = 0o2000000
    _EVENT = struct.Struct("iIII")

    def __init__(self, on_change: Callable[[str, str], None]) -> None:
        self.on_change = on_change
        self.fd = -1
        self.watches: dict[int, str] = {}
        try:
            self._libc = ctypes.CDLL(None, use_errno=True)
            self.fd = int(self._libc.inotify_init1(self.IN_NONBLOCK | self.IN_CLOEXEC))
        except (OSError, AttributeError):
            self.fd = -1
        if self.fd >= 0:
            asyncio.get_running_loop().add_reader(self.fd, self._readable)

    def watch(self, directory: str) -> None:
        if self.fd < 0 or directory in self.watches.values():
            return
        mask = self.IN_CLOSE_WRITE | self.IN_DELETE | self.IN_MOVED_FROM | self.IN_MOVED_TO
        wd = int(self._libc.inotify_add_watch(self.fd, directory.encode(), mask))
        if wd >= 0:
            self.watches[wd] = directory

    def _readable(self) -> None:
        while True:
            try:
                data = os.read(self.fd, 4096)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            offset = 0
            while offset + self._EVENT.size <= len(data):
                wd, _mask, _cookie, length = self._EVENT.unpack_from(data, offset)
                raw = data[offset + self._EVENT.size: offset + self._EVENT.size + length]
                offset += self._EVENT.size + length
                directory = self.watches.get(wd)
                if directory is not None:
                    self.on_change(directory, raw.split(b"\0", 1)[0].decode(errors="replace"))

    def close(self) -> None:
        if self.fd >= 0:
            with contextlib.suppress(ValueError, OSError):
                asyncio.get_running_loop().remove_reader(self.fd)
            os.close(self.fd)
            self.fd = -1
        self.watches.clear()


class NotifyFifo:
    """``notify_fifo`` / ``vrrp_notify_fifo``: one line per state change, never blocking.

    Opened read-write and non-blocking like keepalived's, so a missing reader neither
    blocks the loop nor loses the FIFO; a full FIFO drops the line.
    """

    def __init__(self) -> None:
        self.fds: list[int] = []
        self.created: list[str] = []
        self.procs: list[asyncio.subprocess.Process] = []

    async def open(self, paths: tuple[str, ...], scripts: tuple[tuple[str, ...], ...]) -> None:
        for path in paths:
            try:
                os.mkfifo(path, 0o644)
                self.created.append(path)
            except FileExistsError:
                pass
            except OSError as exc:
                log.info("Unable to create notify fifo %s: %s", path, exc)
                continue
            for argv in scripts:
                if argv and argv[-1] == path:
                    await self._start_script(argv)
            try:
                self.fds.append(os.open(path, os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC
                                        | os.O_NOFOLLOW))
            except OSError as exc:
                log.info("Unable to open notify fifo %s - errno %d", path, exc.errno or 0)

    async def _start_script(self, argv: tuple[str, ...]) -> None:
        try:
            self.procs.append(await asyncio.create_subprocess_exec(
                *argv, stdin=asyncio.subprocess.DEVNULL, start_new_session=True))
        except OSError as exc:
            log.error("cannot run notify fifo script %s: %s", argv[0], exc)

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


# --------------------------------------------------------------------------- the child


class VrrpChild:
    """The whole VRRP child process: instances, netlink, control socket, signals."""

    def __init__(self, opts: ChildOptions, config: Config) -> None:
        self.opts = opts
        self.config = config
        self.netlink = Netlink()
        self.statics = StaticEntries(self.netlink)
        self.units: dict[str, Unit] = {}
        #: Shared receiving sockets by (interface, ifindex, family).
        self.receivers: dict[tuple[str, int, int], AdvertReceiver] = {}
        #: Sending sockets, shared: [socket, users] by (family, interface, index, source, TTL).
        self.senders: dict[tuple[int, str, int, IPAddress, int], list[Any]] = {}
        #: The advert timers of every instance (see SlotTimers).
        self.slots = SlotTimers()
        self.scripts: dict[str, TrackedScript] = {}
        self.files: dict[str, TrackedFile] = {}
        #: Set while ``files`` is not empty: the poll loop sleeps on it otherwise.
        self._files_present = asyncio.Event()
        self.notifies: set[asyncio.Task[None]] = set()
        self.fifo = NotifyFifo()
        #: nftables drop rules of no_accept instances (table/priority set in run()).
        self.firewall = NftFirewall()
        self.vrrp: VrrpConfig | None = None
        self.stopping: asyncio.Event | None = None
        self.link_state: dict[str, bool] = {}
        self._inotify: _Inotify | None = None
        self._file_poll: asyncio.Task[None] | None = None
        self._reloading = False
        self._ready = False
        self._reload_pending = False

    @property
    def runners(self) -> dict[str, InstanceRunner]:
        """Every running instance, by name."""
        return {name: r for unit in self.units.values() for name, r in unit.runners.items()}

    # ---------------------------------------------------------------- life cycle

    async def run(self) -> int:
        """Start everything, serve until SIGTERM, stop cleanly; returns the exit status."""
        loop = asyncio.get_running_loop()
        self.stopping = asyncio.Event()
        try:
            vrrp = vrrp_config(self.config)
        except UnsupportedConfig as exc:
            log.error("%s", exc)
            return EXIT_CONFIG
        for warning in vrrp.warnings:
            log.warning("%s", warning)
        self.firewall.table, self.firewall.priority = vrrp.nft_table, vrrp.nft_priority
        # Handlers first: scripts started below must not inherit SIG_IGN from the fork.
        loop.add_signal_handler(signal.SIGTERM, self.stopping.set)
        loop.add_signal_handler(signal.SIGINT, self.stopping.set)
        loop.add_signal_handler(signal.SIGHUP, self._schedule_reload)
        loop.add_signal_handler(signal.SIGUSR1, self.write_data)
        await self.netlink.open()
        await self.statics.start(vrrp.static_vips, vrrp.static_routes, vrrp.static_rules)
        await self.fifo.open(vrrp.notify_fifos, vrrp.fifo_scripts)
        self._inotify = _Inotify(self._file_event)
        self._sync_tracked(vrrp, reload=False)
        previous = self._read_state()
        await self._start_units(vrrp, {name for name, st in previous.items()
                                       if st == State.MASTER.value})
        self.vrrp = vrrp
        self.state_changed()
        self._file_poll = asyncio.create_task(self._poll_files(), name="track_file poll")
        watcher = asyncio.create_task(self.netlink.watch_links(self._on_link))
        watcher.add_done_callback(_log_watcher_end)
        server = await asyncio.start_unix_server(self._serve_control, self.opts.control_path)
        self._ready = True
        if self._reload_pending:
            self._schedule_reload()
        await self.stopping.wait()
        log.info("Stopping")
        server.close()
        await asyncio.gather(*(s.stop() for s in self.scripts.values()))
        await asyncio.gather(*(u.stop() for u in self.units.values()))
        self.state_changed()
        watcher.cancel()
        self._file_poll.cancel()
        if self.notifies:
            await asyncio.wait(set(self.notifies), timeout=NOTIFY_GRACE)
        self.fifo.close()
        self._inotify.close()
        await self.firewall.close()
        await self.statics.stop()
        await self.netlink.close()
        return EXIT_OK

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
        unit.start()

    def attach(self, runner: InstanceRunner, ifindex: int, group: IPAddress | None) -> None:
        """Register ``runner`` with the receiving socket of its interface, opened if need be."""
        key = (runner.cfg.advert_interface, ifindex, runner.cfg.family)
        receiver = self.receivers.get(key)
        if receiver is None:
            sock = ReceiveSocket(family=runner.cfg.family, ifname=runner.cfg.advert_interface,
                                 ifindex=ifindex)
            receiver = self.receivers[key] = AdvertReceiver(sock)
            receiver.start(asyncio.get_running_loop())
        try:
            receiver.add(runner, group)
        finally:
            if receiver.empty:
                self._close_receiver(key)

    def sender(self, *, family: int, ifname: str, ifindex: int, src: IPAddress,
               ttl: int) -> AdvertSender:
        """The sending socket for these parameters, shared by every instance using them.

        Like keepalived, one socket per interface and source rather than one per
        instance: the kernel offers every received VRRP packet to each raw socket of
        protocol 112 in the namespace, so 200 idle sending sockets would be walked 200
        times per advert.
        """
        key = (family, ifname, ifindex, src, ttl)
        entry = self.senders.get(key)
        if entry is None:
            entry = self.senders[key] = [AdvertSender(family=family, ifname=ifname,
                                                      ifindex=ifindex, src=src, ttl=ttl), 0]
        entry[1] += 1
        return entry[0]

    def release_sender(self, sender: AdvertSender) -> None:
        """One user of ``sender`` less; the last one closes it."""
        for key, entry in list(self.senders.items()):
            if entry[0] is sender:
                entry[1] -= 1
                if entry[1] <= 0:
                    del self.senders[key]
                    sender.close()
                return
        sender.close()

    def detach(self, runner: InstanceRunner) -> None:
        """Unregister ``runner``; the last instance of a socket closes it."""
        receiver = runner.receiver
        if receiver is None:
            return
        receiver.remove(runner)
        if receiver.empty:
            for key, known in list(self.receivers.items()):
                if known is receiver:
                    self._close_receiver(key)

    def _close_receiver(self, key: tuple[str, int, int]) -> None:
        receiver = self.receivers.pop(key)
        receiver.stop()
        receiver.sock.close()

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

    # ---------------------------------------------------------------- scripts and files

    def _sync_tracked(self, vrrp: VrrpConfig, *, reload: bool) -> None:
        """Start the scripts and file watchers ``vrrp`` needs (values read at once)."""
        for cfg in vrrp.track_files:
            if cfg.name in self.files:
                continue
            tracked = TrackedFile(self, cfg)
            tracked.initialise(reload)
            tracked.value = tracked.read()
            self.files[cfg.name] = tracked
            self._files_present.set()
            if self._inotify is not None:
                self._inotify.watch(str(Path(cfg.path).parent))
        for script_cfg in vrrp.scripts:
            if script_cfg.name not in self.scripts:
                script = TrackedScript(self, script_cfg)
                self.scripts[script_cfg.name] = script
                script.start()

    def _file_event(self, directory: str, name: str) -> None:
        for tracked in self.files.values():
            if tracked.path.name == name and str(tracked.path.parent) == directory:
                tracked.refresh()

    async def _poll_files(self) -> None:
        """Re-read tracked files now and then, a backstop for inotify.

        With no tracked files it waits instead of waking every second: at rest, each
        wake-up of a Python process costs far more than the work it does.
        """
        while True:
            if not self.files:
                self._files_present.clear()
                await self._files_present.wait()
            await asyncio.sleep(FILE_POLL_INTERVAL)
            for tracked in list(self.files.values()):
                tracked.refresh()

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
                vrrp = vrrp_config(loaded.config)
            except UnsupportedConfig as exc:
                log.error("Reload failed: %s, keeping the running configuration", exc)
                return
            await self._apply(vrrp)
            await self.statics.update(vrrp.static_vips, vrrp.static_routes, vrrp.static_rules)
            self.config = loaded.config
            self.state_changed()
            log.info("Reload finished")
        finally:
            self._reloading = False
            if self._reload_pending:
                self._schedule_reload()

    async def _apply(self, vrrp: VrrpConfig) -> None:
        """Stop units, scripts and files that changed; start what is new."""
        by_name = {c.name: c for c in vrrp.instances}
        groups = {f"group:{g.name}": g for g in vrrp.groups}
        grouped = {m for g in vrrp.groups for m in g.members}
        for key, unit in list(self.units.items()):
            cfgs, group = unit.configs
            if group is not None:
                keep = groups.get(key) == group and all(by_name.get(c.name) == c for c in cfgs)
            else:
                keep = all(by_name.get(c.name) == c and c.name not in grouped for c in cfgs)
            if not keep:
                await unit.stop()
                del self.units[key]
        scripts = {s.name: s for s in vrrp.scripts}
        for name, script in list(self.scripts.items()):
            if scripts.get(name) != script.cfg:
                await script.stop()
                del self.scripts[name]
        files = {f.name: f for f in vrrp.track_files}
        for name, tracked in list(self.files.items()):
            if files.get(name) != tracked.cfg:
                del self.files[name]
        if self.vrrp is None or (vrrp.notify_fifos, vrrp.fifo_scripts) != (
                self.vrrp.notify_fifos, self.vrrp.fifo_scripts):
            self.fifo.close()
            await self.fifo.open(vrrp.notify_fifos, vrrp.fifo_scripts)
        for warning in vrrp.warnings:
            log.warning("%s", warning)
        self._sync_tracked(vrrp, reload=True)
        await self._start_units(vrrp, set())
        self.vrrp = vrrp

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
            if cfg.sync_group:
                lines.append(f"   Sync group = {cfg.sync_group}")
            if cfg.routes:
                lines.append(f"   Virtual Routes = {len(cfg.routes)}")
                lines += [f"     {r}" for r in cfg.routes]
            if cfg.rules:
                lines.append(f"   Virtual Rules = {len(cfg.rules)}")
                lines += [f"     {r}" for r in cfg.rules]
            if fsm is not None and fsm.params.trackers:
                lines.append("   Tracking:")
                lines += [f"     {t.name} weight {t.weight}{' reverse' if t.reverse else ''}"
                          for t in fsm.params.trackers]
        groups = [u for u in self.units.values() if u.group is not None]
        if groups:
            lines.append("------< VRRP Sync groups >------")
            for unit in groups:
                assert unit.group is not None
                lines.append(f" VRRP Sync Group = {unit.group.name}, {unit.group.state.value}")
                lines += [f"     {m}" for m in unit.runners]
        if self.scripts:
            lines.append("------< VRRP Scripts >------")
            for name, script in self.scripts.items():
                up = script.state.up
                status = "INIT" if up is None else ("GOOD" if up else "BAD")
                lines += [f" VRRP Script = {name}",
                          f"   Command = {' '.join(script.cfg.argv)}",
                          f"   Interval = {script.cfg.interval:g} sec",
                          f"   Timeout = {script.cfg.timeout:g} sec",
                          f"   Rise = {script.cfg.rise}", f"   Fall = {script.cfg.fall}",
                          f"   Status = {status}"]
        if self.files:
            lines.append("------< Tracked files >------")
            for name, tracked in self.files.items():
                lines += [f" Track file = {name}", f"   File = {tracked.path}",
                          f"   Status = {tracked.value}"]
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
