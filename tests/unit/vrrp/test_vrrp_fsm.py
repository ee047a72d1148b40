"""Scenarios for the sans-I/O VRRP state machine (kaconfd.vrrp.fsm), on a fake clock.

Single-instance tests assert the exact actions returned; :class:`Lan` wires several
machines together through a tiny discrete-event simulator (timers on a heap, adverts
delivered instantly to every node whose link is up) to replay the seed scenario.
"""

from __future__ import annotations

import copy
import dataclasses
import heapq
import ipaddress
from dataclasses import dataclass, field

import pytest
from kaconfd.vrrp.fsm import (
    ADVER_TIMER,
    GARP_REFRESH_TIMER,
    MASTER_DOWN_TIMER,
    Action,
    AddVips,
    AdvertReceived,
    FsmError,
    InstanceParams,
    Log,
    RemoveVips,
    RunLowerPriorityNotify,
    RunNotify,
    SendAdvert,
    SendGarp,
    SetTimer,
    Shutdown,
    Startup,
    State,
    SyncAhSeq,
    TimerFired,
    Tracker,
    TrackKind,
    TrackUpdate,
    VrrpFsm,
)

V4 = ipaddress.IPv4Address
A_IP, B_IP = V4("10.1.10.117"), V4("10.1.10.185")


def seed_a(**kw: object) -> InstanceParams:
    base: dict[str, object] = dict(name="VI_1", vrid=90, priority=100, nopreempt=True,
                                   primary_ip=A_IP)
    base.update(kw)
    return InstanceParams(**base)  # type: ignore[arg-type]


def seed_b(**kw: object) -> InstanceParams:
    base: dict[str, object] = dict(name="VI_1", vrid=90, priority=99, primary_ip=B_IP)
    base.update(kw)
    return InstanceParams(**base)  # type: ignore[arg-type]


def no_logs(actions: list[Action]) -> list[Action]:
    return [a for a in actions if not isinstance(a, Log)]


def logs(actions: list[Action]) -> list[str]:
    return [a.message for a in actions if isinstance(a, Log)]


def down_a() -> float:
    return 3 * 1.0 + (256 - 100) / 256


# --------------------------------------------------------------------------- one instance


def test_startup_enters_backup_and_arms_master_down() -> None:
    fsm = VrrpFsm(seed_a())
    actions = fsm.handle(Startup(), now=10.0)
    assert fsm.state is State.BACKUP
    assert logs(actions) == ["(VI_1) removing VIPs.", "(VI_1) Entering BACKUP STATE (init)"]
    # Leftovers of an unclean stop are removed, as keepalived does at start-up.
    assert no_logs(actions) == [RemoveVips(), RunNotify(State.BACKUP, 100),
                                SetTimer(MASTER_DOWN_TIMER, 10.0 + down_a())]


def test_master_down_timeout_makes_master_with_vips_garp_and_notify() -> None:
    fsm = VrrpFsm(seed_a())
    fsm.handle(Startup(), now=0.0)
    actions = fsm.handle(TimerFired(MASTER_DOWN_TIMER), now=down_a())
    assert fsm.state is State.MASTER
    assert logs(actions) == ["(VI_1) Receive advertisement timeout",
                             "(VI_1) Entering MASTER STATE", "(VI_1) setting VIPs."]
    assert no_logs(actions) == [
        SetTimer(MASTER_DOWN_TIMER, None), AddVips(), SendAdvert(100),
        SendGarp(5, 0.0), SendGarp(5, 5.0), RunNotify(State.MASTER, 100),
        SetTimer(ADVER_TIMER, down_a() + 1.0)]


def test_master_sends_advert_every_interval() -> None:
    fsm = VrrpFsm(seed_b())
    fsm.handle(Startup(), now=0.0)
    t = fsm.timers[MASTER_DOWN_TIMER]
    fsm.handle(TimerFired(MASTER_DOWN_TIMER), now=t)
    assert fsm.handle(TimerFired(ADVER_TIMER), now=t + 1) == [
        SendAdvert(99), SetTimer(ADVER_TIMER, t + 2)]


def test_owner_with_state_master_is_master_at_once() -> None:
    # keepalived 2.2.7 logs "(A) Entering MASTER STATE" with no BACKUP state before it
    fsm = VrrpFsm(seed_a(priority=255, initial_state=State.MASTER, nopreempt=False))
    actions = fsm.handle(Startup(), now=0.0)
    assert fsm.state is State.MASTER
    assert AddVips() in actions and SendAdvert(255) in actions
    assert RunNotify(State.BACKUP, 255) not in actions
    assert not any("BACKUP" in m for m in logs(actions))


def test_owner_in_a_sync_group_waits_one_interval_plus_skew() -> None:
    fsm = VrrpFsm(seed_a(priority=255, initial_state=State.MASTER, nopreempt=False,
                         sync_group="G"))
    actions = fsm.handle(Startup(), now=0.0)
    assert SetTimer(MASTER_DOWN_TIMER, 1.0 + 1 / 256) in actions


def test_state_master_below_255_waits_like_backup_and_clears_nopreempt() -> None:
    fsm = VrrpFsm(seed_a(initial_state=State.MASTER))
    actions = fsm.handle(Startup(), now=0.0)
    assert SetTimer(MASTER_DOWN_TIMER, down_a()) in actions
    assert any("nopreempt will not work" in m for m in logs(actions))
    assert fsm.params.preempt


def test_stale_or_early_timer_is_ignored() -> None:
    fsm = VrrpFsm(seed_a())
    fsm.handle(Startup(), now=0.0)
    assert fsm.handle(TimerFired(MASTER_DOWN_TIMER), now=1.0) == []
    assert fsm.handle(TimerFired(ADVER_TIMER), now=100.0) == []
    assert fsm.state is State.BACKUP


def test_unknown_transition_raises() -> None:
    fsm = VrrpFsm(seed_a())
    fsm.handle(Startup(), now=0.0)
    with pytest.raises(FsmError):
        fsm.handle(Startup(), now=1.0)


# --------------------------------------------------------------------------- adverts


def test_backup_hearing_higher_priority_resets_down_timer() -> None:
    fsm = VrrpFsm(seed_b())
    fsm.handle(Startup(), now=0.0)
    actions = fsm.handle(AdvertReceived(A_IP, 100, 1.0), now=2.0)
    assert actions == [SetTimer(MASTER_DOWN_TIMER, 2.0 + 3 + (256 - 99) / 256)]


def test_backup_with_preempt_ignores_lower_priority_and_takes_over() -> None:
    fsm = VrrpFsm(seed_a(nopreempt=False))
    fsm.handle(Startup(), now=0.0)
    actions = fsm.handle(AdvertReceived(B_IP, 99, 1.0), now=1.0)
    assert no_logs(actions) == []
    assert logs(actions) == [
        "(VI_1) received lower priority (99) advert from 10.1.10.185 - discarding"]
    fsm.handle(TimerFired(MASTER_DOWN_TIMER), now=down_a())
    assert fsm.state is State.MASTER


def test_backup_with_nopreempt_stays_behind_lower_priority_master() -> None:
    fsm = VrrpFsm(seed_a())
    fsm.handle(Startup(), now=0.0)
    actions = fsm.handle(AdvertReceived(B_IP, 99, 1.0), now=1.0)
    assert actions == [SetTimer(MASTER_DOWN_TIMER, 1.0 + down_a())]


def test_preempt_delay_holds_back_preemption() -> None:
    fsm = VrrpFsm(seed_a(nopreempt=False, preempt_delay=10.0))
    fsm.handle(Startup(), now=0.0)
    # Within 10 s of start-up a lower-priority master is still obeyed.
    for t in range(1, 10):
        assert fsm.handle(AdvertReceived(B_IP, 99, 1.0), now=float(t)) == [
            SetTimer(MASTER_DOWN_TIMER, t + down_a())]
    # After it, its adverts are discarded and the down timer runs out.
    assert no_logs(fsm.handle(AdvertReceived(B_IP, 99, 1.0), now=10.5)) == []
    fsm.handle(TimerFired(MASTER_DOWN_TIMER), now=9.0 + down_a())
    assert fsm.state is State.MASTER


def _master(params: InstanceParams) -> tuple[VrrpFsm, float]:
    fsm = VrrpFsm(params)
    fsm.handle(Startup(), now=0.0)
    t = fsm.timers[MASTER_DOWN_TIMER]
    fsm.handle(TimerFired(MASTER_DOWN_TIMER), now=t)
    assert fsm.state is State.MASTER
    return fsm, t


def test_master_hearing_higher_priority_steps_down_and_removes_vips() -> None:
    fsm, t = _master(seed_b())
    actions = fsm.handle(AdvertReceived(A_IP, 100, 1.0), now=t + 0.5)
    assert fsm.state is State.BACKUP
    assert logs(actions) == [
        "(VI_1) Master received advert from 10.1.10.117 with higher priority 100, ours 99",
        "(VI_1) Entering BACKUP STATE", "(VI_1) removing VIPs."]
    assert no_logs(actions) == [SetTimer(ADVER_TIMER, None), RemoveVips(),
                                RunNotify(State.BACKUP, 99),
                                SetTimer(MASTER_DOWN_TIMER, t + 0.5 + 3 + (256 - 99) / 256)]


def test_master_hearing_lower_priority_forces_election() -> None:
    fsm, t = _master(seed_a())
    actions = fsm.handle(AdvertReceived(B_IP, 99, 1.0), now=t + 0.5)
    assert fsm.state is State.MASTER
    assert logs(actions) == ["(VI_1) Received advert from 10.1.10.185 with lower priority 99, "
                             "ours 100, forcing new election"]
    # keepalived's defaults: garp_lower_prio_repeat 5 now and garp_lower_prio_delay 5 s later.
    assert no_logs(actions) == [SendAdvert(100), SetTimer(ADVER_TIMER, t + 1.5),
                                SendGarp(5, 0.0, lower_prio=True),
                                SendGarp(5, 5.0, lower_prio=True),
                                RunLowerPriorityNotify(100)]


def test_ah_master_hearing_lower_priority_numbers_past_it_before_answering() -> None:
    """auth_type AH: keepalived syncs its sequence counter to the advert, then answers."""
    fsm, t = _master(seed_a())
    actions = fsm.handle(AdvertReceived(B_IP, 99, 1.0, ah_seq=41), now=t + 0.5)
    assert logs(actions)[1] == "(VI_1) IPSEC-AH : Syncing seq_num - Increment seq"
    assert no_logs(actions)[:2] == [SyncAhSeq(41), SendAdvert(100)]


@pytest.mark.parametrize(("peer", "expected"), [
    (V4("10.1.10.200"), State.BACKUP),   # higher primary IP wins the tie
    (V4("10.1.10.100"), State.MASTER),
])
def test_equal_priority_tie_broken_by_primary_ip(peer: V4, expected: State) -> None:
    fsm, t = _master(seed_b(priority=100, primary_ip=V4("10.1.10.185")))
    fsm.handle(AdvertReceived(peer, 100, 1.0), now=t + 0.1)
    assert fsm.state is expected


def test_priority_zero_lets_backup_take_over_after_skew() -> None:
    fsm = VrrpFsm(seed_b())
    fsm.handle(Startup(), now=0.0)
    fsm.handle(AdvertReceived(A_IP, 100, 1.0), now=1.0)
    actions = fsm.handle(AdvertReceived(A_IP, 0, 1.0), now=2.0)
    skew = (256 - 99) / 256
    assert logs(actions) == ["(VI_1) Backup received priority 0 advertisement"]
    assert no_logs(actions) == [SetTimer(MASTER_DOWN_TIMER, 2.0 + skew)]
    fsm.handle(TimerFired(MASTER_DOWN_TIMER), now=2.0 + skew)
    assert fsm.state is State.MASTER


def test_shutdown_of_master_sends_priority_zero_and_removes_vips() -> None:
    fsm, t = _master(seed_a())
    actions = fsm.handle(Shutdown(), now=t + 0.3)
    assert fsm.state is State.STOP
    assert no_logs(actions) == [SendAdvert(0), RemoveVips(), SetTimer(ADVER_TIMER, None),
                                RunNotify(State.STOP, 100)]
    assert "(VI_1) removing VIPs." in logs(actions)


def test_shutdown_of_backup_only_cancels_and_notifies() -> None:
    fsm = VrrpFsm(seed_b())
    fsm.handle(Startup(), now=0.0)
    assert fsm.handle(Shutdown(), now=1.0) == [SetTimer(MASTER_DOWN_TIMER, None),
                                                RunNotify(State.STOP, 99)]


# --------------------------------------------------------------------------- VRRPv3


def test_v3_backup_adopts_master_interval_and_scales_skew() -> None:
    fsm = VrrpFsm(seed_b(version=3, advert_int=1.0))
    fsm.handle(Startup(), now=0.0)
    actions = fsm.handle(AdvertReceived(A_IP, 100, 2.0), now=1.0)
    skew = ((256 - 99) * 2.0) / 256
    assert actions == [SetTimer(MASTER_DOWN_TIMER, 1.0 + 3 * 2.0 + skew)]


# --------------------------------------------------------------------------- tracking


def test_weight_zero_tracker_down_means_fault_and_recovery_means_backup() -> None:
    fsm, t = _master(seed_a(trackers=(Tracker("if:eth0"),)))
    actions = fsm.handle(TrackUpdate("if:eth0", up=False), now=t + 1)
    assert fsm.state is State.FAULT
    assert logs(actions)[0] == "(VI_1) Entering FAULT STATE"
    # a fault of its own: priority 0 twice, as keepalived (leaving MASTER, then
    # restoring the interface, the one counted and logged)
    assert no_logs(actions) == [SendAdvert(0, counted=False), SendAdvert(0), RemoveVips(),
                                SetTimer(ADVER_TIMER, None), RunNotify(State.FAULT, 100)]
    assert logs(actions).count("(VI_1) sent 0 priority") == 1
    assert fsm.handle(AdvertReceived(B_IP, 99, 1.0), now=t + 2) == []
    actions = fsm.handle(TrackUpdate("if:eth0", up=True), now=t + 3)
    assert fsm.state is State.BACKUP
    assert SetTimer(MASTER_DOWN_TIMER, t + 3 + down_a()) in actions


def test_fault_at_startup_when_tracker_already_down() -> None:
    fsm = VrrpFsm(seed_a(trackers=(Tracker("chk"),)))
    fsm.handle(TrackUpdate("chk", up=False), now=0.0)
    fsm.handle(Startup(), now=0.0)
    assert fsm.state is State.FAULT


def test_weights_move_effective_priority() -> None:
    params = seed_b(trackers=(Tracker("chk_up", weight=5), Tracker("chk_down", weight=-20),
                              Tracker("rev", weight=-10, reverse=True)))
    fsm = VrrpFsm(params)
    # keepalived: reverse negates the adjustment; weight -10 applies only while down.
    assert fsm.effective_priority == 99 + 5
    fsm.handle(Startup(), now=0.0)
    actions = fsm.handle(TrackUpdate("chk_down", up=False), now=1.0)
    assert logs(actions) == ["(VI_1) Changing effective priority from 104 to 84"]
    assert fsm.effective_priority == 84
    fsm.handle(TrackUpdate("rev", up=False), now=2.0)
    assert fsm.effective_priority == 84 + 10  # weight -10 reverse while down: +10


def test_master_losing_priority_keeps_its_advert_rhythm() -> None:
    """keepalived (vrrp_set_effective_priority, and on the wire): no advert at once; the
    next one, at the usual time, carries the new priority."""
    fsm, t = _master(seed_a(trackers=(Tracker("chk", weight=-50),)))
    actions = fsm.handle(TrackUpdate("chk", up=False), now=t + 0.2)
    assert no_logs(actions) == []
    assert fsm.timers[ADVER_TIMER] == t + 1.0
    sent = fsm.handle(TimerFired(ADVER_TIMER), now=t + 1.0)
    assert SendAdvert(50) in sent


def test_effective_priority_is_clamped_and_owner_is_fixed() -> None:
    assert VrrpFsm(seed_b(priority=250, trackers=(Tracker("x", 10),))).effective_priority == 254
    low = VrrpFsm(seed_b(priority=5, trackers=(Tracker("x", -10),)))
    low.track_up["x"] = False
    assert low.effective_priority == 1
    assert VrrpFsm(seed_b(priority=255, trackers=(Tracker("x", -10),))).effective_priority == 255


def test_reverse_weight_zero_means_fault_while_up() -> None:
    fsm = VrrpFsm(seed_b(trackers=(Tracker("script:chk", reverse=True),)))
    fsm.handle(TrackUpdate("script:chk", up=True), now=0.0)
    fsm.handle(Startup(), now=0.0)
    assert fsm.state is State.FAULT
    fsm.handle(TrackUpdate("script:chk", up=False), now=1.0)
    assert fsm.state is State.BACKUP


# --------------------------------------------------------------------------- scripts


def _script(weight: int = 0, init_fail: bool = False, reverse: bool = False) -> Tracker:
    return Tracker("script:chk", weight, reverse, initial=False if init_fail else None)


def test_weight_zero_script_not_run_yet_holds_instance_in_silent_fault() -> None:
    fsm = VrrpFsm(seed_b(trackers=(_script(),)))
    actions = fsm.handle(Startup(), now=0.0)
    assert fsm.state is State.FAULT and fsm.pending
    assert "(VI_1) Entering FAULT STATE (init)" in logs(actions)
    # keepalived runs no notify for this "init" FAULT and arms no timer.
    assert no_logs(actions) == [RemoveVips()]
    actions = fsm.handle(TrackUpdate("script:chk", up=True), now=0.2)
    assert fsm.state is State.BACKUP
    assert RunNotify(State.BACKUP, 99) in actions
    assert SetTimer(MASTER_DOWN_TIMER, 0.2 + 3 + (256 - 99) / 256) in actions


def test_weight_zero_script_whose_first_run_fails_notifies_fault() -> None:
    fsm = VrrpFsm(seed_b(trackers=(_script(),)))
    fsm.handle(Startup(), now=0.0)
    actions = fsm.handle(TrackUpdate("script:chk", up=False), now=0.2)
    assert fsm.state is State.FAULT
    assert actions == [RunNotify(State.FAULT, 99)]
    # Recovery later is the ordinary FAULT -> BACKUP.
    actions = fsm.handle(TrackUpdate("script:chk", up=True), now=5.0)
    assert fsm.state is State.BACKUP
    assert "(VI_1) Leaving FAULT state" in logs(actions)


def test_init_fail_script_is_a_fault_from_the_start() -> None:
    fsm = VrrpFsm(seed_b(trackers=(_script(init_fail=True),)))
    actions = fsm.handle(Startup(), now=0.0)
    assert fsm.state is State.FAULT
    assert RunNotify(State.FAULT, 99) in actions


def test_weighted_script_unknown_adjusts_nothing_and_init_fail_logs_the_change() -> None:
    assert VrrpFsm(seed_b(trackers=(_script(-20),))).effective_priority == 99
    assert VrrpFsm(seed_b(trackers=(_script(20),))).effective_priority == 99
    fsm = VrrpFsm(seed_a(trackers=(_script(-20, init_fail=True),)))
    actions = fsm.handle(Startup(), now=0.0)
    assert fsm.state is State.BACKUP
    assert "(VI_1) Changing effective priority from 100 to 80" in logs(actions)


def test_master_failing_weighted_script_and_recovering() -> None:
    fsm, t = _master(seed_a(trackers=(_script(-30),)))
    fsm.handle(TrackUpdate("script:chk", up=True), now=t + 0.1)
    actions = fsm.handle(TrackUpdate("script:chk", up=False), now=t + 0.5)
    assert fsm.state is State.MASTER
    assert logs(actions) == ["(VI_1) Changing effective priority from 100 to 70"]
    assert no_logs(actions) == []  # the next advert (at its usual time) says 70
    actions = fsm.handle(TrackUpdate("script:chk", up=True), now=t + 2)
    assert logs(actions) == ["(VI_1) Changing effective priority from 70 to 100"]


def test_backup_priority_change_moves_its_down_timer_by_the_skew() -> None:
    fsm = VrrpFsm(seed_b(trackers=(_script(-50),)))
    fsm.handle(TrackUpdate("script:chk", up=True), now=0.0)
    fsm.handle(Startup(), now=0.0)
    before = fsm.timers[MASTER_DOWN_TIMER]
    actions = fsm.handle(TrackUpdate("script:chk", up=False), now=1.0)
    # Priority 99 -> 49: the skew grows by 50/256 s.
    assert SetTimer(MASTER_DOWN_TIMER, before + 50 / 256) in actions


# --------------------------------------------------------------------------- files


def _file(weight: int = 1, reverse: bool = False) -> Tracker:
    return Tracker("file:tf", weight, reverse, TrackKind.VALUE)


@pytest.mark.parametrize(("weight", "reverse", "value", "expected"), [
    (1, False, 0, 99), (1, False, 10, 109), (-1, False, 50, 49), (5, False, -4, 79),
    (-2, True, 10, 119), (10, False, 100, 254),  # 1000 clamped to 253, then to 254
    (1, False, -253, 1),
])
def test_file_value_times_weight(weight: int, reverse: bool, value: int, expected: int) -> None:
    fsm = VrrpFsm(seed_b(trackers=(_file(weight, reverse),)))
    fsm.handle(TrackUpdate("file:tf", value=value), now=0.0)
    assert fsm.effective_priority == expected and not fsm.faulty


def test_file_status_minus_254_is_a_fault() -> None:
    fsm = VrrpFsm(seed_b(trackers=(_file(-1),)))
    fsm.handle(Startup(), now=0.0)
    fsm.handle(TrackUpdate("file:tf", value=254), now=1.0)
    assert fsm.state is State.FAULT
    fsm.handle(TrackUpdate("file:tf", value=10), now=2.0)
    assert fsm.state is State.BACKUP and fsm.effective_priority == 89


def test_unweighted_file_non_zero_means_fault_and_reverse_zero() -> None:
    fsm = VrrpFsm(seed_b(trackers=(_file(0),)))
    fsm.handle(Startup(), now=0.0)
    assert fsm.state is State.BACKUP
    fsm.handle(TrackUpdate("file:tf", value=3), now=1.0)
    assert fsm.state is State.FAULT
    rev = VrrpFsm(seed_b(trackers=(_file(0, reverse=True),)))
    rev.handle(Startup(), now=0.0)
    assert rev.state is State.FAULT  # the file reads 0 (or is missing)
    rev.handle(TrackUpdate("file:tf", value=1), now=1.0)
    assert rev.state is State.BACKUP


# --------------------------------------------------------------------------- GARP


def test_garp_refresh_while_master() -> None:
    fsm, t = _master(seed_a(garp_refresh=10.0, garp_refresh_repeat=2))
    assert fsm.timers[GARP_REFRESH_TIMER] == t + 10.0
    actions = fsm.handle(TimerFired(GARP_REFRESH_TIMER), now=t + 10.0)
    assert actions == [SendGarp(2, 0.0), SetTimer(GARP_REFRESH_TIMER, t + 20.0)]
    actions = fsm.handle(AdvertReceived(B_IP, 200, 1.0), now=t + 11)
    assert SetTimer(GARP_REFRESH_TIMER, None) in actions
    assert GARP_REFRESH_TIMER not in fsm.timers


def test_garp_master_delay_zero_sends_no_second_burst() -> None:
    fsm = VrrpFsm(seed_a(garp_master_delay=0.0, garp_master_repeat=1))
    fsm.handle(Startup(), now=0.0)
    actions = fsm.handle(TimerFired(MASTER_DOWN_TIMER), now=down_a())
    assert [a for a in actions if isinstance(a, SendGarp)] == [SendGarp(1, 0.0)]


def test_lower_priority_garps_and_no_advert() -> None:
    fsm, t = _master(seed_a(garp_lower_prio_repeat=0, lower_prio_no_advert=True))
    actions = fsm.handle(AdvertReceived(B_IP, 99, 1.0), now=t + 0.5)
    assert no_logs(actions) == [RunLowerPriorityNotify(100)]  # notify_master_rx_lower_pri
    assert logs(actions) == ["(VI_1) Received advert from 10.1.10.185 with lower priority 99, "
                             "ours 100"]
    fsm, t = _master(seed_a(garp_lower_prio_repeat=2, garp_lower_prio_delay=0.0))
    actions = fsm.handle(AdvertReceived(B_IP, 99, 1.0), now=t + 0.5)
    assert [a for a in actions if isinstance(a, SendGarp)] == [SendGarp(2, 0.0, lower_prio=True)]


# --------------------------------------------------------------------------- two nodes


@dataclass
class Lan:
    """Discrete-event simulation of VRRP machines on one segment; adverts are instant."""

    nodes: dict[str, VrrpFsm]
    now: float = 0.0
    link_up: dict[str, bool] = field(default_factory=dict)
    vips: set[str] = field(default_factory=set)
    queue: list[tuple[float, int, str, str]] = field(default_factory=list)
    seq: int = 0

    def run(self, name: str, actions: list[Action]) -> None:
        for act in actions:
            if isinstance(act, SetTimer) and act.at is not None:
                self.seq += 1
                heapq.heappush(self.queue, (act.at, self.seq, name, act.name))
            elif isinstance(act, AddVips):
                self.vips.add(name)
            elif isinstance(act, RemoveVips):
                self.vips.discard(name)
            elif isinstance(act, SendAdvert) and self.link_up.get(name, True):
                src = self.nodes[name].params.primary_ip
                for other, fsm in self.nodes.items():
                    if other != name and self.link_up.get(other, True):
                        self.run(other, fsm.handle(AdvertReceived(src, act.priority, 1.0),
                                                   self.now))

    def start(self, name: str) -> None:
        self.run(name, self.nodes[name].handle(Startup(), self.now))

    def advance(self, until: float) -> None:
        while self.queue and self.queue[0][0] <= until:
            at, _, name, timer = heapq.heappop(self.queue)
            self.now = at
            self.run(name, self.nodes[name].handle(TimerFired(timer), at))
        self.now = until

    def set_link(self, name: str, up: bool) -> None:
        self.link_up[name] = up
        self.run(name, self.nodes[name].handle(TrackUpdate("if:eth0", up), self.now))


def test_seed_scenario_failover_and_nopreempt() -> None:
    track = (Tracker("if:eth0"),)
    lan = Lan({"A": VrrpFsm(seed_a(trackers=track)), "B": VrrpFsm(seed_b(trackers=track))})
    a, b = lan.nodes["A"], lan.nodes["B"]
    lan.start("A")
    lan.advance(5.0)
    assert (a.state, lan.vips) == (State.MASTER, {"A"})
    lan.start("B")
    lan.advance(20.0)
    assert (a.state, b.state, lan.vips) == (State.MASTER, State.BACKUP, {"A"})
    # A loses its link: FAULT, VIP removed; B takes over after the master-down interval.
    lan.set_link("A", False)
    assert a.state is State.FAULT and lan.vips == set()
    # B heard A's last advert less than one interval before 20.0.
    lan.advance(20.0 + 2 + (256 - 99) / 256)
    assert b.state is State.BACKUP
    lan.advance(25.0)
    assert (b.state, lan.vips) == (State.MASTER, {"B"})
    # A comes back with nopreempt: it hears B (lower priority) and stays BACKUP.
    lan.set_link("A", True)
    lan.advance(60.0)
    assert (a.state, b.state, lan.vips) == (State.BACKUP, State.MASTER, {"B"})


def test_preempt_variant_returns_vip_to_higher_priority() -> None:
    track = (Tracker("if:eth0"),)
    lan = Lan({"A": VrrpFsm(seed_a(nopreempt=False, trackers=track)),
               "B": VrrpFsm(seed_b(trackers=track))})
    lan.start("A")
    lan.advance(5.0)
    lan.start("B")
    lan.set_link("A", False)
    lan.advance(10.0)
    assert lan.vips == {"B"}
    lan.set_link("A", True)
    lan.advance(20.0)
    assert (lan.nodes["A"].state, lan.nodes["B"].state, lan.vips) == (
        State.MASTER, State.BACKUP, {"A"})


def test_clean_stop_of_master_hands_over_after_skew() -> None:
    lan = Lan({"A": VrrpFsm(seed_a()), "B": VrrpFsm(seed_b())})
    lan.start("A")
    lan.advance(5.0)
    lan.start("B")
    lan.advance(6.0)
    lan.run("A", lan.nodes["A"].handle(Shutdown(), lan.now))
    lan.advance(6.0 + (256 - 99) / 256 + 0.001)
    assert (lan.nodes["B"].state, lan.vips) == (State.MASTER, {"B"})


def test_resumed_master_keeps_role_without_notify() -> None:
    fsm = VrrpFsm(seed_a())
    actions = fsm.handle(Startup(resume_master=True), now=3.0)
    assert fsm.state is State.MASTER
    assert no_logs(actions) == [AddVips(), SendAdvert(100), SendGarp(5, 0.0),
                                SetTimer(ADVER_TIMER, 4.0)]


def test_failing_script_on_master_lets_backup_preempt_and_recovery_takes_it_back() -> None:
    track = (Tracker("if:eth0"), _script(-30))
    lan = Lan({"A": VrrpFsm(seed_a(nopreempt=False, trackers=track)),
               "B": VrrpFsm(seed_b(trackers=track))})
    for name in ("A", "B"):
        lan.nodes[name].handle(TrackUpdate("script:chk", up=True), lan.now)
    lan.start("A")
    lan.advance(5.0)
    lan.start("B")
    lan.advance(10.0)
    assert lan.vips == {"A"}
    # A's check fails: 100 - 30 = 70 < 99, B discards A's adverts and takes over.
    lan.run("A", lan.nodes["A"].handle(TrackUpdate("script:chk", up=False), lan.now))
    lan.advance(15.0)
    assert (lan.nodes["A"].state, lan.nodes["B"].state, lan.vips) == (
        State.BACKUP, State.MASTER, {"B"})
    # Back to 100 > 99: A preempts after its master-down interval.
    lan.run("A", lan.nodes["A"].handle(TrackUpdate("script:chk", up=True), lan.now))
    lan.advance(25.0)
    assert (lan.nodes["A"].state, lan.nodes["B"].state, lan.vips) == (
        State.MASTER, State.BACKUP, {"A"})


# --------------------------------------------------------------------------- fast path


def _backup_after(params: InstanceParams, *adverts: AdvertReceived) -> VrrpFsm:
    fsm = VrrpFsm(params)
    fsm.handle(Startup(), now=0.0)
    for k, ev in enumerate(adverts):
        fsm.handle(ev, now=1.0 + k)
    return fsm


@pytest.mark.parametrize("params", [
    seed_b(), seed_b(nopreempt=True), seed_b(preempt_delay=30.0), seed_a(),
    seed_b(version=3, advert_int=0.5), seed_b(priority=200),
])
@pytest.mark.parametrize("priority", [0, 50, 99, 100, 250])
@pytest.mark.parametrize("interval", [1.0, 0.5])
@pytest.mark.parametrize("state", ["backup", "master", "fault"])
def test_fast_advert_received_agrees_with_handle(params: InstanceParams, priority: int,
                                                 interval: float, state: str) -> None:
    """The fast path does exactly what handle() does, or nothing at all."""
    if state == "backup":
        fsm = _backup_after(params, AdvertReceived(A_IP, 150, params.advert_int))
    elif state == "master":
        fsm, _ = _master(params)
    else:
        fsm = VrrpFsm(replace_trackers(params))
        fsm.handle(Startup(), now=0.0)
        fsm.handle(TrackUpdate("if:eth0", False), now=1.0)
        assert fsm.state is State.FAULT
    ev, now = AdvertReceived(A_IP, priority, interval), 20.25
    fast, slow = copy.deepcopy(fsm), copy.deepcopy(fsm)
    act = fast.fast_advert_received(ev, now)
    expected = slow.handle(ev, now)
    if act is None:
        assert fast == fsm  # untouched: the caller falls back to handle()
    else:
        assert [act] == expected and fast == slow
        assert act == SetTimer(MASTER_DOWN_TIMER, now + fsm.master_down_interval())



def replace_trackers(params: InstanceParams) -> InstanceParams:
    return dataclasses.replace(params, trackers=(Tracker("if:eth0"),))


def test_fast_advert_received_is_the_usual_case_of_a_backup() -> None:
    fsm = _backup_after(seed_b(), AdvertReceived(A_IP, 100, 1.0))
    assert fsm.fast_advert_received(AdvertReceived(A_IP, 100, 1.0), 3.5) == SetTimer(
        MASTER_DOWN_TIMER, 3.5 + 3 + (256 - 99) / 256)
    # A lower-priority master with preempt: handle() decides (the timer must run out).
    assert fsm.fast_advert_received(AdvertReceived(A_IP, 98, 1.0), 4.0) is None
    assert fsm.timers[MASTER_DOWN_TIMER] == 3.5 + 3 + (256 - 99) / 256


@pytest.mark.parametrize("params", [seed_a(), seed_b(version=3, advert_int=0.5),
                                    seed_b(garp_refresh=10.0)])
@pytest.mark.parametrize("offset", [-0.5, -0.001, 0.0, 0.3])
@pytest.mark.parametrize("state", ["backup", "master", "master-cancelled"])
def test_fast_advert_timer_fired_agrees_with_handle(params: InstanceParams, offset: float,
                                                    state: str) -> None:
    """A master's advert timer: the fast path does what handle() does, or nothing."""
    if state == "backup":
        fsm = _backup_after(params, AdvertReceived(A_IP, 150, params.advert_int))
        due = 5.0
    else:
        fsm, t = _master(params)
        due = fsm.timers[ADVER_TIMER]
        if state == "master-cancelled":
            del fsm.timers[ADVER_TIMER]
    now = due + offset
    fast, slow = copy.deepcopy(fsm), copy.deepcopy(fsm)
    acts = fast.fast_advert_timer_fired(now)
    expected = slow.handle(TimerFired(ADVER_TIMER), now)
    if acts is None:
        assert fast == fsm
        assert state != "master" or offset < -0.002
    else:
        assert list(acts) == expected and fast == slow
        assert acts == (SendAdvert(fsm.effective_priority),
                        SetTimer(ADVER_TIMER, now + params.advert_int))


def test_startup_delay_pushes_master_down_timers_not_the_start() -> None:
    """vrrp_startup_delay (keepalived's vrrp_delayed_start_time): the instance enters
    BACKUP at once; every master-down timer armed before the delay ends counts from its
    end; once past, timers count from now again. An owner becomes MASTER at once."""
    fsm = VrrpFsm(seed_b(), delayed_start=5.0)
    down = fsm.master_down_interval()
    actions = fsm.handle(Startup(), now=0.0)
    assert fsm.state is State.BACKUP
    assert SetTimer(MASTER_DOWN_TIMER, 5.0 + down) in actions
    # an advert from a higher-priority master during the delay: still from the end
    (timer,) = [a for a in fsm.handle(AdvertReceived(priority=200, advert_int=1.0,
                                                     src=A_IP), now=2.0)
                if isinstance(a, SetTimer)]
    assert timer == SetTimer(MASTER_DOWN_TIMER, 5.0 + down)
    # after the delay: from now
    assert fsm.fast_advert_received(AdvertReceived(priority=200, advert_int=1.0, src=A_IP),
                                    now=6.0) == SetTimer(MASTER_DOWN_TIMER, 6.0 + down)
    owner = VrrpFsm(seed_b(priority=255, initial_state=State.MASTER), delayed_start=5.0)
    owner.handle(Startup(), now=0.0)
    assert owner.state is State.MASTER
