"""Source addresses followed over netlink: kaconfd.vrrp.ifaddrs, the machine's
SourceAddress event, and the address events rtnl and netlink deliver.

The rules are keepalived 2.2.7's (``netlink_if_address_filter``): see the module
docstring of :mod:`kaconfd.vrrp.ifaddrs`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import struct

from kaconfd.netlink import AddressEvent, Netlink
from kaconfd.rtnl import RTM_DELADDR, RTM_NEWADDR, RTM_NEWLINK, AsyncIPRoute
from kaconfd.vrrp.events import SourceAddress, describe
from kaconfd.vrrp.fsm import (
    InstanceParams,
    Log,
    RunNotify,
    SendAdvert,
    Startup,
    State,
    TimerFired,
    VrrpFsm,
)
from kaconfd.vrrp.ifaddrs import InterfaceAddresses, PrimaryChange, SourceUser, new_sources
from kaconfd.vrrp.sync import RunGroupNotify, SyncGroupFsm

ip = ipaddress.ip_address
A, B, C = ip("10.0.0.1"), ip("10.0.0.2"), ip("10.0.0.3")
VIP = ip("10.0.0.100")
LL, LL2, GLOBAL6 = ip("fe80::1"), ip("fe80::2"), ip("2001:db8::1")


def table(*seed: ipaddress.IPv4Address | ipaddress.IPv6Address) -> InterfaceAddresses:
    t = InterfaceAddresses(lambda addr: addr == VIP)
    t.seed(2, 4, [s for s in seed if s.version == 4])
    t.seed(2, 6, [s for s in seed if s.version == 6])
    return t


# ------------------------------------------------------------------ the table


def test_seed_takes_the_first_candidate_and_skips_vips_and_global_ipv6() -> None:
    t = table(VIP, A, B, GLOBAL6, LL)
    assert t.primary(2, 4) == A
    assert t.primary(2, 6) == LL  # IPv6 adverts come from the link-local address
    assert t.knows(2, 4) and not t.knows(3, 4)


def test_a_later_seed_does_not_overwrite_what_events_kept_current() -> None:
    t = table(A)
    t.apply(2, A, added=False)
    t.seed(2, 4, [A])  # an older dump
    assert t.primary(2, 4) is None


def test_first_address_becomes_primary_later_ones_are_remembered() -> None:
    t = table()
    assert t.primary(2, 4) is None
    assert t.apply(2, A, added=True) == PrimaryChange(2, 4, None, A)
    assert t.apply(2, B, added=True) is None
    assert t.apply(2, A, added=True) is None  # a repeat (a promoted secondary) changes nothing
    assert t.primary(2, 4) == A


def test_own_addresses_and_other_interfaces_are_ignored() -> None:
    t = table()
    assert t.apply(2, VIP, added=True) is None
    assert t.apply(7, A, added=True) is None  # no instance uses interface 7
    assert t.apply(2, GLOBAL6, added=True) is None
    assert t.primary(2, 4) is None and t.primary(2, 6) is None
    assert t.apply(2, VIP, added=False) is None


def test_a_tentative_ipv6_address_counts_when_the_kernel_says_it_is_ready() -> None:
    t = table()
    assert t.apply(2, LL, added=True, tentative=True) is None
    assert t.primary(2, 6) is None
    assert t.apply(2, LL, added=True) == PrimaryChange(2, 6, None, LL)


def test_removed_primary_is_replaced_by_the_last_address_remembered() -> None:
    t = table(A, B, C)
    assert t.apply(2, A, added=False) == PrimaryChange(2, 4, A, C)  # keepalived: list tail
    assert t.apply(2, B, added=False) is None
    assert t.apply(2, C, added=False) == PrimaryChange(2, 4, C, None)
    assert t.apply(2, C, added=False) is None  # gone already


def test_ipv6_link_local_primary_follows_the_same_rules() -> None:
    t = table(LL)
    assert t.apply(2, LL2, added=True) is None
    assert t.apply(2, LL, added=False) == PrimaryChange(2, 6, LL, LL2)
    assert t.apply(2, LL2, added=False) == PrimaryChange(2, 6, LL2, None)
    assert t.apply(2, LL, added=True) == PrimaryChange(2, 6, None, LL)


# ------------------------------------------------------------------ which instances move


USERS = [SourceUser("none", 2, 4, None), SourceUser("on_a", 2, 4, A),
         SourceUser("other_if", 3, 4, None), SourceUser("v6", 2, 6, None)]


def test_new_primary_goes_to_the_instances_without_a_source() -> None:
    assert new_sources(PrimaryChange(2, 4, None, B), USERS) == [("none", B)]


def test_replaced_primary_moves_every_instance_with_a_source() -> None:
    assert new_sources(PrimaryChange(2, 4, A, C), USERS) == [("on_a", C)]


def test_primary_removed_with_nothing_left_takes_the_source_away() -> None:
    assert new_sources(PrimaryChange(2, 4, A, None), USERS) == [("on_a", None)]
    assert new_sources(PrimaryChange(2, 4, B, None), USERS) == []  # not its source
    assert new_sources(PrimaryChange(2, 6, LL, None), USERS) == []


# ------------------------------------------------------------------ the machine


def machine(**kw: object) -> VrrpFsm:
    base: dict[str, object] = dict(name="VI_1", vrid=1, priority=100,
                                   primary_ip=ip("0.0.0.0"))
    base.update(kw)
    params = InstanceParams(**base)  # type: ignore[arg-type]
    return VrrpFsm(params, no_source=True)


def messages(actions: list[object]) -> list[str]:
    return [a.message for a in actions if isinstance(a, Log)]


def test_no_source_at_start_is_fault_and_an_address_brings_backup() -> None:
    fsm = machine()
    out = fsm.handle(Startup(), 0.0)
    assert fsm.state is State.FAULT
    assert RunNotify(State.FAULT, 100) in out
    out = fsm.handle(SourceAddress(A), 1.0)
    assert fsm.state is State.BACKUP  # as after any recovery: BACKUP, then the election
    assert messages(out) == ["(VI_1) Leaving FAULT state", "(VI_1) Entering BACKUP STATE"]
    assert RunNotify(State.BACKUP, 100) in out
    assert fsm.params.primary_ip == A  # ties are broken with the new address


def test_an_owner_with_state_master_also_leaves_fault_to_backup() -> None:
    # keepalived 2.2.7 too (checked side by side): BACKUP, MASTER after the down timer
    fsm = machine(priority=255, initial_state=State.MASTER)
    fsm.handle(Startup(), 0.0)
    assert fsm.state is State.FAULT
    out = fsm.handle(SourceAddress(A), 1.0)
    assert fsm.state is State.BACKUP
    assert messages(out)[-1] == "(VI_1) Entering BACKUP STATE"


def test_losing_the_source_as_master_sends_priority_0_and_faults() -> None:
    fsm = machine()
    fsm.handle(Startup(), 0.0)
    fsm.handle(SourceAddress(A), 0.0)
    fsm.handle(TimerFired("master_down"), 10.0)
    assert fsm.state is State.MASTER
    out = fsm.handle(SourceAddress(None), 11.0)
    assert fsm.state is State.FAULT
    assert out[:3] == [Log("(VI_1) Entering FAULT STATE"), SendAdvert(0, counted=False),
                       SendAdvert(0)]
    assert RunNotify(State.FAULT, 100) in out
    assert fsm.handle(SourceAddress(B), 12.0)[0] == Log("(VI_1) Leaving FAULT state")
    assert fsm.params.primary_ip == B


def test_another_source_moves_nothing_else() -> None:
    fsm = machine()
    fsm.handle(Startup(), 0.0)
    fsm.handle(SourceAddress(A), 0.0)
    assert fsm.handle(SourceAddress(B), 1.0) == []
    assert fsm.state is State.BACKUP and fsm.params.primary_ip == B


def test_source_before_startup_is_only_recorded() -> None:
    fsm = machine()
    assert fsm.handle(SourceAddress(A), 0.0) == []
    fsm.handle(Startup(), 0.0)
    assert fsm.state is State.BACKUP


def test_sync_group_member_without_source_holds_the_group_in_fault() -> None:
    fsms = {}
    for vrid, name in enumerate(("VI_1", "VI_2"), start=1):
        params = InstanceParams(name=name, vrid=vrid, priority=100, primary_ip=A,
                                sync_group="G1")
        fsms[name] = VrrpFsm(params, no_source=name == "VI_1")
    grp = SyncGroupFsm("G1", fsms)
    grp.handle("VI_1", Startup(), 0.0)
    grp.handle("VI_2", Startup(), 0.0)
    assert [f.state for f in fsms.values()] == [State.FAULT, State.FAULT]
    out = grp.handle("VI_1", SourceAddress(B), 1.0)
    assert [f.state for f in fsms.values()] == [State.BACKUP, State.BACKUP]
    assert out[-1] == (None, RunGroupNotify(State.BACKUP))


def test_describe_source_address() -> None:
    assert describe(SourceAddress(A)) == "source address 10.0.0.1"
    assert describe(SourceAddress(None)) == "no source address"


# ------------------------------------------------------------------ rtnetlink events


def _nlmsg(kind: int, body: bytes) -> bytes:
    return struct.pack("=IHHII", 16 + len(body), kind, 0, 0, 0) + body


def _addr(kind: int, family: int, index: int, address: str, local: bool = True,
          flags: int = 0) -> bytes:
    raw = socket.inet_pton(family, address)
    attr = struct.pack("=HH", 4 + len(raw), 2 if local else 1) + raw  # IFA_LOCAL / ADDRESS
    return _nlmsg(kind, struct.pack("=BBBBI", family, 64, flags, 253, index) + attr)


def _link(index: int) -> bytes:
    name = b"eth0\0"
    attr = struct.pack("=HH", 4 + len(name), 3) + name + bytes((-len(name)) % 4)
    return _nlmsg(RTM_NEWLINK, struct.pack("=BxHiII", 0, 1, index, 0x41, 0) + attr)


def test_address_events_reach_the_callback_links_still_do() -> None:
    datagrams = [_link(2) + _addr(RTM_NEWADDR, socket.AF_INET, 2, "10.0.0.1"),
                 _addr(RTM_NEWADDR, socket.AF_INET6, 2, "fe80::1", local=False, flags=0x40),
                 _addr(RTM_DELADDR, socket.AF_INET6, 2, "fe80::1", local=False)]
    links: list[str] = []
    addresses: list[AddressEvent] = []
    groups: list[int] = []

    class Fake(AsyncIPRoute):
        async def bind(self, groups_: int = 1) -> None:
            groups.append(groups_)

        async def _recv(self) -> bytes:
            if not datagrams:
                raise asyncio.CancelledError
            return datagrams.pop(0)

    import kaconfd.netlink as netlink_module

    async def main() -> None:
        real = netlink_module.AsyncIPRoute
        netlink_module.AsyncIPRoute = Fake  # type: ignore[misc]
        try:
            await Netlink().watch_links(lambda link: links.append(link.name), addresses.append)
        except asyncio.CancelledError:
            pass
        finally:
            netlink_module.AsyncIPRoute = real  # type: ignore[misc]

    asyncio.run(main())
    assert groups == [0x1 | 0x10 | 0x100]  # links, IPv4 and IPv6 addresses
    assert links == ["eth0"]
    assert addresses == [AddressEvent(2, A, True), AddressEvent(2, LL, True, tentative=True),
                         AddressEvent(2, LL, False)]
