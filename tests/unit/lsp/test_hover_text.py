"""The Markdown of keyword and rule hovers (also completion's documentation)."""

from __future__ import annotations

import pytest

from kaconf.lsp import hover
from kaconf.schema import load_schema


def test_a_written_description_comes_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hover, "keyword_description",
                        lambda path, name: "The router's priority." if name == "priority"
                        else None)
    spec = load_schema().lookup("vrrp_instance", "priority")
    assert spec is not None
    text = hover.keyword_markdown(spec, "2.2.7")
    assert text.splitlines()[2] == "The router's priority."
    assert "- range: `1-255`" in text


def test_without_a_description_the_facts_remain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hover, "keyword_description", lambda path, name: None)
    spec = load_schema().lookup("global_defs", "vrrp_garp_master_delay")
    assert spec is not None
    text = hover.keyword_markdown(spec, "1.2.2")
    assert text.startswith("**vrrp_garp_master_delay** — in `global_defs`")
    assert "target 1.2.2: **not known**" in text


def test_rule_text_and_unknown_code() -> None:
    text = hover.rule_markdown("KA021")
    assert text is not None and text.startswith("**KA021** `invalid-number` (error)")
    assert hover.rule_markdown("KA998") is None
