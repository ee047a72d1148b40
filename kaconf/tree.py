"""The generic block tree: keyword, arguments, optional child block.

This stage knows nothing about VRRP or keyword meanings; it only pairs braces
the way keepalived 2.x does after its reader has split lines at braces. A ``{``
on its own line opens the block of the statement just before it (that is what
2.x does and what 1.2.2 did *not* do for value blocks: the node records
``brace_own_line`` so lint can say so for old targets). ``kaconf fmt`` works on
this tree, so it keeps every token's position.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kaconf.diagnostics import Diagnostic, Origin, Severity, Span
from kaconf.source import (
    INCLUDE_WORDS,
    Line,
    Reader,
    ReadResult,
    Token,
    general_line_numbers,
    word_tokens,
)

#: A plain ``}`` line closing a block, as the reader saw it: (physical line text,
#: line number, (file, origin)). Its token is made only if someone asks.
_PlainClose = tuple[str, int, tuple[str, Origin | None]]


class Node:
    """One statement: ``keyword args...`` with an optional ``{ ... }`` block.

    A node read from a plain line (see :class:`~kaconf.source.Line`) keeps that
    line's words and text and makes ``keyword``, ``args`` and ``open_brace`` on
    first use; ``name``, ``words()``, ``span`` and ``head_span`` are answered
    from the text without making tokens, which is all the model builder needs.
    """

    __slots__ = ("name", "_keyword", "_args", "children", "_open", "_close", "brace_own_line",
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
        self._close: Token | _PlainClose | None = close_brace
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
        c = self._close
        if c.__class__ is tuple:
            text, lineno, (file, origin) = c  # type: ignore[misc]
            col = text.find("}") + 1
            c = self._close = Token("}", "}", file, lineno, col, col + 1, origin)
        return c  # type: ignore[return-value]

    @close_brace.setter
    def close_brace(self, tok: Token | None) -> None:
        self._close = tok

    @property
    def has_block(self) -> bool:
        return self.children is not None

    @property
    def span(self) -> Span:
        """From the keyword to the closing brace (or the last argument)."""
        if self._words is not None:
            c = self._close
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


class _PlainNode(Node):
    """A :class:`Node` of a plain line (its tokens are made on first use)."""

    __slots__ = ()

    def __init__(self, name: str, words: list[str], text: str, lineno: int,
                 src: tuple[str, Origin | None], children: list[Node] | None) -> None:
        # _keyword, _args and _open stay unset until _materialize
        self.name = name
        self.children = children
        self._close = None
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


class _TreeBuilder:
    """Pairs braces of logical lines into nodes, one line at a time.

    The state is a stack of (statement list being filled, node owning it);
    the top level has no owner. :class:`_TreeReader` reads plain lines straight
    into this stack and hands the other lines to :meth:`add_line`.
    """

    def __init__(self) -> None:
        self.root: list[Node] = []
        self.stack: list[tuple[list[Node], Node | None]] = [(self.root, None)]
        self.diags: list[Diagnostic] = []

    def add_line(self, line: Line) -> None:
        """Add one logical line."""
        stack = self.stack
        current = stack[-1][0]
        words = line.plain_words
        if words is not None:
            # plain line: decided on its words, tokens are made only if needed
            first_word = words[0]
            src = (line.file, line.origin)
            if first_word == "}" and len(words) == 1:
                if len(stack) > 1:
                    _, owner = stack.pop()
                    if owner is not None:
                        owner._close = (line.plain_text, line.line, src)
                    return
            elif words[-1] != "{":
                current.append(_PlainNode(first_word, words, line.plain_text, line.line, src, None))
                return
            elif len(words) > 1:
                children: list[Node] = []
                node: Node = _PlainNode(first_word, words, line.plain_text, line.line, src, children)
                current.append(node)
                stack.append((children, node))
                return
        toks = line.tokens
        if not toks:
            return
        first = toks[0]
        if first.raw == "}" and len(toks) == 1:
            if len(stack) == 1:
                self.diags.append(Diagnostic(
                    "KA010", Severity.ERROR, "extra '}' with no block to close", first.span,
                    hint="remove the brace or add the missing opening '{'",
                ))
                return
            _, owner = stack.pop()
            if owner is not None:
                owner.close_brace = first
            return
        if toks[-1].raw == "{":
            head = toks[:-1]
            brace = toks[-1]
            if head:
                node = Node(head[0], head[1:], [], brace)
                current.append(node)
            else:
                prev = current[-1] if current else None
                if prev is not None and prev.children is None and (
                    prev.keyword.file != brace.file or prev.keyword.line < brace.line
                    or prev.keyword.origin is not brace.origin
                ):
                    node = prev
                    node.children = []
                    node.open_brace = brace
                    node.brace_own_line = True
                else:
                    self.diags.append(Diagnostic(
                        "KA011", Severity.ERROR, "unexpected '{' - keepalived ignores it",
                        brace.span, hint="a '{' must follow a keyword that opens a block",
                    ))
                    # keep counting it so the matching '}' does not close the parent
                    node = Node(brace, [], [], brace)
                    current.append(node)
            stack.append((node.children, node))  # type: ignore[arg-type]
            return
        current.append(Node(first, toks[1:]))

    def finish(self) -> Tree:
        """The tree, with a finding for every block left open."""
        stack = self.stack
        while len(stack) > 1:
            _, owner = stack.pop()
            if owner is not None and owner.open_brace is not None:
                self.diags.append(Diagnostic(
                    "KA012", Severity.ERROR,
                    f"block '{owner.keyword.text}' is never closed: missing '}}'",
                    owner.open_brace.span,
                    hint="add the missing '}' (keepalived reports: There are N missing '}'s "
                    "or extra '{'s)",
                ))
        return Tree(self.root, self.diags)


def build_tree(lines: list[Line]) -> Tree:
    """Pair braces into a tree of :class:`Node`; never raises."""
    builder = _TreeBuilder()
    add = builder.add_line
    for line in lines:
        add(line)
    return builder.finish()


class _TreeReader(Reader):
    """A reader that builds the tree as it reads, without keeping logical lines.

    Reading plain lines straight into nodes saves making a
    :class:`~kaconf.source.Line` per line and a second pass over them: on a
    100k-line config that is a third of reading and tree building. Lines that
    need the general path become logical lines as usual and go to
    :meth:`_TreeBuilder.add_line` in reading order, so the tree is the one
    :func:`build_tree` makes of :func:`~kaconf.source.read_config`'s lines.
    """

    def __init__(self, config_id: str | None, version: str) -> None:
        super().__init__(config_id=config_id, version=version)
        self.tree = _TreeBuilder()
        self._emit_line = self.tree.add_line

    def _read_lines(self, texts: list[str], file: str, origin: Origin | None) -> None:
        """As :meth:`Reader._read_lines`, with the plain lines put into the tree here."""
        if self.legacy:
            super()._read_lines(texts, file, origin)
            return
        stack = self.tree.stack
        general = self._general
        includes = INCLUDE_WORDS
        src = (file, origin)
        bad = iter(general_line_numbers("\n".join(texts), texts))
        next_bad = next(bad, 0)
        pending = None
        add = stack[-1][0].append
        lineno = 0
        for text in texts:
            lineno += 1
            if lineno == next_bad:
                next_bad = next(bad, 0)
            elif pending is None:
                # the plain-line test of Reader._read_lines, split by what the line does
                words = text.split()
                if not words:
                    continue
                first = words[0]
                if first[0] not in "@~" and first not in includes:
                    if "{" not in text and "}" not in text:
                        add(_PlainNode(first, words, text, lineno, src, None))
                        continue
                    if words[-1] == "{":
                        if len(words) > 1 and text.count("{") == 1 and "}" not in text:
                            children: list[Node] = []
                            node = _PlainNode(first, words, text, lineno, src, children)
                            add(node)
                            stack.append((children, node))
                            add = children.append
                            continue
                    elif first == "}" and len(words) == 1 and len(stack) > 1:
                        owner = stack.pop()[1]
                        if owner is not None:
                            owner._close = (text, lineno, src)
                        add = stack[-1][0].append
                        continue
            pending = general(text, file, lineno, origin, pending)
            add = stack[-1][0].append


def read_tree(
    path: str,
    config_id: str | None = None,
    version: str = "2.2.7",
    data: bytes | None = None,
) -> tuple[ReadResult, Tree]:
    """:func:`~kaconf.source.read_config` and :func:`build_tree` in one pass.

    Gives the same tree and findings; the result's ``lines`` is empty (the
    logical lines are not kept). Never raises for bad input.
    """
    reader = _TreeReader(config_id, version)
    if data is not None:
        reader.read_bytes(data, path)
    else:
        reader.read_path(path)
    rr = ReadResult(reader.lines, reader.comments, reader.files, reader.diagnostics,
                    reader.texts)
    return rr, reader.tree.finish()
