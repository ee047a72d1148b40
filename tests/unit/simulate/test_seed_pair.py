"""The seed pair (examples/serverA.conf, serverB.conf): the seed document's own test.

serverA: priority 100, nopreempt; serverB: priority 99; both state BACKUP, advert_int 1.
Expected times from keepalived's rules (RFC 3768 timers): Master_Down_Interval =
3 x advert_int + Skew_Time, Skew_Time = (256 - priority) / 256; a backup hearing a
priority-0 advert takes over after Skew_Time; the advert delay is the scenario's.
"""

from __future__ import annotations

import json

import pytest
from kaconfd.simulate import Scenario, parse_event, simulate

from tests.support.paths import EXAMPLES

NODES = {"serverA": EXAMPLES / "serverA.conf", "serverB": EXAMPLES / "serverB.conf"}
DELAY = 0.0005
VIP = "10.1.10.240"


def _run(*events: str, duration: float | None = None):
    return simulate(NODES, Scenario(events=tuple(parse_event(e) for e in events),
                                    duration=duration, delay=DELAY))


def test_start_higher_priority_becomes_master_after_its_down_timer() -> None:
    r = _run(duration=10)
    assert [(t.node, t.from_, t.to) for t in r.transitions] == [
        ("serverA", "INIT", "BACKUP"), ("serverB", "INIT", "BACKUP"),
        ("serverA", "BACKUP", "MASTER")]
    assert r.transitions[-1].time == pytest.approx(3 + 156 / 256)
    assert r.transitions[-1].cause == "master_down expired"
    ivs = r.vips[VIP]
    assert [(iv.start, iv.holders) for iv in ivs] == [
        (0.0, ()), (pytest.approx(3 + 156 / 256), ("serverA",))]
    assert ivs[-1].end is None


def test_restart_of_serverA_leaves_the_vip_on_serverB() -> None:
    """The seed's test: serverA restarts, nopreempt keeps the VIP on serverB."""
    r = _run("10 serverA stop", "15 serverA start", duration=30)
    b_master = 10 + DELAY + 157 / 256
    assert [(t.time, t.node, t.to, t.cause) for t in r.transitions[3:]] == [
        (10.0, "serverA", "STOP", "stop"),
        (pytest.approx(b_master), "serverB", "MASTER",
         "priority 0 advert from serverA (master leaving)"),
        (15.0, "serverA", "BACKUP", "start")]
    assert r.holders_at(VIP, 29) == ("serverB",)
    gaps = [a for a in r.anomalies() if a.start >= 10]
    assert [(a.kind, a.start, a.length) for a in gaps] == [
        ("none", 10.0, pytest.approx(DELAY + 157 / 256))]


def test_crash_is_noticed_after_master_down_interval() -> None:
    r = _run("10 serverA crash", duration=20)
    crash = [t for t in r.transitions if t.time >= 10]
    assert (crash[0].node, crash[0].to, crash[0].cause) == ("serverA", "STOP", "crash")
    # the last advert left A at 3.609375 + 6 s (advert timer phase), B's timer restarts
    # at each arrival: takeover 3 s + B's skew after the last one.
    last_advert = 3 + 156 / 256 + 6 + DELAY
    assert crash[1].node == "serverB" and crash[1].to == "MASTER"
    assert crash[1].time == pytest.approx(last_advert + 3 + 157 / 256)
    assert r.holders_at(VIP, 19) == ("serverB",)


def test_json_format_is_the_documented_one() -> None:
    r = _run("10 serverA stop", duration=12)
    data = json.loads(r.to_json())
    assert data["format"] == 1 and data["nodes"] == ["serverA", "serverB"]
    assert data["events"] == [{"time": 10.0, "node": "serverA", "action": "stop", "args": []}]
    assert set(data["transitions"][0]) == {"time", "node", "instance", "from", "to", "cause"}
    assert data["vips"][VIP][0] == {"start": 0.0, "end": pytest.approx(3 + 156 / 256),
                                    "holders": []}
    assert {"vip", "kind", "start", "end", "length", "holders"} == set(data["anomalies"][0])
