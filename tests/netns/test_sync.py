"""vrrp_sync_group end to end: two instances that fail over, and back, together.

A (priority 100) and B (priority 90) both run VI_1 (VRID 51, 10.1.10.240) and VI_2
(VRID 52, 10.1.10.241) in sync group G1. Only VI_1 tracks the failing object, yet both
VIPs must move; the group's notify scripts record what they were called with.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.support.netns import NETNS, Lab, Proc, kaconf_run, wait_for

pytestmark = NETNS

VIPS = ("10.1.10.240/24", "10.1.10.241/24")
TAKEOVER = 12.0

CONF = """global_defs {{
    router_id {node}
    enable_script_security
    script_user root
}}
vrrp_script chk {{
    script "/bin/sh -c 'test ! -e {flag}'"
    interval 1
}}
track_file tf {{
    file {file}
    weight 0
}}
vrrp_sync_group G1 {{
    group {{
        VI_1
        VI_2
    }}
{group_extra}    notify_master "{notify} master"
    notify_backup "{notify} backup"
    notify_fault "{notify} fault"
    notify "{notify}"
}}
vrrp_instance VI_1 {{
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority {prio}
    advert_int 1
{vi1_extra}    virtual_ipaddress {{
        {vip1}
    }}
}}
vrrp_instance VI_2 {{
    state BACKUP
    interface eth0
    virtual_router_id 52
    priority {prio}
    advert_int 1
    virtual_ipaddress {{
        {vip2}
    }}
}}
"""


def _notify_script(tmp: Path, node: str) -> tuple[Path, Path]:
    out = tmp / f"group-notify-{node}.log"
    script = tmp / f"group-notify-{node}.sh"
    script.write_text(f'#!/bin/sh\necho "$@" >> {out}\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, out


def _conf(tmp: Path, node: str, prio: int, variant: str) -> Path:
    script, _ = _notify_script(tmp, node)
    group_extra = vi1_extra = ""
    if variant == "instance script":
        vi1_extra = "    track_script {\n        chk\n    }\n"
    else:
        group_extra = "    track_file {\n        tf\n    }\n"
    path = tmp / f"{node}.conf"
    path.write_text(CONF.format(node=node, prio=prio, flag=tmp / f"fail-{node}",
                                file=tmp / f"file-{node}", notify=script,
                                group_extra=group_extra, vi1_extra=vi1_extra,
                                vip1=VIPS[0], vip2=VIPS[1]))
    return path


def _holds_all(lab: Lab, node: str) -> bool:
    return all(lab.has_address(node, vip) for vip in VIPS)


def _holds_none(lab: Lab, node: str) -> bool:
    return not any(lab.has_address(node, vip) for vip in VIPS)


def _fail(tmp: Path, node: str, variant: str, failing: bool) -> None:
    target = tmp / (f"fail-{node}" if variant == "instance script" else f"file-{node}")
    if failing:
        target.write_text("1\n")
    else:
        target.unlink()


@pytest.mark.parametrize("variant", ["instance script", "group file"])
def test_sync_group_fails_over_and_back_together(lab: Lab, tmp_path: Path,
                                                 variant: str) -> None:
    lab.add_node("A", "10.1.10.117/24")
    lab.add_node("B", "10.1.10.185/24")
    a = lab.start("A", kaconf_run(_conf(tmp_path, "A", 100, variant), lab.workdir, "A"), "A")
    wait_for("A to take both VIPs", lambda: _holds_all(lab, "A"), 15)
    assert "VRRP_Group(G1) Syncing instances to MASTER state" in a.log()
    b: Proc = lab.start("B", kaconf_run(_conf(tmp_path, "B", 90, variant), lab.workdir, "B"),
                        "B")
    # "(init)" or not: with a script not run yet the group waits in FAULT first.
    wait_for("B to start both instances as BACKUP",
             lambda: b.log().count("Entering BACKUP STATE") == 2, 15)

    _fail(tmp_path, "A", variant, True)
    wait_for("A's group to go FAULT",
             lambda: "VRRP_Group(G1) Syncing instances to FAULT state" in a.log(), 5)
    # Both members sent priority 0: B takes both VIPs after its skew time.
    wait_for("B to take both VIPs", lambda: _holds_all(lab, "B"), 5)
    wait_for("A to release both VIPs", lambda: _holds_none(lab, "A"), 5)
    # a script that has not run yet may hold A in FAULT at start-up: "(init)" lines
    # are not the failover asserted here
    assert sum(1 for line in a.log().splitlines()
               if "Entering FAULT STATE" in line and "(init)" not in line) == 2
    assert "VRRP_Group(G1) Syncing instances to MASTER state" in b.log()

    _fail(tmp_path, "A", variant, False)
    wait_for("A's group to leave FAULT",
             lambda: "VRRP_Group(G1) Syncing instances to BACKUP state" in a.log(), 5)
    wait_for("A to preempt both VIPs", lambda: _holds_all(lab, "A"), TAKEOVER)
    wait_for("B to release both VIPs", lambda: _holds_none(lab, "B"), 5)
    assert a.stop() == 0 and b.stop() == 0

    _, notified_a = _notify_script(tmp_path, "A")
    calls = notified_a.read_text().splitlines()
    # notify_<state> with its own arguments, notify with GROUP <name> <STATE> 0.
    for state in ("backup", "master", "fault"):
        assert state in calls
        assert f"GROUP G1 {state.upper()} 0" in calls
    assert calls[-1] == "GROUP G1 STOP 0"
