"""Exact IPVS operations for each state change (kaconfd.check.ipvs_plan), no kernel needed."""

from __future__ import annotations

import socket
import struct

import pytest
from kaconfd.check.ipvs_plan import (
    Dest,
    Entry,
    Op,
    Service,
    Table,
    apply,
    copy_table,
    make_entry,
    plan,
    render,
)
from kaconfd.check.ipvs_writer import dest_fields, render_table, service_fields
from kaconfd.check.probes import CheckResult
from kaconfd.check.spec import (
    SVC_F_PERSISTENT,
    CheckerSpec,
    ConnOpts,
    RealServerSpec,
    ServiceAddr,
    SorryServerSpec,
    VirtualServerSpec,
)
from kaconfd.check.state import Pool

ADDR = ServiceAddr(4, "TCP", "192.0.2.1", 80)
SVC = Service(ADDR, "wrr", SVC_F_PERSISTENT, 300, "255.255.255.0", None)
FWM = ServiceAddr(4, "", None, 0, 7)


def d(host: str, weight: int = 1, fwd: str = "DR", port: int = 80) -> Dest:
    return Dest(host, port, weight, fwd)


def table(*entries: Entry) -> Table:
    return {e.service.addr: e for e in entries}


def test_new_service_with_destinations() -> None:
    want = table(make_entry(SVC, [d("192.0.2.10", 3), d("192.0.2.11")]))
    assert plan({}, want) == [
        Op("add_service", SVC),
        Op("add_dest", SVC, Dest("192.0.2.10", 80, 3, "DR")),
        Op("add_dest", SVC, Dest("192.0.2.11", 80, 1, "DR")),
    ]


def test_removed_service_deletes_destinations_first() -> None:
    cur = table(make_entry(SVC, [d("192.0.2.10"), d("192.0.2.11")]))
    assert plan(cur, {}) == [
        Op("del_dest", SVC, d("192.0.2.10")),
        Op("del_dest", SVC, d("192.0.2.11")),
        Op("del_service", SVC),
    ]


def test_destination_changes_in_a_stable_order() -> None:
    cur = table(make_entry(SVC, [d("192.0.2.10"), d("192.0.2.11"), d("192.0.2.12", 5)]))
    want = table(make_entry(SVC, [d("192.0.2.13"), d("192.0.2.12", 0), d("192.0.2.10")]))
    assert plan(cur, want) == [
        Op("del_dest", SVC, d("192.0.2.11")),
        Op("edit_dest", SVC, d("192.0.2.12", 0)),
        Op("add_dest", SVC, d("192.0.2.13")),
    ]


def test_service_attribute_change_is_an_edit() -> None:
    cur = table(make_entry(SVC, [d("192.0.2.10")]))
    svc2 = Service(ADDR, "rr", 0, 0, None, None)
    want = table(make_entry(svc2, [d("192.0.2.10", fwd="NAT")]))
    assert plan(cur, want) == [
        Op("edit_service", svc2),
        Op("edit_dest", svc2, d("192.0.2.10", fwd="NAT")),
    ]


def test_identical_tables_need_nothing_and_scope_limits_the_diff() -> None:
    fw = Service(FWM, "wlc")
    cur = table(make_entry(SVC, [d("192.0.2.10")]), make_entry(fw, [d("192.0.2.20", port=0)]))
    assert plan(cur, copy_table(cur)) == []
    want = table(make_entry(SVC, [d("192.0.2.10", 2)]))  # fwmark service not in scope
    assert plan(cur, want, scope=[ADDR]) == [Op("edit_dest", SVC, d("192.0.2.10", 2))]
    assert plan(cur, want) == [Op("del_dest", fw, d("192.0.2.20", port=0)),
                               Op("del_service", fw),
                               Op("edit_dest", SVC, d("192.0.2.10", 2))]


def test_apply_reaches_the_desired_table_and_refuses_what_a_kernel_would() -> None:
    cur = table(make_entry(SVC, [d("192.0.2.10"), d("192.0.2.11")]))
    want = table(make_entry(SVC, [d("192.0.2.11", 4), d("192.0.2.12")]))
    got = copy_table(cur)
    apply(got, plan(cur, want))
    assert got == want
    with pytest.raises(ValueError):
        apply(got, [Op("add_service", SVC)])
    with pytest.raises(KeyError):
        apply(got, [Op("edit_dest", SVC, d("192.0.2.99"))])
    with pytest.raises(KeyError):
        apply(got, [Op("del_service", Service(FWM))])


# -- state changes of a pool, end to end ------------------------------------------------


def _pool(*, inhibit: bool = False, sorry: SorryServerSpec | None = None,
          quorum: int = 1) -> Pool:
    def rs(host: str, weight: int) -> RealServerSpec:
        ck = CheckerSpec(f"TCP {host}", "TCP_CHECK", ConnOpts(host, 80, 1.0), 5.0, 0, 1.0,
                         0.0, False)
        return RealServerSpec(host, 80, weight, inhibit, False, forwarding="DR",
                              checkers=[ck])

    vs = VirtualServerSpec("192.0.2.1:80", [ADDR], scheduler="wrr", forwarding="DR",
                           flags=SVC_F_PERSISTENT, persistence_timeout=300,
                           netmask="255.255.255.0", quorum=quorum, sorry=sorry,
                           real_servers=[rs("192.0.2.10", 3), rs("192.0.2.11", 1)])
    return Pool([vs])


def _ops(pool: Pool, mirror: Table) -> list[Op]:
    ops: list[Op] = []
    for vs in pool.take_dirty():
        ops += plan(mirror, pool.desired(vs), scope=vs.spec.services)
    apply(mirror, ops)
    return ops


UP, DOWN = CheckResult(True), CheckResult(False)


def test_pool_start_failure_recovery_and_stop() -> None:
    pool, mirror = _pool(), Table()
    pool.start()
    assert _ops(pool, mirror) == [Op("add_service", SVC),
                                  Op("add_dest", SVC, d("192.0.2.10", 3)),
                                  Op("add_dest", SVC, d("192.0.2.11", 1))]
    pool.result(pool.checkers[0], DOWN)
    assert _ops(pool, mirror) == [Op("del_dest", SVC, d("192.0.2.10", 3))]
    pool.result(pool.checkers[0], UP)
    assert _ops(pool, mirror) == [Op("add_dest", SVC, d("192.0.2.10", 3))]
    pool.result(pool.checkers[1], UP)  # no change, no operation
    assert _ops(pool, mirror) == []
    pool.stop()
    # the mirror lists 192.0.2.10 last since it was re-added
    assert _ops(pool, mirror) == [Op("del_dest", SVC, d("192.0.2.11", 1)),
                                  Op("del_dest", SVC, d("192.0.2.10", 3)),
                                  Op("del_service", SVC)]
    assert mirror == {}


def test_pool_inhibit_on_failure_edits_weight_to_zero_and_back() -> None:
    pool, mirror = _pool(inhibit=True), Table()
    pool.start()
    _ops(pool, mirror)
    pool.result(pool.checkers[1], DOWN)
    assert _ops(pool, mirror) == [Op("edit_dest", SVC, d("192.0.2.11", 0))]
    pool.result(pool.checkers[1], UP)
    assert _ops(pool, mirror) == [Op("edit_dest", SVC, d("192.0.2.11", 1))]


def test_pool_quorum_lost_swaps_in_sorry_server() -> None:
    sorry = SorryServerSpec("192.0.2.99", 80, "NAT")
    pool, mirror = _pool(sorry=sorry, quorum=4), Table()
    pool.start()
    _ops(pool, mirror)
    pool.result(pool.checkers[1], DOWN)  # 3 < 4: quorum lost
    assert _ops(pool, mirror) == [Op("del_dest", SVC, d("192.0.2.10", 3)),
                                  Op("del_dest", SVC, d("192.0.2.11", 1)),
                                  Op("add_dest", SVC, Dest("192.0.2.99", 80, 1, "NAT"))]
    pool.result(pool.checkers[1], UP)
    assert _ops(pool, mirror) == [Op("del_dest", SVC, Dest("192.0.2.99", 80, 1, "NAT")),
                                  Op("add_dest", SVC, d("192.0.2.10", 3)),
                                  Op("add_dest", SVC, d("192.0.2.11", 1))]


def test_pyroute2_fields_carry_every_attribute() -> None:
    f = service_fields(SVC)
    assert f == {"af": 2, "sched_name": "wrr", "flags": {"flags": 1, "mask": 0xFFFFFFFF},
                 "timeout": 300, "netmask": "255.255.255.0", "protocol": 6,
                 "addr": "192.0.2.1", "port": 80}
    fw = service_fields(Service(FWM, "rr"))
    assert fw["fwmark"] == 7 and "addr" not in fw and fw["netmask"] == "255.255.255.255"
    v6 = service_fields(Service(ServiceAddr(6, "UDP", "2001:db8::1", 53), "rr"))
    assert (v6["af"], v6["protocol"]) == (10, 17)
    assert v6["netmask"] == socket.inet_ntoa(struct.pack("=I", 128))  # host-order u32
    assert dest_fields(Dest("192.0.2.10", 80, 3, "DR", 100, 10)) == {
        "addr": "192.0.2.10", "port": 80, "fwd_method": 3, "weight": 3, "u_thresh": 100,
        "l_thresh": 10}
    assert dest_fields(d("192.0.2.10", fwd="TUN"))["fwd_method"] == 2
    assert dest_fields(d("192.0.2.10", fwd="NAT"))["fwd_method"] == 0


def test_render_like_ipvsadm() -> None:
    t = table(make_entry(SVC, [d("192.0.2.10", 3)]),
              make_entry(Service(FWM, "rr"), [Dest("2001:db8::5", 0, 0, "NAT")]))
    text = render_table(t, reason="kernel has no IPVS")
    assert text.splitlines() == [
        "IP Virtual Server (in memory only: kernel has no IPVS)",
        "Prot LocalAddress:Port Scheduler Flags",
        "  -> RemoteAddress:Port           Forward Weight",
        "TCP  192.0.2.1:80 wrr persistent 300 mask 255.255.255.0",
        "  -> 192.0.2.10:80                Route   3",
        "FWM  7 rr",
        "  -> [2001:db8::5]:0              Masq    0",
    ]
    assert render({}).endswith("Forward Weight\n")


def test_pyroute2_encodes_what_the_writer_sends() -> None:
    """The writer's fields survive pyroute2's netlink encoding (no kernel needed)."""
    from pyroute2.ipvs import IPVSDest, IPVSService
    from pyroute2.netlink.generic import ipvs as genl

    svc = Service(ADDR, "wrr", SVC_F_PERSISTENT, 300, "255.255.255.0", "sip")
    s = IPVSService(**service_fields(svc))
    dst = IPVSDest(**dest_fields(Dest("192.0.2.10", 80, 3, "DR", 5, 1)))
    msg = genl.ipvsmsg()
    msg["cmd"] = genl.IPVS_CMD_NEW_DEST
    msg["version"] = genl.GENL_VERSION
    msg["attrs"] = [("IPVS_CMD_ATTR_SERVICE", s.dump_nla()),
                    ("IPVS_CMD_ATTR_DEST", dst.dump_nla())]
    msg.encode()
    back = genl.ipvsmsg(msg.data)
    back.decode()
    sattrs = dict(back.get_attr("IPVS_CMD_ATTR_SERVICE")["attrs"])
    dattrs = dict(back.get_attr("IPVS_CMD_ATTR_DEST")["attrs"])
    assert sattrs["IPVS_SVC_ATTR_ADDR"] == "192.0.2.1"
    assert (sattrs["IPVS_SVC_ATTR_PORT"], sattrs["IPVS_SVC_ATTR_PROTOCOL"]) == (80, 6)
    assert (sattrs["IPVS_SVC_ATTR_SCHED_NAME"], sattrs["IPVS_SVC_ATTR_TIMEOUT"]) == ("wrr", 300)
    assert sattrs["IPVS_SVC_ATTR_FLAGS"]["flags"] == SVC_F_PERSISTENT
    assert (sattrs["IPVS_SVC_ATTR_NETMASK"], sattrs["IPVS_SVC_ATTR_PE_NAME"]) == (
        "255.255.255.0", "sip")
    assert (dattrs["IPVS_DEST_ATTR_ADDR"], dattrs["IPVS_DEST_ATTR_PORT"]) == ("192.0.2.10", 80)
    assert (dattrs["IPVS_DEST_ATTR_WEIGHT"], dattrs["IPVS_DEST_ATTR_FWD_METHOD"]) == (3, 3)
    assert (dattrs["IPVS_DEST_ATTR_U_THRESH"], dattrs["IPVS_DEST_ATTR_L_THRESH"]) == (5, 1)
