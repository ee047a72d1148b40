"""Elections the simulation must get right, with times derived from keepalived's rules.

VRRPv2 timers (RFC 3768, as keepalived 2.2.7 applies them): Skew_Time =
(256 - priority) / 256 s; Master_Down_Interval = 3 x advert_int + Skew_Time. A backup
hearing priority 0 takes over after Skew_Time; a backup that may preempt ignores a
lower-priority master's adverts and lets its down timer run out; a master hearing a
higher priority steps down at once. VRRPv3 (RFC 5798) scales the skew by the master's
advert interval. Adverts arrive DELAY after they are sent.
"""

from __future__ import annotations

import pytest
from kaconfd.simulate import ScenarioError

from .conftest import DELAY, Runner, changes, instance

A = 3 + 106 / 256  # master-down interval of priority 150
B = 3 + 156 / 256  # ... of priority 100
C = 3 + 206 / 256  # ... of priority 50


def test_preempt_returning_higher_priority_takes_back_the_vip(run: Runner) -> None:
    r = run({"A": instance(priority=150), "B": instance(priority=100)},
            "10 A stop", "15 A start", duration=30)
    b_up = 10 + DELAY + 156 / 256
    assert changes(r)[2:] == [
        (pytest.approx(A), "A", "VI_1", "MASTER"),
        (10.0, "A", "VI_1", "STOP"),
        (pytest.approx(b_up), "B", "VI_1", "MASTER"),
        (15.0, "A", "VI_1", "BACKUP"),
        # A ignores B's lower-priority adverts: its down timer runs out
        (pytest.approx(15 + A), "A", "VI_1", "MASTER"),
        (pytest.approx(15 + A + DELAY), "B", "VI_1", "BACKUP"),
    ]
    assert r.transitions[-2].cause == "preempting B (priority 100 < 150)"
    assert r.transitions[-1].cause == "higher priority advert from A (150)"
    holders = [(iv.start, iv.holders) for iv in r.vips["10.0.0.100"]]
    assert holders[-3:] == [(pytest.approx(b_up), ("B",)),
                            (pytest.approx(15 + A), ("A", "B")),
                            (pytest.approx(15 + A + DELAY), ("A",))]
    several = [a for a in r.anomalies() if a.kind == "multiple"]
    assert len(several) == 1 and several[0].length == pytest.approx(DELAY)


def test_preempt_delay_holds_the_takeover(run: Runner) -> None:
    r = run({"A": instance(priority=150, extra="    preempt_delay 5\n"),
             "B": instance(priority=100)}, "10 A stop", "15 A start", duration=30)
    b_up = 10 + DELAY + 156 / 256
    # At start nobody is master: the down timer decides, preempt_delay plays no part.
    assert changes(r, "A")[1] == (pytest.approx(A), "A", "VI_1", "MASTER")
    # After the restart A may preempt from 20 on; B's adverts reset A's timer until then,
    # the last time on arrival of the one B sent at b_up + 9.
    last_reset = b_up + 9 + DELAY
    assert last_reset < 20 < last_reset + 1
    assert changes(r)[-2:] == [(pytest.approx(last_reset + A), "A", "VI_1", "MASTER"),
                               (pytest.approx(last_reset + A + DELAY), "B", "VI_1", "BACKUP")]
    assert "after preempt_delay 5s" in r.transitions[-2].cause


def test_three_nodes_crash_and_return(run: Runner) -> None:
    r = run({"A": instance(priority=150), "B": instance(priority=100),
             "C": instance(priority=50)}, "10 A crash", "20 A start", duration=30)
    last = A + 6 + DELAY  # arrival of A's last advert before the crash
    assert changes(r)[3:] == [
        (pytest.approx(A), "A", "VI_1", "MASTER"),
        (10.0, "A", "VI_1", "STOP"),
        (pytest.approx(last + B), "B", "VI_1", "MASTER"),  # B's skew is shorter than C's
        (20.0, "A", "VI_1", "BACKUP"),
        (pytest.approx(20 + A), "A", "VI_1", "MASTER"),
        (pytest.approx(20 + A + DELAY), "B", "VI_1", "BACKUP"),
    ]
    assert r.transitions[4].cause == "crash"
    assert r.transitions[5].cause == "master_down expired"
    assert r.holders_at("10.0.0.100", 29) == ("A",)
    none = [a for a in r.anomalies() if a.kind == "none" and a.start >= 10]
    assert [(a.start, a.end) for a in none] == [(10.0, pytest.approx(last + B))]


def test_vrrp_v3_fast_adverts(run: Runner) -> None:
    v3 = "    advert_int 0.1\n"
    a = instance(priority=200).replace("    advert_int 1\n", v3)
    b = instance(priority=100).replace("    advert_int 1\n", v3)
    glob = "global_defs {\n    vrrp_version 3\n}\n"
    r = run({"A": glob + a, "B": glob + b}, "2 A stop", duration=4)
    a_up = 0.3 + 56 * 0.1 / 256
    assert changes(r)[2:] == [(pytest.approx(a_up), "A", "VI_1", "MASTER"),
                              (2.0, "A", "VI_1", "STOP"),
                              (pytest.approx(2 + DELAY + 156 * 0.1 / 256), "B", "VI_1",
                               "MASTER")]


def test_unicast_peers(run: Runner) -> None:
    def uni(prio: int, src: str, peer: str) -> str:
        return instance(priority=prio, extra=f"    unicast_src_ip {src}\n"
                        f"    unicast_peer {{\n        {peer}\n    }}\n")

    r = run({"A": uni(100, "10.0.0.1", "10.0.0.2"), "B": uni(90, "10.0.0.2", "10.0.0.1")},
            duration=10)
    assert changes(r) == [(0.0, "A", "VI_1", "BACKUP"), (0.0, "B", "VI_1", "BACKUP"),
                          (pytest.approx(B), "A", "VI_1", "MASTER")]
    # unicast adverts are addressed to the peer: its interface may have another name
    r = run({"A": uni(100, "10.0.0.1", "10.0.0.2"),
             "B": uni(90, "10.0.0.2", "10.0.0.1").replace("interface eth0", "interface ens3")},
            duration=10)
    assert [t.to for t in r.transitions].count("MASTER") == 1
    # A's adverts go to an address nobody has: B never hears them, both are master.
    r = run({"A": uni(100, "10.0.0.1", "10.0.0.9"), "B": uni(90, "10.0.0.2", "10.0.0.1")},
            duration=10)
    assert [t.to for t in r.transitions].count("MASTER") == 2
    assert r.holders_at("10.0.0.100", 9) == ("A", "B")


def test_unicast_peers_inferred_without_unicast_src_ip(run: Runner) -> None:
    def uni(prio: int, peer: str) -> str:
        return instance(priority=prio, extra=f"    unicast_peer {{\n        {peer}\n    }}\n")

    r = run({"A": uni(100, "10.0.0.2"), "B": uni(90, "10.0.0.1")}, duration=10)
    assert [t.to for t in r.transitions].count("MASTER") == 1


def test_mismatches_do_not_hear_each_other(run: Runner) -> None:
    auth = "    authentication {{\n        auth_type PASS\n        auth_pass {}\n    }}\n"
    r = run({"A": instance(priority=150, extra=auth.format("secret1")),
             "B": instance(priority=100, extra=auth.format("secret2"))}, duration=10)
    assert [(t.node, t.to) for t in r.transitions if t.to == "MASTER"] == [("A", "MASTER"),
                                                                          ("B", "MASTER")]
    r = run({"A": instance(priority=150, vrid=51), "B": instance(priority=100, vrid=52)},
            duration=10)
    assert r.holders_at("10.0.0.100", 9) == ("A", "B")
    # an advert_int mismatch (VRRPv2 requires equal intervals) is dropped too
    r = run({"A": instance(priority=150),
             "B": instance(priority=100).replace("advert_int 1", "advert_int 2")}, duration=12)
    assert r.holders_at("10.0.0.100", 11) == ("A", "B")
    # different LANs (interface names) never meet
    r = run({"A": instance(priority=150), "B": instance(priority=100, interface="eth1")},
            duration=10)
    assert r.holders_at("10.0.0.100", 9) == ("A", "B")


def test_partition_and_heal(run: Runner) -> None:
    r = run({"A": instance(priority=150), "B": instance(priority=100)},
            "10 * partition A", "20 * heal", duration=25)
    last = A + 6 + DELAY
    assert changes(r)[3:] == [
        (pytest.approx(last + B), "B", "VI_1", "MASTER"),
        # healed at 20: B's first advert after it (sent at last + B + 7) reaches A, who
        # answers a lower priority at once; B steps down on A's answer
        (pytest.approx(last + B + 7 + DELAY * 2), "B", "VI_1", "BACKUP"),
    ]
    several = [a for a in r.anomalies() if a.kind == "multiple"]
    assert [(a.start, a.holders) for a in several] == [(pytest.approx(last + B), ("A", "B"))]


def test_vrrp_startup_delay(run: Runner) -> None:
    glob = "global_defs {\n    vrrp_startup_delay 5\n}\n"
    r = run({"A": glob + instance(priority=150), "B": instance(priority=100)}, duration=12)
    # B starts at 0 and is master after its down interval; A's instances start at 5 and
    # preempt B once their own down timer has run out.
    assert changes(r) == [(0.0, "B", "VI_1", "BACKUP"),
                          (pytest.approx(B), "B", "VI_1", "MASTER"),
                          (5.0, "A", "VI_1", "BACKUP"),
                          (pytest.approx(5 + A), "A", "VI_1", "MASTER"),
                          (pytest.approx(5 + A + DELAY), "B", "VI_1", "BACKUP")]


def test_version_mismatch_and_seeded_jitter(run: Runner) -> None:
    v3 = "global_defs {\n    vrrp_version 3\n}\n"
    r = run({"A": v3 + instance(priority=150), "B": instance(priority=100)}, duration=10)
    assert r.holders_at("10.0.0.100", 9) == ("A", "B")
    nodes = {"A": instance(priority=150), "B": instance(priority=100)}
    one = run(nodes, "10 A stop", duration=15, jitter=0.0002, seed=1)
    again = run(nodes, "10 A stop", duration=15, jitter=0.0002, seed=1)
    other = run(nodes, "10 A stop", duration=15, jitter=0.0002, seed=2)
    assert one.to_json() == again.to_json()
    assert one.to_json() != other.to_json()
    # B takes over within the jitter of the no-jitter time
    assert one.transitions[-1].time == pytest.approx(10 + DELAY + 156 / 256, abs=0.0002)


def test_ipv6_instances(run: Runner) -> None:
    v6a = instance(priority=150, vip="fd00::100/64")
    v6b = instance(priority=100, vip="fd00::100/64")
    r = run({"A": v6a, "B": v6b}, "10 A stop", duration=15)
    # an IPv6 instance is VRRPv3: the skew scales with the advert interval (1 s here)
    assert changes(r)[2:] == [(pytest.approx(A), "A", "VI_1", "MASTER"),
                              (10.0, "A", "VI_1", "STOP"),
                              (pytest.approx(10 + DELAY + 156 / 256), "B", "VI_1", "MASTER")]
    assert list(r.vips) == ["fd00::100"]


def test_scenario_addresses_break_ties(run: Runner) -> None:
    nodes = {"A": instance(priority=100), "B": instance(priority=100)}
    # made-up addresses follow the node order: B's is higher and wins the tie
    r = run(nodes, duration=10)
    assert [t.node for t in r.transitions if t.to == "MASTER"] == ["A", "B"]
    assert changes(r)[-1] == (pytest.approx(B + DELAY), "A", "VI_1", "BACKUP")
    r = run(nodes, duration=10, addresses={"A": {"eth0": "10.0.0.9"},
                                           "B": {"eth0": "10.0.0.2"}})
    assert changes(r)[-1] == (pytest.approx(B + DELAY), "B", "VI_1", "BACKUP")
    with pytest.raises(ScenarioError, match="not an address"):
        run(nodes, addresses={"A": {"eth0": "nowhere"}})
