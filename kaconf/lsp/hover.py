"""Hover: what a keyword is (from the schema) and what a diagnostic code means.

On a keyword: its description (``grammars/descriptions.json``, when written),
the argument shape, range or choices, default, the keepalived versions that
know it (and whether the target version does), deprecation and replacement.
On a ``KA123`` code — in a ``# kaconf: ignore[KA123]`` comment or anywhere a
code is written — and anywhere on the range of a published finding: the rule's
summary, rationale and bad/good example, as ``kaconf rules KA123`` prints them.

The Markdown builders are plain functions of kaconf objects, shared with completion.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lsprotocol import types

from kaconf.lint import registry
from kaconf.lsp.cursor import cursor_at, word_at
from kaconf.lsp.positions import from_lsp, span_range
from kaconf.schema import VERSIONS, KeywordSpec, keyword_description, load_schema

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

    from kaconf.lsp.session import Analysis

__all__ = ["hover", "keyword_markdown", "rule_markdown"]

_CODE_RE = re.compile(r"KA\d{3}")


def keyword_markdown(spec: KeywordSpec, target_version: str) -> str:
    """The hover text of a keyword, in Markdown."""
    where = spec.block_path or "top level"
    out = [f"**{spec.name}** — in `{where}`", ""]
    description = keyword_description(spec.block_path, spec.name)
    if description:
        out += [description, ""]
    out.append(f"```\n{spec.name} {spec.arg_syntax}\n```")
    facts: list[str] = [f"- argument: {spec.arg_type}"]
    if spec.choices:
        facts.append(f"- values: {' | '.join(f'`{c}`' for c in spec.choices)}")
    elif spec.range_text:
        facts.append(f"- range: `{spec.range_text}`")
    if spec.default:
        facts.append(f"- default: {spec.default}")
    known = [v for v in VERSIONS if v in spec.versions]
    verdict = "known" if spec.known_in(target_version) else "**not known**"
    facts.append(f"- keepalived versions: {', '.join(known)} "
                 f"(target {target_version}: {verdict})")
    if spec.alias_of:
        facts.append(f"- synonym of `{spec.alias_of}`")
    if spec.deprecated:
        facts.append(f"- **deprecated**: {spec.deprecated}")
    if spec.replacement:
        facts.append(f"- use instead: `{spec.replacement}`")
    out += ["", *facts]
    return "\n".join(out)


def rule_markdown(code: str) -> str | None:
    """The hover text of a diagnostic code, or None for a code no rule has."""
    rule = registry.get(code)
    if rule is None:
        return None
    m = rule.meta
    out = [f"**{m.code}** `{m.name}` ({m.severity})", "", m.summary]
    if m.rationale:
        out += ["", m.rationale]
    for label, text in (("Bad", m.bad), ("Good", m.good)):
        if text:
            out += ["", f"{label}:", f"```\n{text.rstrip()}\n```"]
    return "\n".join(out)


def _keyword_spec(an: Analysis, line: int, start: int, word: str) -> KeywordSpec | None:
    cur = cursor_at(an.lines_of(an.path), line, start)
    path = cur.section_path
    if path is None or not cur.at_keyword or cur.in_comment:
        return None
    return load_schema().lookup(path, word)


def hover(server: LanguageServer, an: Analysis, params: types.HoverParams) -> types.Hover | None:
    """The hover at ``params.position`` of the analysed document."""
    codec = server.workspace.position_codec
    lines = an.lines_of(an.path)
    line, col = from_lsp(codec, lines, params.position)
    text = lines[line].rstrip("\r\n") if line < len(lines) else ""
    parts: list[str] = []
    seen: set[str] = set()
    code = next((m.group() for m in _CODE_RE.finditer(text) if m.start() <= col <= m.end()),
                None)
    doc = rule_markdown(code) if code else None
    if code and doc:
        seen.add(code)
        parts.append(doc)
    found = word_at(text, col)
    if found is not None and not parts:
        word, start, _ = found
        spec = _keyword_spec(an, line, start, word)
        if spec is not None:
            parts.append(keyword_markdown(spec, an.settings.target_version))
    for d in an.by_file.get(an.path, []):
        rng = span_range(codec, lines, d.span)
        if d.code in seen or not _inside(params.position, rng):
            continue
        doc = rule_markdown(d.code)
        if doc:
            seen.add(d.code)
            parts.append(doc)
    if not parts:
        return None
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                                    value="\n\n---\n\n".join(parts)))


def _inside(pos: types.Position, rng: types.Range) -> bool:
    start = (rng.start.line, rng.start.character)
    end = (rng.end.line, rng.end.character)
    return start <= (pos.line, pos.character) <= end
