"""keepalived's JSON dump (SIGRTMIN+2, ``--signum=JSON``) from kaconf run, against the one
keepalived 2.2.7 writes for the same configuration on the same node.

keepalived writes ``/tmp/keepalived.json`` whatever its options; it runs in a mount
namespace of its own where a directory of the test is bind-mounted on /tmp, so the file
lands there (as tools/side_by_side.py does). kaconf writes it beside its ``--data-file``.
"""

from __future__ import annotations

import json
import shutil
import signal
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.support.netns import NETNS, Lab, kaconf_run, wait_for

pytestmark = NETNS

VIP = "10.1.12.240/24"
CONF = textwrap.dedent("""
    vrrp_instance VI_JSON {
        state MASTER
        interface eth0
        virtual_router_id 62
        priority 120
        advert_int 1
        authentication {
            auth_type PASS
            auth_pass secret
        }
        track_interface {
            eth0
        }
        virtual_ipaddress {
            10.1.12.240/24
        }
        virtual_ipaddress_excluded {
            10.1.13.1/32 dev eth0
        }
        virtual_routes {
            10.1.14.0/24 via 10.1.12.1 dev eth0
        }
        virtual_rules {
            from 10.1.12.240 table 100
        }
        notify_master "/bin/true master"
    }
    """)
#: keepalived fields kaconfd has no value for (docs/operations.md lists them)
LEFT_OUT = {"dont_track_primary", "skip_check_adv_addr", "strict_mode",
            "promote_secondaries", "higher_prio_send_advert", "smtp_alert",
            "notify_deleted", "vmac_ifname"}
SAME_VALUES = ("iname", "ifp_ifname", "vrid", "base_priority", "effective_priority", "state",
               "wantstate", "version", "vipset", "adver_int", "master_adver_int", "auth_type",
               "auth_data", "garp_delay", "garp_rep", "garp_refresh", "garp_refresh_rep",
               "garp_lower_prio_delay", "garp_lower_prio_rep", "lower_prio_no_advert",
               "nopreempt", "preempt_delay", "accept", "vips", "evips", "vroutes",
               "vrules", "track_ifp",
               "script_master")


def _dump_when_master(lab: Lab, proc_pid: int, path: Path) -> list[dict[str, Any]]:
    wait_for("MASTER with the VIP", lambda: lab.has_address("A", VIP), 15)
    import os

    os.kill(proc_pid, signal.SIGRTMIN + 2)
    wait_for(f"{path.name}", lambda: path.exists() and path.stat().st_size > 0, 5)
    result: list[dict[str, Any]] = json.loads(path.read_text())
    return result


def test_json_dump_matches_keepalived(lab: Lab, tmp_path: Path) -> None:
    keepalived = shutil.which("keepalived")
    if keepalived is None or shutil.which("unshare") is None:
        pytest.skip("needs keepalived 2.2.7 and unshare")
    lab.add_node("A", "10.1.12.117/24")
    kdir = tmp_path / "ka"
    kdir.mkdir()
    (kdir / "keepalived.conf").write_text(CONF)
    ka = lab.start("A", ["unshare", "-m", "--propagation", "private", "sh", "-c",
                         'mount --bind "$0" /tmp && exec "$@"', str(kdir), keepalived,
                         "-n", "-l", "-P", "-f", "/tmp/keepalived.conf",
                         "-p", "/tmp/k.pid", "-r", "/tmp/k-vrrp.pid"], "keepalived")
    theirs = _dump_when_master(lab, ka.pid, kdir / "keepalived.json")
    assert ka.stop() == 0
    wait_for("the VIP to go", lambda: not lab.has_address("A", VIP), 10)

    conf = tmp_path / "keepalived.conf"
    conf.write_text(CONF)
    a = lab.start("A", kaconf_run(conf, lab.workdir, "A"), "A")
    ours = _dump_when_master(lab, a.pid, lab.workdir / "A.json")
    assert a.stop() == 0

    assert len(theirs) == len(ours) == 1
    k, o = theirs[0], ours[0]
    assert set(o) == set(k) == {"data", "stats"}
    assert set(o["stats"]) == set(k["stats"])
    assert set(o["data"]) <= set(k["data"]), set(o["data"]) - set(k["data"])
    assert set(k["data"]) - set(o["data"]) <= LEFT_OUT, set(k["data"]) - set(o["data"])
    for key in SAME_VALUES:
        assert o["data"].get(key) == k["data"].get(key), (key, o["data"].get(key),
                                                          k["data"].get(key))
    assert o["stats"]["become_master"] == k["stats"]["become_master"] == 1
    # both just woke up as MASTER: the same clock, a few seconds apart
    assert abs(o["data"]["last_transition"] - k["data"]["last_transition"]) < 60
