"""kaconfd.netlink without a kernel: interrupted dumps are retried; route/rule arguments."""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from kaconfd.netlink import Netlink
from kaconfd.rtnl import NetlinkError
from kaconfd.vrrp.routes import route_spec, rule_spec

from kaconf.model.iproutes import route_from_words
from kaconf.model.iprules import rule_from_words


class FakeIPRoute:
    """Answers address dumps; the first ``busy`` dumps fail as an interrupted dump does."""

    def __init__(self, busy: int) -> None:
        self.busy = busy
        self.calls = 0

    async def addr(self, command: str, **kw: Any) -> AsyncIterator[dict[str, Any]]:
        self.calls += 1
        if self.busy:
            self.busy -= 1
            raise NetlinkError(errno.EBUSY, "Device or resource busy")

        async def messages() -> AsyncIterator[dict[str, Any]]:
            yield {"address": "10.1.10.117", "prefixlen": 24}

        return messages()


def _netlink(fake: FakeIPRoute) -> Netlink:
    nl = Netlink()
    nl._ipr = fake  # type: ignore[assignment]
    return nl


def test_interrupted_dump_is_asked_again() -> None:
    fake = FakeIPRoute(busy=2)
    found = asyncio.run(_netlink(fake).addresses(3))
    assert found == [ipaddress.ip_interface("10.1.10.117/24")]
    assert fake.calls == 3


def test_dump_that_stays_busy_raises() -> None:
    fake = FakeIPRoute(busy=100)
    with pytest.raises(NetlinkError):
        asyncio.run(_netlink(fake).addresses(3))


def test_route_and_rule_arguments() -> None:
    info = route_from_words(
        "src 10.1.10.240 10.8.0.0/16 via 10.1.10.1 table 100 metric 5 onlink".split())
    assert info is not None
    route = route_spec(info)
    assert Netlink._route_args(route, 7) == {
        "dst": "10.8.0.0/16", "table": 100, "proto": 18, "type": "unicast",
        "family": socket.AF_INET, "gateway": "10.1.10.1", "prefsrc": "10.1.10.240",
        "oif": 7, "priority": 5, "flags": 4}
    rinfo = rule_from_words("from 10.1.10.240 table 100 priority 7".split())
    assert rinfo is not None
    rule = rule_spec(rinfo)
    assert Netlink._rule_args(rule) == {
        "family": socket.AF_INET, "table": 100, "action": "FR_ACT_TO_TBL",
        "src": "10.1.10.240", "src_len": 32, "priority": 7}
