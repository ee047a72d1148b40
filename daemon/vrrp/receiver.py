"""The shared receiving socket of an interface and address family, and its reader.

Why shared: the kernel offers every VRRP packet to each raw socket of protocol 112
in the namespace, so one socket per instance would be walked once per instance per
advert. One :class:`AdvertReceiver` serves every instance on its interface and
family; each advert is decoded once and handed on by VRID.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from typing import TYPE_CHECKING

from .ah import AH_LEN, IPPROTO_AH, IPV4_HEADER_LEN
from .io import Heard, IPAddress, Received, ReceiveSocket
from .packet import HEADER_LEN, PacketError, decode

if TYPE_CHECKING:
    from .runner import InstanceRunner

log = logging.getLogger("Keepalived_vrrp")


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

    def forget(self, runner: InstanceRunner) -> None:
        heard = runner.heard
        if heard is not None:
            runner.stats.advert_rcvd += heard.count
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
