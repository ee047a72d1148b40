"""tools/new_rule.py: the scaffold is a valid rule module, and the tool refuses clashes.

The scaffold is written into a temporary rules directory (never the real one), then
imported to check its META; refreshing the real files is covered by the rule tests
(a stale snapshot or docs/rules.md fails them).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from kaconf.diagnostics import Severity
from kaconf.lint.rule import RuleMeta
from tests.support.tools import load_tool


def _tool() -> ModuleType:
    return load_tool("new_rule")


def _import(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def tool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    mod = _tool()
    monkeypatch.setattr(mod, "RULES_DIR", tmp_path)
    return mod


def test_scaffold_config_rule(tool: ModuleType, tmp_path: Path) -> None:
    path = tool.scaffold("KA299", "made-up-rule", "a made-up problem.", "warning")
    assert path == tmp_path / "ka299_made_up_rule.py"
    rule = _import(path)
    meta = rule.META
    assert isinstance(meta, RuleMeta)
    assert (meta.code, meta.name, meta.severity) == ("KA299", "made-up-rule", Severity.WARNING)
    assert meta.summary == "a made-up problem" and meta.scope == "config"
    assert list(rule.check(None)) == []  # reports nothing until written
    assert rule.__doc__ == "KA299: a made-up problem."


def test_scaffold_cluster_rule(tool: ModuleType) -> None:
    rule = _import(tool.scaffold("KA499", "made-up-cluster-rule", "nodes disagree", "error"))
    assert rule.META.scope == "cluster" and "\n---\n" in rule.META.bad


@pytest.mark.parametrize("code, name, summary", [
    ("KA2999", "x", "s"),   # not a code
    ("KA101", "x", "s"),    # reader codes have no module
    ("KA299", "Bad_Name", "s"),
    ("KA299", "x", "two\nlines"),
])
def test_scaffold_rejects_bad_arguments(tool: ModuleType, code: str, name: str,
                                        summary: str) -> None:
    with pytest.raises(SystemExit):
        tool.scaffold(code, name, summary, "error")


def test_scaffold_never_overwrites(tool: ModuleType) -> None:
    tool.scaffold("KA299", "made-up-rule", "s", "error")
    with pytest.raises(SystemExit, match="exists already"):
        tool.scaffold("KA299", "other-name", "s", "error")
    with pytest.raises(SystemExit, match="is taken"):
        tool.scaffold("KA298", "made-up-rule", "s", "error")
