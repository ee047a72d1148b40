"""kaconfd.vrrp.config: keepalived defaults applied to the model, and what is refused."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import pytest
from kaconfd.vrrp.config import (
    Command,
    InstanceConfig,
    ScriptConfig,
    SyncGroupConfig,
    TrackFileConfig,
    UnsupportedConfig,
    VrrpConfig,
    instance_configs,
    vrrp_config,
)
from kaconfd.vrrp.fsm import State, Tracker, TrackKind
from kaconfd.vrrp.packet import AuthType

from kaconf.loader import load_full
from tests.support.paths import EXAMPLES


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
    assert set(cfg.trackers) == {Tracker("if:eth0"), Tracker("if:eth1", -10)}
    assert str(cfg.vips[0].address) == "10.0.0.100/32"


def test_ah_auth_carries_the_key_not_packet_data(tmp_path: Path) -> None:
    """auth_type AH runs (IPsec AH, :mod:`kaconfd.vrrp.ah`): the key is the 8-byte pass."""
    ah, v3 = _configs("""vrrp_instance A {
    interface eth0
    virtual_router_id 9
    authentication {
        auth_type AH
        auth_pass averylongpassword
    }
    virtual_ipaddress {
        10.0.0.100
    }
}
vrrp_instance B {
    interface eth0
    virtual_router_id 10
    version 3
    authentication {
        auth_type AH
        auth_pass secret
    }
    virtual_ipaddress {
        10.0.0.101
    }
}
""", tmp_path)
    assert ah.auth_type is AuthType.AH and ah.ah and ah.ah_key == b"averylon"
    assert ah.auth_data == bytes(8)  # nothing of the password goes into the VRRP message
    assert v3.auth_type is AuthType.NONE and not v3.ah  # keepalived ignores it for v3


def test_track_process_is_translated_with_its_tracking(tmp_path: Path) -> None:
    vrrp = _vrrp("""vrrp_track_process proc {
    process nginx -g daemon
    param_match initial
    quorum 2
    quorum_max 3
    fork_delay 1.5
    terminate_delay 2
}
vrrp_track_process plain {
    process sshd
}
vrrp_instance S {
    interface eth0
    virtual_router_id 9
    track_process {
        proc weight 10
        plain
    }
    virtual_ipaddress {
        10.0.0.100
    }
}
""", tmp_path)
    (inst,) = vrrp.instances
    assert inst.tracked_processes == ("proc", "plain")
    assert Tracker("process:proc", 10, False, initial=False) in inst.trackers
    assert Tracker("process:plain", 0, False, initial=False) in inst.trackers
    by_name = {p.name: p for p in vrrp.processes}
    proc = by_name["proc"]
    assert (proc.path, proc.params, proc.param_match, proc.full_command) == (
        "nginx", b"-g\0daemon\0", "initial", True)
    assert (proc.quorum, proc.quorum_max, proc.fork_delay, proc.terminate_delay) == (
        2, 3, 1.5, 2.0)
    assert not by_name["plain"].full_command and by_name["plain"].param_match == ""


def test_track_bfd_is_refused_naming_the_instance(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedConfig, match=r"\(S\) track_bfd is not supported"):
        _configs("""bfd_instance b1 {
    neighbor_ip 10.0.0.2
}
vrrp_instance S {
    interface eth0
    virtual_router_id 9
    track_bfd {
        b1
    }
    virtual_ipaddress {
        10.0.0.100
    }
}
""", tmp_path)


def _vrrp(text: str, tmp_path: Path) -> VrrpConfig:
    path = tmp_path / "keepalived.conf"
    path.write_text(text)
    loaded = load_full(str(path))
    assert not loaded.errors, loaded.errors
    return vrrp_config(loaded.config)


TRACKING = """global_defs {
    vrrp_notify_fifo /run/vrrp.fifo
    vrrp_notify_fifo_script "/bin/cat -v"
}
vrrp_script chk {
    script "/bin/test -e /tmp/flag"
    interval 2
    weight -20
    rise 2
    fall 3
}
vrrp_script chk_rev {
    script /bin/true
    weight 10 reverse
    init_fail
}
vrrp_script unused {
    script /bin/true
}
track_file tf {
    file /tmp/tf
    weight -3 reverse
    init_file 5 overwrite
}
vrrp_track_file tf_old {
    file /tmp/tf_old
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority 100
    track_script {
        chk
        chk_rev weight 5 noreverse
        chk
        missing
    }
    track_file {
        tf
        tf_old weight 0
    }
    track_interface {
        eth1 weight -10 reverse
    }
    virtual_ipaddress {
        10.0.0.100
    }
    virtual_ipaddress_excluded {
        fd00::100/64
    }
    virtual_routes {
        10.9.0.0/16 via 10.0.0.1 dev eth0
    }
    virtual_rules {
        from 10.0.0.100 table 100
    }
    garp_master_refresh 30
}
"""


def test_scripts_files_and_weights(tmp_path: Path) -> None:
    vrrp = _vrrp(TRACKING, tmp_path)
    (cfg,) = vrrp.instances
    assert set(cfg.trackers) == {
        Tracker("if:eth0"), Tracker("if:eth1", -10, True),
        Tracker("script:chk", -20, False, TrackKind.STATE, initial=None),
        # The track_script line overrides weight and reverse; init_fail starts it down.
        Tracker("script:chk_rev", 5, False, TrackKind.STATE, initial=False),
        Tracker("file:tf", -3, True, TrackKind.VALUE),
        Tracker("file:tf_old", 0, False, TrackKind.VALUE)}
    assert sorted(cfg.tracked_scripts) == ["chk", "chk_rev"]
    assert sorted(cfg.tracked_files) == ["tf", "tf_old"]
    assert sorted(cfg.tracked_interfaces) == ["eth0", "eth1"]
    # commands are resolved to their real path, as keepalived does
    real = os.path.realpath
    assert vrrp.scripts == (
        ScriptConfig("chk", (real("/bin/test"), "-e", "/tmp/flag"), 2.0, 2.0, 2, 3, False),
        ScriptConfig("chk_rev", (real("/bin/true"),), 1.0, 1.0, 1, 1, True))
    assert vrrp.track_files == (TrackFileConfig("tf", "/tmp/tf", 5, True),
                                TrackFileConfig("tf_old", "/tmp/tf_old", None, False))
    # keepalived's warnings (duplicate track_script, missing and unused scripts) are
    # lint's diagnostics now; what remains here is their effect: one chk, no unused.
    assert [str(v) for v in cfg.excluded_vips] == ["fd00::100"]
    assert [str(r) for r in cfg.routes] == ["10.9.0.0/16 via 10.0.0.1 dev eth0"]
    # keepalived numbers rules given no preference (from 16384 down), so it can find them
    assert [str(r) for r in cfg.rules] == ["16384: from 10.0.0.100/32 lookup 100"]
    assert (cfg.garp_refresh, cfg.garp_refresh_repeat) == (30.0, 1)
    # keepalived's defaults for lower-priority GARPs are the global master ones.
    assert (cfg.garp_lower_prio_repeat, cfg.garp_lower_prio_delay) == (5, 5.0)
    assert vrrp.notify_fifos == ("/run/vrrp.fifo",)
    # (resolved like every script; one that does not exist would be dropped)
    assert vrrp.fifo_scripts == (Command((real("/bin/cat"), "-v", "/run/vrrp.fifo")),)


def test_owner_cannot_have_weighted_trackers(tmp_path: Path) -> None:
    vrrp = _vrrp(TRACKING.replace("priority 100", "priority 255"), tmp_path)
    (cfg,) = vrrp.instances
    # Weighted scripts dropped, the file with weight -3 too; a 0 stays. The weighted
    # interface stays on the interface's tracking list, where keepalived added it
    # before vrrp_complete_instance dropped it from the instance's own list (that
    # list is what the interface's state changes use at run time).
    assert set(cfg.trackers) == {Tracker("if:eth0"), Tracker("if:eth1", -10, True),
                                 Tracker("file:tf_old", 0, False, TrackKind.VALUE)}


SYNC = """vrrp_script chk {
    script /bin/true
    weight -20
}
vrrp_script gchk {
    script /bin/true
}
track_file tf {
    file /tmp/tf
}
vrrp_sync_group G1 {
    group {
        VI_1
        VI_2
        VI_9
    }
    track_script {
        gchk
    }
    notify_master "/bin/echo master"
    notify "/bin/echo"
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 1
    track_script {
        chk
    }
    track_file {
        tf
    }
    track_interface {
        eth1 weight -10
    }
    virtual_ipaddress {
        10.0.0.1
    }
}
vrrp_instance VI_2 {
    interface eth0
    virtual_router_id 2
    virtual_ipaddress {
        10.0.0.2
    }
}
"""


def test_sync_group_members_and_tracking(tmp_path: Path) -> None:
    vrrp = _vrrp(SYNC, tmp_path)
    (group,) = vrrp.groups
    # notify commands are resolved to their real path, as keepalived does
    echo = os.path.realpath("/bin/echo")
    assert group == SyncGroupConfig("G1", ("VI_1", "VI_2"), notify=Command((echo,)),
                                    notify_master=Command((echo, "master")))
    vi1, vi2 = vrrp.instances
    assert vi1.sync_group == vi2.sync_group == "G1"
    gchk = Tracker("script:gchk", 0, False, TrackKind.STATE, initial=None)
    # Member weights are not allowed in a sync group: interface weight cleared, weighted
    # script dropped, the file's default weight 1 becomes 0; the group's script applies.
    # (the interface keeps its weight on the interface's own tracking list, as in
    # keepalived, which adds it there before clearing the instance's copy)
    assert set(vi1.trackers) == {Tracker("if:eth0"), Tracker("if:eth1", -10),
                                 Tracker("file:tf", 0, False, TrackKind.VALUE), gchk}
    assert set(vi2.trackers) == {Tracker("if:eth0"), gchk}
    assert vi1.fsm_params(ipaddress.IPv4Address("10.0.0.9")).sync_group == "G1"
    with_weights = _vrrp(SYNC.replace("    notify \"/bin/echo\"\n",
                                      "    sync_group_tracking_weight\n"), tmp_path)
    assert Tracker("script:chk", -20, False, TrackKind.STATE, initial=None) in (
        with_weights.instances[0].trackers)


def test_a_route_kaconfd_cannot_install_is_left_out_and_logged(tmp_path: Path) -> None:
    # keepalived runs the instance with its route; kaconfd cannot install an mtu
    # yet, so it runs the rest (states and VIPs as keepalived's) and says so
    vrrp = _vrrp(TRACKING.replace("10.9.0.0/16 via 10.0.0.1 dev eth0",
                                  "10.9.0.0/16 via 10.0.0.1 mtu 1400"), tmp_path)
    (cfg,) = vrrp.instances
    assert cfg.routes == ()
    assert any(w.startswith("(VI_1) route '") and "mtu" in w and "not installed" in w
               for w in vrrp.warnings)


def test_unchanged_instances_compare_equal() -> None:
    first = instance_configs(load_full(str(EXAMPLES / "serverA.conf")).config)
    again = instance_configs(load_full(str(EXAMPLES / "serverA.conf")).config)
    other = instance_configs(load_full(str(EXAMPLES / "serverB.conf")).config)
    assert first == again and first != other


def test_static_entries_are_converted_for_the_vrrp_child(tmp_path: Path) -> None:
    vrrp = _vrrp("""
static_ipaddress {
    10.1.20.1/24 dev eth0 label eth0:st
    10.1.20.2 dev eth0
}
static_routes {
    10.9.0.0/16 via 10.1.10.1 dev eth0
}
static_rules {
    from 10.1.20.1 table 100 priority 1000
}
""", tmp_path)
    assert [(str(v.address), v.dev, v.label) for v in vrrp.static_vips] == [
        ("10.1.20.1/24", "eth0", "eth0:st"), ("10.1.20.2/32", "eth0", None)]
    assert [str(r) for r in vrrp.static_routes] == ["10.9.0.0/16 via 10.1.10.1 dev eth0"]
    assert [(r.table, r.priority) for r in vrrp.static_rules] == [(100, 1000)]
    assert vrrp.instances == ()


# -- one meaning: the daemon runs what kaconf dump shows (kaconf.resolve) -----------------

def _one(text: str, tmp_path: Path) -> InstanceConfig:
    (cfg,) = _configs(text, tmp_path)
    return cfg


def test_global_multicast_group_reaches_the_daemon(tmp_path: Path) -> None:
    # kaconf dump showed 224.0.0.19 while the daemon sent to 224.0.0.18
    cfg = _one("global_defs {\n    vrrp_mcast_group4 224.0.0.19\n}\n"
               "vrrp_instance A {\n    interface eth0\n    virtual_router_id 1\n"
               "    virtual_ipaddress {\n        10.0.0.1\n    }\n}\n", tmp_path)
    assert cfg.mcast_dst == ipaddress.IPv4Address("224.0.0.19")


def test_version_2_with_ipv6_stays_version_2(tmp_path: Path) -> None:
    # keepalived runs VRRPv2 over IPv6 unless strict mode; the daemon used to force v3
    text = ("vrrp_instance A {\n    interface eth0\n    version 2\n    virtual_router_id 1\n"
            "    virtual_ipaddress {\n        fd00::1/64\n    }\n}\n")
    assert (_one(text, tmp_path).version, _one(text, tmp_path).family) == (2, 6)
    strict = text.replace("    version 2\n", "    version 2\n    strict_mode\n")
    assert _one(strict, tmp_path).version == 3


def test_unicast_addresses_with_a_prefix_length(tmp_path: Path) -> None:
    # inet_stosockaddr ignores "/len": keepalived runs these as unicast
    cfg = _one("vrrp_instance A {\n    interface eth0\n    virtual_router_id 1\n"
               "    unicast_src_ip 192.0.2.1/24\n    unicast_peer {\n        192.0.2.2/24\n"
               "    }\n    virtual_ipaddress {\n        192.0.2.100/24\n    }\n}\n", tmp_path)
    assert cfg.unicast and cfg.unicast_peers == (ipaddress.IPv4Address("192.0.2.2"),)
    assert cfg.src_ip == ipaddress.IPv4Address("192.0.2.1")


def test_state_master_without_priority_is_an_address_owner(tmp_path: Path) -> None:
    # keepalived's completion: no priority + state MASTER -> priority 255
    cfg = _one("vrrp_instance A {\n    state MASTER\n    interface eth0\n"
               "    virtual_router_id 1\n    virtual_ipaddress {\n        10.0.0.1\n    }\n}\n",
               tmp_path)
    assert (cfg.priority, cfg.initial_state) == (255, State.MASTER)


def test_use_ipvlan_is_translated(tmp_path: Path) -> None:
    vrrp = _vrrp("""vrrp_instance S {
    interface eth0
    virtual_router_id 9
    use_ipvlan ipv9 10.0.0.9/24 vepa
    virtual_ipaddress {
        10.0.0.100
    }
}
""", tmp_path)
    (inst,) = vrrp.instances
    assert (inst.ipvlan, inst.ipvlan_type) == ("ipv9", "vepa")
    assert inst.ipvlan_addr == ipaddress.ip_interface("10.0.0.9/24")
    assert inst.src_ip == ipaddress.ip_address("10.0.0.9")
    assert inst.advert_interface == "ipv9" and inst.vmac is None
    assert inst.vips[0].dev == "eth0"  # VIPs stay on the base interface
    assert "if:ipv9" not in {t.name for t in inst.trackers}


def test_ipv4_ipvlan_without_address_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedConfig, match=r"\(S\) IPv4 ipvlan requires a source ip"):
        _configs("""vrrp_instance S {
    interface eth0
    virtual_router_id 9
    use_ipvlan
    virtual_ipaddress {
        10.0.0.100
    }
}
""", tmp_path)
