"""The model's reading of route, rule and use_ipvlan lines says what keepalived 2.2.7 says:
why it drops a line, and what else it reports while reading it (each fact checked with
``keepalived -t``; tests/oracle/test_iplines_agreement.py asks keepalived itself)."""

from __future__ import annotations

import pytest

from kaconf.model.iproutes import route_from_words, route_reading
from kaconf.model.iprules import rule_reading
from kaconf.model.vmac import parse_use_ipvlan, valid_ipaddress


@pytest.mark.parametrize(("line", "reason"), [
    ("10.9.0.0/16 dev eth0 proto static", "unknown route keyword proto"),
    ("inet 10.1.0.0/16 dev eth0", "route has no destination"),  # inet steps over a word
    ("via 10.0.0.1 default dev eth0", "cannot mix IPv4 and IPv6 addresses"),
    ("10.0.0.0/8 via 2001:db8::1 proto static", "cannot mix IPv4 and IPv6 addresses"),
    ("10.0.0.0/8 dev eth0 expires 10", "expires is only valid for IPv6"),
    ("10.0.0.0/8 dev eth0 pref high", "pref is only valid for IPv6"),
    ("default table foo dev eth0", "routing table foo not found for route"),
    ("10.0.0.0/8 dev eth0 from 10.0.0.0/8",
     "route from address only supported with IPv6 (10.0.0.0/8)"),
    ("10.0.0.0/8 via 10.0.0.1 or 10.0.0.2 nexthop via 10.0.0.3",
     "cannot specify nexthops with \"or\" route"),
    ("10.0.0.0/8 via 10.0.0.x dev eth0", "invalid route via address 10.0.0.x"),
])
def test_route_dropped_with_reason(line: str, reason: str) -> None:
    reading = route_reading(line.split())
    assert reading.info is None
    assert reading.reason == reason


def test_route_notes() -> None:
    gw = route_reading("10.8.0.0/16 gw 10.0.0.1 or 10.0.0.2".split())
    assert gw.info is not None and gw.deprecated == ("gw", "or")
    assert gw.untracked and gw.dest == "10.8.0.0/16"  # no dev, no no_track
    assert not route_reading("10.8.0.0/16 via 10.0.0.1 no_track".split()).untracked
    # keepalived met "gw" before it dropped the line, never the "or"
    early = route_reading("10.0.0.0/8 gw 10.0.0.1 table foo or 10.0.0.2".split())
    assert early.info is None and early.deprecated == ("gw",)
    assert route_reading("mtu lock 1400 default".split()).dest == "default"


def test_nexthop_problem_ends_the_hops_not_the_route() -> None:
    reading = route_reading(
        "10.3.0.0/16 nexthop via 10.0.0.1 nexthop via 10.0.0.2 weight 0 nexthop via 10.0.0.3"
        .split())
    assert reading.info is not None and reading.reason == ""
    assert reading.nexthop_problem == "invalid weight 0 specified for route"
    assert [hop[0].addr for hop in reading.info.nexthops if hop[0]] == ["10.0.0.1"]
    six = route_from_words("default nexthop via 2001:db8::1 nexthop via 2001:db8::2".split())
    assert six is not None and six.family == 6 and six.dst is not None \
        and six.dst.addr == "::"


def test_numeric_route_type() -> None:
    info = route_from_words("8 10.6.0.0/16 dev eth0".split())
    assert info is not None and info.type == 8  # prohibit


def test_interfaces_looked_up_in_order() -> None:
    have = frozenset({"eth0", "lo"})
    words = "10.1.0.0/16 dev nosuch0 table foo".split()
    assert route_reading(words).reason == "routing table foo not found for route"
    on_host = route_reading(words, interfaces=have)
    assert on_host.info is None and on_host.missing_interface == "nosuch0"
    hop = route_reading("10.3.0.0/16 nexthop via 10.0.0.1 dev nosuch0".split(),
                        interfaces=have)
    assert hop.info is not None and hop.missing_hop_interface == "nosuch0"
    assert rule_reading("oif nosuch1 table 5".split(), interfaces=have).missing_interface \
        == "nosuch1"


@pytest.mark.parametrize(("line", "reason"), [
    ("from 10.0.0.0/8 preference 7", "no action specified for rule"),
    ("inet from 10.0.0.0/8 table 5 preference 3", "unknown rule option 10.0.0.0/8"),
    ("from 10.0.0.0/8 to all table 6 preference 6",
     "rule specification has mixed IPv4 and IPv6"),
    ("from 10.0.0.0/8 table 0 preference 9", "table 0 is not valid"),
    ("from 10.0.0.0/8 goto 100", "invalid rule - goto target 100 specified without preference"),
    ("from 10.0.0.0/8 lookup 7 pref 13", "unknown rule option pref"),
])
def test_rule_dropped_with_reason(line: str, reason: str) -> None:
    reading = rule_reading(line.split())
    assert reading.info is None and reading.reason == reason
    assert reading.bad_address is None


def test_rule_notes() -> None:
    bad = rule_reading("from 10.0.0.x table 5 preference 3".split())
    assert bad.info is None and bad.bad_address == ("from", "10.0.0.x")
    later = rule_reading("bogus from 10.0.0.x table 5".split())  # never reaches the address
    assert later.bad_address is None and later.reason == "unknown rule option bogus"
    kept = rule_reading("inet6 lookup 8".split())  # lookup stepped over; 8 is prohibit
    assert kept.info is not None and kept.info.action == "prohibit"
    assert kept.info.priority is None  # keepalived: "Rule has no preference specified"
    assert rule_reading("from all to 10.0.0.0/8 table 6 preference 6".split()).info \
        is not None


def test_use_ipvlan() -> None:
    assert parse_use_ipvlan(["ipv1", "10.0.0.11/24", "private"]) \
        .address == "10.0.0.11/24"
    netmask = parse_use_ipvlan(["ipv1", "10.0.0.11/255.255.255.0"])
    assert netmask.address is None and netmask.name == "ipv1"
    assert valid_ipaddress("2001:db8::1/64") and not valid_ipaddress("10.0.0.1/33")
    assert not valid_ipaddress("eth0")


def test_shown_options_come_from_the_reading() -> None:
    """The JSON dump's route/rule keys (kept, in their order) are what keepalived read."""
    import json

    from kaconf.dump.json_dump import dump_json
    from kaconf.loader import load

    cfg = load("k.conf", data=b"static_routes {\n"
               b"    blackhole 10.9.0.0/16 via 192.0.2.1 dev eth0 table 7 metric 5 no_track\n"
               b"}\nstatic_rules {\n    from 192.0.2.0/24 lookup 7 preference 9\n"
               b"    to 192.168.100./24 table 1\n}\n")
    data = json.loads(dump_json(cfg, spans=False))["config"]
    (route,) = data["static_routes"]
    assert list(route)[2:] == ["words", "dest", "via", "src", "dev", "table", "metric",
                               "protocol", "scope", "no_track"]
    assert (route["type"], route["dest"], route["via"], route["dev"], route["table"],
            route["metric"], route["no_track"]) == \
        ("blackhole", "10.9.0.0/16", "192.0.2.1", "eth0", "7", 5, True)  # "type": the field
    kept, dropped = data["static_rules"]
    assert (kept["from"], kept["table"], kept["preference"]) == ("192.0.2.0/24", "7", 9)
    # keepalived stops at the address it cannot read: the table is never read
    assert (dropped["to"], dropped["table"]) == ("192.168.100./24", None)
