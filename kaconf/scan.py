"""The line scanner: physical lines -> words, the way keepalived's ``read_line`` cuts them.

These are the pieces every consumer of raw config text shares: the reader
(:mod:`kaconf.source`) builds logical lines with them, the tree reader
(:mod:`kaconf.tree`) reads plain lines straight into nodes, and ``kaconf fmt``
(:mod:`kaconf.fmt`) classifies lines exactly as keepalived would. Keeping them
in one public module is what lets those three agree without reaching into each
other's private names.

A *plain* line (no comment, quote, escape, definition, NUL or carriage return,
and short enough never to reach ``MAXBUF``) is read on a fast path: its words
are ``str.split()`` and tokens are made only when asked for
(:class:`PlainLine`). Everything else takes the general path in the reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kaconf.diagnostics import Origin, Span

__all__ = [
    "DEF_LINE_RE", "INCLUDE_WORDS", "MAXBUF", "NOT_PLAIN", "PLAIN_MAX", "WORD_RE", "Comment",
    "Line", "PlainLine", "Token", "decomment", "decomment_122", "general_line_numbers",
    "word_tokens",
]

#: keepalived reads lines with fgets into a 1024-byte buffer: a line whose
#: content (without the newline) is 1023 bytes or more is dropped.
MAXBUF = 1024

#: One word of a line: a brace, or a run of non-blank characters with "..." kept whole.
WORD_RE = re.compile(r'[{}]|(?:[^\s{}"]+|"[^"]*"?)+')
#: A ``$NAME=value`` definition line.
DEF_LINE_RE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*(.*)$")
#: The include keywords (a line starting with one reads other files).
INCLUDE_WORDS = frozenset({"include", "includer", "includem", "includeb", "includew", "includea"})
_SPECIAL_RE = re.compile(r'[#!"\\]')
#: Characters that make a line need the general path: comments, quotes,
#: escapes, definitions, NUL and carriage returns.
NOT_PLAIN = re.compile(r'[#!"\\$\x00\r]')
#: Lines this long may hit MAXBUF (a character is at most 4 bytes): general path.
PLAIN_MAX = (MAXBUF - 1) // 4


@dataclass(slots=True)
class Token:
    """One word of a logical line.

    ``text`` has quotes removed; ``raw`` is the word as written (quotes kept),
    which script keywords need.
    """

    text: str
    raw: str
    file: str
    line: int
    col: int
    end_col: int
    origin: Origin | None = None

    @property
    def quoted(self) -> bool:
        return '"' in self.raw

    @property
    def span(self) -> Span:
        return Span(self.file, self.line, self.col, self.line, self.end_col, self.origin)

    def __repr__(self) -> str:
        return f"Token({self.text!r} @{self.file}:{self.line}:{self.col})"


@dataclass(slots=True)
class Comment:
    """A comment as written, kept so ``kaconf fmt`` can put it back."""

    text: str
    file: str
    line: int
    col: int
    own_line: bool


class Line:
    """A logical line: the tokens keepalived would hand to ``process_stream``.

    Most lines of a real config are plain words (no quotes, comments,
    definitions or braces inside words). For those the reader only keeps the
    words and the physical text: building :class:`Token` objects for 100k
    lines costs more than everything else, and most consumers only need the
    words and a span. ``tokens`` builds them on first use, with exactly the
    positions the general path would give.
    """

    __slots__ = ("_tokens", "plain_words", "plain_text", "file", "line", "origin")

    def __init__(self, tokens: list[Token], file: str, line: int,
                 origin: Origin | None = None) -> None:
        self._tokens: list[Token] | None = tokens
        #: the words (raw == text) of a plain line, None for a general line
        self.plain_words: list[str] | None = None
        #: the physical line text of a plain line (positions come from it)
        self.plain_text = ""
        self.file = file
        self.line = line
        self.origin = origin

    @property
    def tokens(self) -> list[Token]:
        toks = self._tokens
        if toks is None:
            toks = self._tokens = _plain_tokens(self)
        return toks

    @tokens.setter
    def tokens(self, value: list[Token]) -> None:
        self._tokens = value

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Line):
            return NotImplemented
        return (self.tokens, self.file, self.line, self.origin) == (
            other.tokens, other.file, other.line, other.origin)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (f"Line(tokens={self.tokens!r}, file={self.file!r}, line={self.line!r}, "
                f"origin={self.origin!r})")


class PlainLine(Line):
    """A :class:`Line` of plain words whose tokens are made on demand."""

    __slots__ = ()

    def __init__(self, words: list[str], text: str, file: str, line: int,
                 origin: Origin | None) -> None:
        self._tokens = None
        self.plain_words = words
        self.plain_text = text
        self.file = file
        self.line = line
        self.origin = origin


def _plain_tokens(line: Line) -> list[Token]:
    """Tokens of a plain line: each word found in the text left to right."""
    return word_tokens(line.plain_words or [], line.plain_text, line.file, line.line, line.origin)


def word_tokens(words: list[str], text: str, file: str, lineno: int,
                origin: Origin | None) -> list[Token]:
    """Tokens of the plain words ``words`` of physical line ``text``, with their columns."""
    find = text.find
    toks: list[Token] = []
    pos = 0
    for w in words:
        st = find(w, pos)
        pos = st + len(w)
        toks.append(Token(w, w, file, lineno, st + 1, pos + 1, origin))
    return toks


def general_line_numbers(whole: str, texts: list[str]) -> list[int]:
    """The 1-based numbers, ascending, of the lines of ``whole`` that need the general path.

    Those are the lines holding a ``NOT_PLAIN`` character or long enough to
    reach ``MAXBUF``. One regular-expression scan of the whole text finds them
    at C speed; testing each of 100k lines with the expression costs ~10 ms of
    per-call overhead, and almost every line of a real config is plain.
    ``texts`` is ``whole`` split at newlines.
    """
    search = NOT_PLAIN.search
    found: list[int] = []
    lineno = 1
    prev = pos = 0
    while (m := search(whole, pos)) is not None:
        start = m.start()
        lineno += whole.count("\n", prev, start)
        found.append(lineno)
        end = whole.find("\n", start)
        if end < 0:
            break
        prev, pos = start, end + 1
    if max(map(len, texts), default=0) >= PLAIN_MAX:
        found = sorted({*found, *(i for i, t in enumerate(texts, 1) if len(t) >= PLAIN_MAX)})
    return found



def decomment(text: str) -> tuple[str, list[int] | None, int, str | None, bool]:
    """Cut comments and unescape ``\\#``/``\\!`` outside quotes.

    Returns (text, column map or None for identity, comment column or -1,
    comment text, unterminated-quote flag). The column map gives, for each
    character of the result, its 0-based column in ``text``.
    """
    if _SPECIAL_RE.search(text) is None:
        return text, None, -1, None, False
    out: list[str] = []
    cols: list[int] = []
    in_quote = False
    i = 0
    n = len(text)
    changed = False
    while i < n:
        c = text[i]
        if c == '"':
            in_quote = not in_quote
        elif not in_quote:
            if c in "#!":
                return ("".join(out), cols if changed else None, i, text[i:], False)
            if c == "\\" and i + 1 < n and text[i + 1] in "#!":
                out.append(text[i + 1])
                cols.append(i + 1)
                changed = True
                i += 2
                continue
        out.append(c)
        cols.append(i)
        i += 1
    return "".join(out), cols if changed else None, -1, None, in_quote


def decomment_122(text: str) -> tuple[str, int, str | None]:
    """keepalived 1.2.2: a comment starts only at the start of a word."""
    for m in re.finditer(r"\S+", text):
        if m.group()[0] in "#!":
            return text[: m.start()], m.start(), text[m.start() :]
    return text, -1, None

