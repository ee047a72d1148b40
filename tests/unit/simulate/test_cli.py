"""``kaconf simulate`` on the command line: text, JSON, what-if, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kaconf.cli import main
from tests.support.paths import EXAMPLES

A, B = str(EXAMPLES / "serverA.conf"), str(EXAMPLES / "serverB.conf")


def test_json_timeline(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", A, B, "--event", "10 serverA stop", "--format", "json",
                 "--duration", "12"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["format"] == 1 and data["duration"] == 12.0
    assert data["transitions"][-1]["node"] == "serverB"
    assert data["transitions"][-1]["to"] == "MASTER"


def test_text_timeline(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", f"a={A}", f"b={B}", "--event", "10 a crash"]) == 0
    out = capsys.readouterr().out
    assert "Timeline" in out and "crash" in out and "VIP holders" in out


def test_what_if_answers_the_seed_question(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--what-if", A, B, "--format", "json"]) == 0
    answers = json.loads(capsys.readouterr().out)["answers"]
    stop = next(a for a in answers if a["node"] == "serverA" and a["question"] == "stops")
    assert stop["before"] == ["serverA"] and stop["after"] == ["serverB"]
    assert stop["after_return"] == ["serverB"] and stop["moves_back"] is False
    assert main(["simulate", "--what-if", A, B]) == 0
    assert "moves back" in capsys.readouterr().out


def test_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", A, B, "--event", "3 serverC stop"]) == 2
    assert "no node 'serverC'" in capsys.readouterr().err
    assert main(["simulate", A, "--event", "nonsense"]) == 2
    bad = tmp_path / "bad.conf"
    bad.write_text("vrrp_instance VI_1 {\n    virtual_router_id 300\n}\n")
    assert main(["simulate", str(bad)]) == 1
    assert main(["simulate"]) == 2


def test_scenario_file_names_the_nodes(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    (tmp_path / "s.yaml").write_text(
        f"duration: 20\nnodes: {{a: {A}, b: {B}}}\nevents: ['5 a crash', '12 a start']\n")
    assert main(["simulate", "--scenario", str(tmp_path / "s.yaml"), "--format", "json",
                 "--config-id", "a=x"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["nodes"] == ["a", "b"] and data["duration"] == 20.0
    assert [e["action"] for e in data["events"]] == ["crash", "start"]


def test_example_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--scenario", str(EXAMPLES / "seed-restart.yaml"),
                 "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["vips"]["10.1.10.240"][-1]["holders"] == ["serverB"]
