"""grammars/descriptions.json: one description per grammar keyword, none stale, layout canonical.

The descriptions are what the language server shows on hover and what
``kaconf keywords`` prints, so a keyword added to the grammar without prose, a
description left behind when a keyword is removed, or a description that points
the reader at a keyword that does not exist are all bugs this file catches.
"""

from __future__ import annotations

import json
import re
from types import ModuleType

import pytest

from kaconf.schema import KeywordSpec, keyword_description, load_schema
from tests.support.paths import REPO
from tests.support.tools import load_tool

DESCRIPTIONS = REPO / "grammars" / "descriptions.json"

#: A description refers to a keyword by putting its name in backticks (hover
#: renders it as code); any other snake_case word must be one of these terms,
#: which are values, file or system names rather than keywords.  A bare
#: snake_case word outside this list is most likely a keyword reference without
#: backticks, or a misspelled one.
NON_KEYWORD_TERMS = frozenset(
    {
        "RLIMIT_RTTIME",  # kernel resource limit
        "SO_RCVBUFFORCE",  # socket option
        "VI_1",  # example instance name
        "allow_if_changes",  # argument of dynamic_interfaces
        "brace_match",  # argument of include_check
        "wildcard_match",  # argument of include_check
        "close_notify",  # TLS alert
        "keepalived_bfd",  # default process names
        "keepalived_ipvs",
        "keepalived_vrrp",
        "keepalived_script",  # default script user
        "min_ttl",  # unicast_peer entry options
        "max_ttl",
        "no_track",  # virtual address/route/rule option
    }
)

_BACKTICKED = re.compile(r"`([^`]+)`")
_SNAKE = re.compile(r"(?<![\w./${-])([A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+)(?![\w])")


def _raw() -> dict[str, dict[str, str]]:
    data = json.loads(DESCRIPTIONS.read_text(encoding="utf-8"))
    assert data["format"] == 1
    blocks: dict[str, dict[str, str]] = data["blocks"]
    return blocks


def _all_keyword_names() -> set[str]:
    return {spec.name for spec in load_schema().all()}


def _specs() -> list[KeywordSpec]:
    return load_schema().all()


@pytest.fixture(scope="module")
def fmt_tool() -> ModuleType:
    return load_tool("fmt_descriptions")


def test_every_grammar_keyword_has_a_description() -> None:
    missing = [
        f"{spec.block_path or '(root)'} {spec.name}"
        for spec in _specs()
        if not (keyword_description(spec.block_path, spec.name) or "").strip()
    ]
    assert missing == [], "add them to grammars/descriptions.json: " + ", ".join(missing)


def test_no_description_for_an_unknown_block_or_keyword() -> None:
    schema = load_schema()
    stale = [
        f"{path or '(root)'} {name}"
        for path, kws in _raw().items()
        for name in kws
        if schema.lookup(path, name) is None
    ]
    assert stale == [], "not in grammars/keepalived.json: " + ", ".join(stale)


def test_descriptions_are_tidy_sentences() -> None:
    """One or two sentences, no stray whitespace: what hover shows must read well."""
    bad = []
    for path, kws in _raw().items():
        for name, text in kws.items():
            if text != " ".join(text.split()) or not text.endswith(".") or len(text) > 400:
                bad.append(f"{path} {name}: {text!r}")
    assert bad == []


def test_backticked_names_are_keywords() -> None:
    names = _all_keyword_names()
    bad = [
        f"{path or '(root)'} {name}: `{ref}`"
        for path, kws in _raw().items()
        for name, text in kws.items()
        for ref in _BACKTICKED.findall(text)
        if ref not in names
    ]
    assert bad == [], "backticks are for keyword names only"


def test_bare_snake_case_words_are_known_terms() -> None:
    bad = [
        f"{path or '(root)'} {name}: {word}"
        for path, kws in _raw().items()
        for name, text in kws.items()
        for word in _SNAKE.findall(_BACKTICKED.sub("", text))
        if word not in NON_KEYWORD_TERMS
    ]
    assert bad == [], "put keyword names in backticks (or add a non-keyword term to the list)"


def test_aliases_and_deprecated_keywords_name_their_target() -> None:
    """A synonym says what it is a synonym of; a deprecated keyword says what to use."""
    bad = []
    for spec in _specs():
        text = keyword_description(spec.block_path, spec.name) or ""
        for target in (spec.alias_of, spec.replacement):
            if target and f"`{target}`" not in text:
                bad.append(f"{spec.block_path or '(root)'} {spec.name}: should name `{target}`")
    assert bad == []


def test_layout_is_canonical(fmt_tool: ModuleType) -> None:
    raw = DESCRIPTIONS.read_text(encoding="utf-8")
    assert fmt_tool.canonical_text(_raw()) == raw, (
        "grammars/descriptions.json is not in canonical layout: "
        "run python tools/fmt_descriptions.py"
    )


def test_fmt_tool_check_passes(fmt_tool: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    assert fmt_tool.main(["--check"]) == 0, capsys.readouterr().out


def test_fmt_tool_reports_missing_and_stale(fmt_tool: ModuleType) -> None:
    known = {"": {"a", "b"}, "x": {"c"}}
    blocks = {"": {"a": "Does A.", "b": "  "}, "y": {"d": "Stale."}}
    assert fmt_tool.missing(known, blocks) == ["\tb", "x\tc"]
    assert fmt_tool.stale(known, blocks) == ["y\td"]


def test_canonical_text_sorts_and_puts_one_keyword_per_line(fmt_tool: ModuleType) -> None:
    text = fmt_tool.canonical_text({"b": {"z": "Z.", "a": "A."}, "": {"k": "K."}})
    assert text.splitlines() == [
        "{",
        ' "format": 1,',
        ' "blocks": {',
        '  "": {',
        '   "k": "K."',
        "  },",
        '  "b": {',
        '   "a": "A.",',
        '   "z": "Z."',
        "  }",
        " }",
        "}",
    ]
    assert json.loads(text)["blocks"]["b"] == {"a": "A.", "z": "Z."}
