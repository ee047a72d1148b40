"""kaconfd.vrrp.routes: virtual_routes / virtual_rules as the daemon installs them.

Lines are read once, by the resolver (keepalived's alloc_route / alloc_rule); these
tests go through it, so what the daemon installs is what kaconf dump shows.
"""

from __future__ import annotations

import pytest
from kaconfd.vrrp.routes import (
    RTPROT_KEEPALIVED,
    NextHop,
    RouteError,
    RouteSpec,
    RuleSpec,
    route_spec,
    rule_spec,
)

from kaconf.effective.iplines import RulePriorities
from kaconf.model.iproutes import route_from_words
from kaconf.model.iprules import rule_from_words


def parse_route(words: list[str]) -> RouteSpec:
    info = route_from_words(words)
    if info is None:
        raise RouteError("keepalived rejects this route")
    return route_spec(info)


def parse_rule(words: list[str]) -> RuleSpec:
    info = rule_from_words(words)
    if info is None:
        raise RouteError("keepalived rejects this rule")
    return rule_spec(RulePriorities().numbered(info))


def test_keepalived_sample_routes() -> None:
    # Lines of keepalived's own keepalived.conf.vrrp.routes sample.
    assert parse_route("src 192.168.100.1 192.168.109.0/24 via 192.168.200.254 dev eth1"
                       .split()) == RouteSpec(4, "192.168.109.0/24", gateway="192.168.200.254",
                                              prefsrc="192.168.100.1", dev="eth1")
    assert parse_route("192.168.111.0/24 dev eth2".split()) == RouteSpec(
        4, "192.168.111.0/24", dev="eth2")
    assert parse_route(["blackhole", "192.168.113.1/32"]) == RouteSpec(
        4, "192.168.113.1/32", type="blackhole")
    # "gw" is keepalived's old spelling of "via"; tables by number.
    assert parse_route("0.0.0.0/0 gw 192.168.0.1 table 100".split()) == RouteSpec(
        4, "0.0.0.0/0", gateway="192.168.0.1", table=100)


def test_route_options_and_defaults() -> None:
    route = parse_route("10.9.0.0/16 via 10.1.10.1 metric 5 protocol static scope link onlink "
                        "table main no_track".split())
    assert route == RouteSpec(4, "10.9.0.0/16", gateway="10.1.10.1", metric=5, protocol=4,
                              scope=253, onlink=True, table=254)
    # keepalived installs its routes with its own protocol number unless told otherwise.
    assert parse_route(["10.0.0.0/8", "dev", "eth0"]).protocol == RTPROT_KEEPALIVED == 18
    assert parse_route(["default", "via", "fd00::1"]) == RouteSpec(6, "::/0", gateway="fd00::1")
    assert parse_route(["to", "10.1.2.3", "dev", "eth0"]).dst == "10.1.2.3/32"
    assert str(parse_route("10.9.0.0/16 via 10.1.10.1 dev eth0 table 100".split())) == (
        "10.9.0.0/16 via 10.1.10.1 dev eth0 table 100")


def test_multipath_routes() -> None:
    route = parse_route("10.9.0.0/16 nexthop via 10.1.10.1 dev eth0 weight 3 "
                        "nexthop via 10.1.10.2 onlink".split())
    assert route == RouteSpec(4, "10.9.0.0/16", nexthops=(
        NextHop("10.1.10.1", "eth0", 3), NextHop("10.1.10.2", None, 1, True)))
    assert str(route) == ("10.9.0.0/16 nexthop via 10.1.10.1 dev eth0 weight 3 "
                          "nexthop via 10.1.10.2 onlink")
    # keepalived's deprecated "or" makes two nexthops of weight 1
    assert parse_route("192.168.113.0/24 via 192.168.100.252 or 192.168.100.253".split()
                       ).nexthops == (NextHop("192.168.100.252"), NextHop("192.168.100.253"))
    # keepalived -t: "IPv4/6 mismatch for nexthop": the nexthops end there, the route stays
    assert parse_route("10.9.0.0/16 nexthop via inet6 fd00::1 nexthop via 10.1.10.2".split()
                       ).nexthops == ()


@pytest.mark.parametrize("line", [
    "10.0.0.0/8 via fd00::1",                                  # mixed families
    "via 10.0.0.1",                                            # no destination
    "10.0.0.0/8 table nosuchtable",
    "10.0.0.0/8 dev",                                          # missing value
    "10.0.0.0/8 mtu 1400",
])
def test_unsupported_routes_are_refused(line: str) -> None:
    with pytest.raises(RouteError):
        parse_route(line.split())


def test_rules() -> None:
    # keepalived numbers rules given no preference, from 16384 down
    assert parse_rule("from 192.168.200.0/24 table 2".split()) == RuleSpec(
        4, src="192.168.200.0/24", table=2, priority=16384)
    assert parse_rule("to 192.168.201.0/24 lookup 3 priority 100".split()) == RuleSpec(
        4, dst="192.168.201.0/24", table=3, priority=100)
    assert parse_rule("from all fwmark 0x3/0xff iif eth1 lookup 10".split()) == RuleSpec(
        4, table=10, fwmark=3, fwmask=255, iif="eth1", priority=16384)
    assert parse_rule("from fd00::/64 table 7".split()).family == 6
    assert str(parse_rule("from 10.1.10.240 table 100 priority 1000".split())) == (
        "1000: from 10.1.10.240/32 lookup 100")


@pytest.mark.parametrize("line", [
    "from 192.168.200./24 table 2",       # keepalived's sample has this typo
    "from 10.0.0.0/8",                    # no table
    "from 10.0.0.0/8 to fd00::/8 table 1",
    "from 10.0.0.0/8 goto 100",
])
def test_unsupported_rules_are_refused(line: str) -> None:
    with pytest.raises(RouteError):
        parse_rule(line.split())
