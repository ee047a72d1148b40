"""``kaconf lint --cluster`` findings from the simulation (KA413-KA415)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaconf.lint.engine import lint_paths
from kaconf.lint.helpers import simulation
from tests.support.paths import EXAMPLES

SIM_CODES = ("KA413", "KA414", "KA415")


def _codes(paths: list[str]) -> list[str]:
    result = lint_paths(paths, cluster=True)
    return [d.code for ds in result.by_file.values() for d in ds if d.code in SIM_CODES]


def test_seed_pair_has_no_surprise() -> None:
    assert _codes([str(EXAMPLES / "serverA.conf"), str(EXAMPLES / "serverB.conf")]) == []


def test_state_master_with_nopreempt_returns(tmp_path: Path) -> None:
    a = (EXAMPLES / "serverA.conf").read_text().replace("state BACKUP", "state MASTER")
    (tmp_path / "a.conf").write_text(a)
    result = lint_paths([str(tmp_path / "a.conf"), str(EXAMPLES / "serverB.conf")],
                        cluster=True)
    found = [d for ds in result.by_file.values() for d in ds if d.code == "KA413"]
    assert len(found) == 1
    assert "moves back to aaa" in found[0].message
    # the evidence: the simulated timeline of the question
    assert any("aaa VI_1: BACKUP -> MASTER (preempting bbb (priority 99 < 100))" in n
               for n in found[0].notes)


def test_without_the_daemon_the_rules_find_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.metadata

    monkeypatch.setattr(simulation, "PLUGIN_FALLBACKS", {"x": "no_such_module_here:f"})
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda group: [])
    assert _codes([str(EXAMPLES / "serverA.conf"), str(EXAMPLES / "serverB.conf")]) == []
    assert simulation.load_checks() == []
