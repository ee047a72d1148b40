"""The shared receiving socket of an interface and address family, and its reader.

Why shared: the kernel offers every VRRP packet to each raw socket of protocol 112
in the namespace, so one socket per instance would be walked once per instance per
advert. One :class:`AdvertReceiver` serves every instance on its interface and
family; each advert is decoded once and handed on by VRID.

A backup's routine adverts do not even wake the event loop: on IPv4 the kernel moves
them to a second, unwatched socket (:mod:`.quiet`, filters from :mod:`.bpf`), read
only when something is about to look at their arrival times.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from typing import TYPE_CHECKING

from .ah import AH_LEN, IPPROTO_AH, IPV4_HEADER_LEN
from .bpf import Programs, programs
from .io import Heard, IPAddress, Received, ReceiveSocket
from .packet import HEADER_LEN, PacketError, decode
from .quiet import DROP_ALL, QuietSocket, detach_filter, flood_limit, replace_filter

if TYPE_CHECKING:
    from .runner import InstanceRunner

log = logging.getLogger("Keepalived_vrrp")

#: A flooded quiet socket stays on the event loop until a period this long brings no
#: more datagrams than one read may (see .quiet.flood_limit).
LOUD_PERIOD = 4.0


class AdvertReceiver:
    """One shared receiving socket (interface, family) and the instances it serves.

    Each advert is decoded once (length, version, type, checksum) and handed to the
    instance(s) with its VRID, which run their own checks (TTL, version, auth,
    interval, unicast peer); an advert for a VRID no instance here has is dropped
    unread, as keepalived does. The advert a backup hears every interval (the same
    bytes as the last good one from that source) skips decoding and the event queue:
    see :meth:`~.runner.InstanceRunner.fast_advert`.

    Reading in batches: when the socket becomes readable it is drained; if something
    was read, the reader is taken off the loop and the socket drained again ``hold``
    seconds later (and so on while adverts keep coming), so a node serving many
    instances wakes up a few times per interval instead of once per advert. Nothing is
    decided late because of it: every advert carries its kernel arrival time, which is
    what the machines use; a master-down timer drains the socket before it fires; and
    ``hold`` is the smallest :attr:`~.runner.InstanceRunner.hold_limit` of the instances
    here.
    Sparse traffic (the previous readable event more than ``hold`` ago: a few instances)
    is read as it comes, since a hold would only add a wake-up of its own.

    The quiet socket (IPv4): the known adverts that fit in a classic BPF program
    (:attr:`covered`) are dropped by the shared socket's filter and accepted by the quiet
    socket's, rebuilt once per loop iteration after ``known`` changed (:meth:`refilter`).
    :meth:`note_quiet` reads it into the :class:`~.io.Heard` notes; whoever looks at a
    note calls it first (the runner's flush, the slot timers, the dumps), and
    :meth:`drain` reads both sockets. A datagram found there that is no longer known (it
    came between a forget and the next refilter) is dispatched like any other.
    """

    def __init__(self, sock: ReceiveSocket) -> None:
        self.sock = sock
        #: a socket of protocol 51: each instance checks the AH datagram with its own key
        self.ah = sock.proto == IPPROTO_AH
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
        #: The quiet socket (IPv4, opened at the first refilter that covers an advert),
        #: the (key, ttl) entries its filter accepts, and the pending refilter.
        self.quiet: QuietSocket | None = None
        self.covered: frozenset[tuple[bytes, int]] = frozenset()
        self._refilter: asyncio.Handle | None = None
        #: Datagrams read from the quiet socket that are no longer known (to dispatch).
        self._strays: list[Received] = []
        self._strays_due: asyncio.Handle | None = None
        #: Flooded (see LOUD_PERIOD): when the current period began, datagrams in it.
        self._loud: float | None = None
        self._loud_count = 0
        #: The quiet socket could not be opened: the shared socket does it all.
        self._no_quiet = False
        #: How many adverts the kernel accepted filters for (None: not limited yet).
        self._fit: int | None = None

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
        (:meth:`~.runner.InstanceRunner.fast_advert`); IPv4 only (the socket compares the IP
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
        self._known_changed()

    def forget(self, runner: InstanceRunner) -> None:
        """The runner's routine advert goes back to the full path.

        The caller has just read the notes (:meth:`~.runner.InstanceRunner.flush_heard`
        reads the quiet socket first). What comes between now and the refilter that
        takes the advert off the filters is no longer known when the quiet socket is
        read: dispatched then, like any advert.
        """
        heard = runner.heard
        if heard is not None:
            runner.stats.advert_rcvd += heard.count
            if self.known.get(runner.heard_key) is heard:
                del self.known[runner.heard_key]
                self._known_changed()
            runner.heard, runner.heard_key = None, b""

    def remove(self, runner: InstanceRunner) -> None:
        self.note_quiet()  # its count is final
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
        for handle in (self._held, self._refilter, self._strays_due):
            if handle is not None:
                handle.cancel()
        self._held = self._refilter = self._strays_due = None
        if self._reading and self.loop is not None:
            with contextlib.suppress(ValueError, OSError, RuntimeError):
                self.loop.remove_reader(self.sock.fileno())
        self._reading = False
        self._quiet_down()

    def close(self) -> None:
        self.stop()
        if self.quiet is not None:
            self.quiet.close()
            self.quiet = None
        self.sock.close()

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

    def drain(self, seen: set[bytes] | None = None) -> int:
        """Read and dispatch everything queued; how many datagrams that was.

        The quiet socket's notes are brought up to date too, and the strays dispatched
        in the order of arrival among the shared socket's datagrams. ``seen``: see
        :meth:`refilter`.
        """
        if self._draining:
            return 0
        self._draining = True
        sock = self.sock
        count = -getattr(sock, "hits", 0)
        try:
            receive, dispatch, known, strays = sock.receive, self.dispatch, self.known, self._strays
            while (rcv := receive(known, seen)) is not None:
                count += 1
                if strays:
                    self._strays_until(rcv.arrival)
                dispatch(rcv)
            if self.quiet is not None:
                self.note_quiet(seen)
            if strays:
                self._strays_until(None)
        finally:
            self._draining = False
        return count + getattr(sock, "hits", 0)

    # ---------------------------------------------------------------- quiet socket

    def note_quiet(self, seen: set[bytes] | None = None, before: float | None = None) -> None:
        """Read the quiet socket: arrivals into the notes, strays kept for :meth:`drain`.

        Dispatches nothing (callers are in the middle of looking at a note). Strays: a
        datagram that came between a forget and the next refilter (no longer known),
        and, with ``before``, a known one that arrived after that time (it must be
        handled after the event of that time, see
        :meth:`~.runner.InstanceRunner.flush_heard`). A drain dispatches them,
        scheduled here if none is under way.
        """
        quiet = self.quiet
        if quiet is None:
            return
        known, strays = self.known, self._strays
        read = -quiet.hits - len(strays)
        while (rcv := quiet.receive(known, seen, before)) is not None:
            strays.append(rcv)
        read += quiet.hits + len(strays)
        if read:
            self._flood_check(read)
        if strays:
            self._strays_soon()

    def requeue(self, rcv: Received) -> None:
        """Dispatch ``rcv`` (a routine advert noted too early) in its turn by arrival."""
        self._strays.append(rcv)
        self._strays.sort(key=lambda r: -math.inf if r.arrival is None else r.arrival)
        self._strays_soon()

    def _strays_soon(self) -> None:
        if not self._draining and self._strays_due is None and self.loop is not None:
            self._strays_due = self.loop.call_soon(self._dispatch_strays)

    def _dispatch_strays(self) -> None:
        self._strays_due = None
        self.drain()

    def _strays_until(self, at: float | None) -> None:
        """Dispatch the strays that arrived before ``at`` (None: all), oldest first."""
        strays, dispatch = self._strays, self.dispatch
        while strays:
            first = strays[0].arrival
            if at is not None and first is not None and first > at:
                return
            dispatch(strays.pop(0))

    def _known_changed(self) -> None:
        if (self._refilter is None and self.loop is not None and self.sock.family == 4
                and not self.ah and not self._no_quiet):
            self._refilter = self.loop.call_soon(self.refilter)

    def refilter(self) -> None:
        """Give the filters the known adverts (once per loop iteration after a change).

        Each socket's filter is replaced atomically, but the two not together: in
        between, a changed advert may be accepted by both (never by neither: an advert
        joins the quiet filter before it leaves the shared one's accepted set, and leaves
        it after). Both copies are in the queues when the last filter is attached and
        carry the same kernel timestamp, so the drain that follows reads everything
        and skips the second copy (``seen``).

        A program the kernel refuses (over the socket's option memory,
        net.core.optmem_max): both filters are cleared (the shared socket's first) and
        the adverts covered halved until the kernel takes them; the rest stay with the
        shared socket's userspace check.
        """
        self._refilter = None
        if self.sock.family != 4 or self.ah or self._no_quiet or self.loop is None:
            return
        entries = [(key, heard.ttl) for key, heard in self.known.items()]
        progs = programs(entries, self._fit)
        new = frozenset(progs.covered)
        old = self.covered
        if new == old:
            return
        quiet = self.quiet
        if quiet is None:
            try:
                quiet = self.quiet = QuietSocket(ifname=self.sock.ifname,
                                                 ifindex=self.sock.ifindex)
            except OSError as exc:
                log.warning("cannot open the quiet VRRP socket on %s (%s): every advert "
                            "wakes the daemon", self.sock.ifname, exc)
                self._no_quiet = True  # not again for this socket
                return
        quiet.size_for(len(new))
        try:
            self._move(old, progs)
        except OSError as exc:
            self._clear()
            progs = self._shrink(entries, len(progs.covered), exc)
            quiet.size_for(len(progs.covered))
        self.covered = frozenset(progs.covered)
        self.drain(seen=set())

    def _move(self, old: frozenset[tuple[bytes, int]], progs: Programs) -> None:
        assert self.quiet is not None
        main, quiet, new = self.sock.sock, self.quiet.sock, set(progs.covered)
        if old - new:  # first stop dropping them on the shared socket, then here
            kept = programs([e for e in progs.covered if e in old])
            replace_filter(main, kept.main)
            replace_filter(quiet, kept.quiet)
        if new - old:  # first accept them here, then drop them on the shared socket
            replace_filter(quiet, progs.quiet)
            replace_filter(main, progs.main)

    def _clear(self) -> None:
        """No advert covered: the shared socket takes everything again, then the quiet
        one nothing (in that order: a datagram may be copied, never lost)."""
        assert self.quiet is not None
        detach_filter(self.sock.sock)
        replace_filter(self.quiet.sock, DROP_ALL)
        self.covered = frozenset()

    def _shrink(self, entries: list[tuple[bytes, int]], tried: int,
                exc: OSError) -> Programs:
        """Filters for as many adverts as the kernel takes, from cleared filters."""
        n = tried
        while n > 1:
            n //= 2
            progs = programs(entries, n)
            try:
                self._move(frozenset(), progs)
            except OSError:
                self._clear()
                continue
            self._fit = n
            log.info("VRRP socket filters on %s cover %d adverts, the others wake the "
                     "daemon (%d refused: %s; see net.core.optmem_max)", self.sock.ifname,
                     n, tried, exc)
            return progs
        self._fit = 0
        log.warning("VRRP socket filters refused on %s (%s): every advert wakes the daemon",
                    self.sock.ifname, exc)
        return programs([])

    def _flood_check(self, read: int) -> None:
        """Put a flooded quiet socket on the loop, and take it off when the flood is over."""
        loop, quiet = self.loop, self.quiet
        if loop is None or quiet is None:
            return
        limit = flood_limit(len(self.covered))
        now = loop.time()
        if self._loud is None:
            if read > limit:
                log.warning("VRRP adverts on %s replayed at a high rate: reading them as "
                            "they come", self.sock.ifname)
                self._loud, self._loud_count = now, 0
                loop.add_reader(quiet.fileno(), self.note_quiet)
            return
        self._loud_count += read
        if now - self._loud >= LOUD_PERIOD:
            if self._loud_count <= limit:
                self._quiet_down()
            else:
                self._loud, self._loud_count = now, 0

    def _quiet_down(self) -> None:
        if self._loud is not None and self.loop is not None and self.quiet is not None:
            with contextlib.suppress(ValueError, OSError, RuntimeError):
                self.loop.remove_reader(self.quiet.fileno())
        self._loud = None

    def dispatch(self, rcv: Received) -> None:
        payload = rcv.payload
        if self.ah:
            self.dispatch_ah(rcv)
            return
        if len(payload) < HEADER_LEN:
            # keepalived drops these before looking for an instance (no counter moves)
            family = self.sock.family
            log.info("IPv%d VRRP packet too short - %d bytes", family,
                     (IPV4_HEADER_LEN if family == 4 else 0) + len(payload))
            return
        runners = self.by_vrid.get(payload[1])
        if not runners:
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

    def dispatch_ah(self, rcv: Received) -> None:
        """An AH datagram: to the instances with the VRID found after the AH header.

        Nothing is decoded here: the ICV, keyed per instance, is checked before anything
        else of the packet is trusted (:meth:`~.runner.InstanceRunner.on_ah_advert`).
        """
        payload = rcv.payload
        if len(payload) < AH_LEN + HEADER_LEN:
            log.info("IPv4 VRRP packet with AH too short - %d bytes",
                     (len(rcv.header) or IPV4_HEADER_LEN) + len(payload))
            return
        for runner in tuple(self.by_vrid.get(payload[AH_LEN + 1], ())):
            runner.on_ah_advert(rcv)
