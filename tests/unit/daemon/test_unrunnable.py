"""kaconfd.roles.unrunnable: the daemon refuses a configuration where keepalived does."""

from __future__ import annotations

import os
from pathlib import Path

from kaconfd.roles import unrunnable

from kaconf.loader import load_full

SYNCD = """global_defs {
    lvs_sync_daemon eth0 VI_1
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 1
    virtual_ipaddress {
        10.0.0.1
    }
}
"""


def test_lvs_sync_daemon_needs_ipvs_in_the_kernel(tmp_path: Path) -> None:
    path = tmp_path / "keepalived.conf"
    path.write_text(SYNCD)
    reason = unrunnable(load_full(str(path)).config)
    # keepalived's VRRP process starts the IPVS sync daemon and stops when it cannot
    if os.path.exists("/proc/net/ip_vs"):
        assert reason is None or "IPVS" not in reason
    else:
        assert reason is not None and reason.startswith("IPVS: Can't initialize ipvs")


def test_a_missing_interface_is_named(tmp_path: Path) -> None:
    path = tmp_path / "keepalived.conf"
    path.write_text(SYNCD.split("}\n", 1)[1].replace("interface eth0",
                                                      "interface kaconf-none0"))
    reason = unrunnable(load_full(str(path)).config)
    assert reason == ("Non-existent interface specified in configuration (kaconf-none0)")


def test_track_bfd_is_refused_naming_the_sync_group(tmp_path: Path) -> None:
    # keepalived's BFD process is not implemented: refused at start, never ignored
    path = tmp_path / "keepalived.conf"
    path.write_text("bfd_instance b1 {\n    neighbor_ip 10.0.0.2\n}\n"
                    + SYNCD.split("}\n", 1)[1].replace("interface eth0", "interface lo")
                    + "vrrp_sync_group G1 {\n    group {\n        VI_1\n    }\n"
                      "    track_bfd {\n        b1\n    }\n}\n")
    reason = unrunnable(load_full(str(path)).config)
    assert reason is not None and reason.startswith("(G1) track_bfd is not supported")
