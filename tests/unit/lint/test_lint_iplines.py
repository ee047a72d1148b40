"""Route and rule rules (KA247, KA248, KA265-KA268) report what ``keepalived -t`` reports.

The rules ask the model's reading of each line (:attr:`kaconf.model.objects.Route.reading`,
:attr:`~kaconf.model.objects.Rule.reading`) instead of reading the words themselves. Each
case below is a line on which the word-reading rules disagreed with keepalived 2.2.7; the
comment is what ``keepalived -t`` logged for it (``(FILE: Line N) ...``), the expected codes
are the findings that say the same. tests/oracle/test_iplines_agreement.py asks keepalived
itself about generated lines.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kaconf.lint.engine import lint_findings

CODES = ("KA247", "KA248", "KA265", "KA266", "KA267", "KA268")

ROUTES = [
    # Route must have a destination (inet/inet6 step over the next word)
    ("inet 10.1.0.0/16 dev eth0", {"KA247": "route has no destination"}),
    # unknown route keyword eth0
    ("inet6 dev eth0 2001:db8::/64", {"KA247": "unknown route keyword eth0"}),
    # Cannot mix IPv4 and IPv6 addresses for route (default)
    ("via 10.0.0.1 default dev eth0", {"KA247": "cannot mix IPv4 and IPv6 addresses"}),
    # expires is only valid for IPv6
    ("10.0.0.0/8 dev eth0 expires 10", {"KA247": "expires is only valid for IPv6"}),
    # pref is only valid for IPv6
    ("10.0.0.0/8 dev eth0 pref high", {"KA247": "pref is only valid for IPv6"}),
    # Routing table foo not found for route
    ("default table foo dev eth0", {"KA247": "routing table foo not found"}),
    # Invalid MTU x specified for route (no "cannot track" warning: the route is gone)
    ("192.0.2.1 mtu x", {"KA247": "invalid MTU x"}),
    # TOS value 300 is invalid
    ("10.0.0.0/8 tos 300 dev eth0", {"KA247": "TOS value 300 is invalid"}),
    # Invalid hoplimit 300 specified for route
    ("10.0.0.0/8 hoplimit 300 dev eth0", {"KA247": "invalid hoplimit 300"}),
    # route from address only supported with IPv6 (10.0.0.0/8)
    ("10.0.0.0/8 dev eth0 from 10.0.0.0/8", {"KA247": "only supported with IPv6"}),
    # Cannot mix IPv4 and IPv6 addresses for route (the first problem keepalived meets)
    ("10.0.0.0/8 via 2001:db8::1 proto static",
     {"KA247": "cannot mix IPv4 and IPv6 addresses"}),
    # Warning - cannot track route default with no interface specified, not tracking
    ("mtu lock 1400 default add", {"KA265": "cannot track route default "}),
    # Routing table foo not found for route (dropped before the "gw" is read)
    ("10.0.0.0/8 table foo gw 10.0.0.1 dev eth0", {"KA247": "routing table foo not found"}),
    # Route has trailing nonsense after nexthops - gw (no deprecation: not a nexthop word)
    ("10.0.0.0/8 dev eth0 nexthop via 10.0.0.1 gw 10.0.0.2",
     {"KA247": "trailing nonsense after nexthops - gw"}),
    # Invalid weight 0 specified for route; Warning - cannot track route 10.3.0.0/16 ...
    ("10.3.0.0/16 nexthop via 10.0.0.1 weight 0 nexthop via 10.0.0.2",
     {"KA247": "invalid weight 0", "KA265": "cannot track route 10.3.0.0/16 "}),
    # "or" for routes is deprecated; Cannot specify nexthops with "or" route;
    # Route has trailing nonsense - nexthop
    ("10.0.0.0/8 via 10.0.0.1 or 10.0.0.2 nexthop via 10.0.0.3 dev eth0",
     {"KA247": "cannot specify nexthops with \"or\" route", "KA266": "\"or\""}),
    # (nothing: 8 is the route type prohibit)
    ("8 10.6.0.0/16 dev eth0", {}),
    # "gw" for routes is deprecated. Please use "via"
    ("10.8.0.0/16 gw 10.0.0.1 dev eth0", {"KA266": "\"gw\""}),
    # Warning - cannot track route 10.9.0.0/16 with no interface specified, not tracking
    ("10.9.0.0/16 via 10.0.0.1", {"KA265": "cannot track route 10.9.0.0/16 "}),
    # unknown route keyword proto
    ("10.9.0.0/16 dev eth0 proto static", {"KA247": "unknown route keyword proto"}),
    ("10.7.0.0/16 via 10.0.0.1 dev eth0", {}),
]

RULES = [
    # No action specified for rule - ignoring
    ("from 10.0.0.0/8 preference 7", {"KA248": "no action specified"}),
    # Unknown rule option 10.0.0.0/8 (inet/inet6 step over the next word)
    ("inet from 10.0.0.0/8 table 5 preference 3", {"KA248": "unknown rule option 10.0.0.0/8"}),
    # rule specification has mixed IPv4 and IPv6 ("all" after an IPv4 address)
    ("from 10.0.0.0/8 to all table 6 preference 6", {"KA248": "mixed IPv4 and IPv6"}),
    ("from all to 10.0.0.0/8 table 6 preference 6", {}),
    # Rule has no preference specified - setting to 16384 (8: the action prohibit)
    ("inet6 lookup 8", {"KA267": "no preference"}),
    # Table 0 is not valid
    ("from 10.0.0.0/8 table 0 preference 9", {"KA248": "table 0 is not valid"}),
    # Routing table foo not found for rule (no "no preference" warning: the rule is gone)
    ("from 10.0.0.0/8 table foo", {"KA248": "routing table foo not found"}),
    # Invalid rule fwmark x specified
    ("from 10.0.0.0/8 fwmark x table 5", {"KA248": "invalid rule fwmark x"}),
    # Cannot specify more than one of table/nop/goto/blackhole/prohibit/unreachable for rule
    ("from 10.0.0.0/8 goto 100 table 5", {"KA248": "more than one action"}),
    # Invalid rule - goto target 100 specified without preference
    ("from 10.0.0.0/8 goto 100", {"KA248": "without preference"}),
    # Invalid rule - preference 200 >= goto target 100
    ("from 10.0.0.0/8 preference 200 goto 100", {"KA248": "preference 200 >= goto target"}),
    # suppressor/realm specified for non table action - skipping
    ("from 10.0.0.0/8 blackhole realms 1/2 preference 3", {"KA248": "non table action"}),
    # Unknown rule option bogus (the address after it is never read)
    ("bogus from 10.0.0.x table 5", {"KA248": "unknown rule option bogus"}),
    # Invalid rule from address 10.0.0.x
    ("from 10.0.0.x table 5 preference 3", {"KA268": "invalid rule from address 10.0.0.x"}),
    # Rule has no preference specified - setting to 16384
    ("from 10.0.0.0/8 table 5", {"KA267": "no preference"}),
    # Unknown rule option pref
    ("from 10.0.0.0/8 lookup 7 pref 13", {"KA248": "unknown rule option pref"}),
]


def _findings(tmp_path: Path, block: str, line: str) -> dict[str, str]:
    conf = tmp_path / "k.conf"
    conf.write_text(f"{block} {{\n    {line}\n}}\n", encoding="utf-8")
    out: dict[str, str] = {}
    for d in lint_findings(str(conf)):
        if d.code in CODES:
            assert d.code not in out, f"{d.code} twice on one line"
            out[d.code] = d.message
    return out


@pytest.mark.parametrize(("line", "want"), ROUTES, ids=[r[0] for r in ROUTES])
def test_route_lines_as_keepalived_reports_them(tmp_path: Path, line: str,
                                                want: dict[str, str]) -> None:
    got = _findings(tmp_path, "static_routes", line)
    assert set(got) == set(want), got
    for code, part in want.items():
        assert part in got[code], got[code]


@pytest.mark.parametrize(("line", "want"), RULES, ids=[r[0] for r in RULES])
def test_rule_lines_as_keepalived_reports_them(tmp_path: Path, line: str,
                                               want: dict[str, str]) -> None:
    got = _findings(tmp_path, "static_rules", line)
    assert set(got) == set(want), got
    for code, part in want.items():
        assert part in got[code], got[code]


def test_gw_fix_kept(tmp_path: Path) -> None:
    conf = tmp_path / "k.conf"
    conf.write_text("static_routes {\n    10.8.0.0/16 gw 10.0.0.1 dev eth0\n}\n",
                    encoding="utf-8")
    (d,) = [d for d in lint_findings(str(conf)) if d.code == "KA266"]
    assert d.fix is not None


VMAC = """\
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    use_vmac 02:00:00:00:00:05 eth0
    virtual_ipaddress {
        10.0.0.10/24
    }
}
vrrp_instance VI_2 {
    interface eth0
    virtual_router_id 52
    use_ipvlan ipv1 10.0.0.11/255.255.255.0
    virtual_ipaddress {
        10.0.0.11/24
    }
}
vrrp_instance VI_3 {
    interface eth0
    virtual_router_id 53
    use_ipvlan ipv2 10.0.0.12/24
    virtual_ipaddress {
        10.0.0.12/24
    }
}
"""


def test_vmac_and_ipvlan_as_keepalived_reads_them(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """KA233 asks the model's reading of use_vmac / use_ipvlan. keepalived -t on a host
    with eth0:
    (Line 4) (VI_1) interface eth0 already exists and is not a private macvlan; ignoring
    vmac if_name -- the name is the word without ':', wherever it is (was: first word only)
    (Line 12) (VI_2) IPVLAN interface already specified - ignoring '10.0.0.11/255.255.255.0'
    (VI_2) IPv4 ipvlan requires a source ip address to be configured. setting instance to
    fault state -- a netmask is not a prefix length (was: accepted as an address)
    """
    monkeypatch.setenv("KACONF_INTERFACES", "eth0")
    conf = tmp_path / "k.conf"
    conf.write_text(VMAC, encoding="utf-8")
    got = [(d.span.line, d.message) for d in lint_findings(str(conf)) if d.code == "KA233"]
    assert [line for line, _ in got] == [4, 12], got
    assert "use_vmac name eth0 is an existing interface" in got[0][1]
    assert "IPv4 ipvlan requires a source ip address" in got[1][1]


ON_HOST = """\
static_routes {
    dev nosuch0 mtu x 2001:db8::/64
    10.1.0.0/16 table foo dev nosuch0
    10.2.0.0/16 gw 10.0.0.1 dev nosuch0 or 10.0.0.2
    10.3.0.0/16 nexthop via 10.0.0.1 dev eth0 nexthop via 10.0.0.2 dev nosuch0
}
static_rules {
    oif nosuch1 from 10.0.0.0/8
    from 10.0.0.0/8 table 5 iif nosuch1
}
"""


def test_interfaces_looked_up_where_keepalived_reads_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the host's interfaces known, keepalived drops a route or rule at the first
    interface it cannot find, and says nothing about what follows. keepalived -t (host
    with eth0):
    (Line 2) WARNING - interface nosuch0 for VROUTE nexthop doesn't exist
    (Line 3) Routing table foo not found for route          -- the dev is never reached
    (Line 4) "gw" for routes is deprecated. Please use "via"
    (Line 4) WARNING - interface nosuch0 for VROUTE nexthop doesn't exist  -- no "or"
    (Line 5) WARNING - interface nosuch0 for VROUTE nexthop doesn't exist
    (Line 5) Warning - cannot track route 10.3.0.0/16 with no interface specified, ...
    (Line 8) WARNING - interface nosuch1 for rule doesn't exist  -- no "no preference"
    (Line 9) WARNING - interface nosuch1 for rule doesn't exist
    """
    monkeypatch.setenv("KACONF_INTERFACES", "eth0")
    conf = tmp_path / "k.conf"
    conf.write_text(ON_HOST, encoding="utf-8")
    got = sorted((d.span.line, d.code) for d in lint_findings(str(conf))
                 if d.code in (*CODES, "KA223"))
    assert got == [(2, "KA223"), (3, "KA247"), (4, "KA223"), (4, "KA266"), (5, "KA223"),
                   (5, "KA265"), (8, "KA223"), (9, "KA223")]
