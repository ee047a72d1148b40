"""kaconfd.vrrp.config: keepalived defaults applied to the model, and what is refused."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from kaconfd.vrrp.config import UnsupportedConfig, instance_configs
from kaconfd.vrrp.fsm import State, Tracker
from kaconfd.vrrp.packet import AuthType

from kaconf.loader import load_full

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _configs(text: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "keepalived.conf"
    path.write_text(text)
    loaded = load_full(str(path))
    assert not loaded.errors, loaded.errors
    return instance_configs(loaded.config)


def test_seed_server_a_defaults() -> None:
    (cfg,) = instance_configs(load_full(str(EXAMPLES / "serverA.conf")).config)
    assert (cfg.name, cfg.interface, cfg.vrid, cfg.priority) == ("VI_1", "eth0", 90, 100)
    assert (cfg.version, cfg.family, cfg.advert_int) == (2, 4, 1.0)
    assert cfg.initial_state is State.BACKUP and cfg.nopreempt
    assert [str(v.address) for v in cfg.vips] == ["10.1.10.240/24"]
    assert cfg.mcast_dst == ipaddress.IPv4Address("224.0.0.18") and not cfg.unicast
    assert (cfg.garp_master_delay, cfg.garp_master_repeat, cfg.ttl) == (5.0, 5, 255)
    assert cfg.trackers == (Tracker("if:eth0"),)
    params = cfg.fsm_params(ipaddress.IPv4Address("10.1.10.117"))
    assert params.priority == 100 and params.nopreempt and not params.preempt


def test_ipv6_forces_v3_auth_and_host_prefix(tmp_path: Path) -> None:
    (v6,) = _configs("""vrrp_instance V6 {
    interface eth0
    virtual_router_id 7
    virtual_ipaddress {
        fd00::240
    }
}
""", tmp_path)
    assert (v6.family, v6.version) == (6, 3)
    assert str(v6.vips[0].address) == "fd00::240/128"
    assert v6.mcast_dst == ipaddress.IPv6Address("ff02::12")


def test_pass_auth_unicast_and_tracking(tmp_path: Path) -> None:
    (cfg,) = _configs("""vrrp_instance U {
    interface eth0
    virtual_router_id 9
    priority 150
    unicast_src_ip 10.0.0.1
    unicast_peer {
        10.0.0.2
    }
    authentication {
        auth_type PASS
        auth_pass s3cret
    }
    track_interface {
        eth1 weight -10
    }
    virtual_ipaddress {
        10.0.0.100
    }
}
""", tmp_path)
    assert cfg.auth_type is AuthType.PASS and cfg.auth_data == b"s3cret\0\0"
    assert cfg.unicast and cfg.unicast_peers == (ipaddress.IPv4Address("10.0.0.2"),)
    assert cfg.src_ip == ipaddress.IPv4Address("10.0.0.1")
    assert cfg.trackers == (Tracker("if:eth0"), Tracker("if:eth1", -10))
    assert str(cfg.vips[0].address) == "10.0.0.100/32"


def test_track_script_is_refused_with_a_reason(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedConfig, match="track_script"):
        _configs("""vrrp_script chk {
    script "/bin/true"
}
vrrp_instance S {
    interface eth0
    virtual_router_id 9
    track_script {
        chk
    }
    virtual_ipaddress {
        10.0.0.100
    }
}
""", tmp_path)


def test_unchanged_instances_compare_equal() -> None:
    first = instance_configs(load_full(str(EXAMPLES / "serverA.conf")).config)
    again = instance_configs(load_full(str(EXAMPLES / "serverA.conf")).config)
    other = instance_configs(load_full(str(EXAMPLES / "serverB.conf")).config)
    assert first == again and first != other
