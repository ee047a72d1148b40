"""The nodes of the block tree: keyword, arguments, optional child block.

A :class:`Node` is one statement as keepalived's parser sees it. Nodes read from
plain lines (:class:`PlainNode`) keep the line's words and text and make tokens
only when asked, which is most of what keeps reading a 100k-line config fast.
:mod:`kaconf.tree` decides which block each node belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kaconf.diagnostics import Diagnostic, Origin, Span
from kaconf.scan import Token, word_tokens

__all__ = ["Node", "PlainClose", "PlainNode", "PlainOpen", "Tree"]

#: A plain ``}`` line closing a block, as the reader saw it: (physical line text,
#: line number, (file, origin)). Its token is made only if someone asks.
PlainClose = tuple[str, int, tuple[str, Origin | None]]
#: A plain ``kw args {`` line: (words, physical line text, line number, (file, origin)).
PlainOpen = tuple[list[str], str, int, tuple[str, Origin | None]]


class Node:
    """One statement: ``keyword args...`` with an optional ``{ ... }`` block.

    A node read from a plain line (see :class:`~kaconf.source.Line`) keeps that
    line's words and text and makes ``keyword``, ``args`` and ``open_brace`` on
    first use; ``name``, ``words()``, ``span`` and ``head_span`` are answered
    from the text without making tokens, which is all the model builder needs.
    """

    __slots__ = ("name", "_keyword", "_args", "children", "_open", "closing", "brace_own_line",
                 "_words", "_text", "_lineno", "_src")

    def __init__(self, keyword: Token, args: list[Token], children: list[Node] | None = None,
                 open_brace: Token | None = None, close_brace: Token | None = None,
                 brace_own_line: bool = False) -> None:
        self.name: str = keyword.text
        self._keyword: Token | None = keyword
        self._args: list[Token] | None = args
        self.children = children
        self._open: Token | None = open_brace
        #: the closing brace, or the plain ``}`` line holding it
        self.closing: Token | PlainClose | None = close_brace
        self.brace_own_line = brace_own_line
        #: the words of the plain line this node was read from while its tokens
        #: are not made (then ``_keyword``, ``_args`` and ``_open`` are unset),
        #: with that line's text, number and (file, origin)
        self._words: list[str] | None = None
        self._text = ""
        self._lineno = 0
        self._src: tuple[str, Origin | None] = ("", None)

    # -- tokens, made on demand for nodes of plain lines ----------------------------

    def _materialize(self) -> None:
        words = self._words
        assert words is not None
        file, origin = self._src
        toks = word_tokens(words, self._text, file, self._lineno, origin)
        self._keyword = toks[0]
        if len(words) > 1 and words[-1] == "{":
            self._args = toks[1:-1]
            self._open = toks[-1]
        else:
            self._args = toks[1:]
            self._open = None
        self._words = None

    @property
    def keyword(self) -> Token:
        if self._words is not None:
            self._materialize()
        return self._keyword  # type: ignore[return-value]

    @keyword.setter
    def keyword(self, tok: Token) -> None:
        if self._words is not None:
            self._materialize()
        self._keyword = tok
        self.name = tok.text

    @property
    def args(self) -> list[Token]:
        if self._words is not None:
            self._materialize()
        return self._args  # type: ignore[return-value]

    @args.setter
    def args(self, toks: list[Token]) -> None:
        if self._words is not None:
            self._materialize()
        self._args = toks

    @property
    def open_brace(self) -> Token | None:
        if self._words is not None:
            self._materialize()
        return self._open

    @open_brace.setter
    def open_brace(self, tok: Token | None) -> None:
        if self._words is not None:
            self._materialize()
        self._open = tok

    @property
    def close_brace(self) -> Token | None:
        c = self.closing
        if c.__class__ is tuple:
            text, lineno, (file, origin) = c  # type: ignore[misc]
            col = text.find("}") + 1
            c = self.closing = Token("}", "}", file, lineno, col, col + 1, origin)
        return c  # type: ignore[return-value]

    @close_brace.setter
    def close_brace(self, tok: Token | None) -> None:
        self.closing = tok

    @property
    def has_block(self) -> bool:
        return self.children is not None

    @property
    def span(self) -> Span:
        """From the keyword to the closing brace (or the last argument)."""
        if self._words is not None:
            c = self.closing
            file, origin = self._src
            if c is None:
                return self.head_span
            if c.__class__ is tuple:
                # a plain '}' line: the brace is its only word
                ctext, end_line, (cfile, _) = c  # type: ignore[misc]
                end_col = ctext.find("}") + 2
            else:
                cfile, end_line, end_col = c.file, c.line, c.end_col  # type: ignore[union-attr]
            if cfile != file:
                return self.head_span
            text = self._text
            return Span(file, self._lineno, len(text) - len(text.lstrip()) + 1, end_line,
                        end_col, origin)
        k = self.keyword
        args = self.args
        end = self.close_brace or (args[-1] if args else k)
        if end.file != k.file:
            end = args[-1] if args and args[-1].file == k.file else k
        return Span(k.file, k.line, k.col, end.line, end.end_col, k.origin)

    def position(self) -> tuple[str, int, int]:
        """(file, line, column) of the keyword, where :attr:`span` and :attr:`head_span`
        start, without making either (ordering statements needs only this)."""
        if self._words is not None:
            text = self._text
            return self._src[0], self._lineno, len(text) - len(text.lstrip()) + 1
        k = self.keyword
        return k.file, k.line, k.col

    @property
    def head_span(self) -> Span:
        """The keyword line only (keyword and its arguments)."""
        words = self._words
        if words is not None:
            # all words of a plain line are on it; a '{' can only be the last word
            text = self._text
            head = text[: text.index("{")] if words[-1] == "{" else text
            file, origin = self._src
            return Span(file, self._lineno, len(text) - len(text.lstrip()) + 1, self._lineno,
                        len(head.rstrip()) + 1, origin)
        k = self.keyword
        last = k
        for a in self.args:
            if a.line == k.line and a.file == k.file:
                last = a
        return Span(k.file, k.line, k.col, k.line, last.end_col, k.origin)

    def words(self) -> list[str]:
        """Keyword and arguments as plain strings."""
        words = self._words
        if words is not None:
            return words[:-1] if words[-1] == "{" else words[:]
        return [self.name, *(a.text for a in self._args or ())]

    def arg_words(self) -> list[str]:
        """The arguments as plain strings (a new list)."""
        words = self._words
        if words is not None:
            return words[1:-1] if words[-1] == "{" else words[1:]
        return [a.text for a in self._args or ()]

    def __repr__(self) -> str:
        return (f"Node(keyword={self.keyword!r}, args={self.args!r}, "
                f"children={self.children!r}, open_brace={self.open_brace!r}, "
                f"close_brace={self.close_brace!r}, brace_own_line={self.brace_own_line!r})")


class PlainNode(Node):
    """A :class:`Node` of a plain line (its tokens are made on first use)."""

    __slots__ = ()

    def __init__(self, name: str, words: list[str], text: str, lineno: int,
                 src: tuple[str, Origin | None], children: list[Node] | None) -> None:
        # _keyword, _args and _open stay unset until _materialize
        self.name = name
        self.children = children
        self.closing = None
        self.brace_own_line = False
        self._words = words
        self._text = text
        self._lineno = lineno
        self._src = src


@dataclass
class Tree:
    """The top-level statements of a config plus brace problems found."""

    nodes: list[Node]
    diagnostics: list[Diagnostic] = field(default_factory=list)
