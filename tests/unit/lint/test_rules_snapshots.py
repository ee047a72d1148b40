"""Per-rule snapshots: what each rule's bad example reports, exactly.

test_rules.py checks that ``META.bad`` triggers its rule; this pins down *what* it
reports: the code, ``file:line:col``, message and hint of every finding of the rule on
its bad example, compared with tests/snapshots/rules/CODE.txt (rendered by
:func:`kaconf.lint.examples.render_snapshot`, which also prints the example with line
numbers so a reviewer can check each line/col). The good example must report nothing of
the rule's code.

After an intended change, regenerate and review the diff::

    KACONF_UPDATE_SNAPSHOTS=1 python3 -m pytest -q tests/unit/lint/test_rules_snapshots.py

A hand-rolled helper rather than a plugin: one text file per rule, no dependency.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import ModuleType

import pytest

from kaconf.lint import registry
from kaconf.lint.examples import render_snapshot, run_example
from tests.support.paths import REPO as ROOT

SNAPSHOTS = ROOT / "tests" / "snapshots" / "rules"
UPDATE = os.environ.get("KACONF_UPDATE_SNAPSHOTS", "") not in ("", "0")


def _modules() -> list[ModuleType]:
    import importlib

    return [importlib.import_module(r.module) for r in registry.all_rules()
            if r.check is not None]


RULES = _modules()


def assert_snapshot(path: Path, text: str) -> None:
    """``text`` equals the stored snapshot ``path``; with KACONF_UPDATE_SNAPSHOTS=1, store it."""
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), (f"no snapshot {path.relative_to(ROOT)}: run with "
                           "KACONF_UPDATE_SNAPSHOTS=1 and review it")
    assert text == path.read_text(encoding="utf-8"), (
        f"{path.relative_to(ROOT)} differs: if intended, rerun with KACONF_UPDATE_SNAPSHOTS=1 "
        "and review the diff")


@pytest.mark.parametrize("mod", RULES, ids=lambda m: m.META.code)
def test_bad_example_snapshot(mod: ModuleType, tmp_path: Path) -> None:
    text = render_snapshot(mod, tmp_path)
    assert "(no diagnostic)" not in text, f"{mod.META.code} silent on META.bad"
    assert_snapshot(SNAPSHOTS / f"{mod.META.code}.txt", text)


@pytest.mark.parametrize("mod", RULES, ids=lambda m: m.META.code)
def test_good_example_reports_nothing(mod: ModuleType, tmp_path: Path) -> None:
    found = [d for d in run_example(mod, mod.META.good, tmp_path) if d.code == mod.META.code]
    assert not found, [str(d) for d in found]


def test_no_stale_snapshots() -> None:
    """Every snapshot belongs to a rule (a removed or renumbered rule takes its file along)."""
    codes = {m.META.code for m in RULES}
    stale = sorted(p.name for p in SNAPSHOTS.glob("*.txt") if p.stem not in codes)
    assert not stale, f"snapshots without a rule: {stale}"
