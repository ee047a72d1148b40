"""One running VRRP instance: its machine, its sockets, and the actions they produce.

Theory of operation
-------------------
An :class:`InstanceRunner` owns one :class:`~.fsm.VrrpFsm` and the sending socket it
shares with the instances on the same interface and source (see :mod:`.sockets`). It
turns what happens to the instance into events for its unit (:mod:`.units`, which
decides) and executes the actions that come back: adverts and timers here and in
:mod:`.timers`, VIPs, routes, rules, ARPs and notify scripts in :mod:`.effects`.

Idle cost (a node serving hundreds of instances spends its time on the adverts it
sends and hears every interval): an advert with the same bytes (and TTL) from the
same source as the last one that passed the checks passes them again, and if the
unit is idle the machine's fast path (:meth:`~.fsm.VrrpFsm.fast_advert_received`)
handles it without the queue (:meth:`InstanceRunner.fast_advert`). From then on the
shared socket only notes its arrival (:meth:`~.receiver.AdvertReceiver.learn`), and
on IPv4 the kernel queues it on a socket the event loop does not watch (:mod:`.quiet`);
the runner gives the noted arrival to its machine before anything looks at its
master-down timer and before its unit handles any other event
(:meth:`InstanceRunner.flush_heard`), so no decision is taken on a stale view.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
from typing import TYPE_CHECKING, Any

from .ah import SeqCounter, split, verify
from .ah import build as ah_datagram
from .core import startup_events
from .effects import InstanceEffects, run_script
from .events import (
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
    SourceAddress,
    SyncAhSeq,
)
from .fsm import VrrpFsm
from .io import AdvertSender, Announcer, Heard, IPAddress, Received, send_unbound
from .ipvlan import create_ipvlan, remove_ipvlan
from .packet import (
    IPPROTO_VRRP,
    VRRP_TTL,
    Advertisement,
    AuthType,
    Expectation,
    PacketError,
    Reason,
    decode,
    ipv4_datagram,
    validate,
)
from .params import State
from .stats import InstanceStats
from .sync import GroupAction
from .timers import InstanceTimers
from .vmac import create_vmac, remove_vmac

if TYPE_CHECKING:
    from .child import VrrpChild
    from .config import InstanceConfig
    from .receiver import AdvertReceiver
    from .units import Unit

log = logging.getLogger("Keepalived_vrrp")

#: Longest pause between two reads of a busy receive socket (see .receiver and
#: InstanceRunner.refresh_hold), and the shorter one when an instance there is MASTER.
MAX_HOLD = 0.25
MAX_HOLD_MASTER = 0.05


class InstanceRunner(InstanceTimers, InstanceEffects):
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
        #: the adverts by priority: (destination, datagram, its sendto address)
        self._adverts: dict[int, list[tuple[IPAddress, bytes, Any]]] = {}
        self.announcers: dict[str, Announcer] = {}
        self._init_timers(cfg.advert_int)
        #: The last advert that passed the receive checks and its event: the same bytes
        #: from the same source again need no decoding and no checks.
        self._last_good: Received | None = None
        self._last_event: AdvertReceived | None = None
        #: How long the shared socket may hold this instance's adverts unread.
        self.hold_limit = 0.0
        #: Set while the socket knows our routine advert (see AdvertReceiver.learn).
        self.heard: Heard | None = None
        self.heard_key = b""
        #: How far a routine advert moves the master-down deadline past its arrival.
        self.heard_interval = 0.0
        self.background: set[asyncio.Task[None]] = set()
        self.ifindex: dict[str, int] = {}
        self._advertised: tuple[IPAddress, ...] | None = None
        self.expect = Expectation(cfg.version, cfg.vrid, cfg.advert_int, cfg.auth_type,
                                  cfg.auth_data, check_ttl=not cfg.unicast)
        self.loop = asyncio.get_running_loop()
        #: open() created the instance's VMAC: :meth:`remove_vmac` deletes it at stop.
        self.vmac_created = False
        #: for the data file (SIGUSR1): when the state last changed, whether VIPs are set
        self.last_transition = time.time()
        #: why the state last changed (the event that changed it, see .units)
        self.last_why = "start-up"
        self.vips_set = False
        #: keepalived's per-instance counters (SIGUSR2, see .stats)
        self.stats = InstanceStats()
        self.was_master = False
        #: The interface has no address of the instance's family (at open() or since it
        #: was removed): the instance is in FAULT until one comes (see :meth:`set_source`).
        self.no_address = False
        #: the interface index adverts are sent on (the VMAC's, the ipvlan's or the base's)
        self.send_index = 0
        #: ``auth_type AH``: the sequence counter (kept across a reload, see VrrpChild)
        #: and the VRRP part of the adverts by priority (the AH datagram changes each time).
        self.ah: SeqCounter | None = None
        if cfg.auth_type == AuthType.AH:
            self.ah = child.ah_counters.pop(cfg.name, None) or SeqCounter()
        self._ah_adverts: dict[int, bytes] = {}

    @property
    def state(self) -> State:
        return self.fsm.state if self.fsm is not None else State.INIT

    @property
    def last_advert(self) -> AdvertReceived | None:
        """The last valid advert heard (who is master, at which priority, for a backup)."""
        return self._last_event

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
            # keepalived runs such an instance in FAULT (its sync group with it) rather
            # than dropping it; the wildcard source is never used while FAULT.
            log.info("(%s) entering FAULT state (no IPv%d address for interface)",
                     cfg.name, cfg.family)
            self.no_address = True
            primary = ipaddress.ip_address("0.0.0.0" if cfg.family == 4 else "::")
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
        if cfg.ipvlan:
            ipv = await create_ipvlan(nl, instance=cfg.name, name=cfg.ipvlan, base=link,
                                      kind=cfg.ipvlan_type, family=cfg.family,
                                      address=cfg.ipvlan_addr)
            if ipv is None:
                log.error("(%s) cannot create ipvlan %s, instance not started", cfg.name,
                          cfg.ipvlan)
                return False
            self.vmac_created = True
            self.ifindex[cfg.ipvlan] = send_index = ipv.index
        self.sender = self.child.sockets.sender(
            family=cfg.family, ifname=cfg.advert_interface, ifindex=send_index, src=primary,
            ttl=cfg.ttl, hdrincl=self.ah is not None)
        src_v6 = primary if isinstance(primary, ipaddress.IPv6Address) else None
        self.announcers[cfg.interface] = Announcer(cfg.interface, link.index, link.mac, src_v6)
        self.send_index = send_index
        self.fsm = VrrpFsm(cfg.fsm_params(primary), delayed_start=self.child.delayed_start,
                           no_source=self.no_address)
        # keepalived's socket is the VMAC's unless vmac_xmit_base: a peer's adverts from the
        # same virtual MAC are handed by the kernel to our VMAC, never to the base interface.
        self.child.sockets.attach(self, send_index, None if cfg.unicast else cfg.mcast_dst)
        return True

    async def initial_events(self, resume_master: bool) -> list[Event]:
        """The current state of every tracked object, then Startup.

        Scripts and files are read after the last ``await``: the caller posts the list
        at once, so a change broadcast meanwhile is either in this snapshot or queued
        after it, never overtaken by a stale value.
        """
        cfg, nl, child = self.cfg, self.child.netlink, self.child
        links: dict[str, bool] = {}
        for name in cfg.tracked_interfaces:
            tracked = await nl.link(name)
            if tracked is not None:
                self.ifindex[name] = tracked.index
                child.link_state.setdefault(name, tracked.up)
            links[name] = tracked is not None and tracked.up
        if resume_master:
            resume_master = await self._vips_present()

        def script_up(name: str) -> bool | None:
            script = child.tracked.scripts.get(name)
            return script.state.up if script is not None else None

        def file_value(name: str) -> int | None:
            watcher = child.tracked.files.get(name)
            return watcher.value if watcher is not None else None

        weights = {t.name: t for t in cfg.trackers}
        for name in cfg.tracked_processes:
            up = child.processes.state(name)
            t = weights.get(f"process:{name}")
            if up is not None and t is not None and not t.weight and up == t.reverse:
                log.info("(%s) entering FAULT state (tracked process %s quorum not achieved)",
                         cfg.name, name)
        return startup_events(cfg, links.__getitem__, script_up, file_value, resume_master,
                              process_up=child.processes.state)

    async def _primary_address(self, index: int) -> IPAddress | None:
        """The interface's primary address of our family, as the child follows it.

        IPv6 adverts come from the link-local address (RFC 5798); VIPs never count
        (see :mod:`.ifaddrs`).
        """
        table = self.child.ifaddrs
        if not table.knows(index, self.cfg.family):  # once known, events keep it current
            # not an IPv6 address still in DAD: the sending socket cannot be bound to it
            # (a VMAC's copy of it can: kaconfd adds that one without DAD)
            dump = await self.child.netlink.addresses(index, ready=self.follows_interface)
            found = [iface.ip for iface in dump]
            table.seed(index, self.cfg.family, found)
        return table.primary(index, self.cfg.family)

    @property
    def follows_interface(self) -> bool:
        """Whether the source address follows the interface's primary (:mod:`.ifaddrs`).

        Not with ``unicast_src_ip`` (keepalived without ``track_src_ip``), nor for an
        IPv6 instance sending from a VMAC or ipvlan, whose link-local address is the
        device's own (keepalived replaces it rather than moving the instance).
        """
        cfg = self.cfg
        return cfg.src_ip is None and not (
            cfg.family == 6 and (cfg.ipvlan or (cfg.vmac and not cfg.vmac_xmit_base)))

    @property
    def source(self) -> IPAddress | None:
        """The address our adverts come from; None while the interface has none."""
        if self.no_address or self.sender is None:
            return None
        return self.sender.src

    def set_source(self, src: IPAddress | None) -> None:
        """The interface's primary address changed: advertise from ``src`` (None: FAULT).

        The sending socket is the new address's from now on; the machine learns it in
        its turn (:class:`~.events.SourceAddress`). Losing the address keeps the old
        socket for a MASTER's last advert, priority 0, which keepalived sends from the
        address just removed: the kernel refuses it to our socket, bound to that
        address, so it goes out with its own IPv4 header (:meth:`_send_orphan`).
        """
        cfg = self.cfg
        if src is not None and self.sender is not None and src != self.sender.src:
            old = self.sender
            try:
                self.sender = self.child.sockets.sender(
                    family=cfg.family, ifname=cfg.advert_interface, ifindex=self.send_index,
                    src=src, ttl=cfg.ttl, hdrincl=self.ah is not None)
            except OSError as exc:
                log.error("(%s) cannot send from %s: %s", cfg.name, src, exc)
                return  # as it was: the next change of address may do better
            self.child.sockets.release_sender(old)
            self._adverts.clear()
            self._ah_adverts.clear()
            announcer = self.announcers.get(cfg.interface)
            if announcer is not None and isinstance(src, ipaddress.IPv6Address):
                announcer.close()  # its NA socket is bound to the old source
                announcer.src_v6 = src
        self.no_address = src is None
        self.post(SourceAddress(src))

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
        if self.vmac_created and self.cfg.ipvlan:
            self.vmac_created = False
            await remove_ipvlan(self.child.netlink, self.cfg.ipvlan)
        if self.vmac_created and self.cfg.vmac:
            self.vmac_created = False
            await remove_vmac(self.child.netlink, name=self.cfg.vmac, base=self.cfg.interface,
                              family=self.cfg.family)

    def close(self) -> None:
        self._close_timers()
        for task in self.background:
            task.cancel()
        if self.receiver is not None:
            self.child.sockets.detach(self)
        if self.sender is not None:
            self.child.sockets.release_sender(self.sender)
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
        if (last is None or unit is None or self.ah is not None or rcv.payload != last.payload
                or rcv.ttl != last.ttl or (rcv.src is not last.src and rcv.src != last.src)
                or (rcv.dst is not last.dst and rcv.dst != last.dst)):
            return False
        assert self._last_event is not None
        at = rcv.arrival if rcv.arrival is not None else self.loop.time()
        act = unit.fast_advert_received(self.cfg.name, self._last_event, at)
        if act is None:
            return False
        self.stats.advert_rcvd += 1
        self._set_timer(act)
        if self.receiver is not None and rcv.ttl is not None and act.at is not None:
            # From now on the socket only notes its arrival (until the unit changes).
            self.receiver.learn(self, rcv, rcv.ttl)
            self.heard_interval = act.at - at
        return True

    def flush_heard(self, before: float | None = None) -> None:
        """Hand the machine the latest routine advert noted by the socket, if any.

        Called before the master-down timer is looked at and before the unit handles
        any event, so the machine never decides on a stale deadline; the advert is
        handled as if at its arrival (nothing happened to the unit in between). The
        quiet socket, where the kernel queues the routine adverts, is read first.

        ``before``: the time of the event about to be handled (an advert read from the
        shared socket, which may have waited there up to a hold). A routine advert that
        arrived later comes after it: left on the quiet socket's reader, or, if it was
        noted already (a master-down check read the quiet socket meanwhile), handed
        back to the receiver to be dispatched in its turn.
        """
        heard, receiver = self.heard, self.receiver
        if heard is None:
            return
        if receiver is not None:
            receiver.note_quiet(before=before)
        if heard.at is None:
            return
        if (before is not None and heard.at > before and receiver is not None
                and self._last_good is not None):
            heard.count -= 1  # counted again when dispatched
            receiver.requeue(self._last_good._replace(arrival=heard.at))
            heard.at = None
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

    def forget_heard(self, before: float | None = None) -> None:
        """The unit is about to change (an event of time ``before``, None: now): adverts
        must be checked against it again."""
        if self.heard is not None:
            self.flush_heard(before)
            if self.receiver is not None:
                self.receiver.forget(self)

    def on_advert(self, rcv: Received, adv: Advertisement) -> None:
        """An advert with our VRID from the shared socket: the per-instance receive checks."""
        try:
            validate(adv, self.expect, rcv.ttl)
            self._check_addresses(rcv, adv)
        except PacketError as exc:
            self.rejected(rcv, exc)
            return
        if self.cfg.unicast and rcv.src not in self.cfg.unicast_peers:
            log.debug("(%s) advert from %s, not a unicast peer", self.cfg.name, rcv.src)
            return
        self.stats.advert_rcvd += 1
        if self.sender is not None and rcv.src == self.sender.src:
            # Our own address: only a spoofed or misconfigured sender (our adverts do not
            # loop back). keepalived counts it and then lets it take part in the election;
            # we count it and let no such advert move the machine.
            log.debug("(%s) advert from our own address %s ignored", self.cfg.name, rcv.src)
            return
        if adv.priority == 0:
            self.stats.pri_zero_rcvd += 1
        event = AdvertReceived(rcv.src, adv.priority, adv.advert_int)
        self._last_good, self._last_event = rcv, event
        self.post(event, rcv.arrival)

    def on_ah_advert(self, rcv: Received) -> None:
        """An AH datagram with our VRID (``auth_type AH``): keepalived's checks, in its order.

        Only a BACKUP or MASTER reads adverts (keepalived's dispatcher); our own and a
        non-peer's (unicast) are dropped before anything else. Then the VRRP checks with
        the ICV, SPI and sequence number ones where keepalived has them (after the auth
        type, before the interval): a rejected advert does not move the counter.
        """
        ah, fsm, cfg = self.ah, self.fsm, self.cfg
        if ah is None or fsm is None or fsm.state not in (State.BACKUP, State.MASTER):
            return
        if self.sender is not None and rcv.src == self.sender.src:
            return
        if cfg.unicast and rcv.src not in cfg.unicast_peers:
            log.debug("(%s) advert from %s, not a unicast peer", cfg.name, rcv.src)
            return
        try:
            header, vrrp = split(rcv.payload)
            if header.next_header != IPPROTO_VRRP:
                return  # an AH packet of another protocol: not an advert

            def authenticate() -> None:
                verify(cfg.ah_key, rcv.header, rcv.payload, header, name=cfg.name,
                       unicast=cfg.unicast)
                ah.accept(header.seq, cfg.name)

            adv = decode(vrrp, family=4)
            validate(adv, self.expect, rcv.ttl, authenticate)
            self._check_addresses(rcv, adv)
        except PacketError as exc:
            self.rejected(rcv, exc)
            return
        if fsm.state is State.BACKUP or adv.priority > fsm.effective_priority:
            ah.cycle = False
        self.stats.advert_rcvd += 1
        if adv.priority == 0:
            self.stats.pri_zero_rcvd += 1
        event = AdvertReceived(rcv.src, adv.priority, adv.advert_int, ah_seq=header.seq)
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

    def _check_addresses(self, rcv: Received, adv: Advertisement) -> None:
        """keepalived's address checks: the advert must carry exactly our VIPs, and come
        to the group if we are multicast, to us if we are unicast (IPv4).

        A wrong count or destination is refused before the advert is counted as
        received; a missing VIP after (keepalived's order). All count under
        ``addr_list_err``. The address checks (not the destination's) are skipped, as
        keepalived skips them, by a BACKUP with ``skip_check_adv_addr`` for adverts from
        the master it already follows.
        """
        if rcv.dst.version == 4 and rcv.dst.is_multicast == bool(self.cfg.unicast):
            want, got = ("un", "mult") if self.cfg.unicast else ("mult", "un")
            raise PacketError(Reason.ADDRESS_LIST, f"Expected {want}icast packet but "
                                                   f"received {got}icast packet")
        last = self._last_event
        if (self.cfg.skip_check_adv_addr and self.state is State.BACKUP and last is not None
                and rcv.src == last.src):
            return
        ours = self.advertised
        if len(adv.addresses) != len(ours):
            raise PacketError(Reason.ADDRESS_LIST, f"{len(adv.addresses)} addresses, "
                                                   f"configured {len(ours)}")
        missing = set(ours).difference(adv.addresses)
        if missing:
            self.stats.advert_rcvd += 1
            raise PacketError(Reason.ADDRESS_LIST,
                              f"{min(missing, key=str)} not present in the advert")

    @property
    def advertised(self) -> tuple[IPAddress, ...]:
        """The addresses our adverts carry (and a peer's must carry)."""
        if self._advertised is None:
            self._advertised = tuple(v.address.ip for v in self.cfg.vips)[:255]
        return self._advertised

    def rejected(self, rcv: Received, exc: PacketError) -> None:
        """An advert with our VRID that failed a check: counted, and logged as before the
        socket was shared."""
        self.stats.rejected(exc)
        if exc.reason is Reason.VRID:
            return
        if exc.reason is Reason.AH_AUTH:
            log.info("%s", exc.detail)  # keepalived's own line
            return
        log.debug("(%s) discarding advert from %s: %s", self.cfg.name, rcv.src, exc)
        if exc.reason in (Reason.AUTH, Reason.ADVERT_INTERVAL, Reason.TTL, Reason.VERSION,
                          Reason.ADDRESS_LIST):
            log.warning("(%s) received an invalid advert from %s: %s",
                        self.cfg.name, rcv.src, exc)

    # ---------------------------------------------------------------- actions

    async def execute(self, act: Action | GroupAction) -> None:
        if isinstance(act, AddVips):
            await self._vips(add=True)
            self.vips_set = True
        elif isinstance(act, RemoveVips):
            await self._vips(add=False)
            self.vips_set = False
        else:
            self.execute_now(act)

    def execute_now(self, act: Action | GroupAction) -> bool:
        """Execute ``act`` at once; False (nothing done) for one that must be awaited."""
        if isinstance(act, SetTimer):
            self._set_timer(act)
        elif isinstance(act, SendAdvert):
            self._send_advert(act.priority, act.counted)
        elif isinstance(act, Log):
            log.log(logging.WARNING if act.warning else logging.INFO, "%s", act.message)
        elif isinstance(act, AddVips | RemoveVips):
            return False
        elif isinstance(act, SendGarp):
            self._garp(act)
        elif isinstance(act, RunNotify):
            self.last_transition = time.time()
            if act.state is State.MASTER:
                self.stats.become_master += 1
                self.was_master = True
            elif self.was_master:
                self.stats.release_master += 1
                self.was_master = False
            self._notify(act)
        elif isinstance(act, SyncAhSeq):
            if self.ah is not None:
                self.ah.sync(act.seq)
        elif isinstance(act, RunLowerPriorityNotify):
            if self.cfg.notify_master_rx_lower_pri:
                self._spawn(run_script(self.cfg.notify_master_rx_lower_pri))
            self.child.fifo.write(f'INSTANCE "{self.cfg.name}" MASTER_RX_LOWER_PRI '
                                  f'{act.priority}')
        return True

    def _send_advert(self, priority: int, counted: bool = True) -> None:
        cfg, sender = self.cfg, self.sender
        if sender is None:
            return
        if self.ah is not None:
            self._send_ah_advert(priority, counted)
            return
        packets = self._adverts.get(priority)
        if packets is None:  # everything but the priority is fixed for the instance
            adv = Advertisement(cfg.version, cfg.vrid, priority, self.advertised, cfg.advert_int,
                                cfg.auth_type, cfg.auth_data)
            packets = [(dst, adv.to_bytes(sender.src, dst), sender.sockaddr(dst))
                       for dst in cfg.unicast_peers or (cfg.mcast_dst,)]
            if len(self._adverts) >= 8:
                self._adverts.clear()
            self._adverts[priority] = packets
        self.stats.advert_sent += 1
        if priority == 0 and counted:
            self.stats.pri_zero_sent += 1
        sendto = sender.send_sock.sendto
        for dst, payload, sockaddr in packets:
            try:
                sendto(payload, sockaddr)
            except OSError as exc:
                if not (self.no_address and self._send_orphan(payload, dst)):
                    log.debug("(%s) sending advert to %s failed: %s", cfg.name, dst, exc)

    def _send_orphan(self, payload: bytes, dst: IPAddress) -> bool:
        """An IPv4 advert from the address the interface just lost (see io.send_unbound)."""
        sender = self.sender
        if (sender is None or not isinstance(sender.src, ipaddress.IPv4Address)
                or not isinstance(dst, ipaddress.IPv4Address)):
            return False
        ttl = VRRP_TTL if dst.is_multicast else self.cfg.ttl  # as the bound socket sets them
        datagram = ipv4_datagram(payload, src=sender.src, dst=dst, ttl=ttl)
        try:
            send_unbound(datagram, ifname=sender.ifname, ifindex=sender.ifindex, dst=dst)
        except OSError as exc:
            log.debug("(%s) sending advert to %s failed: %s", self.cfg.name, dst, exc)
        return True

    def _send_ah_advert(self, priority: int, counted: bool = True) -> None:
        """One AH advert (keepalived's vrrp_update_pkt): a new IP id and sequence number.

        Every destination (unicast peers) gets the same numbers, each its own ICV.
        """
        cfg, sender, ah, fsm = self.cfg, self.sender, self.ah, self.fsm
        assert sender is not None and ah is not None
        src = sender.src
        assert isinstance(src, ipaddress.IPv4Address)
        vrrp = self._ah_adverts.get(priority)
        if vrrp is None:
            adv = Advertisement(2, cfg.vrid, priority,
                                tuple(v.address.ip for v in cfg.vips)[:255], cfg.advert_int,
                                AuthType.AH)
            vrrp = self._ah_adverts[priority] = adv.to_bytes()
        if fsm is not None and fsm.state is State.MASTER and not self.was_master:
            ah.entering_master()
        ip_id, seq = ah.next()
        self.stats.advert_sent += 1
        if priority == 0 and counted:
            self.stats.pri_zero_sent += 1
        for dst in cfg.unicast_peers or (cfg.mcast_dst,):
            assert isinstance(dst, ipaddress.IPv4Address)
            datagram = ah_datagram(vrrp, src=src, dst=dst, ip_id=ip_id, seq=seq,
                                   key=cfg.ah_key, ttl=cfg.ttl, unicast=cfg.unicast)
            try:
                sender.send(datagram, dst)
            except OSError as exc:
                log.debug("(%s) sending advert to %s failed: %s", cfg.name, dst, exc)
