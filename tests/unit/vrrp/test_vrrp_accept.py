"""kaconfd.vrrp.accept: accept-mode defaults and the nftables text of no_accept."""

from __future__ import annotations

import asyncio
import ipaddress
from pathlib import Path

import pytest
from kaconfd.vrrp.accept import (
    NftFirewall,
    elements_script,
    setup_script,
    teardown_script,
)
from kaconfd.vrrp.config import vrrp_config

from kaconf.loader import load_full


@pytest.mark.parametrize(("extra", "expected"), [
    ("", True),                                    # keepalived's lax default
    ("    strict_mode\n", False),                  # strict: RFC no-accept
    ("    strict_mode\n    priority 255\n", True),   # the owner always accepts
    ("    no_accept\n", False),
    ("    strict_mode\n    version 3\n    accept\n", True),
    ("    strict_mode\n    accept\n", False),       # strict VRRPv2 resets accept
])
def test_accept_mode_comes_from_the_resolver(tmp_path: Path, extra: str,
                                             expected: bool) -> None:
    path = tmp_path / "keepalived.conf"
    path.write_text("vrrp_instance A {\n    interface eth0\n    virtual_router_id 1\n"
                    f"{extra}    virtual_ipaddress {{\n        10.0.0.1\n    }}\n}}\n")
    (inst,) = vrrp_config(load_full(str(path)).config).instances
    assert inst.accept is expected


def test_setup_script_ipv4() -> None:
    assert setup_script(4) == (
        "table ip keepalived {}\n"
        "delete table ip keepalived\n"
        "table ip keepalived {\n"
        "\tset vips {\n\t\ttype ipv4_addr\n\t}\n"
        "\tchain in {\n\t\ttype filter hook input priority -1; policy accept;\n"
        "\t\tip daddr @vips drop\n\t}\n"
        "\tchain out {\n\t\ttype filter hook output priority -1; policy accept;\n"
        "\t\tip saddr @vips drop\n\t}\n"
        "}\n")


def test_setup_script_ipv6_lets_neighbour_discovery_through() -> None:
    text = setup_script(6, "kt", -5)
    assert text.startswith("table ip6 kt {}\ndelete table ip6 kt\n")
    assert "type ipv6_addr" in text and "priority -5;" in text
    nd = "icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept"
    assert text.index(nd) < text.index("ip6 daddr @vips drop")
    assert text.count(nd) == 2


def test_elements_script_per_family_sorted() -> None:
    addrs = [ipaddress.ip_address(a) for a in ("10.0.0.9", "fd00::1", "10.0.0.10", "10.0.0.9")]
    assert elements_script(4, addrs, add=True) == \
        "add element ip keepalived vips { 10.0.0.9, 10.0.0.10 }\n"
    assert elements_script(6, addrs, add=False, table="kt") == \
        "delete element ip6 kt vips { fd00::1 }\n"
    assert elements_script(6, addrs[:1], add=True) == ""
    assert teardown_script(4) == "delete table ip keepalived\n"


def test_firewall_without_nft_only_logs(caplog: pytest.LogCaptureFixture) -> None:
    fw = NftFirewall()
    fw.nft = None
    vip = [ipaddress.ip_address("10.0.0.9")]
    asyncio.run(fw.drop(vip, add=True))
    asyncio.run(fw.drop(vip, add=True))
    asyncio.run(fw.drop(vip, add=False))
    assert caplog.text.count("no nft command was found") == 1


def test_firewall_runs_nft_scripts(tmp_path: Path) -> None:
    log = tmp_path / "nft.log"
    fake = tmp_path / "nft"
    fake.write_text(f"#!/bin/sh\ncat >> {log}\necho --- >> {log}\n")
    fake.chmod(0o755)
    fw = NftFirewall("kt")
    fw.nft = str(fake)
    vip = [ipaddress.ip_address("10.0.0.9")]

    async def scenario() -> None:
        await fw.drop(vip, add=True)
        await fw.drop(vip, add=False)
        await fw.drop(vip, add=True)
        await fw.close()

    asyncio.run(scenario())
    parts = log.read_text().split("---\n")
    assert parts[0] == setup_script(4, "kt")  # once, on first use
    assert parts[1:5] == ["add element ip kt vips { 10.0.0.9 }\n",
                          "delete element ip kt vips { 10.0.0.9 }\n",
                          "add element ip kt vips { 10.0.0.9 }\n",
                          "delete table ip kt\n"]


def test_config_accept_and_table(tmp_path: Path) -> None:
    path = tmp_path / "keepalived.conf"
    path.write_text("global_defs {\n  vrrp_strict\n  nftables kt\n}\n"
                    "vrrp_instance A {\n  interface eth0\n  virtual_router_id 1\n"
                    "  virtual_ipaddress {\n    10.0.0.1\n  }\n}\n"
                    "vrrp_instance B {\n  interface eth0\n  virtual_router_id 2\n  priority 255\n"
                    "  virtual_ipaddress {\n    10.0.0.2\n  }\n}\n"
                    "vrrp_instance C {\n  interface eth0\n  virtual_router_id 3\n  accept\n"
                    "  virtual_ipaddress {\n    10.0.0.3\n  }\n}\n")
    cfg = vrrp_config(load_full(str(path)).config)
    assert [i.accept for i in cfg.instances] == [False, True, False]
    assert cfg.nft_table == "kt" and cfg.nft_priority == -1
