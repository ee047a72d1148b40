"""Scenarios for the sans-I/O VRRP state machine (kaconfd.vrrp.fsm), on a fake clock.

Single-instance tests assert the exact actions returned; :class:`Lan` wires several
machines together through a tiny discrete-event simulator (timers on a heap, adverts
delivered instantly to every node whose link is up) to replay the seed scenario.
"""

from __future__ import annotations

import heapq
import ipaddress
from dataclasses import dataclass, field

import pytest
from kaconfd.vrrp.fsm import (
    ADVER_TIMER,
    MASTER_DOWN_TIMER,
    Action,
    AddVips,
    AdvertReceived,
    FsmError,
    InstanceParams,
    Log,
    RemoveVips,
    RunNotify,
    SendAdvert,
    SendGarp,
    SetTimer,
    Shutdown,
    Startup,
    State,
    TimerFired,
    Tracker,
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


def test_owner_with_state_master_waits_one_interval_plus_skew() -> None:
    fsm = VrrpFsm(seed_a(priority=255, initial_state=State.MASTER, nopreempt=False))
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
    assert no_logs(actions) == [SendAdvert(100), SetTimer(ADVER_TIMER, t + 1.5)]


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
    assert no_logs(actions) == [SendAdvert(0), RemoveVips(), SetTimer(ADVER_TIMER, None),
                                RunNotify(State.FAULT, 100)]
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
    assert fsm.effective_priority == 99 + 5 - 10  # "rev" is up, reversed = failing
    fsm.handle(Startup(), now=0.0)
    actions = fsm.handle(TrackUpdate("chk_down", up=False), now=1.0)
    assert logs(actions) == ["(VI_1) Changing effective priority from 94 to 74"]
    assert fsm.effective_priority == 74


def test_master_losing_priority_advertises_it_at_once() -> None:
    fsm, t = _master(seed_a(trackers=(Tracker("chk", weight=-50),)))
    actions = fsm.handle(TrackUpdate("chk", up=False), now=t + 0.2)
    assert no_logs(actions) == [SendAdvert(50), SetTimer(ADVER_TIMER, t + 1.2)]


def test_effective_priority_is_clamped_and_owner_is_fixed() -> None:
    assert VrrpFsm(seed_b(priority=250, trackers=(Tracker("x", 10),))).effective_priority == 254
    low = VrrpFsm(seed_b(priority=5, trackers=(Tracker("x", -10),)))
    low.track_up["x"] = False
    assert low.effective_priority == 1
    assert VrrpFsm(seed_b(priority=255, trackers=(Tracker("x", -10),))).effective_priority == 255


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
