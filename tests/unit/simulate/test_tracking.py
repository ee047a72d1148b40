"""Tracked scripts, interfaces, files, priority events and sync groups in a simulation.

Expected times from keepalived's rules (see test_elections): a master whose priority
drops sends an advert with the new priority at once; a backup that may preempt lets
its down timer run out; a sync group goes MASTER only when every member wants it, and
one member in FAULT pulls the others into FAULT (a master leaving sends priority 0).
"""

from __future__ import annotations

import pytest
from kaconfd.simulate import ScenarioError

from .conftest import DELAY, Runner, changes, instance

SCRIPT = ("vrrp_script chk {\n    script \"/bin/true\"\n    interval 1\n    weight -30\n}\n")
TRACK = "    track_script {\n        chk\n    }\n"


def test_weighted_script_failure_hands_the_vip_over(run: Runner) -> None:
    r = run({"A": SCRIPT + instance(priority=100, extra=TRACK), "B": instance(priority=90)},
            "10 A script chk fail", "20 A script chk ok", duration=30)
    a_up = 3 + 156 / 256
    b_down = 3 + 166 / 256
    # A's last routine advert (sent at a_up + 6) reset B's timer; A's priority-70 advert
    # at 10 is lower than B's 90: B discards it and takes over when its timer runs out.
    b_up = a_up + 6 + DELAY + b_down
    assert changes(r)[2:4] == [(pytest.approx(a_up), "A", "VI_1", "MASTER"),
                               (pytest.approx(b_up), "B", "VI_1", "MASTER")]
    assert changes(r)[4] == (pytest.approx(b_up + DELAY), "A", "VI_1", "BACKUP")
    assert r.transitions[4].cause == "higher priority advert from B (90)"
    assert [(p.time, p.node, p.from_, p.to, p.cause) for p in r.priorities][0] == (
        10.0, "A", 100, 70, "script chk failed, priority 100 -> 70")
    # Back to 100 at 20: A (backup) may preempt B (90) again; its running timer is moved
    # by the change of skew time, and B's adverts no longer reset it.
    last_reset = b_up + 6 + DELAY
    a_again = last_reset + 3 + 186 / 256 + (156 - 186) / 256
    assert changes(r)[5:] == [(pytest.approx(a_again), "A", "VI_1", "MASTER"),
                              (pytest.approx(a_again + DELAY), "B", "VI_1", "BACKUP")]


def test_weight_zero_script_failure_is_a_fault(run: Runner) -> None:
    script = SCRIPT.replace("weight -30", "weight 0")
    r = run({"A": script + instance(priority=150, extra=TRACK), "B": instance(priority=100)},
            "10 A script chk fail", duration=15)
    assert changes(r, "A")[-1] == (10.0, "A", "VI_1", "FAULT")
    assert r.transitions[-2].cause == "script chk failed"
    # a master entering FAULT sends priority 0: B takes over after its skew time
    assert changes(r, "B")[-1] == (pytest.approx(10 + DELAY + 156 / 256), "B", "VI_1",
                                   "MASTER")


def test_link_down_on_the_master(run: Runner) -> None:
    r = run({"A": instance(priority=150), "B": instance(priority=100)},
            "10 A link down eth0", "20 A link up eth0", duration=30)
    a_up = 3 + 106 / 256
    # the link is down: A's priority-0 advert cannot leave, B waits its down interval
    assert changes(r)[3:] == [
        (10.0, "A", "VI_1", "FAULT"),
        (pytest.approx(a_up + 6 + DELAY + 3 + 156 / 256), "B", "VI_1", "MASTER"),
        (20.0, "A", "VI_1", "BACKUP"),
        (pytest.approx(20 + a_up), "A", "VI_1", "MASTER"),
        (pytest.approx(20 + a_up + DELAY), "B", "VI_1", "BACKUP"),
    ]
    assert r.transitions[3].cause == "link eth0 down"


def test_track_file_and_priority_events(run: Runner) -> None:
    tf = ("vrrp_track_file tf {\n    file /tmp/never-read\n    weight -1\n}\n")
    a = tf + instance(priority=150, extra="    track_file {\n        tf\n    }\n")
    r = run({"A": a, "B": instance(priority=100)}, "10 A track file tf value 60",
            "20 B priority VI_1 200", duration=30)
    assert (r.priorities[0].time, r.priorities[0].to) == (10.0, 90)  # 150 - 60
    b_up = 3 + 106 / 256 + 6 + DELAY + 3 + 156 / 256
    assert changes(r, "B")[1] == (pytest.approx(b_up), "B", "VI_1", "MASTER")
    assert (r.priorities[1].node, r.priorities[1].to) == ("B", 200)
    assert r.holders_at("10.0.0.100", 29) == ("B",)


def test_sync_group_moves_together(run: Runner) -> None:
    def node(prio: int) -> str:
        return (instance("VI_1", vrid=51, priority=prio, vip="10.0.0.100/24")
                + instance("VI_2", vrid=52, priority=prio, interface="eth1",
                           vip="10.1.0.100/24")
                + "vrrp_sync_group G {\n    group {\n        VI_1\n        VI_2\n    }\n}\n")

    r = run({"A": node(150), "B": node(100)}, "10 A link down eth1", duration=20)
    a_up = 3 + 106 / 256
    a = changes(r, "A")
    assert {s for _, _, _, s in a[2:4]} == {"MASTER"} and a[2][0] == a[3][0] == \
        pytest.approx(a_up)
    # eth1 down: VI_2 FAULT, the group pulls VI_1 into FAULT (priority 0 on eth0)
    assert sorted(a[4:]) == [(10.0, "A", "VI_1", "FAULT"), (10.0, "A", "VI_2", "FAULT")]
    vi1 = next(t for t in r.transitions if t.node == "A" and t.instance == "VI_1"
               and t.to == "FAULT")
    assert vi1.cause == "sync group G: VI_2 link eth1 down"
    # B: VI_1 wants MASTER after the priority-0 skew, VI_2 only when its own down timer
    # (last advert from A on eth1) runs out; then the group goes MASTER together.
    both = a_up + 6 + DELAY + 3 + 156 / 256
    b = changes(r, "B")
    assert sorted(b[2:]) == [(pytest.approx(both), "B", "VI_1", "MASTER"),
                             (pytest.approx(both), "B", "VI_2", "MASTER")]
    assert r.holders_at("10.0.0.100", 12) == ()
    assert r.holders_at("10.0.0.100", 19) == ("B",)


def test_unknown_names_are_scenario_errors(run: Runner) -> None:
    with pytest.raises(ScenarioError, match="no node 'C'"):
        run({"A": instance()}, "1 C stop")
    with pytest.raises(ScenarioError, match="tracks no vrrp_script 'nope'"):
        run({"A": instance()}, "1 A script nope fail")
