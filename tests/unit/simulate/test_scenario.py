"""Scenario events and files: parsing, checks, options."""

from __future__ import annotations

from pathlib import Path

import pytest
from kaconfd.simulate import Event, ScenarioError, load_scenario, parse_event


@pytest.mark.parametrize(("text", "event"), [
    ("3 A stop", Event(3.0, "A", "stop")),
    ("1.5s A crash", Event(1.5, "A", "crash")),
    ("250ms A start", Event(0.25, "A", "start")),
    ("10 B link down eth0", Event(10.0, "B", "link", ("down", "eth0"))),
    ("4 A script chk_nginx fail", Event(4.0, "A", "script", ("chk_nginx", "fail"))),
    ("4 A track file tf value -3", Event(4.0, "A", "track", ("file", "tf", "value", "-3"))),
    ("5 * partition A,B C", Event(5.0, "*", "partition", ("A,B", "C"))),
    ("6 * heal", Event(6.0, "*", "heal")),
    ("7 A priority VI_1 80", Event(7.0, "A", "priority", ("VI_1", "80"))),
])
def test_parse_event(text: str, event: Event) -> None:
    assert parse_event(text) == event


@pytest.mark.parametrize("text", [
    "A stop", "x A stop", "-1 A stop", "3 A reboot", "3 A stop now", "3 * stop",
    "3 A partition A,B", "3 A link sideways eth0", "3 A script chk maybe",
    "3 A track file tf value many", "3 A priority VI_1 300",
])
def test_malformed_events(text: str) -> None:
    with pytest.raises(ScenarioError):
        parse_event(text)


def test_load_scenario(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(
        "duration: 30\ndelay: 1ms\njitter: 0.0001\nseed: 7\n"
        "nodes: {A: a.conf}\naddresses: {A: {eth0: 10.0.0.1}}\n"
        "events:\n  - 3 A stop\n  - {time: 8, node: A, action: start}\n"
        "  - {time: 9, node: A, action: link, args: down eth0}\n")
    s = load_scenario(tmp_path / "s.yaml")
    assert (s.duration, s.delay, s.jitter, s.seed) == (30.0, 0.001, 0.0001, 7)
    assert s.nodes == {"A": tmp_path / "a.conf"}
    assert s.addresses == {"A": {"eth0": "10.0.0.1"}}
    assert s.events == (Event(3.0, "A", "stop"), Event(8.0, "A", "start"),
                        Event(9.0, "A", "link", ("down", "eth0")))


def test_bad_scenario_file_names_itself(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("events: [3 A reboot]\n")
    with pytest.raises(ScenarioError, match="bad.yaml"):
        load_scenario(tmp_path / "bad.yaml")
    (tmp_path / "bad2.yaml").write_text("durration: 3\n")
    with pytest.raises(ScenarioError, match="unknown scenario keys"):
        load_scenario(tmp_path / "bad2.yaml")
