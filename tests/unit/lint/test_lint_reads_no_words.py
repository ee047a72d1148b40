"""Lint rules ask the model's reading of route, rule and use_vmac/use_ipvlan lines; they
do not read the words again (kaconf issue 11: "parsed once, into typed objects in the
model; nothing downstream re-reads the original words").

The route/rule rules (KA223, KA247, KA248, KA265-KA268) and KA233 used to carry their own
word parsers (``problem()``, ``bad_address()``, ``_has_address()``, ``_devices()``, each
with ``ipaddress``), and they disagreed with keepalived on thousands of generated lines
(tests/unit/lint/test_lint_iplines.py). These tests fail when such a parser comes back:
the lines are read by :mod:`kaconf.model.iproutes`, :mod:`kaconf.model.iprules` and
:mod:`kaconf.model.vmac`, and lint asks ``Route.reading`` / ``Rule.reading``
(``lists.route_readings`` / ``rule_readings`` on the lint host), ``VrrpInstance.vmac`` and
``VrrpInstance.ipvlan``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from kaconf.model.objects import Route, Rule
from tests.support.paths import REPO

LINT = REPO / "kaconf" / "lint"

#: the word parsers the rules had; no module under kaconf/lint may define them again
WORD_PARSERS = frozenset({"problem", "bad_address", "_has_address", "_devices", "_family",
                          "_invalid", "_invalid_address"})

#: the model's readers: lint asks their results on the model objects, it does not run them
READERS = frozenset({"route_reading", "rule_reading", "route_from_words", "rule_from_words",
                     "parse_use_vmac", "parse_use_ipvlan", "mac_octets", "parse_mac",
                     "valid_ipaddress"})

#: what marks a module that looks at route/rule lines or VMAC options
LINE_USERS = ("ip_routes", "ip_rules", "route_readings", "rule_readings", "virtual_routes",
              "static_routes", "virtual_rules", "static_rules", "use_vmac", "use_ipvlan",
              ".vmac", ".ipvlan")


def _modules() -> list[Path]:
    return sorted(LINT.rglob("*.py"))


def _ids(p: Path) -> str:
    return str(p.relative_to(REPO))


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def words_uses(source: str) -> list[int]:
    """Lines where ``.words`` is used other than quoted whole (``" ".join(x.words)``)."""
    tree = ast.parse(source)
    parent = _parents(tree)
    bad = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and node.attr == "words"):
            continue
        call = parent.get(node)
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and call.func.attr == "join" and call.args == [node]):
            continue
        bad.append(node.lineno)
    return bad


@pytest.mark.parametrize("path", _modules(), ids=_ids)
def test_no_rule_reads_line_words(path: Path) -> None:
    bad = words_uses(path.read_text(encoding="utf-8"))
    assert not bad, (f"{_ids(path)} reads .words on lines {bad}: ask r.reading / r.info "
                     "(lists.route_readings / rule_readings) instead")


@pytest.mark.parametrize("path", _modules(), ids=_ids)
def test_no_word_parsers_or_readers_in_lint(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    defined = {n.name for n in ast.walk(tree)
               if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    called = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | \
        {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)} | \
        {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
    again = sorted(defined & WORD_PARSERS)
    assert not again, f"{_ids(path)} defines {again}: the model reads the lines"
    rerun = sorted(called & READERS)
    assert not rerun, (f"{_ids(path)} runs the model's readers {rerun} itself: ask "
                       "r.reading / inst.vmac / inst.ipvlan")


@pytest.mark.parametrize("path", _modules(), ids=_ids)
def test_line_rules_parse_no_addresses(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    if not any(mark in source for mark in LINE_USERS):
        return
    tree = ast.parse(source)
    imports = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imports |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert "ipaddress" not in imports, (
        f"{_ids(path)} looks at route/rule/VMAC lines and parses addresses itself: the "
        "model's reading says what keepalived made of them")


def test_route_and_rule_carry_no_second_reading() -> None:
    """The builder keeps the words and nothing read from them: every derived value is in
    the reading (``info``), made by keepalived's rules."""
    for cls in (Route, Rule):
        fields = {name for klass in cls.__mro__
                  for name in getattr(klass, "__annotations__", {})
                  if klass.__module__ == cls.__module__ and klass.__name__ in ("Route", "Rule")}
        assert fields <= {"words", "_static"}, f"{cls.__name__} has {sorted(fields)}"


def test_words_uses_sees_the_old_parsers() -> None:
    assert words_uses("' '.join(r.words)\n") == []
    assert words_uses("x = r.words[:-1]\n") == [1]
    assert words_uses("if 'gw' in r.words:\n    pass\n") == [1]
    assert words_uses("problem(r.words)\n") == [1]
