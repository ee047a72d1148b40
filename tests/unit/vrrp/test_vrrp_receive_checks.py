"""kaconfd.vrrp.runner: the per-instance receive checks keepalived makes and where each
rejected advert is counted (the SIGUSR2 counters)."""

from __future__ import annotations

import asyncio
import ipaddress
from types import SimpleNamespace
from typing import Any, cast

from kaconfd.vrrp.child import VrrpChild
from kaconfd.vrrp.events import AdvertReceived, Event
from kaconfd.vrrp.io import Received
from kaconfd.vrrp.packet import Advertisement
from kaconfd.vrrp.params import State
from kaconfd.vrrp.runner import InstanceRunner

V4 = ipaddress.IPv4Address
GROUP, PEER, ME = V4("224.0.0.18"), V4("10.1.10.185"), V4("10.1.10.117")
VIP = V4("10.1.10.240")


def _runner(posted: list[Event], *, unicast: bool = False,
            skip_check_adv_addr: bool = False) -> InstanceRunner:
    cfg = SimpleNamespace(
        version=2, vrid=51, advert_int=1.0, auth_type=0, auth_data=bytes(8),
        unicast=unicast, unicast_peers=(PEER,) if unicast else (), name="VI_1",
        vips=(SimpleNamespace(address=ipaddress.ip_interface(f"{VIP}/24")),),
        skip_check_adv_addr=skip_check_adv_addr)
    runner = InstanceRunner(cast(VrrpChild, SimpleNamespace()), cast(Any, cfg))
    runner.sender = cast(Any, SimpleNamespace(src=ME))
    runner.post = lambda event, at=None: posted.append(event)  # type: ignore[method-assign]
    return runner


def _advert(*addresses: ipaddress.IPv4Address, src: V4 = PEER, dst: V4 = GROUP,
            ) -> tuple[Received, Advertisement]:
    adv = Advertisement(2, 51, 100, addresses, 1.0)
    return Received(adv.to_bytes(), src, dst, 255), adv


def _run(check: Any) -> None:
    async def scenario() -> None:
        check()
    asyncio.run(scenario())


def test_address_count_list_and_destination_count_under_addr_list_err() -> None:
    def check() -> None:
        posted: list[Event] = []
        runner = _runner(posted)
        runner.on_advert(*_advert(VIP, V4("10.1.10.241")))  # count: not counted received
        assert (runner.stats.addr_list_err, runner.stats.advert_rcvd) == (1, 0)
        runner.on_advert(*_advert(V4("10.1.10.242")))  # list: counted received first
        assert (runner.stats.addr_list_err, runner.stats.advert_rcvd) == (2, 1)
        runner.on_advert(*_advert(VIP, dst=ME))  # unicast to a multicast instance
        assert (runner.stats.addr_list_err, runner.stats.advert_rcvd) == (3, 1)
        assert not posted
        runner.on_advert(*_advert(VIP))
        assert (runner.stats.addr_list_err, runner.stats.advert_rcvd) == (3, 2)
        assert posted == [AdvertReceived(PEER, 100, 1.0)]
    _run(check)


def test_a_unicast_instance_refuses_a_multicast_advert() -> None:
    def check() -> None:
        posted: list[Event] = []
        runner = _runner(posted, unicast=True)
        runner.on_advert(*_advert(VIP))
        assert runner.stats.addr_list_err == 1 and not posted
        runner.on_advert(*_advert(VIP, dst=ME))
        assert runner.stats.addr_list_err == 1 and len(posted) == 1
    _run(check)


def test_our_own_address_is_counted_received_and_moves_nothing() -> None:
    def check() -> None:
        posted: list[Event] = []
        runner = _runner(posted)
        runner.on_advert(*_advert(VIP, src=ME))
        assert runner.stats.advert_rcvd == 1 and not posted
    _run(check)


def test_skip_check_adv_addr_skips_the_address_checks_for_the_followed_master() -> None:
    def check() -> None:
        posted: list[Event] = []
        runner = _runner(posted, skip_check_adv_addr=True)
        runner.fsm = cast(Any, SimpleNamespace(state=State.BACKUP))
        runner.on_advert(*_advert(VIP))  # the master, learnt
        runner.on_advert(*_advert(V4("10.1.10.242")))  # its list is not checked again
        assert runner.stats.addr_list_err == 0 and len(posted) == 2
        runner.on_advert(*_advert(V4("10.1.10.242"), src=V4("10.1.10.50")))  # another node
        assert runner.stats.addr_list_err == 1 and len(posted) == 2
    _run(check)
