"""kaconfd.vrrp.sync: vrrp_sync_group members moving together, on a fake clock.

:class:`GroupLan` wires one :class:`SyncGroupFsm` per node (members VI_1 / VI_2, the
same VRIDs on every node) through a discrete-event simulator: timers on a heap, adverts
delivered at once to the same instance on every other node whose link is up.
"""

from __future__ import annotations

import copy
import heapq
import ipaddress
from dataclasses import dataclass, field

import pytest
from kaconfd.vrrp.fsm import (
    AddVips,
    AdvertReceived,
    Event,
    InstanceParams,
    Log,
    RemoveVips,
    RequestMaster,
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
from kaconfd.vrrp.sync import RunGroupNotify, SyncGroupFsm, Tagged

V4 = ipaddress.IPv4Address
ADDR = {"A": V4("10.1.10.117"), "B": V4("10.1.10.185")}
MEMBERS = ("VI_1", "VI_2")


def group(node: str, prio: int, trackers: tuple[Tracker, ...] = (), **kw: object) -> SyncGroupFsm:
    fsms = {}
    for vrid, name in enumerate(MEMBERS, start=1):
        params = InstanceParams(name=name, vrid=vrid, priority=prio, primary_ip=ADDR[node],
                                trackers=trackers, sync_group="G1", **kw)  # type: ignore[arg-type]
        fsms[name] = VrrpFsm(params)
    return SyncGroupFsm("G1", fsms)


@dataclass
class GroupLan:
    nodes: dict[str, SyncGroupFsm]
    now: float = 0.0
    link_up: dict[str, bool] = field(default_factory=dict)
    vips: set[tuple[str, str]] = field(default_factory=set)
    notifies: list[tuple[str, str | None, State]] = field(default_factory=list)
    logs: list[tuple[str, str]] = field(default_factory=list)
    queue: list[tuple[float, int, str, str, str]] = field(default_factory=list)
    seq: int = 0

    def run(self, node: str, tagged: list[Tagged]) -> None:
        for member, act in tagged:
            if isinstance(act, Log):
                self.logs.append((node, act.message))
            elif isinstance(act, RunGroupNotify):
                self.notifies.append((node, None, act.state))
            elif isinstance(act, RunNotify):
                self.notifies.append((node, member, act.state))
            elif member is None:
                continue
            elif isinstance(act, SetTimer) and act.at is not None:
                self.seq += 1
                heapq.heappush(self.queue, (act.at, self.seq, node, member, act.name))
            elif isinstance(act, AddVips):
                self.vips.add((node, member))
            elif isinstance(act, RemoveVips):
                self.vips.discard((node, member))
            elif isinstance(act, SendAdvert) and self.link_up.get(node, True):
                src = ADDR[node]
                for other, grp in self.nodes.items():
                    if other != node and self.link_up.get(other, True):
                        self.run(other, grp.handle(member, AdvertReceived(
                            src, act.priority, 1.0), self.now))

    def post(self, node: str, member: str, event: Event) -> None:
        self.run(node, self.nodes[node].handle(member, event, self.now))

    def start(self, node: str) -> None:
        for member in MEMBERS:
            self.post(node, member, Startup())

    def advance(self, until: float) -> None:
        while self.queue and self.queue[0][0] <= until:
            at, _, node, member, timer = heapq.heappop(self.queue)
            self.now = at
            self.post(node, member, TimerFired(timer))
        self.now = until

    def states(self, node: str) -> tuple[State, ...]:
        return tuple(f.state for f in self.nodes[node].members.values())

    def messages(self, node: str) -> list[str]:
        return [m for n, m in self.logs if n == node]


CHK = Tracker("script:chk", initial=None)  # weight 0, not run yet: failure means FAULT


def _known(lan: GroupLan, node: str) -> None:
    for member in MEMBERS:
        lan.post(node, member, TrackUpdate("script:chk", up=True))


def test_group_fails_over_and_back_together() -> None:
    lan = GroupLan({"A": group("A", 100, (CHK,)), "B": group("B", 90, (CHK,))})
    _known(lan, "A")
    _known(lan, "B")
    lan.start("A")
    assert lan.notifies == [("A", "VI_1", State.BACKUP), ("A", "VI_2", State.BACKUP),
                            ("A", None, State.BACKUP)]
    lan.advance(5.0)
    assert lan.states("A") == (State.MASTER, State.MASTER)
    # The first member to time out waits for the other: one "Syncing" line, then both.
    msgs = lan.messages("A")
    sync = msgs.index("VRRP_Group(G1) Syncing instances to MASTER state")
    assert msgs[sync - 1].startswith("(VI_2) ") and msgs[sync + 1] == "(VI_1) Entering MASTER STATE"
    assert ("A", None, State.MASTER) in lan.notifies
    lan.start("B")
    lan.advance(10.0)
    assert lan.states("B") == (State.BACKUP, State.BACKUP)

    # VI_1's check fails on A: the whole group goes FAULT and B takes both at once.
    lan.post("A", "VI_1", TrackUpdate("script:chk", up=False))
    assert lan.states("A") == (State.FAULT, State.FAULT)
    assert "VRRP_Group(G1) Syncing instances to FAULT state" in lan.messages("A")
    assert ("A", None, State.FAULT) in lan.notifies
    lan.advance(11.0)  # priority 0 from both: B takes over after its skew time
    assert lan.states("B") == (State.MASTER, State.MASTER)
    assert lan.vips == {("B", "VI_1"), ("B", "VI_2")}

    # Recovery: A's group back to BACKUP, then A (100 > 90) preempts both.
    lan.post("A", "VI_1", TrackUpdate("script:chk", up=True))
    assert lan.states("A") == (State.BACKUP, State.BACKUP)
    assert "VRRP_Group(G1) Syncing instances to BACKUP state" in lan.messages("A")
    lan.advance(20.0)
    assert lan.states("A") == (State.MASTER, State.MASTER)
    assert lan.states("B") == (State.BACKUP, State.BACKUP)
    assert lan.vips == {("A", "VI_1"), ("A", "VI_2")}


def test_member_does_not_go_master_alone() -> None:
    grp = group("B", 90)
    for member in MEMBERS:
        grp.handle(member, Startup(), 0.0)
    t = 0.0
    # VI_2 keeps hearing a master; VI_1 hears nothing: VI_1 times out again and again.
    for _ in range(10):
        t += 1.0
        grp.handle("VI_2", AdvertReceived(ADDR["A"], 100, 1.0), t)
        deadline = grp.members["VI_1"].timers["master_down"]
        if deadline <= t:
            tagged = grp.handle("VI_1", TimerFired("master_down"), deadline)
            assert not any(isinstance(a, RequestMaster) for _, a in tagged)
    assert [f.state for f in grp.members.values()] == [State.BACKUP, State.BACKUP]
    assert grp.members["VI_1"].want_master and not grp.members["VI_2"].want_master


def test_fault_at_start_puts_every_member_in_fault() -> None:
    grp = group("A", 100, (CHK,))
    grp.handle("VI_2", TrackUpdate("script:chk", up=True), 0.0)
    grp.handle("VI_1", TrackUpdate("script:chk", up=False), 0.0)
    out = grp.handle("VI_1", Startup(), 0.0) + grp.handle("VI_2", Startup(), 0.0)
    assert [f.state for f in grp.members.values()] == [State.FAULT, State.FAULT]
    assert grp.state is State.FAULT
    notifies = [(m, a.state) for m, a in out if isinstance(a, RunNotify | RunGroupNotify)]
    assert notifies == [("VI_1", State.FAULT), ("VI_2", State.FAULT), (None, State.FAULT)]
    # Not a transition of a running group: no "Syncing" line at start-up.
    assert not any(isinstance(a, Log) and "Syncing" in a.message for _, a in out)


def test_pending_script_holds_group_silently_until_first_result() -> None:
    grp = group("A", 100, (CHK,))
    out = grp.handle("VI_1", Startup(), 0.0) + grp.handle("VI_2", Startup(), 0.0)
    assert [f.state for f in grp.members.values()] == [State.FAULT, State.FAULT]
    assert grp.state is State.INIT
    assert not any(isinstance(a, RunNotify | RunGroupNotify) for _, a in out)
    grp.handle("VI_1", TrackUpdate("script:chk", up=True), 0.1)
    assert grp.state is State.INIT  # VI_2 has not had its result yet
    out = grp.handle("VI_2", TrackUpdate("script:chk", up=True), 0.1)
    assert [f.state for f in grp.members.values()] == [State.BACKUP, State.BACKUP]
    assert (None, Log("VRRP_Group(G1) Syncing instances to BACKUP state")) in out
    assert out[-1] == (None, RunGroupNotify(State.BACKUP))


def test_master_stepping_down_takes_the_group_along() -> None:
    grp = group("A", 100)
    for member in MEMBERS:
        grp.handle(member, Startup(), 0.0)
    for member in MEMBERS:
        grp.handle(member, TimerFired("master_down"), 4.0)
    assert grp.state is State.MASTER
    out = grp.handle("VI_1", AdvertReceived(ADDR["B"], 200, 1.0), 5.0)
    assert [f.state for f in grp.members.values()] == [State.BACKUP, State.BACKUP]
    assert ("VI_2", RemoveVips()) in out
    assert (None, RunGroupNotify(State.BACKUP)) in out
    # No priority 0 from the member that follows: it only steps down.
    assert ("VI_2", SendAdvert(0)) not in out


def test_lower_priority_garps_cover_the_other_masters() -> None:
    grp = group("A", 100, garp_lower_prio_delay=0.0)
    for member in MEMBERS:
        grp.handle(member, Startup(), 0.0)
    for member in MEMBERS:
        grp.handle(member, TimerFired("master_down"), 4.0)
    out = grp.handle("VI_1", AdvertReceived(ADDR["B"], 50, 1.0), 5.0)
    garps = [(m, a) for m, a in out if isinstance(a, SendGarp)]
    assert garps == [("VI_1", SendGarp(5, 0.0, lower_prio=True)),
                     ("VI_2", SendGarp(5, 0.0, lower_prio=True))]


def test_resumed_members_keep_the_group_master_without_notify() -> None:
    grp = group("A", 100)
    out = (grp.handle("VI_1", Startup(resume_master=True), 0.0)
           + grp.handle("VI_2", Startup(resume_master=True), 0.0))
    assert grp.state is State.MASTER
    assert not any(isinstance(a, RunGroupNotify) for _, a in out)


def test_stop_notifies_the_group_once_every_member_stopped() -> None:
    grp = group("A", 100)
    for member in MEMBERS:
        grp.handle(member, Startup(), 0.0)
    first = grp.handle("VI_1", Shutdown(), 1.0)
    assert not any(isinstance(a, RunGroupNotify) for _, a in first)
    second = grp.handle("VI_2", Shutdown(), 1.0)
    assert second[-1] == (None, RunGroupNotify(State.STOP))


def test_fast_paths_agree_with_handle_through_a_whole_scenario(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every advert of the fail-over scenario: the group's fast path matches handle()."""
    real = SyncGroupFsm.handle
    taken: list[SetTimer] = []

    def checked(self: SyncGroupFsm, member: str, event: Event, now: float) -> list[Tagged]:
        if event == TimerFired("adver"):
            fast = copy.deepcopy(self)
            acts = fast.fast_advert_timer_fired(member, now)
            out = real(self, member, event, now)
            if acts is not None:
                taken.append(acts[1])
                assert out == [(member, a) for a in acts] and fast == self
            return out
        if isinstance(event, AdvertReceived):
            fast = copy.deepcopy(self)
            act = fast.fast_advert_received(member, event, now)
            out = real(self, member, event, now)
            if act is not None:
                taken.append(act)
                assert out == [(member, act)] and fast == self
            return out
        return real(self, member, event, now)

    monkeypatch.setattr(SyncGroupFsm, "handle", checked)
    test_group_fails_over_and_back_together()
    assert taken  # the steady state between the transitions took the fast path


def test_fast_advert_received_not_taken_while_a_member_is_faulty_or_starting() -> None:
    grp = group("B", 90, (CHK,))
    ev = AdvertReceived(ADDR["A"], 100, 1.0)
    assert grp.fast_advert_received("VI_1", ev, 0.0) is None  # INIT
    for member in MEMBERS:
        grp.handle(member, TrackUpdate("script:chk", up=True), 0.0)
        grp.handle(member, Startup(), 0.0)
    assert grp.fast_advert_received("VI_1", ev, 1.0) == SetTimer("master_down",
                                                                 1.0 + 3 + 166 / 256)
    grp.handle("VI_2", TrackUpdate("script:chk", up=False), 1.5)
    assert grp.fast_advert_received("VI_1", ev, 2.0) is None
