"""The raw sockets of the child, shared by the instances that use the same ones.

Like keepalived, one sending socket per interface and source rather than one per
instance, and one receiving socket per interface and family (:mod:`.receiver`): the
kernel offers every received VRRP packet to each raw socket of protocol 112 in the
namespace, so 200 idle sockets would be walked 200 times per advert. A socket is
opened for its first user and closed with its last.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from .ah import IPPROTO_AH
from .io import AdvertSender, IPAddress, ReceiveSocket
from .packet import IPPROTO_VRRP
from .receiver import AdvertReceiver

if TYPE_CHECKING:
    from .runner import InstanceRunner


class SharedSockets:
    """Every open VRRP socket of the child, with the instances using it."""

    def __init__(self) -> None:
        #: Shared receiving sockets by (interface, ifindex, family, protocol).
        self.receivers: dict[tuple[str, int, int, int], AdvertReceiver] = {}
        #: Sending sockets, shared: [socket, users] by (family, interface, index, source,
        #: TTL, whole datagrams).
        self.senders: dict[tuple[int, str, int, IPAddress, int, bool], list[Any]] = {}

    def attach(self, runner: InstanceRunner, ifindex: int, group: IPAddress | None) -> None:
        """Register ``runner`` with the receiving socket of its interface, opened if need be.

        ``auth_type AH`` instances have a socket of protocol 51 (AH) of their own, as in
        keepalived: the kernel never hands AH datagrams to a socket of protocol 112.
        """
        proto = IPPROTO_AH if runner.cfg.ah else IPPROTO_VRRP
        key = (runner.cfg.advert_interface, ifindex, runner.cfg.family, proto)
        receiver = self.receivers.get(key)
        if receiver is None:
            sock = ReceiveSocket(family=runner.cfg.family, ifname=runner.cfg.advert_interface,
                                 ifindex=ifindex, proto=proto)
            receiver = self.receivers[key] = AdvertReceiver(sock)
            receiver.start(asyncio.get_running_loop())
        try:
            receiver.add(runner, group)
        finally:
            if receiver.empty:
                self._close_receiver(key)

    def sender(self, *, family: int, ifname: str, ifindex: int, src: IPAddress,
               ttl: int, hdrincl: bool = False) -> AdvertSender:
        """The sending socket for these parameters, shared by every instance using them.

        Like keepalived, one socket per interface and source rather than one per
        instance: the kernel offers every received VRRP packet to each raw socket of
        protocol 112 in the namespace, so 200 idle sending sockets would be walked 200
        times per advert. ``hdrincl``: whole IPv4 datagrams (``auth_type AH``).
        """
        key = (family, ifname, ifindex, src, ttl, hdrincl)
        entry = self.senders.get(key)
        if entry is None:
            entry = self.senders[key] = [AdvertSender(family=family, ifname=ifname,
                                                      ifindex=ifindex, src=src, ttl=ttl,
                                                      hdrincl=hdrincl), 0]
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

    def _close_receiver(self, key: tuple[str, int, int, int]) -> None:
        self.receivers.pop(key).close()

    def note_quiet(self) -> None:
        """Bring every receiver's notes of routine adverts up to date (see .quiet)."""
        for receiver in self.receivers.values():
            if receiver.quiet is not None:
                receiver.note_quiet()
