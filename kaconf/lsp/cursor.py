"""Where the cursor is in a config being typed: its block path and the statement so far.

Completion and hover must answer for text that does not parse yet (an unclosed
block, a half-typed keyword), so this does not build the reader's tree: it walks
the lines before the cursor with the scanner's word rule (:data:`kaconf.scan.WORD_RE`)
and keeps a stack of open blocks, asking the schema whether each ``keyword {`` opens
a section (keywords inside), a value block (raw item lines inside) or nothing it
knows. Like keepalived's reader it cuts comments, drops ``@id``/``~SEQ`` prefixes,
splits statements at braces and lets a lone ``{`` open the block of the statement
above it. ``$NAME=`` definition lines are skipped: they are not statements.

Pure: no editor protocol types, so it is tested on plain strings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kaconf.scan import DEF_LINE_RE, WORD_RE, decomment
from kaconf.schema import load_schema

__all__ = ["Cursor", "Frame", "cursor_at", "word_at"]

#: ``@id`` / ``@^id`` and ``~SEQ(...)``/``~LST(...)`` line prefixes.
_PREFIX_RE = re.compile(r"^\s*(?:@\^?\S+\s+|~(?:SEQ|LST)\([^)]*\)\s*)")
#: The characters of a word (for the word under the cursor).
_WORD_CHARS = re.compile(r'[^\s{}"#!]+')


@dataclass(frozen=True)
class Frame:
    """One open block: the keyword that opened it and what is inside.

    ``kind`` is ``"section"`` (keywords of block ``path``), ``"value"`` (raw item
    lines of the value block ``path``) or ``"unknown"`` (a block the schema
    does not know there; ``path`` is then ``None``).
    """

    keyword: str
    path: str | None
    kind: str
    #: the opener's arguments (``VI_1`` of ``vrrp_instance VI_1 {``)
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cursor:
    """What is around the cursor: the open blocks and the statement being typed."""

    frames: tuple[Frame, ...]
    #: complete words of the current statement before the cursor
    words: tuple[str, ...]
    #: the partial word the cursor is in (or right after), "" after white space
    prefix: str
    #: 0-based column where ``prefix`` starts
    prefix_start: int
    #: whether the cursor is inside a comment
    in_comment: bool = False

    @property
    def block(self) -> Frame | None:
        """The innermost open block (``None`` at the top level)."""
        return self.frames[-1] if self.frames else None

    @property
    def section_path(self) -> str | None:
        """The block path whose keywords are valid here (``""`` top level, None elsewhere)."""
        top = self.block
        if top is None:
            return ""
        return top.path if top.kind == "section" else None

    @property
    def at_keyword(self) -> bool:
        """Whether the cursor is on the first word of a statement."""
        return not self.words


def _clean(text: str) -> tuple[str, int]:
    """``text`` without its comment and line prefixes; and where the comment starts (-1)."""
    body, _, comment_col, _, _ = decomment(text)
    m = _PREFIX_RE.match(body)
    if m is not None and m.end() < len(body):
        body = " " * m.end() + body[m.end():]
    return body, comment_col


class _Walker:
    """The block stack as lines go by."""

    def __init__(self) -> None:
        self.schema = load_schema()
        self.frames: list[Frame] = []
        self.words: list[str] = []
        #: the last statement of a finished line, for a ``{`` on the line below it
        self.pending: list[str] = []

    def _open(self, stmt: list[str]) -> None:
        top = self.frames[-1] if self.frames else None
        if not stmt:
            self.frames.append(Frame("", None, "unknown"))
            return
        kw, args = stmt[0], tuple(stmt[1:])
        parent = "" if top is None else (top.path if top.kind == "section" else None)
        spec = self.schema.lookup(parent, kw) if parent is not None else None
        if spec is not None and spec.is_section:
            self.frames.append(Frame(kw, spec.child_path, "section", args))
        elif spec is not None and spec.is_value_block:
            self.frames.append(Frame(kw, spec.child_path, "value", args))
        else:
            self.frames.append(Frame(kw, None, "unknown", args))

    def feed(self, body: str) -> None:
        """Process one line's words (statements split at braces)."""
        if DEF_LINE_RE.match(body.strip()):
            return
        started = False
        for w in WORD_RE.findall(body):
            if w == "{":
                stmt = self.words if self.words else (self.pending if not started else [])
                self._open(stmt)
                self.words, self.pending = [], []
            elif w == "}":
                if self.frames:
                    self.frames.pop()
                self.words, self.pending = [], []
            else:
                self.words.append(w)
            started = True

    def end_line(self) -> None:
        self.pending = self.words
        self.words = []


def cursor_at(lines: Sequence[str], line: int, col: int) -> Cursor:
    """The :class:`Cursor` at 0-based ``line`` and character column ``col`` of ``lines``.

    Positions past the end are clamped; broken text never raises.
    """
    walker = _Walker()
    line = max(0, min(line, len(lines)))
    for text in lines[:line]:
        body, _ = _clean(text.rstrip("\r\n"))
        walker.feed(body)
        walker.end_line()
    current = lines[line].rstrip("\r\n") if line < len(lines) else ""
    col = max(0, min(col, len(current)))
    body, comment_col = _clean(current)
    in_comment = 0 <= comment_col < col
    before = body[:col] if not in_comment else body
    m = re.search(r'[^\s{}]*$', before)
    start = m.start() if m is not None else col
    prefix = before[start:]
    walker.feed(before[:start])
    return Cursor(tuple(walker.frames), tuple(walker.words), prefix, start, in_comment)


def word_at(text: str, col: int) -> tuple[str, int, int] | None:
    """The word of ``text`` around 0-based column ``col``: (word, start, end) or None."""
    for m in _WORD_CHARS.finditer(text):
        if m.start() <= col <= m.end():
            return m.group(), m.start(), m.end()
    return None
