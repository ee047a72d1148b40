"""Helpers rules use to attach fixes that touch only the text they mean.

Every helper checks the text it is about to edit against what the reader saw
and returns ``None`` when they differ, so no fix is ever offered for text that
does not literally stand in the file: a word that came from a ``$DEFINITION``
or a ``~SEQ`` line, a line kept or dropped by an ``@id`` conditional. Positions
are the reader's (see :mod:`kaconf.fix.edits`); a file's lines come from
``Loaded.texts`` and keep their carriage returns, which the helpers leave in
place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from kaconf.diagnostics import Edit, Fix, Origin, Span

if TYPE_CHECKING:
    from kaconf.lint.rule import Context
    from kaconf.scan import Token
    from kaconf.tree import Node

__all__ = [
    "delete_item",
    "delete_node",
    "delete_token",
    "insert_line_after",
    "join_brace",
    "literal",
    "replace_token",
    "replace_word",
]

Texts = Mapping[str, Sequence[str]]


def _texts(ctx: Context) -> Texts:
    return ctx.loaded.texts


def _only_includes(origin: Origin | None) -> bool:
    """Whether text with this origin stands in its file as written (no expansion)."""
    while origin is not None:
        if origin.via not in ("", "include"):
            return False
        origin = origin.parent.origin if origin.parent is not None else None
    return True


def _line(texts: Texts, file: str, line: int) -> str | None:
    lines = texts.get(file)
    if lines is None or not 1 <= line <= len(lines):
        return None
    return lines[line - 1]


def literal(ctx: Context, tok: Token) -> bool:
    """Whether ``tok`` is in its file exactly as written, at its position."""
    text = _line(_texts(ctx), tok.file, tok.line)
    return (text is not None and text[tok.col - 1: tok.end_col - 1] == tok.raw
            and _only_includes(tok.origin))


def _fix(title: str, edits: list[Edit], safe: bool, changes_meaning: bool) -> Fix:
    return Fix(title, tuple(edits), safe=safe, changes_meaning=changes_meaning)


def replace_token(ctx: Context, tok: Token, new: str, title: str, *, safe: bool = True,
                  changes_meaning: bool = False) -> Fix | None:
    """Replace one word as written (quotes included) with ``new``."""
    if not literal(ctx, tok):
        return None
    return _fix(title, [Edit(tok.file, tok.line, tok.col, tok.line, tok.end_col, new)],
                safe, changes_meaning)


def delete_token(ctx: Context, tok: Token, title: str, *, safe: bool = True,
                 changes_meaning: bool = False) -> Fix | None:
    """Remove one word and the blanks before it (the line's other words stay)."""
    text = _line(_texts(ctx), tok.file, tok.line)
    if text is None or not literal(ctx, tok):
        return None
    start = tok.col - 1
    while start > 0 and text[start - 1] in " \t":
        start -= 1
    return _fix(title, [Edit(tok.file, tok.line, start + 1, tok.line, tok.end_col, "")],
                safe, changes_meaning)


def _is_rest_blank(rest: str) -> bool:
    """Nothing but blanks, a carriage return or a comment after a statement."""
    rest = rest.strip()
    return rest == "" or rest[0] in "#!"


def _node_tokens_literal(ctx: Context, node: Node) -> bool:
    toks = [node.keyword, *node.args]
    if node.open_brace is not None:
        toks.append(node.open_brace)
    close = node.close_brace
    if close is not None:
        toks.append(close)
    return all(literal(ctx, t) for t in toks) and all(t.file == node.keyword.file for t in toks)


def delete_node(ctx: Context, node: Node, title: str, *, safe: bool = True,
                changes_meaning: bool = False) -> Fix | None:
    """Remove a statement (with its block, if any).

    When the statement has its lines to itself (blanks or a trailing comment
    aside), the whole lines go, line endings included; otherwise only its words.
    Statements whose words came from an expansion or span files get no fix.
    """
    if not _node_tokens_literal(ctx, node):
        return None
    span = node.span
    texts = _texts(ctx)
    first = _line(texts, span.file, span.line)
    last = _line(texts, span.file, span.end_line)
    if first is None or last is None:
        return None
    if first[: span.col - 1].strip() == "" and _is_rest_blank(last[span.end_col - 1:]):
        # whole lines, line endings included (line n + 1 column 1 is the end of the text)
        edit = Edit(span.file, span.line, 1, span.end_line + 1, 1, "")
        return _fix(title, [edit], safe, changes_meaning)
    start = span.col - 1
    while start > 0 and first[start - 1] in " \t":
        start -= 1
    return _fix(title, [Edit(span.file, span.line, start + 1, span.end_line, span.end_col, "")],
                safe, changes_meaning)


def insert_line_after(ctx: Context, node: Node, line: str, title: str, *, safe: bool = True,
                      changes_meaning: bool = False) -> Fix | None:
    """Add ``line`` after the statement ``node``, indented like it, same line ending."""
    if not _node_tokens_literal(ctx, node):
        return None
    span = node.span
    texts = _texts(ctx)
    first = _line(texts, span.file, span.line)
    last = _line(texts, span.file, span.end_line)
    if first is None or last is None or not _is_rest_blank(last[span.end_col - 1:]):
        return None
    indent = first[: len(first) - len(first.lstrip(" \t"))]
    eol = "\r\n" if last.endswith("\r") else "\n"
    end = len(last.rstrip("\r")) + 1
    text = f"{eol}{indent}{line}"
    return _fix(title, [Edit(span.file, span.end_line, end, span.end_line, end, text)],
                safe, changes_meaning)


def join_brace(ctx: Context, node: Node, title: str, *, safe: bool = True,
               changes_meaning: bool = False) -> Fix | None:
    """Move a ``{`` standing on its own line up to the end of ``node``'s keyword line.

    Only when the brace's line holds nothing else (blanks aside): that line is
    removed and `` {`` goes right after the keyword's last word, before any comment.
    """
    brace = node.open_brace
    if brace is None or not _node_tokens_literal(ctx, node):
        return None
    texts = _texts(ctx)
    brace_text = _line(texts, brace.file, brace.line)
    head = node.head_span
    if brace_text is None or brace_text.strip() != "{" or brace.line <= head.end_line:
        return None
    remove = Edit(brace.file, brace.line, 1, brace.line + 1, 1, "")
    insert = Edit(head.file, head.end_line, head.end_col, head.end_line, head.end_col, " {")
    return _fix(title, [insert, remove], safe, changes_meaning)


def _span_literal(ctx: Context, span: Span, first_word: str) -> str | None:
    """The line holding the one-line ``span`` when its text, as written, starts with
    the word ``first_word``."""
    text = _line(_texts(ctx), span.file, span.line)
    if text is None or span.end_line != span.line or not _only_includes(span.origin):
        return None
    words = text[span.col - 1: span.end_col - 1].split()
    return text if words and words[0] == first_word else None


def replace_word(ctx: Context, span: Span | None, old: str, new: str, title: str, *,
                 safe: bool = True, changes_meaning: bool = False) -> Fix | None:
    """Replace the one word ``old`` inside the one-line ``span`` (none if not exactly once)."""
    if span is None:
        return None
    text = _line(_texts(ctx), span.file, span.line)
    if text is None or span.end_line != span.line or not _only_includes(span.origin):
        return None
    found = [i for i, w in _words(text) if w == old and span.col - 1 <= i < span.end_col - 1]
    if len(found) != 1:
        return None
    col = found[0] + 1
    return _fix(title, [Edit(span.file, span.line, col, span.line, col + len(old), new)],
                safe, changes_meaning)


def _words(text: str) -> list[tuple[int, str]]:
    import re

    return [(m.start(), m.group()) for m in re.finditer(r"\S+", text)]


def delete_item(ctx: Context, span: Span | None, first_word: str, title: str, *,
                safe: bool = True, changes_meaning: bool = False) -> Fix | None:
    """Remove the words at ``span`` (an item of a value block, e.g. a member name).

    ``first_word`` is the word the span must start with. When nothing else
    (blanks and a comment aside) is left on the line, the whole line goes.
    """
    text = _span_literal(ctx, span, first_word) if span is not None else None
    if text is None or span is None:
        return None
    if text[: span.col - 1].strip() == "" and _is_rest_blank(text[span.end_col - 1:]):
        return _fix(title, [Edit(span.file, span.line, 1, span.line + 1, 1, "")], safe,
                    changes_meaning)
    start = span.col - 1
    while start > 0 and text[start - 1] in " \t":
        start -= 1
    return _fix(title, [Edit(span.file, span.line, start + 1, span.line, span.end_col, "")],
                safe, changes_meaning)
