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

from kaconf.diagnostics import Diagnostic, Severity, Span
from kaconf.source import Line, Token


class Node:
    """One statement: ``keyword args...`` with an optional ``{ ... }`` block.

    A node read from a plain line (see :class:`~kaconf.source.Line`) keeps the
    line and makes ``keyword``, ``args`` and ``open_brace`` on first use;
    ``name``, ``words()``, ``span`` and ``head_span`` are answered from the
    line's text without making tokens, which is all the model builder needs.
    """

    __slots__ = ("name", "_keyword", "_args", "children", "_open", "_close", "brace_own_line",
                 "_line")

    def __init__(self, keyword: Token, args: list[Token], children: list[Node] | None = None,
                 open_brace: Token | None = None, close_brace: Token | None = None,
                 brace_own_line: bool = False) -> None:
        self.name: str = keyword.text
        self._keyword: Token | None = keyword
        self._args: list[Token] | None = args
        self.children = children
        self._open: Token | None = open_brace
        #: the closing brace, or the plain ``}`` line holding it
        self._close: Token | Line | None = close_brace
        self.brace_own_line = brace_own_line
        #: the plain line this node was read from while its tokens are not made
        self._line: Line | None = None

    # -- tokens, made on demand for nodes of plain lines ----------------------------

    def _materialize(self) -> None:
        line = self._line
        assert line is not None
        toks = line.tokens
        self._keyword = toks[0]
        words = line._words
        if words is not None and len(words) > 1 and words[-1] == "{":
            self._args = toks[1:-1]
            if self._open is None:
                self._open = toks[-1]
        else:
            self._args = toks[1:]
        self._line = None

    @property
    def keyword(self) -> Token:
        if self._line is not None:
            self._materialize()
        return self._keyword  # type: ignore[return-value]

    @keyword.setter
    def keyword(self, tok: Token) -> None:
        if self._line is not None:
            self._materialize()
        self._keyword = tok
        self.name = tok.text

    @property
    def args(self) -> list[Token]:
        if self._line is not None:
            self._materialize()
        return self._args  # type: ignore[return-value]

    @args.setter
    def args(self, toks: list[Token]) -> None:
        if self._line is not None:
            self._materialize()
        self._args = toks

    @property
    def open_brace(self) -> Token | None:
        if self._line is not None:
            self._materialize()
        return self._open

    @open_brace.setter
    def open_brace(self, tok: Token | None) -> None:
        if self._line is not None:
            self._materialize()
        self._open = tok

    @property
    def close_brace(self) -> Token | None:
        c = self._close
        if isinstance(c, Line):
            c = self._close = c.tokens[0]
        return c

    @close_brace.setter
    def close_brace(self, tok: Token | None) -> None:
        self._close = tok

    @property
    def has_block(self) -> bool:
        return self.children is not None

    @property
    def span(self) -> Span:
        """From the keyword to the closing brace (or the last argument)."""
        line = self._line
        if line is not None:
            c = self._close
            if c is None or c.file != line.file:
                return self.head_span
            if isinstance(c, Line):
                # a plain '}' line: the brace is its only word
                text = c._text
                end_col = len(text) - len(text.lstrip()) + 2
            else:
                end_col = c.end_col
            text = line._text
            return Span(line.file, line.line, len(text) - len(text.lstrip()) + 1, c.line,
                        end_col, line.origin)
        k = self.keyword
        args = self.args
        end = self.close_brace or (args[-1] if args else k)
        if end.file != k.file:
            end = args[-1] if args and args[-1].file == k.file else k
        return Span(k.file, k.line, k.col, end.line, end.end_col, k.origin)

    @property
    def head_span(self) -> Span:
        """The keyword line only (keyword and its arguments)."""
        line = self._line
        if line is not None:
            # all words of a plain line are on it; a '{' can only be the last word
            text = line._text
            head = text[: text.index("{")] if line._words[-1] == "{" else text  # type: ignore[index]
            return Span(line.file, line.line, len(text) - len(text.lstrip()) + 1, line.line,
                        len(head.rstrip()) + 1, line.origin)
        k = self.keyword
        last = k
        for a in self.args:
            if a.line == k.line and a.file == k.file:
                last = a
        return Span(k.file, k.line, k.col, k.line, last.end_col, k.origin)

    def words(self) -> list[str]:
        """Keyword and arguments as plain strings."""
        line = self._line
        if line is not None:
            words = line._words
            assert words is not None
            return words[:-1] if words[-1] == "{" else words[:]
        return [self.name, *(a.text for a in self._args or ())]

    def arg_words(self) -> list[str]:
        """The arguments as plain strings (a new list)."""
        line = self._line
        if line is not None:
            words = line._words
            assert words is not None
            return words[1:-1] if words[-1] == "{" else words[1:]
        return [a.text for a in self._args or ()]

    def __repr__(self) -> str:
        return (f"Node(keyword={self.keyword!r}, args={self.args!r}, "
                f"children={self.children!r}, open_brace={self.open_brace!r}, "
                f"close_brace={self.close_brace!r}, brace_own_line={self.brace_own_line!r})")


class _PlainNode(Node):
    """A :class:`Node` of a plain line (its tokens are made on first use)."""

    __slots__ = ()

    def __init__(self, line: Line, name: str, children: list[Node] | None) -> None:
        self.name = name
        self._keyword = None
        self._args = None
        self.children = children
        self._open = None
        self._close = None
        self.brace_own_line = False
        self._line = line


@dataclass
class Tree:
    """The top-level statements of a config plus brace problems found."""

    nodes: list[Node]
    diagnostics: list[Diagnostic] = field(default_factory=list)


def build_tree(lines: list[Line]) -> Tree:
    """Pair braces into a tree of :class:`Node`; never raises."""
    root: list[Node] = []
    stack: list[tuple[list[Node], Node | None]] = [(root, None)]
    diags: list[Diagnostic] = []
    current = root
    for line in lines:
        words = line._words
        if words is not None:
            # plain line: decided on its words, tokens are made only if needed
            first_word = words[0]
            if first_word == "}" and len(words) == 1:
                if len(stack) > 1:
                    _, owner = stack.pop()
                    if owner is not None:
                        owner._close = line
                    current = stack[-1][0]
                    continue
            elif words[-1] != "{":
                current.append(_PlainNode(line, first_word, None))
                continue
            elif len(words) > 1:
                node: Node = _PlainNode(line, first_word, [])
                current.append(node)
                stack.append((node.children, node))  # type: ignore[arg-type]
                current = node.children  # type: ignore[assignment]
                continue
        toks = line.tokens
        if not toks:
            continue
        first = toks[0]
        if first.raw == "}" and len(toks) == 1:
            if len(stack) == 1:
                diags.append(Diagnostic(
                    "KA010", Severity.ERROR, "extra '}' with no block to close", first.span,
                    hint="remove the brace or add the missing opening '{'",
                ))
                continue
            _, owner = stack.pop()
            if owner is not None:
                owner.close_brace = first
            current = stack[-1][0]
            continue
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
                    diags.append(Diagnostic(
                        "KA011", Severity.ERROR, "unexpected '{' - keepalived ignores it",
                        brace.span, hint="a '{' must follow a keyword that opens a block",
                    ))
                    # keep counting it so the matching '}' does not close the parent
                    node = Node(brace, [], [], brace)
                    current.append(node)
            stack.append((node.children, node))  # type: ignore[arg-type]
            current = node.children  # type: ignore[assignment]
            continue
        current.append(Node(first, toks[1:]))
    while len(stack) > 1:
        _, owner = stack.pop()
        if owner is not None and owner.open_brace is not None:
            diags.append(Diagnostic(
                "KA012", Severity.ERROR,
                f"block '{owner.keyword.text}' is never closed: missing '}}'",
                owner.open_brace.span,
                hint="add the missing '}' (keepalived reports: There are N missing '}'s "
                "or extra '{'s)",
            ))
    return Tree(root, diags)
