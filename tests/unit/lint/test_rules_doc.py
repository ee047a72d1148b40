"""The rule registry and the documentation generated from it.

docs/rules.md is generated (tools/gen_rules_doc.py) and committed; these
tests regenerate it in memory and fail when it is stale, so a new or changed
rule cannot ship without its documentation. They also keep the reader-code
documentation (kaconf.lint.reader_rules) honest: every code the reader and
model stages emit must be documented, and the documented examples must do
what they claim.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from kaconf.diagnostics import Severity
from kaconf.lint import registry
from kaconf.lint.reader_rules import READER_RULES, UNSHOWABLE_EXAMPLES
from kaconf.lint.rule import RuleMeta
from kaconf.loader import load_full
from tests.support.paths import REPO
from tests.support.tools import load_tool

DOC = REPO / "docs" / "rules.md"
READER_SOURCES = [REPO / "kaconf" / "source.py", REPO / "kaconf" / "tree.py",
                  *sorted((REPO / "kaconf" / "model").glob("*.py"))]


def _load_generator() -> ModuleType:
    return load_tool("gen_rules_doc")


# --------------------------------------------------------------------------- generated doc


def test_rules_doc_is_up_to_date() -> None:
    expected = _load_generator().render()
    current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    assert current == expected, "docs/rules.md is stale: run python tools/gen_rules_doc.py"


def test_rules_doc_has_a_section_per_rule() -> None:
    text = _load_generator().render()
    for rule in registry.all_rules():
        m = rule.meta
        assert f'<a id="{m.code.lower()}"></a>' in text
        assert f"### {m.code} {m.name}" in text
        assert f"| [{m.code}](#{m.code.lower()}) |" in text


def test_generator_check_mode(tmp_path: Path) -> None:
    gen = _load_generator()
    out = tmp_path / "rules.md"
    assert gen.main(["--output", str(out), "--check"]) == 1
    assert gen.main(["--output", str(out)]) == 0
    assert gen.main(["--output", str(out), "--check"]) == 0
    assert out.read_text(encoding="utf-8") == gen.render()


def test_fences_survive_backticks() -> None:
    gen = _load_generator()
    meta = RuleMeta("KA900", "x", Severity.ERROR, "s", "r", "a ``` b\n", "ok\n")
    text = gen.render([registry.Rule(meta, None, "t")])
    assert "````text\na ``` b\n````" in text


# --------------------------------------------------------------------------- registry


def test_every_rule_is_documented_completely() -> None:
    rules = registry.all_rules()
    assert len({r.code for r in rules}) == len(rules)
    for r in rules:
        m = r.meta
        assert registry.CODE_RE.fullmatch(m.code)
        assert m.summary and m.rationale and m.bad and m.good, f"{m.code} lacks documentation"
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", m.name), f"{m.code}: name {m.name!r}"
        if m.scope == "reader":
            assert r.check is None
        else:
            assert callable(r.check)
        if m.scope == "cluster":
            assert m.code.startswith("KA4"), m.code
        elif m.scope == "config":
            assert m.code.startswith("KA2"), m.code


def test_every_reader_code_is_documented() -> None:
    emitted: set[str] = set()
    for path in READER_SOURCES:
        emitted |= set(re.findall(r'"(KA(?:0\d\d|1\d\d))"', path.read_text(encoding="utf-8")))
    documented = {m.code for m in READER_RULES}
    assert emitted, "no reader codes found: did the sources move?"
    assert emitted <= documented, f"undocumented reader codes: {sorted(emitted - documented)}"
    assert documented <= emitted, f"documented but never emitted: {sorted(documented - emitted)}"


@pytest.mark.parametrize("meta", [m for m in READER_RULES if m.code not in UNSHOWABLE_EXAMPLES],
                         ids=lambda m: m.code)
def test_reader_examples(meta: RuleMeta) -> None:
    bad = load_full("example.conf", data=meta.bad.encode(), config_id="lb1")
    assert meta.code in {d.code for d in bad.diagnostics}, "bad example does not trigger it"
    good = load_full("example.conf", data=meta.good.encode(), config_id="lb1")
    assert [str(d) for d in good.diagnostics] == [], "good example is not clean"


def _write_pkg(root: Path, name: str, modules: dict[str, str]) -> str:
    pkg = root / name
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    for mod, text in modules.items():
        (pkg / f"{mod}.py").write_text(text)
    return name


_GOOD_RULE = """
from kaconf.diagnostics import Severity
from kaconf.lint.rule import RuleMeta
META = RuleMeta("{code}", "fake-rule", Severity.WARNING, "s", "r", "b", "g")
def check(ctx):
    return []
"""


@pytest.fixture
def pkg_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_discover_finds_rule_modules_and_skips_helpers(pkg_root: Path) -> None:
    name = _write_pkg(pkg_root, "fake_rules_ok", {
        "ka202_b": _GOOD_RULE.format(code="KA202"),
        "ka201_a": _GOOD_RULE.format(code="KA201"),
        "_helpers": "X = 1\n",
    })
    rules = registry.discover(name)
    assert [r.code for r in rules] == ["KA201", "KA202"]
    assert rules[0].module == f"{name}.ka201_a"


@pytest.mark.parametrize("source, message", [
    ("def check(ctx):\n    return []\n", "no META"),
    (_GOOD_RULE.format(code="KA201").replace("def check", "def other"), "no check"),
    (_GOOD_RULE.format(code="K201"), "not KA followed by"),
    ("META = 'KA201'\ndef check(ctx):\n    return []\n", "RuleMeta"),
])
def test_discover_rejects_broken_modules(pkg_root: Path, source: str, message: str) -> None:
    name = _write_pkg(pkg_root, f"fake_rules_bad_{abs(hash(source))}", {"ka201": source})
    with pytest.raises(registry.RuleRegistryError, match=message):
        registry.discover(name)


def test_duplicate_codes_are_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    clash = registry.Rule(READER_RULES[0], lambda ctx: [], "tests.clash")
    monkeypatch.setattr(registry, "discover", lambda package=registry.RULES_PACKAGE: (clash,))
    registry.clear_cache()
    try:
        with pytest.raises(registry.RuleRegistryError, match="defined twice"):
            registry.all_rules()
    finally:
        monkeypatch.undo()
        registry.clear_cache()
    assert registry.all_rules()


def test_registry_is_cached() -> None:
    assert registry.all_rules() is registry.all_rules()


def test_registry_package_modules_are_importable() -> None:
    for r in registry.all_rules():
        if r.scope != "reader":
            assert r.module in sys.modules
