"""The pure half of the simulator's proof: holder intervals from address changes, and the
comparison of a simulated timeline with a measured one (tests/support/cluster.py,
tests/support/simcompare.py). The netns test trusts these to say "agree"/"disagree"."""

from __future__ import annotations

from typing import Any

from tests.support.cluster_layout import node_layout
from tests.support.simcompare import compare, holder_sequence
from tests.support.timeline import AddressChange, holder_intervals
from tests.support.tools import load_tool

VIP = "10.1.10.240"


def _t(time: float, node: str, frm: str, to: str, inst: str = "VI_1") -> dict[str, Any]:
    return {"time": time, "node": node, "instance": inst, "from": frm, "to": to, "cause": ""}


def _result(transitions: list[dict[str, Any]], vips: dict[str, Any]) -> dict[str, Any]:
    return {"format": 1, "duration": 10, "nodes": ["A", "B"], "events": [],
            "transitions": transitions, "vips": vips, "anomalies": []}


def test_holder_intervals_cover_the_run_and_merge() -> None:
    changes = [AddressChange(3.6, "A", VIP, True), AddressChange(6.0, "A", VIP, False),
               AddressChange(6.6, "B", VIP, True), AddressChange(6.6, "B", VIP, True),
               AddressChange(12.0, "B", VIP, False)]
    got = holder_intervals(changes, [VIP, "10.9.9.9"], 10.0)
    assert got[VIP] == [{"start": 0.0, "end": 3.6, "holders": []},
                        {"start": 3.6, "end": 6.0, "holders": ["A"]},
                        {"start": 6.0, "end": 6.6, "holders": []},
                        {"start": 6.6, "end": 10.0, "holders": ["B"]}]
    assert got["10.9.9.9"] == [{"start": 0.0, "end": 10.0, "holders": []}]


def test_short_handover_artefacts_are_dropped() -> None:
    intervals = [{"start": 0, "end": 3.6, "holders": []},
                 {"start": 3.6, "end": 8.425, "holders": ["B"]},
                 {"start": 8.425, "end": 8.426, "holders": ["A", "B"]},
                 {"start": 8.426, "end": None, "holders": ["A"]}]
    assert holder_sequence(intervals) == [(0.0, ()), (3.6, ("B",)), (8.426, ("A",))]


def test_agreement_within_one_advert_plus_slack() -> None:
    real = _result([_t(0.01, "A", "INIT", "BACKUP"), _t(3.62, "A", "BACKUP", "MASTER")],
                   {VIP: [{"start": 0, "end": 3.62, "holders": []},
                          {"start": 3.62, "end": 10, "holders": ["A"]}]})
    sim = _result([_t(0.0, "A", "INIT", "BACKUP"), _t(3.61, "A", "BACKUP", "MASTER"),
                   _t(9.0, "A", "MASTER", "STOPPED")],
                  {f"{VIP}/24": [{"start": 0, "end": 3.61, "holders": []},
                                 {"start": 3.61, "end": 10, "holders": ["A"]}]})
    result = compare(real, sim, {("A", "VI_1"): 1.0})
    assert result.ok, result.problems
    assert (result.transitions, result.matched) == (2, 2)
    assert abs(result.max_diff - 0.01) < 1e-9


def test_disagreements_are_named() -> None:
    real = _result([_t(0.0, "A", "INIT", "BACKUP"), _t(3.6, "A", "BACKUP", "MASTER")],
                   {VIP: [{"start": 0, "end": 3.6, "holders": []},
                          {"start": 3.6, "end": 10, "holders": ["A"]}]})
    late = _result([_t(0.0, "A", "INIT", "BACKUP"), _t(3.0, "A", "BACKUP", "MASTER")],
                   real["vips"])
    problems = compare(real, late, {("A", "VI_1"): 0.1}).problems
    assert problems == ["A/VI_1: BACKUP->MASTER at 3.600 s simulated at 3.000 s "
                        "(0.600 s off, allowed 0.150 s)"]
    wrong = _result([_t(0.0, "A", "INIT", "BACKUP"), _t(3.6, "B", "BACKUP", "MASTER")],
                    {VIP: [{"start": 0, "end": 10, "holders": ["B"]}]})
    problems = compare(real, wrong, {("A", "VI_1"): 1.0}).problems
    assert "A/VI_1: missing transition BACKUP->MASTER at 3.600 s" in problems
    assert any(p.startswith("B/VI_1: extra transition") for p in problems)
    assert any(p.startswith(f"VIP {VIP}: keepalived holders 0.000:- 3.600:A") for p in problems)


def test_steps_and_layout(tmp_path: Any) -> None:
    a, b = tmp_path / "A.conf", tmp_path / "B.conf"
    a.write_text("vrrp_instance V { interface eth1\n unicast_src_ip 10.7.0.1\n"
                 " track_interface {\n  eth2\n }\n}\n")
    b.write_text("vrrp_instance V {\n interface eth0\n}\n")
    la, lb = node_layout({"A": a, "B": b}, {"B": {"eth2": "10.9.9.9"}})
    assert la.interfaces == {"eth1": "10.7.0.1/24", "eth2": "10.1.11.10/24",
                             "eth0": "10.1.12.10/24"}
    assert lb.interfaces == {"eth1": "10.1.10.11/24", "eth2": "10.9.9.9/24",
                             "eth0": "10.1.12.11/24"}


def test_the_tool_writes_only_between_its_markers(tmp_path: Any) -> None:
    tool = load_tool("simulate_proof")
    doc = tmp_path / "simulate.md"
    doc.write_text("# kaconf simulate\n\nThe simulator's own text.\n")
    tool.write_doc("first figures", doc)
    text = doc.read_text()
    assert text.startswith("# kaconf simulate\n\nThe simulator's own text.\n\n")
    assert f"{tool.BEGIN}\nfirst figures\n{tool.END}\n" in text
    doc.write_text(text.replace("own text.", "own text, edited.") + "\n## Later\n")
    tool.write_doc("second figures", doc)
    text = doc.read_text()
    assert "first figures" not in text and f"{tool.BEGIN}\nsecond figures\n{tool.END}" in text
    assert "own text, edited." in text and text.endswith("\n## Later\n")
    assert text.count(tool.BEGIN) == 1


def test_a_disagreement_is_measured_once_more(monkeypatch: Any, tmp_path: Any) -> None:
    from tests.support import simproof
    from tests.support.simcompare import Comparison

    calls: list[list[str]] = []

    def fake(todo: Any, workdir: Any) -> list[simproof.Proof]:
        names = [sd.name for sd in todo]
        calls.append(names)
        bad = len(calls) == 1
        return [simproof.Proof(n, {}, {}, comparison=Comparison(
            problems=["late"] if bad and n in ("seed", "startup_delay") else []))
            for n in names]

    monkeypatch.setattr(simproof, "_prove_together", fake)
    # a known gap is not measured again (none is known today: one stands in)
    monkeypatch.setattr(simproof, "KNOWN_GAPS", {"startup_delay": "a known difference"})
    proofs = simproof.prove_all(tmp_path, ["seed", "preempt", "startup_delay"])
    assert calls == [["preempt", "seed", "startup_delay"], ["seed"]]
    assert [(p.name, p.attempts, p.comparison.ok) for p in proofs if p.comparison] == [
        ("preempt", 1, True), ("seed", 2, True), ("startup_delay", 1, False)]


def test_keepalived_state_lines() -> None:
    from tests.support.cluster import TRANSITION_RE

    def parse(line: str) -> tuple[str, str, str | None] | None:
        m = TRANSITION_RE.search(line)
        return m and (m.group("inst"), m.group("state").upper(), m.group("why"))

    assert parse("(VI_1) Entering BACKUP STATE (init)") == ("VI_1", "BACKUP", "init")
    assert parse("(VI_1) Entering MASTER STATE") == ("VI_1", "MASTER", None)
    # At start with the link down keepalived writes two lines for one FAULT.
    assert parse("(VI_1): entering FAULT state (interface eth0 down)") == (
        "VI_1", "FAULT", "interface eth0 down")
    assert parse("(VI_1) entering FAULT state") == ("VI_1", "FAULT", None)
    assert parse("VRRP_Group(G1) Syncing instances to MASTER state") is None


def test_weightless_scripts() -> None:
    from tests.support.cluster_layout import weightless_scripts

    text = """vrrp_script chk_a {
    script "/bin/true"
    weight -10
}
vrrp_script chk_b {
    script "/bin/true"
}
vrrp_instance V1 {
    track_script {
        chk_a
        chk_b
    }
}
vrrp_instance V2 { track_script { chk_a weight 0
 chk_b weight 5 } }
"""
    assert weightless_scripts(text) == {"chk_b": ["V1"], "chk_a": ["V2"]}
