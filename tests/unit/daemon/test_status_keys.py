"""kaconf status --json, format 1: the documented keys, built by the children's collectors
(kaconfd.vrrp.status, kaconfd.check.status) and the parent's (kaconfd.statusd) from fakes.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import textwrap
from pathlib import Path
from types import SimpleNamespace

from kaconfd.check.scheduler import Scheduler
from kaconfd.check.spec import resolve
from kaconfd.check.status import CheckRecord, checker_status
from kaconfd.vrrp.params import State
from kaconfd.vrrp.stats import InstanceStats
from kaconfd.vrrp.status import vrrp_status

import kaconf
from tests.support.status_format import (
    CHECKER_KEYS,
    CHECKER_PART_KEYS,
    CHILD_KEYS,
    DAEMON_KEYS,
    FILE_KEYS,
    GROUP_KEYS,
    INSTANCE_KEYS,
    LATENCY_KEYS,
    RS_KEYS,
    SCRIPT_KEYS,
    STATS_KEYS,
    TOP_KEYS,
    VRRP_KEYS,
    VS_KEYS,
)


def _vrrp_child() -> SimpleNamespace:
    vip = SimpleNamespace(address=ipaddress.ip_interface("10.0.0.10/24"), dev="eth0")
    cfg = SimpleNamespace(name="VI_1", interface="eth0", vrid=51, version=2, family=4,
                          priority=100, sync_group="G1", vips=(vip,), excluded_vips=(),
                          tracked_interfaces=("eth1",), tracked_scripts=("chk",),
                          tracked_files=("f",))
    stats = InstanceStats(advert_rcvd=3)
    runner = SimpleNamespace(
        cfg=cfg, fsm=SimpleNamespace(effective_priority=90), state=State.BACKUP,
        sender=None, last_advert=SimpleNamespace(src=ipaddress.ip_address("10.0.0.2"),
                                                 priority=150),
        last_transition=1.0, last_why="start-up", vips_set=False, stats=stats,
        heard=SimpleNamespace(count=2))
    script = SimpleNamespace(state=SimpleNamespace(up=False, result=0, last_status=1))
    group = SimpleNamespace(group=SimpleNamespace(state=State.BACKUP),
                            group_cfg=SimpleNamespace(name="G1", members=("VI_1",)),
                            runners={"VI_1": runner})
    return SimpleNamespace(
        runners={"VI_1": runner}, units={"group:G1": group}, link_state={"eth1": True},
        tracked=SimpleNamespace(scripts={"chk": script},
                                files={"f": SimpleNamespace(path=Path("/tmp/f"), value=4)}))


def test_vrrp_part() -> None:
    part = json.loads(json.dumps(vrrp_status(_vrrp_child())))  # JSON-ready
    assert set(part) == VRRP_KEYS
    (inst,) = part["instances"]
    assert set(inst) == INSTANCE_KEYS and set(inst["stats"]) == STATS_KEYS
    assert inst["master"] == "10.0.0.2" and inst["master_priority"] == 150
    assert inst["effective_priority"] == 90 and inst["state"] == "BACKUP"
    assert inst["stats"]["advert_rcvd"] == 5  # counted + noted by the shared socket
    assert inst["tracked_interfaces"] == [{"name": "eth1", "up": True}]
    assert inst["tracked_scripts"][0]["state"] == "down"
    assert inst["tracked_files"][0]["value"] == 4
    assert set(part["scripts"][0]) == SCRIPT_KEYS and set(part["files"][0]) == FILE_KEYS
    assert part["sync_groups"] == [{"name": "G1", "state": "BACKUP", "members": ["VI_1"]}]
    assert set(part["sync_groups"][0]) == GROUP_KEYS


def test_checker_part() -> None:
    conf = textwrap.dedent("""
        virtual_server 192.0.2.1 80 {
          protocol TCP
          real_server 192.0.2.10 80 {
            TCP_CHECK {
            }
          }
        }
    """)
    cfg = kaconf.load_full("c.conf", data=conf.encode()).config
    import logging

    sched = Scheduler(resolve(cfg), log=logging.getLogger("t"))
    cs = sched.pool.checkers[0]
    rec = sched.records[id(cs)] = CheckRecord(last_time=5.0, last_duration=0.002,
                                              last_up=True)
    rec.latency.observe(0.002)
    part = json.loads(json.dumps(checker_status(sched)))
    assert set(part) == CHECKER_PART_KEYS
    (vs,) = part["virtual_servers"]
    assert set(vs) == VS_KEYS and vs["name"] == "192.0.2.1:80"
    (rs,) = vs["real_servers"]
    assert set(rs) == RS_KEYS
    (ck,) = rs["checkers"]
    assert set(ck) == CHECKER_KEYS and set(ck["latency"]) == LATENCY_KEYS
    assert ck["kind"] == "TCP_CHECK" and ck["last_result"] == "up"
    assert ck["latency"]["count"] == 1 and ck["latency"]["counts"][-1] == 1


def test_top_level_from_the_parent(tmp_path: Path) -> None:
    from kaconfd.statusd import daemon_status

    spec = SimpleNamespace(kind="vrrp", pid=None, restarts=0, retired=False,
                           control_path=str(tmp_path / "none"))
    parent = SimpleNamespace(children=[spec], opts=SimpleNamespace(config_path="/k.conf"),
                             started_at=0.0, reloads=2)
    st = asyncio.run(daemon_status(parent))  # type: ignore[arg-type]
    assert set(st) == TOP_KEYS and st["format"] == 1
    assert set(st["daemon"]) == DAEMON_KEYS and st["daemon"]["reloads"] == 2
    assert set(st["daemon"]["children"][0]) == CHILD_KEYS
    assert st["daemon"]["children"][0]["answering"] is False and st["vrrp"] is None
