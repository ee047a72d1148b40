"""Route, rule and use_vmac lines are read once, in the model, into typed objects."""

from __future__ import annotations

from kaconf import resolve
from kaconf.loader import load

CONF = b"""static_routes {
    10.9.0.0/16 via 192.0.2.1 dev eth0 track_group G
}
static_rules {
    from 192.0.2.0/24 table 7 track_group G
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    use_vmac vmac1 02:11:22:33:44
    virtual_ipaddress {
        192.0.2.10/24
    }
    virtual_routes {
        10.8.0.0/16 via 192.0.2.1 dev eth0 track_group G
        10.7.0.0/16 via 192.0.2.1 dev eth0
        bogus
    }
    virtual_rules {
        from 192.0.2.10 table 100
    }
}
"""


def test_routes_and_rules_carry_keepalived_reading_with_spans() -> None:
    cfg = load("k.conf", data=CONF)
    static = cfg.static_routes[0].info
    assert static is not None and static.track_group == "G"  # static lines only
    inst = cfg.vrrp_instances[0]
    virtual_track_group, route, bogus = inst.virtual_routes
    assert virtual_track_group.info is None  # track_group is a static_routes word only
    assert route.info.text() == "prepend 10.7.0.0/16 via inet 192.0.2.1 dev eth0 proto 18"
    assert bogus.info is None and bogus.span is not None and bogus.span.line == 17
    assert route.info is route.info  # read once
    rule = inst.virtual_rules[0].info
    assert rule is not None and rule.priority is None  # numbered by the resolver
    assert cfg.static_rules[0].info is not None


def test_resolver_numbers_rules_in_parse_order_without_touching_the_model() -> None:
    cfg = load("k.conf", data=CONF)
    vrrp = resolve(cfg).vrrp
    assert [r.priority for r in vrrp.static_rules] == [16384]
    assert [r.priority for r in vrrp.instances[0].vrules] == [16383]
    assert cfg.vrrp_instances[0].virtual_rules[0].info.priority is None  # type: ignore[union-attr]
    again = resolve(cfg).vrrp
    assert [r.priority for r in again.instances[0].vrules] == [16383]


def test_use_vmac_is_read_in_the_model_and_completed_by_the_resolver() -> None:
    cfg = load("k.conf", data=CONF)
    opt = cfg.vrrp_instances[0].vmac
    assert opt is not None and opt.name == "vmac1" and opt.vrid_last
    assert opt.span is not None and opt.span.line == 10
    ei = resolve(cfg).vrrp.instances[0]
    assert ei.vmac_mac == "02:11:22:33:44:33" and "VMAC_MAC_USE_VRID" in ei.flags


def test_position_is_where_the_span_starts_without_making_it() -> None:
    cfg = load("k.conf", data=CONF)
    inst = cfg.vrrp_instances[0]
    objs = [inst, *inst.virtual_ipaddress, *inst.virtual_routes, *cfg.static_rules]
    positions = [o.position() for o in objs]  # first: before any span is made
    spans = [o.span for o in objs]
    assert positions == [(s.file, s.line, s.col) for s in spans if s is not None]
    assert positions[1] == ("k.conf", 12, 9)  # the VIP line
