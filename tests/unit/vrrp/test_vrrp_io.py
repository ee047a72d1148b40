"""kaconfd.vrrp.io: frames checked byte by byte; the shared receive socket and its reader."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from types import SimpleNamespace
from typing import Any, cast

import pytest
from kaconfd.vrrp.io import (
    AdvertSender,
    Heard,
    IPAddress,
    Received,
    ReceiveSocket,
    garp_frame,
    mac_bytes,
    parse_ipv4,
    unsolicited_na,
)
from kaconfd.vrrp.packet import IPPROTO_VRRP, Advertisement, PacketError, Reason
from kaconfd.vrrp.receiver import AdvertReceiver
from kaconfd.vrrp.runner import InstanceRunner

MAC = "02:00:5e:10:20:30"


def test_gratuitous_arp_frame() -> None:
    frame = garp_frame(mac_bytes(MAC), ipaddress.IPv4Address("10.1.10.240"))
    mac = bytes([2, 0, 0x5E, 0x10, 0x20, 0x30])
    assert frame[:6] == b"\xff" * 6 and frame[6:12] == mac and frame[12:14] == b"\x08\x06"
    assert frame[14:22] == bytes([0, 1, 8, 0, 6, 4, 0, 1])  # Ethernet, IPv4, request
    assert frame[22:28] == mac and frame[28:32] == bytes([10, 1, 10, 240])
    assert frame[32:38] == b"\xff" * 6 and frame[38:42] == bytes([10, 1, 10, 240])
    assert len(frame) == 42


def test_unsolicited_neighbour_advert() -> None:
    target = ipaddress.IPv6Address("fd00::240")
    na = unsolicited_na(mac_bytes(MAC), target)
    assert na[:4] == bytes([136, 0, 0, 0])  # type NA, code 0, checksum left to the kernel
    assert na[4:8] == bytes([0x20, 0, 0, 0])  # Override only
    assert na[8:24] == target.packed
    assert na[24:] == bytes([2, 1]) + mac_bytes(MAC)  # target link-layer address option
    assert unsolicited_na(mac_bytes(MAC), target, router=True)[4] == 0xA0


def test_ipv4_header_parsing_keeps_ttl_and_drops_padding() -> None:
    payload = b"\x21\x5a\x64\x01"
    header = bytes([0x45, 0, 0, 24, 0, 0, 0, 0, 255, 112, 0, 0,
                    10, 1, 10, 117, 224, 0, 0, 18])
    rcv = parse_ipv4(header + payload + b"\0\0")
    assert rcv is not None
    assert (rcv.payload, rcv.ttl, str(rcv.src), str(rcv.dst)) == (
        payload, 255, "10.1.10.117", "224.0.0.18")
    assert parse_ipv4(header[:10]) is None


# --------------------------------------------------------------------------- shared receive


class _Queue:
    """Stands in for a ReceiveSocket: hands out queued datagrams, then None."""

    def __init__(self, family: int, datagrams: list[Received]) -> None:
        self.family = family
        self.ifname = "eth0"
        self.datagrams = datagrams
        self.proto = IPPROTO_VRRP

    def receive(self, known: object = None, seen: object = None) -> Received | None:
        return self.datagrams.pop(0) if self.datagrams else None


class _Runner:
    """Records what the shared reader hands an instance."""

    def __init__(self, vrid: int, hold_limit: float = 0.0) -> None:
        self.cfg = SimpleNamespace(vrid=vrid)
        self.receiver: object = None
        self.group: object = None
        self.hold_limit = hold_limit
        self.heard = None
        self.adverts: list[int] = []
        self.rejects: list[Reason] = []
        self.good: set[bytes] = set()
        self.fast: list[float | None] = []
        self.arrivals: list[float | None] = []

    def fast_advert(self, rcv: Received) -> bool:
        """Like InstanceRunner: the bytes of an advert that passed before need no decoding."""
        if rcv.payload in self.good:
            self.fast.append(rcv.arrival)
            return True
        return False

    def on_advert(self, rcv: Received, adv: Advertisement) -> None:
        self.adverts.append(adv.priority)
        self.arrivals.append(rcv.arrival)
        self.good.add(rcv.payload)

    def rejected(self, rcv: Received, exc: PacketError) -> None:
        self.rejects.append(exc.reason)


def _v3(vrid: int, priority: int, src: IPAddress, dst: IPAddress) -> bytes:
    adv = Advertisement(3, vrid, priority, (ipaddress.IPv4Address("10.1.10.240"),), 1.0)
    return adv.to_bytes(src, dst)


def test_shared_reader_dispatches_by_vrid_and_decodes_once() -> None:
    src, dst = ipaddress.IPv4Address("10.1.10.117"), ipaddress.IPv4Address("224.0.0.18")
    good = _v3(51, 150, src, dst)
    bad_checksum = good[:6] + bytes([good[6] ^ 0xFF]) + good[7:]
    queue = [Received(good, src, dst, 255), Received(_v3(52, 90, src, dst), src, dst, 255),
             Received(_v3(99, 90, src, dst), src, dst, 255),  # nobody has VRID 99
             Received(bad_checksum, src, dst, 255), Received(b"\x31", src, dst, 255)]
    receiver = AdvertReceiver(cast(ReceiveSocket, _Queue(4, queue)))
    first, second, other = _Runner(51), _Runner(51), _Runner(52)
    for runner in (first, second, other):
        receiver.add(cast(InstanceRunner, runner), None)
    receiver.on_readable()
    assert first.adverts == second.adverts == [150] and other.adverts == [90]
    assert first.rejects == second.rejects == [Reason.CHECKSUM] and other.rejects == []
    assert not queue
    receiver.remove(cast(InstanceRunner, first))
    receiver.remove(cast(InstanceRunner, second))
    assert list(receiver.by_vrid) == [52] and first.receiver is None
    receiver.remove(cast(InstanceRunner, other))
    assert receiver.empty


def test_shared_reader_skips_decoding_a_repeated_advert() -> None:
    src, dst = ipaddress.IPv4Address("10.1.10.117"), ipaddress.IPv4Address("224.0.0.18")
    good = _v3(51, 150, src, dst)
    queue = [Received(good, src, dst, 255, 1.0), Received(good, src, dst, 255, 2.0),
             Received(_v3(51, 0, src, dst), src, dst, 255, 3.0)]
    receiver = AdvertReceiver(cast(ReceiveSocket, _Queue(4, queue)))
    runner = _Runner(51)
    receiver.add(cast(InstanceRunner, runner), None)
    assert receiver.drain() == 3
    assert runner.adverts == [150, 0] and runner.arrivals == [1.0, 3.0]
    assert runner.fast == [2.0]


def _root_raw_sockets() -> bool:
    try:
        socket.socket(socket.AF_INET, socket.SOCK_RAW, IPPROTO_VRRP).close()
    except PermissionError:
        return False
    return True


@pytest.mark.skipif(not _root_raw_sockets(), reason="raw sockets need CAP_NET_RAW")
def test_receive_socket_joins_each_group_once_and_reads_adverts() -> None:
    lo = socket.if_nametoindex("lo")
    group = ipaddress.IPv4Address("224.0.0.18")
    rx = ReceiveSocket(family=4, ifname="lo", ifindex=lo)
    tx = AdvertSender(family=4, ifname="lo", ifindex=lo, src=ipaddress.IPv4Address("127.0.0.1"))
    try:
        rx.join(group)
        rx.join(group)  # a second instance: counted, not joined again (that would fail)
        assert rx.groups == {group: 2}
        rx.leave(group)
        assert rx.groups == {group: 1}
        rx.leave(group)
        assert rx.groups == {}
        loopback = ipaddress.IPv4Address("127.0.0.1")
        payload = _v3(51, 100, loopback, loopback)
        sent = time.monotonic()
        tx.send(payload, loopback)
        deadline = time.monotonic() + 2
        rcv = None
        while rcv is None and time.monotonic() < deadline:
            rcv = rx.receive()
        assert rcv is not None and rcv.payload == payload and rcv.src == loopback
        # The kernel's receive time, on the loop's clock, within the time it can have waited.
        assert rcv.arrival is not None and rcv.arrival <= time.monotonic()
        assert rcv.arrival >= sent
        assert rx.receive() is None  # drained: None, not an exception
    finally:
        rx.close()
        tx.close()


@pytest.mark.skipif(not _root_raw_sockets(), reason="raw sockets need CAP_NET_RAW")
def test_busy_socket_is_read_in_batches_with_kernel_arrival_times() -> None:
    """Busy: after a read the reader is off the loop for ``hold``; arrival times stay exact.

    Sparse traffic (the previous readable event longer than ``hold`` ago) is read as it
    comes: holding would only add a wake-up.
    """
    lo = socket.if_nametoindex("lo")
    loopback = ipaddress.IPv4Address("127.0.0.1")
    rx = ReceiveSocket(family=4, ifname="lo", ifindex=lo)
    tx = AdvertSender(family=4, ifname="lo", ifindex=lo, src=loopback)
    receiver = AdvertReceiver(rx)
    runner = _Runner(51, hold_limit=0.2)
    receiver.add(cast(InstanceRunner, runner), None)

    async def scenario() -> tuple[float, float, float]:
        loop = asyncio.get_running_loop()
        receiver.start(loop)
        tx.send(_v3(51, 100, loopback, loopback), loopback)
        await asyncio.sleep(0.05)
        assert runner.adverts == [100] and receiver._reading  # the first after quiet
        tx.send(_v3(51, 99, loopback, loopback), loopback)
        await asyncio.sleep(0.05)
        assert runner.adverts == [100, 99] and not receiver._reading  # busy: held
        sent = time.monotonic()
        tx.send(_v3(51, 101, loopback, loopback), loopback)
        await asyncio.sleep(0.05)
        assert runner.adverts == [100, 99]  # queued in the kernel, not read yet
        await asyncio.sleep(0.2)
        read = time.monotonic()
        assert runner.adverts == [100, 99, 101]
        arrival = runner.arrivals[-1]
        assert arrival is not None
        await asyncio.sleep(0.25)  # nothing more came: back on the loop
        assert receiver._reading
        receiver.stop()
        return sent, arrival, read

    try:
        sent, arrival, read = asyncio.run(scenario())
        assert sent <= arrival < sent + 0.02 < read
    finally:
        rx.close()
        tx.close()



def test_strays_are_dispatched_in_their_turn_by_arrival() -> None:
    """A routine advert handed back (noted before an older advert was read) or read from
    the quiet socket no longer known goes between the shared socket's datagrams."""
    src, dst = ipaddress.IPv4Address("10.1.10.117"), ipaddress.IPv4Address("224.0.0.18")
    queue = [Received(_v3(51, 90, src, dst), src, dst, 255, 2.0),
             Received(_v3(51, 80, src, dst), src, dst, 255, 4.0)]
    receiver = AdvertReceiver(cast(ReceiveSocket, _Queue(4, queue)))
    runner = _Runner(51)
    receiver.add(cast(InstanceRunner, runner), None)
    receiver.requeue(Received(_v3(51, 100, src, dst), src, dst, 255, 3.0))
    receiver.requeue(Received(_v3(51, 110, src, dst), src, dst, 255, 5.0))
    assert receiver.drain() == 2
    assert runner.arrivals == [2.0, 3.0, 4.0, 5.0] and runner.adverts == [90, 100, 80, 110]


def _noted_runner() -> tuple[InstanceRunner, list[Received], list[str]]:
    """An InstanceRunner whose routine advert was noted at 5.0 (3 arrivals in all)."""
    async def make() -> InstanceRunner:
        cfg = SimpleNamespace(version=3, vrid=51, advert_int=1.0, auth_type=0,
                              auth_data=bytes(8), unicast=False, name="VI_1")
        child = SimpleNamespace(slots=None, ah_counters={})
        return InstanceRunner(cast(Any, child), cast(Any, cfg))

    runner = asyncio.run(make())
    src, dst = ipaddress.IPv4Address("10.1.10.117"), ipaddress.IPv4Address("224.0.0.18")
    runner._last_good = Received(_v3(51, 100, src, dst), src, dst, 255, 1.0)
    heard = runner.heard = Heard(255)
    heard.at, heard.count = 5.0, 3
    requeued: list[Received] = []
    calls: list[str] = []
    runner.receiver = cast(Any, SimpleNamespace(
        note_quiet=lambda before=None: calls.append(f"note<{before}"),
        requeue=requeued.append,
        forget=lambda r: calls.append(f"forget count={r.heard.count}")))
    return runner, requeued, calls


def test_a_routine_advert_noted_after_an_older_event_is_handled_after_it() -> None:
    runner, requeued, calls = _noted_runner()
    runner.forget_heard(4.0)  # an advert that arrived at 4.0, read late
    assert [r.arrival for r in requeued] == [5.0] and requeued[0].payload == (
        cast(Received, runner._last_good).payload)
    assert calls == ["note<4.0", "forget count=2"]  # the requeued one is counted again
