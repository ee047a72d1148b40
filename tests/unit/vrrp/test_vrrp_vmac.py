"""use_vmac: the model's reading (kaconf.model.vmac), the resolver's names and MACs
(kaconf.effective.vmac), the daemon's settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from kaconfd.vrrp.config import InstanceConfig, vrrp_config
from kaconfd.vrrp.vmac import BaseArpConfig

from kaconf.effective.vmac import virtual_mac
from kaconf.effective.vmac import vmac_name_for as default_vmac_name
from kaconf.loader import load_full
from kaconf.model.vmac import dev_name_valid, parse_mac, parse_use_vmac


def test_virtual_mac_is_rfc5798() -> None:
    assert virtual_mac(90, 4) == "00:00:5e:00:01:5a"
    assert virtual_mac(1, 6) == "00:00:5e:00:02:01"
    assert virtual_mac(255, 4) == "00:00:5e:00:01:ff"


@pytest.mark.parametrize(("text", "mac"), [
    ("02:11:22:33:44:55", "02:11:22:33:44:55"),
    ("2:a:B:3:4:5", "02:0a:0b:03:04:05"),
    ("02:11:22:33:44", "02:11:22:33:44:5a"),  # five octets: the VRID is the sixth
    ("02:11:22:33:44:", "02:11:22:33:44:5a"),
])
def test_parse_mac_accepts(text: str, mac: str) -> None:
    assert parse_mac(text, 90) == (mac, None)


@pytest.mark.parametrize(("text", "problem"), [
    ("02:11:22:33:zz:55", "invalid"),
    ("02:11:22", "invalid"),
    ("02:111:22:33:44:55", "invalid"),
    ("01:11:22:33:44:55", "multicast"),
    ("00:00:5e:00:01:05", "RFC5798"),
    ("00:00:5e:00:02:05", "RFC5798"),
])
def test_parse_mac_refuses(text: str, problem: str) -> None:
    mac, why = parse_mac(text, 90)
    assert mac is None and why is not None and problem in why


def test_parse_use_vmac_name_and_mac_in_any_order() -> None:
    assert parse_use_vmac([]).mac_for(90) is None
    opt = parse_use_vmac(["02:00:00:00:00:01", "vip0"], "VI_1")
    assert (opt.name, opt.mac_for(90), opt.warnings) == ("vip0", "02:00:00:00:00:01", ())
    five = parse_use_vmac(["02:00:00:00:00"])
    assert five.vrid_last and five.mac_for(90) == "02:00:00:00:00:5a"
    bad = parse_use_vmac(["a/b", "01:00:00:00:00:01"], "VI_1")
    assert bad.name is None and bad.mac_for(90) is None and len(bad.warnings) == 2
    assert bad.warnings[0].startswith("(VI_1) VMAC interface name 'a/b'")


def test_dev_name_valid() -> None:
    assert dev_name_valid("vrrp.90") and dev_name_valid("x" * 15)
    assert not dev_name_valid("x" * 16) and not dev_name_valid("a b")
    assert not dev_name_valid("a:b") and not dev_name_valid("..")


def test_default_names_skip_used_ones_like_keepalived() -> None:
    assert default_vmac_name("vrrp", 90, 4, ()) == "vrrp.90"
    assert default_vmac_name("vrrp", 90, 4, {"vrrp.90"}) == "vrrp1.90"
    assert default_vmac_name("vrrp", 90, 4, {"vrrp.90", "vrrp1.90"}) == "vrrp2.90"
    # IPv6 tries <prefix>6 first, then 1..5, 7...
    assert default_vmac_name("vrrp", 9, 6, {"vrrp.9"}) == "vrrp6.9"
    assert default_vmac_name("vrrp", 9, 6, {"vrrp.9", "vrrp6.9"}) == "vrrp1.9"
    used = {"vrrp.9", "vrrp6.9", "vrrp1.9", "vrrp2.9", "vrrp3.9", "vrrp4.9", "vrrp5.9"}
    assert default_vmac_name("vrrp", 9, 6, used) == "vrrp7.9"
    # The prefix is cut so the name fits IFNAMSIZ.
    assert default_vmac_name("averyveryverylongprefix", 200, 4, ()) == "averyveryve.200"


def test_base_arp_config_restores_after_last_user(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    conf = tmp_path / "ipv4" / "conf" / "eth0"
    conf.mkdir(parents=True)
    (conf / "arp_ignore").write_text("0\n")
    (conf / "arp_filter").write_text("1\n")
    monkeypatch.setattr("kaconfd.vrrp.vmac.SYSCTL_ROOT", tmp_path)
    arp = BaseArpConfig()
    arp.acquire("eth0")
    arp.acquire("eth0")
    assert (conf / "arp_ignore").read_text() == "1\n"
    arp.release("eth0")
    assert (conf / "arp_ignore").read_text() == "1\n"  # another VMAC still needs it
    arp.release("eth0")
    assert (conf / "arp_ignore").read_text() == "0\n"
    assert (conf / "arp_filter").read_text() == "1\n"  # was 1 already: never touched


def _instances(text: str, tmp_path: Path) -> dict[str, InstanceConfig]:
    path = tmp_path / "keepalived.conf"
    path.write_text(text)
    loaded = load_full(str(path))
    assert not loaded.errors, loaded.errors
    return {i.name: i for i in vrrp_config(loaded.config).instances}


def _inst(name: str, vrid: int, extra: str, vip: str = "10.0.0.10/24") -> str:
    return (f"vrrp_instance {name} {{\n  interface eth0\n  virtual_router_id {vrid}\n"
            f"{extra}  virtual_ipaddress {{\n    {vip}\n    10.0.0.11/24 dev eth0\n  }}\n}}\n")


def test_config_use_vmac_defaults(tmp_path: Path) -> None:
    got = _instances(_inst("A", 90, "  use_vmac\n") + _inst("B", 91, ""), tmp_path)
    a, b = got["A"], got["B"]
    assert (a.vmac, a.vmac_mac, a.vmac_xmit_base) == ("vrrp.90", "00:00:5e:00:01:5a", False)
    assert a.advert_interface == "vrrp.90"
    # VIPs without dev, or on the instance's own interface, go on the VMAC
    # (keepalived's vrrp_complete_instance); a VIP on another interface stays there.
    assert [v.dev for v in a.vips] == ["vrrp.90", "vrrp.90"]
    assert b.vmac is None and b.vmac_mac is None and b.advert_interface == "eth0"
    assert [v.dev for v in b.vips] == ["eth0", "eth0"]


def test_config_use_vmac_names_macs_xmit_base(tmp_path: Path) -> None:
    text = (_inst("A", 90, "  use_vmac\n  vmac_xmit_base\n")
            + _inst("B", 90, "  use_vmac vrrp.90 02:11:22:33:44\n")
            + _inst("C", 92, "  use_vmac vrrp.90\n")
            + _inst("D", 93, "  use_vmac\n  unicast_peer {\n    10.0.0.2\n  }\n"))
    path = tmp_path / "keepalived.conf"
    path.write_text("global_defs {\n  vmac_prefix vm\n}\n" + text)
    cfg = vrrp_config(load_full(str(path)).config)
    inst = {i.name: i for i in cfg.instances}
    assert inst["A"].vmac == "vm.90" and inst["A"].vmac_xmit_base
    assert inst["A"].advert_interface == "eth0"
    assert (inst["B"].vmac, inst["B"].vmac_mac) == ("vrrp.90", "02:11:22:33:44:5a")
    assert inst["C"].vmac == "vm.92"  # vrrp.90 is B's: the name is ignored
    assert inst["D"].vmac == "vm.93" and inst["D"].vmac_xmit_base  # forced by unicast


def test_config_use_vmac_ipv6_mac(tmp_path: Path) -> None:
    text = ("vrrp_instance E {\n  interface eth0\n  virtual_router_id 94\n  use_vmac\n"
            "  virtual_ipaddress {\n    fd00::10/64\n  }\n}\n")
    (e,) = _instances(text, tmp_path).values()
    assert (e.family, e.vmac, e.vmac_mac) == (6, "vrrp.94", "00:00:5e:00:02:5e")
