"""``kaconf fmt``: the canonical layout of a keepalived.conf, without changing its meaning.

Layout produced
---------------
* four spaces of indentation per block level;
* one statement per line, so ``virtual_ipaddress { 10.0.0.1 }`` becomes three lines;
* braces in the chosen style: ``same-line`` (default, ``keyword args {``, the layout
  every keepalived version reads, 1.2.2 included) or ``own-line`` (``{`` under the keyword);
* comments stay where they were written: a comment on its own line goes right
  before the statement that follows it, at that statement's indentation; a
  trailing comment stays after the statement of its line (one space before it);
* runs of blank lines shrink to one; blank lines at the start of a block, before
  a ``}`` and at the start or end of the file go.

How meaning is preserved
------------------------
The formatter does not rebuild the file from the block tree, because the tree of a
file using ``@id`` conditionals, ``$DEFINITIONS``, ``~SEQ`` or ``include`` depends on
the host it is read on (``@high`` lines vanish when the config id is ``low``) and on
files elsewhere. It works line by line instead, on the same primitives the reader
uses (:mod:`kaconf.source`), so a line is classified exactly as keepalived reads it:

* *plain* lines (no preprocessing construct) are split into the reader's logical
  lines and re-laid out from their tokens (``Token.raw``, so quotes stay; ``\\#``
  and ``\\!`` escapes are written back);
* *special* lines (``@id``, ``~SEQ``, anything with ``$``, ``include``, the lines of a
  multi-line ``$DEF=... \\``) are kept verbatim, only re-indented (keepalived strips
  leading white space before it looks at a line);
* lines keepalived skips (NUL bytes, too long) and lines that are not UTF-8 are
  kept byte for byte.

The only structural edits are splitting a line at its braces (keepalived splits
there too) and moving a lone ``{`` next to the statement it opens. The latter is
done only when the reader would attach that brace to that statement anyway: the
statement is the previous plain logical line, with nothing but comments and blank
lines in between. Splitting ``} {`` apart could turn a stray brace into a block
opener (keepalived compares line numbers there), so such lines stay verbatim.
The result is idempotent, and ``dump_json(load(text), spans=False)`` is the same
before and after; both properties are tested over the whole corpus with
Hypothesis (tests/unit/fmt/test_fmt.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# The reader's own primitives: formatting must classify and split a line exactly
# the way reading does, and sharing the code is the only way to guarantee that.
from kaconf.scan import DEF_LINE_RE, MAXBUF, WORD_RE, Token, decomment
from kaconf.source import Reader

__all__ = ["BRACE_STYLES", "INDENT", "BraceStyle", "format_bytes", "format_text"]

BraceStyle = Literal["same-line", "own-line"]
#: internal: braces stay where they are (used when the structure is broken, see below)
_KEEP: Literal["keep"] = "keep"
#: reader codes of broken block structure: where a brace stands changes what keepalived's
#: processes report there, so the formatter moves no brace in such a file
_STRUCTURE_CODES = frozenset({"KA010", "KA011", "KA012", "KA013"})
BRACE_STYLES: tuple[str, ...] = ("same-line", "own-line")
INDENT = "    "
#: Lines at least this long (bytes) are kept byte for byte: re-indenting them could
#: move them across keepalived's line-length limit (MAXBUF - 1 bytes), and a line
#: keepalived skipped must stay skipped (and vice versa).
LONG_LINE = 900

#: Words the reader gives a meaning only at the start of a physical line.
_LINE_START_ONLY = ("@", "~", "include")


def _too_long(raw: bytes) -> bool:
    """The reader's own test for a line keepalived ignores (see ``Reader._read_lines``)."""
    return len(raw) + 1 >= MAXBUF - 1 + 1 and len(raw.rstrip(b"\r")) >= MAXBUF - 1


def _escape(raw: str) -> str:
    """Write back the ``\\#``/``\\!`` escapes the reader removed outside quotes.

    ``Token.raw`` is the decommented word, so a ``#`` outside quotes in it can only
    have come from ``\\#``; writing it bare would start a comment.
    """
    if "#" not in raw and "!" not in raw:
        return raw
    out: list[str] = []
    in_quote = False
    for c in raw:
        if c == '"':
            in_quote = not in_quote
        elif not in_quote and c in "#!":
            out.append("\\")
        out.append(c)
    return "".join(out)


def _words(tokens: list[Token]) -> str:
    return " ".join(_escape(t.raw) for t in tokens)


def _open_quote(tokens: list[Token]) -> bool:
    """Whether the line ends inside an unterminated quote (nothing may follow it)."""
    return sum(t.raw.count('"') for t in tokens) % 2 == 1


# -- line classification ---------------------------------------------------------

_BLANK, _COMMENT, _PLAIN, _SPECIAL, _DEF, _SKIPPED = range(6)


@dataclass(slots=True)
class _Src:
    """One physical line as the reader sees it."""

    kind: int
    raw: bytes
    text: str  # stripped of surrounding white space (comment included)
    comment: str = ""  # trailing comment of a plain line
    exact: bool = False  # write ``raw`` back unchanged


def _classify(raw_lines: list[bytes]) -> list[_Src]:
    """Mirror ``Reader._read_lines`` to tell plain lines from everything else."""
    out: list[_Src] = []
    in_def = False
    for raw in raw_lines:
        if b"\x00" in raw or _too_long(raw):
            # keepalived skips the line altogether; it does not end a $DEF either
            out.append(_Src(_SKIPPED, raw, "", exact=True))
            continue
        try:
            text = raw.decode("utf-8")
            exact = len(raw) >= LONG_LINE
        except UnicodeDecodeError:
            text = raw.decode("utf-8", "replace")
            exact = True
        text = text.rstrip("\r\n")
        stripped = text.strip()
        body, _cols, _ccol, ctext, _unterminated = decomment(text.lstrip())
        if in_def:
            in_def = body.rstrip().endswith("\\")
            out.append(_Src(_DEF, raw, stripped, exact=exact))
            continue
        body = body.rstrip()
        if not body:
            if ctext is None:
                out.append(_Src(_BLANK, raw, ""))
            else:
                out.append(_Src(_COMMENT, raw, ctext.rstrip(), exact=exact))
            continue
        if body.startswith("$"):
            m = DEF_LINE_RE.match(body)
            if m:
                in_def = m.group(2).rstrip().endswith("\\")
                out.append(_Src(_DEF, raw, stripped, exact=exact))
                continue
        if exact or body[0] in "@~" or "$" in body or body.startswith("include"):
            out.append(_Src(_SPECIAL, raw, stripped, exact=exact))
            continue
        out.append(_Src(_PLAIN, raw, stripped, (ctext or "").rstrip()))
    return out


def _tokenize_plain(src: list[_Src]) -> dict[int, list[list[Token]]]:
    """Logical lines of every plain line, keyed by 1-based line number.

    The reader reads a copy of the file in which every non-plain line is blank:
    plain lines are read context-free (no definitions, conditionals or includes
    can touch them), so this gives exactly their tokens in the real file.
    """
    doc = "\n".join(s.text if s.kind == _PLAIN else "" for s in src)
    reader = Reader(config_id="")
    reader.read_bytes(doc.encode("utf-8"), "<fmt>")
    by_line: dict[int, list[list[Token]]] = {}
    for line in reader.lines:
        by_line.setdefault(line.line, []).append(line.tokens)
    return by_line


def _special_braces(text: str) -> list[str]:
    """The brace words of a special line, in order (only used for indentation)."""
    body = decomment(text)[0]
    if body.startswith("@"):
        body = body.partition(" ")[2]
    return [m.group() for m in WORD_RE.finditer(body) if m.group() in "{}"]


# -- layout ------------------------------------------------------------------------

_STMT, _OPEN, _CLOSE, _VERB, _NOTE, _EMPTY = range(6)


@dataclass(slots=True)
class _Out:
    """One output line before indentation is applied."""

    kind: int
    depth: int
    text: str
    comment: str = ""
    raw: bytes | None = None  # exact line


class _Formatter:
    """Lays out classified lines; see the module docstring for the rules."""

    def __init__(self, style: BraceStyle | Literal["keep"]) -> None:
        self.style = style
        self.out: list[_Out] = []
        self.depth = 0
        #: comments and blank lines seen but not written yet: they go before the next
        #: statement, at its indentation ("" stands for a blank line)
        self.pending: list[str] = []
        #: index in ``out`` of a statement a following lone '{' may join
        self.joinable: int | None = None

    # -- emitting ----------------------------------------------------------------

    def _flush(self, depth: int, closing: bool = False) -> None:
        """Write pending comments/blank lines before an item at ``depth``."""
        pending, self.pending = self.pending, []
        if closing:
            while pending and pending[-1] == "":
                pending.pop()
        for p in pending:
            if p == "":
                last = self.out[-1] if self.out else None
                if last is None or last.kind == _OPEN or last.kind == _EMPTY or (
                        last.kind == _VERB and last.text == "" and last.raw is None):
                    continue
                self.out.append(_Out(_EMPTY, 0, ""))
            else:
                self.out.append(_Out(_NOTE, depth, p))

    def _emit(self, item: _Out, closing: bool = False) -> None:
        self._flush(item.depth + 1 if closing else item.depth, closing)
        self.out.append(item)

    # -- lines ---------------------------------------------------------------------

    def special(self, s: _Src, cont: bool = False) -> None:
        """A verbatim line: only its indentation changes (unless it is exact)."""
        self.joinable = None
        if s.kind == _SKIPPED or s.kind == _DEF:
            braces: list[str] = []
        else:
            braces = _special_braces(s.text)
        lead = 0
        for b in braces:
            if b != "}":
                break
            lead += 1
        indent = max(self.depth - lead, 0) + (1 if cont and s.text else 0)
        if s.exact:
            self._emit(_Out(_VERB, indent, s.text, raw=s.raw))
        elif s.text == "" and cont:
            # the blank line that ends a multi-line definition must stay
            self._flush(indent)
            self.out.append(_Out(_VERB, 0, ""))
        else:
            self._emit(_Out(_VERB, indent, s.text))
        for b in braces:
            self.depth = self.depth + 1 if b == "{" else max(self.depth - 1, 0)

    def plain(self, s: _Src, logical: list[list[Token]]) -> None:
        """Re-lay out the logical lines of one plain physical line."""
        if any(a and b and len(a) == 1 and a[0].raw == "}" and len(b) == 1 and b[0].raw == "{"
               for a, b in zip(logical, logical[1:], strict=False)) or any(
                toks and toks[0].raw.startswith(_LINE_START_ONLY) for toks in logical[1:]):
            # '} {' on one line: the '{' may be stray only because it shares the line;
            # 'x { @id y' or 'x { include f': only at the start of a line would the reader
            # treat '@id'/'~SEQ'/'include' as such, so splitting the line would change it
            self.special(_Src(_SPECIAL, s.raw, s.text))
            return
        last: _Out | None = None
        for k, toks in enumerate(logical):
            if not toks:
                continue
            if len(toks) == 1 and toks[0].raw == "}":
                self.joinable = None
                self.depth = max(self.depth - 1, 0)
                last = _Out(_CLOSE, self.depth, "}")
                self._emit(last, closing=True)
            elif toks[-1].raw == "{" and len(toks) > 1:
                self.joinable = None
                if self.style in ("same-line", _KEEP):
                    last = _Out(_OPEN, self.depth, _words(toks[:-1]) + " {")
                    self._emit(last)
                else:
                    self._emit(_Out(_STMT, self.depth, _words(toks[:-1])))
                    last = _Out(_OPEN, self.depth, "{")
                    self.out.append(last)
                self.depth += 1
            elif len(toks) == 1 and toks[0].raw == "{":
                j = self.joinable
                self.joinable = None
                if k == 0 and j is not None and self.style != _KEEP:
                    # the reader attaches this '{' to that statement: move it there
                    target = self.out[j]
                    if self.style == "same-line":
                        target.kind = _OPEN
                        target.text += " {"
                        last = target
                    else:
                        last = _Out(_OPEN, target.depth, "{")
                        self.out.insert(j + 1, last)
                else:
                    last = _Out(_OPEN, self.depth, "{")
                    self._emit(last)
                self.depth += 1
            else:
                last = _Out(_STMT, self.depth, _words(toks))
                self._emit(last)
                self.joinable = None if _open_quote(toks) else len(self.out) - 1
        if s.comment:
            if last is not None and not last.comment and last.raw is None:
                last.comment = s.comment
            else:
                self.pending.append(s.comment)

    def finish(self) -> bytes:
        self._flush(self.depth, closing=True)
        while self.out and self.out[-1].kind == _EMPTY:
            self.out.pop()
        lines: list[bytes] = []
        for o in self.out:
            if o.raw is not None:
                lines.append(o.raw)
                continue
            text = o.text
            if o.comment:
                text = f"{text} {o.comment}"
            lines.append((INDENT * o.depth + text).encode("utf-8") if text else b"")
        return b"\n".join(lines) + b"\n" if lines else b""


def format_bytes(data: bytes, *, brace_style: BraceStyle = "same-line") -> bytes:
    """Return ``data`` (a keepalived.conf) in the canonical layout.

    Never raises for bad config text: whatever the reader would flag is kept as
    it is (only re-indented), so formatting never hides a problem from lint.
    """
    if brace_style not in BRACE_STYLES:
        raise ValueError(f"unknown brace style {brace_style!r}; use one of "
                         f"{', '.join(BRACE_STYLES)}")
    raw_lines = data.split(b"\n")
    if raw_lines and raw_lines[-1] == b"":
        raw_lines.pop()
    src = _classify(raw_lines)
    tokens = _tokenize_plain(src)
    f = _Formatter(_KEEP if has_broken_structure(data) else brace_style)
    for i, s in enumerate(src):
        if s.kind == _BLANK:
            f.pending.append("")
        elif s.kind == _COMMENT and not s.exact:
            f.pending.append(s.text)
        elif s.kind == _PLAIN:
            f.plain(s, tokens.get(i + 1, []))
        else:
            f.special(s, cont=s.kind == _DEF and _is_continuation(src, i))
    return f.finish()


def has_broken_structure(data: bytes) -> bool:
    """Whether keepalived reads a missing, extra or unexpected brace in ``data``.

    In a broken block keepalived's processes that skip it report each line they meet,
    an own-line ``{`` included, so moving a brace would change what they report.
    """
    from kaconf.loader import load_full

    loaded = load_full("/nonexistent/kaconf-fmt.conf", data=data)
    return any(d.code in _STRUCTURE_CODES for d in loaded.diagnostics)


def _is_continuation(src: list[_Src], i: int) -> bool:
    """Whether line ``i`` continues a multi-line definition (rather than starting one)."""
    if i == 0:
        return False
    j = i - 1
    while j >= 0 and src[j].kind == _SKIPPED:
        j -= 1
    if j < 0 or src[j].kind != _DEF:
        return False
    return decomment(src[j].text)[0].rstrip().endswith("\\")


def format_text(text: str, *, brace_style: BraceStyle = "same-line") -> str:
    """:func:`format_bytes` for text already decoded (tests, editors)."""
    return format_bytes(text.encode("utf-8"), brace_style=brace_style).decode("utf-8")
