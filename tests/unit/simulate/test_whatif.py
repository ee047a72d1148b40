"""--what-if answers, derived from keepalived's rules (see test_elections for the timers)."""

from __future__ import annotations

from pathlib import Path

import pytest
from kaconfd.simulate import load_nodes, what_if
from kaconfd.simulate.whatif import questions

from .conftest import instance

SCRIPT = "vrrp_script chk {\n    script \"/bin/true\"\n    weight 0\n}\n"
TRACK = "    track_script {\n        chk\n    }\n"


def _report(tmp_path: Path, nodes: dict[str, str]):
    paths = {}
    for name, text in nodes.items():
        paths[name] = tmp_path / f"{name}.conf"
        paths[name].write_text(text)
    configs = load_nodes(paths)
    return configs, what_if(configs)


def test_three_nodes(tmp_path: Path) -> None:
    configs, report = _report(tmp_path, {
        "A": SCRIPT + instance(priority=150, extra=TRACK),
        "B": instance(priority=100), "C": instance(priority=50)})
    assert [q.what for q in questions(configs[0])] == [
        "stops", "crashes", "link eth0 down", "script chk fails"]
    rows = {(a.node, a.question): a for a in report.answers}
    assert len(rows) == 4 + 3 + 3
    for what in ("stops", "crashes", "link eth0 down", "script chk fails"):
        a = rows[("A", what)]
        # B (100) outranks C (50); A (150, preempt) takes the VIP back when it returns
        assert (a.before, a.after, a.after_return, a.moves_back) == (("A",), ("B",), ("A",),
                                                                     True)
        assert a.several == pytest.approx(0.0005)  # A preempting: one advert delay
    assert rows[("A", "stops")].no_holder == pytest.approx(0.0005 + 156 / 256)
    # a weight-0 script failure is a FAULT: priority 0 is sent, like a stop
    assert rows[("A", "script chk fails")].no_holder == pytest.approx(0.0005 + 156 / 256)
    # a crash or a cut link sends nothing: B waits its master-down interval after the
    # last advert, which A sent 1 - (t_event - A's phase) before the event
    crash = rows[("A", "crashes")].no_holder
    assert 3 + 156 / 256 - 1 < crash < 3 + 156 / 256
    for what in ("stops", "crashes"):
        for node in ("B", "C"):
            a = rows[(node, what)]
            assert (a.before, a.after, a.moves_back, a.no_holder) == (("A",), ("A",), None, 0)
