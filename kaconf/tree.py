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


@dataclass(slots=True)
class Node:
    """One statement: ``keyword args...`` with an optional ``{ ... }`` block."""

    keyword: Token
    args: list[Token]
    children: list[Node] | None = None
    open_brace: Token | None = None
    close_brace: Token | None = None
    brace_own_line: bool = False

    @property
    def name(self) -> str:
        return self.keyword.text

    @property
    def has_block(self) -> bool:
        return self.children is not None

    @property
    def span(self) -> Span:
        """From the keyword to the closing brace (or the last argument)."""
        k = self.keyword
        end = self.close_brace or (self.args[-1] if self.args else k)
        if end.file != k.file:
            end = self.args[-1] if self.args and self.args[-1].file == k.file else k
        return Span(k.file, k.line, k.col, end.line, end.end_col, k.origin)

    @property
    def head_span(self) -> Span:
        """The keyword line only (keyword and its arguments)."""
        k = self.keyword
        last = k
        for a in self.args:
            if a.line == k.line and a.file == k.file:
                last = a
        return Span(k.file, k.line, k.col, k.line, last.end_col, k.origin)

    def words(self) -> list[str]:
        """Keyword and arguments as plain strings."""
        return [self.keyword.text, *(a.text for a in self.args)]


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
