"""use_ipvlan's arguments, read as keepalived reads them."""

from __future__ import annotations

from kaconf.effective.iplines import Prefix
from kaconf.effective.ipvlan import IpvlanOption, parse_use_ipvlan


def test_words_in_any_order() -> None:
    assert parse_use_ipvlan(["private", "ipv1", "10.0.0.5/24"]) == IpvlanOption(
        "ipv1", Prefix(4, "10.0.0.5", 24), "private")
    assert parse_use_ipvlan([]) == IpvlanOption()
    assert parse_use_ipvlan(["fd00::5"]).address == Prefix(6, "fd00::5", 128)


def test_repeats_are_ignored_with_keepalived_warnings() -> None:
    opt = parse_use_ipvlan(["vepa", "bridge", "a", "b", "10.0.0.1", "10.0.0.2"], "VI")
    assert (opt.name, opt.type, opt.address) == ("a", "vepa", Prefix(4, "10.0.0.1", 32))
    assert opt.warnings == (
        "(VI) ipvlan type already specified - ignoring 'bridge'",
        "(VI) IPVLAN interface already specified - ignoring 'b'",
        "(VI) ipvlan address already specified - ignoring '10.0.0.2'")
    assert parse_use_ipvlan(["x" * 16]).name is None
