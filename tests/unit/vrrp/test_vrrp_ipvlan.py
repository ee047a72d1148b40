"""kaconfd.vrrp.ipvlan against a fake netlink: what is created, reused and removed.

The kernel of the test machine may lack ipvlan (tests/netns/test_ipvlan.py skips then),
so the calls the child makes are checked here too.
"""

from __future__ import annotations

import asyncio
import ipaddress
from typing import Any

import pytest
from kaconfd.netlink import Link
from kaconfd.vrrp import ipvlan
from kaconfd.vrrp.ipvlan import create_ipvlan, ip_link_argv, remove_ipvlan

BASE = Link(2, "eth0", "02:00:00:00:00:01", True)


class FakeNetlink:
    def __init__(self, existing: dict[str, str] | None = None) -> None:
        self.links = {name: (10 + i, kind) for i, (name, kind) in
                      enumerate((existing or {}).items())}
        self.calls: list[tuple[Any, ...]] = []

    async def link(self, name: str) -> Link | None:
        if name not in self.links:
            return None
        return Link(self.links[name][0], name, "02:00:00:00:00:01", False)

    async def link_kind(self, index: int) -> str | None:
        return next(k for i, k in self.links.values() if i == index)

    async def add_ipvlan(self, name: str, base_index: int) -> None:
        self.calls.append(("add_ipvlan", name, base_index))
        self.links[name] = (20, "ipvlan")

    async def set_link_up(self, index: int) -> None:
        self.calls.append(("up", index))

    async def add_address(self, index: int, addr: Any) -> bool:
        self.calls.append(("addr", index, str(addr)))
        return True

    async def remove_link(self, index: int) -> bool:
        self.calls.append(("del", index))
        return True


@pytest.fixture(autouse=True)
def _no_sysctl(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ipvlan, "write_sysctl", lambda *a: True)


def _create(nl: FakeNetlink, kind: str = "bridge") -> Link | None:
    return asyncio.run(create_ipvlan(
        nl, instance="VI", name="ipv1", base=BASE, kind=kind, family=4,  # type: ignore[arg-type]
        address=ipaddress.ip_interface("10.0.0.5/24")))


def test_bridge_ipvlan_is_created_up_with_its_address() -> None:
    nl = FakeNetlink()
    link = _create(nl)
    assert link is not None and link.index == 20
    assert nl.calls == [("add_ipvlan", "ipv1", 2), ("up", 20), ("addr", 20, "10.0.0.5/24")]
    asyncio.run(remove_ipvlan(nl, "ipv1"))  # type: ignore[arg-type]
    assert nl.calls[-1] == ("del", 20)


def test_existing_ipvlan_is_reused_and_another_kind_refused() -> None:
    nl = FakeNetlink({"ipv1": "ipvlan"})
    assert _create(nl) is not None and ("add_ipvlan", "ipv1", 2) not in nl.calls
    assert _create(FakeNetlink({"ipv1": "veth"})) is None


def test_private_and_vepa_use_iproute2() -> None:
    assert ip_link_argv("ipv1", "eth0", "private") == [
        "ip", "link", "add", "ipv1", "link", "eth0", "type", "ipvlan", "mode", "l2", "private"]
