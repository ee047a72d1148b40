"""Module boundaries: no module takes another module's private names.

A leading underscore says "only this module relies on it"; importing such a name from
elsewhere couples two modules through something neither documents. Make the name
public (and document it) or move it to where both can use it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").exists())
ROOTS = ("kaconf", "daemon", "tools", "bench", "tests")


def _private_imports(path: Path, base: Path = REPO) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        module = node.module or ""
        ours = node.level > 0 or module.split(".")[0] in ("kaconf", "kaconfd",
                                                          "kaconf_grammars", "tests")
        for alias in node.names:
            if ours and alias.name.startswith("_") and not alias.name.startswith("__"):
                found.append(f"{path.relative_to(base)}:{node.lineno}: "
                             f"from {'.' * node.level}{module} import {alias.name}")
    return found


@pytest.mark.parametrize("root", ROOTS)
def test_no_private_names_imported_across_modules(root: str) -> None:
    files = sorted((REPO / root).rglob("*.py"))
    assert files, f"no Python files under {root}/"
    bad = [hit for f in files for hit in _private_imports(f)]
    assert bad == []


def test_the_check_sees_a_private_import(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("import os\nfrom kaconf.source import _hidden\nfrom .x import _y\n"
                     "from os import _exit\n")
    assert _private_imports(probe, tmp_path) == [
        "probe.py:2: from kaconf.source import _hidden", "probe.py:3: from .x import _y"]
