"""The block tree: which block every statement of a config lands in.

keepalived decides that by keyword, not by pairing braces (see :class:`_TreeBuilder`):
a ``{`` after a keyword that opens no block is ignored and the next ``}`` closes the
enclosing block, a block keyword without ``{`` takes the following lines, a value block
without ``{`` swallows lines up to the next ``}``. This stage follows the same rules
with the keyword table (:mod:`kaconf.schema`: only *whether* a keyword opens a section
or a value block, nothing about its meaning), so lint reports keepalived's problems at
keepalived's lines and the model holds the objects keepalived would run.

A ``{`` on its own line opens the block of the block keyword just before it (2.x; 1.2.2
did *not* do that for value blocks: the node records ``brace_own_line`` so lint can say
so for old targets). For 1.2.2 braces are only paired. The nodes are in
:mod:`kaconf.node`; ``kaconf fmt`` works on the reader's lines, not on this tree.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

from kaconf.diagnostics import Diagnostic, Origin, Severity, Span
from kaconf.node import Node, PlainClose, PlainNode, PlainOpen, Tree
from kaconf.scan import INCLUDE_WORDS, Line, Token, general_line_numbers, word_tokens
from kaconf.schema import load_schema
from kaconf.source import Reader, ReadResult

__all__ = ["Node", "Tree", "block_openers", "build_tree", "read_tree"]

#: A block being filled: (its statements, the node owning it or None at the top level,
#: its schema path, whether it is a value block whose lines are items, not keywords).
_Frame = tuple[list[Node], Node | None, str, bool]


@functools.cache
def block_openers() -> frozenset[str]:
    """Every keyword that opens a block (a section or a value block) somewhere.

    The tree reader's plain-line fast path sends lines starting with one of these to
    :meth:`_TreeBuilder.add_plain`, which looks the keyword up where it stands; every
    other plain line is a statement (or a value-block item) whatever block it is in.
    """
    return frozenset(s.name for s in load_schema().all() if s.opens)


class _TreeBuilder:
    """Places logical lines in blocks the way keepalived 2.x's parser does, one at a time.

    Pairing braces is not enough: keepalived decides by keyword. Its ``process_stream``
    enters a block only for a keyword that opens one at that level, so

    * a ``{`` after any other keyword (a plain or unknown one, or ``${VAR:-x}``'s brace)
      is "Unexpected '{' - ignoring": the lines after it stay at the current level and the
      next ``}`` closes the *enclosing* block;
    * a section keyword without ``{`` takes the next line as its first statement
      ("Missing '{' at beginning of configuration block") and runs to the next ``}``;
    * a value block (``virtual_ipaddress``, ``notification_email``, ...) without ``{``
      swallows every following line as an item up to the next ``}``, even the ``}`` of
      the block around it, so ``notification_email admin@example.com`` in global_defs
      puts every vrrp_instance after it into global_defs, as unknown keywords;
    * inside a value block only ``}`` matters: a ``kw {`` line is two items.

    Separately, ``read_line`` counts braces: a ``}`` that takes the count below zero is
    "Extra '}' found" (it still closes the block it is in). ``excess`` is that count
    minus the open frames (ignored braces add one, blocks entered without ``{`` take one).

    The state is a stack of :data:`_Frame`. :class:`_TreeReader` reads plain statements
    straight into the top frame and hands block lines to :meth:`add_plain` and the other
    lines to :meth:`add_line`. ``legacy`` (keepalived 1.2.2) only pairs braces.
    """

    def __init__(self, legacy: bool = False) -> None:
        self.root: list[Node] = []
        self.stack: list[_Frame] = [(self.root, None, "", False)]
        self.diags: list[Diagnostic] = []
        self.legacy = legacy
        #: a block keyword read without '{': the next line decides (keepalived's need_bob)
        self.pending: Node | None = None
        self._pending_spec: tuple[str, bool] | None = None
        self._open_cache: dict[tuple[str, str], tuple[str, bool] | None] = {}
        self.excess = 0
        #: the view of keepalived's processes that do not run the top-level block at hand:
        #: they skip it by counting braces (> 0: depth inside it, -1: its '{' is awaited,
        #: 0: at the top level), see :meth:`_other_processes`
        self._skip = 0
        #: the last '{' that opened nothing (where an unbalanced count is reported)
        self._last_ignored: Token | None = None
        self._schema = load_schema()
        self.openers = block_openers()

    # -- lines ------------------------------------------------------------------------

    def add_line(self, line: Line) -> None:
        """Add one logical line."""
        if self.legacy:
            self._add_legacy(line)
            return
        words = line.plain_words
        if words is not None:
            self.add_plain(words, line.plain_text, line.line, (line.file, line.origin))
            return
        toks = line.tokens
        if not toks:
            return
        first = toks[0]
        last = toks[-1]
        if len(toks) == 1 and first.raw == "}":
            self._close(first)
        elif len(toks) == 1 and first.raw == "{":
            self._lone_open(first)
        elif last.raw == "{":
            self._open(Node(first, toks[1:-1]), None, last)
        else:
            self._statement(Node(first, toks[1:]))

    def add_plain(self, words: list[str], text: str, lineno: int,
                  src: tuple[str, Origin | None]) -> None:
        """Add a plain line (braces only as a trailing ``{`` or a lone ``}``) without tokens."""
        first = words[0]
        if len(words) == 1 and first == "}":
            self._close((text, lineno, src))
        elif words[-1] != "{":
            self._statement(PlainNode(first, words, text, lineno, src, None))
        elif len(words) == 1:
            self._lone_open(word_tokens(words, text, src[0], lineno, src[1])[0])
        else:
            self._open(None, (words, text, lineno, src), None)

    # -- what keepalived does with each kind of line ------------------------------------

    def _opens(self, frame: _Frame, kw: str) -> tuple[str, bool] | None:
        """(child path, value block?) if ``kw`` opens a block in ``frame`` (never inside a
        value block); looked up once per block path and keyword."""
        if frame[3] or kw not in self.openers:
            return None
        key = (frame[2], kw)
        cache = self._open_cache
        if key in cache:
            return cache[key]
        spec = self._schema.lookup(frame[2], kw)
        found = (spec.child_path, spec.opens == "value_block") if spec is not None and \
            spec.opens else None
        cache[key] = found
        return found

    def _statement(self, node: Node) -> None:
        """A line without braces: a statement, a value-block item, or a block keyword
        whose ``{`` may still follow."""
        if self.pending is not None:
            self._resolve(node.head_span)
        frame = self.stack[-1]
        frame[0].append(node)
        spec = self._opens(frame, node.name)
        if spec is not None:
            self.pending = node
            self._pending_spec = spec
        if self._skip <= 0:
            self._other_processes("stmt", node.name, node)

    def _open(self, node: Node | None, plain: PlainOpen | None, brace: Token | None) -> None:
        """``kw args {``: a block if ``kw`` opens one here, else a statement and a lost ``{``."""
        if plain is not None:
            words, text, lineno, src = plain
            kw = words[0]
        else:
            assert node is not None
            kw = node.name
        if self.pending is not None:
            if node is None:
                toks = word_tokens(words, text, src[0], lineno, src[1])
                node, brace = Node(toks[0], toks[1:-1]), toks[-1]
            self._resolve(node.head_span)
        if self._skip <= 0:
            self._other_processes("open", kw, node, None, plain)
        else:
            self._skip += 1
        frame = self.stack[-1]
        spec = self._opens(frame, kw)
        if spec is not None:
            children: list[Node] = []
            if node is None:
                node = PlainNode(kw, words, text, lineno, src, children)
            else:
                node.children = children
                node.open_brace = brace
            frame[0].append(node)
            self.stack.append((children, node, spec[0], spec[1]))
            return
        if node is None:
            toks = word_tokens(words, text, src[0], lineno, src[1])
            node, brace = Node(toks[0], toks[1:-1]), toks[-1]
        assert brace is not None
        frame[0].append(node)
        self._ignored_brace(frame, brace, kw)

    def _lone_open(self, brace: Token) -> None:
        """A ``{`` on its own line: the block of a pending keyword, or ignored."""
        if self._skip > 0:
            self._skip += 1
        elif self._skip < 0:
            self._skip = 1
        else:
            self._other_processes("lone_open", "{", None, brace)
        node = self.pending
        if node is not None:
            spec = self._pending_spec
            assert spec is not None
            self.pending = None
            node.children = []
            node.open_brace = brace
            node.brace_own_line = True
            self.stack.append((node.children, node, spec[0], spec[1]))
            return
        self._ignored_brace(self.stack[-1], brace, None)

    def _ignored_brace(self, frame: _Frame, brace: Token, kw: str | None) -> None:
        """A ``{`` that opens nothing: counted by keepalived's brace count only."""
        self.excess += 1
        self._last_ignored = brace
        if frame[3]:
            # a value block hands the '{' to its item parser like any other word
            frame[0].append(Node(brace, []))
            return
        after = f" after '{kw}'" if kw is not None else ""
        self.diags.append(Diagnostic(
            "KA011", Severity.ERROR,
            f"unexpected '{{'{after} - keepalived ignores it (Unexpected '{{' - ignoring)",
            brace.span, hint="a '{' must follow a keyword that opens a block; the next '}' "
            "closes the enclosing block",
        ))

    def _resolve(self, span: Span) -> None:
        """The line after a block keyword is not ``{``: keepalived enters the block anyway."""
        node = self.pending
        spec = self._pending_spec
        assert node is not None and spec is not None
        self.pending = None
        node.children = []
        value = spec[1]
        self.stack.append((node.children, node, spec[0], value))
        self.excess -= 1
        if not value:
            self.diags.append(Diagnostic(
                "KA013", Severity.ERROR,
                f"Missing '{{' at beginning of configuration block '{node.name}': "
                "keepalived reads this line and the next ones up to '}' into it",
                span, hint=f"write '{node.name} ... {{' and close it with '}}'",
            ))
        # a value block without '{' is only logged by keepalived (at info level); it
        # then swallows every line up to the next '}'

    def _close(self, brace: Token | PlainClose) -> None:
        """A ``}``: closes the innermost block (or is an unknown keyword at the top level)."""
        if self.pending is not None:
            self._resolve(_brace_token(brace).span)
        if self._skip > 0:
            self._skip -= 1
        else:
            self._other_processes("close", "}", None, _brace_token(brace))
        stack = self.stack
        depth = len(stack) - 1 + self.excess
        if len(stack) > 1:
            owner = stack.pop()[1]
            assert owner is not None
            owner.closing = brace
            if depth < 1:
                self.diags.append(Diagnostic(
                    "KA010", Severity.ERROR,
                    f"extra '}}' (keepalived: Extra '}}' found); it closes '{owner.name}' "
                    "opened without '{'", _brace_token(brace).span,
                    hint="balance the braces",
                ))
        elif depth < 1:
            self.diags.append(Diagnostic(
                "KA010", Severity.ERROR, "extra '}' with no block to close",
                _brace_token(brace).span,
                hint="remove the brace or add the missing opening '{' (keepalived reports "
                "Unknown keyword '}')",
            ))
        else:
            # the brace count is fine: a '{' that opened nothing let an earlier '}' close
            # the block this one was written for
            self.diags.append(Diagnostic(
                "KA010", Severity.ERROR, "'}' at the top level: the block it was meant to "
                "close was already closed (keepalived: Unknown keyword '}')",
                _brace_token(brace).span,
                hint="look for a '{' keepalived ignored above (after a keyword that opens "
                "no block)",
            ))
        self.excess = max(depth - 1, 0) - (len(stack) - 1)

    def _other_processes(self, kind: str, kw: str, node: Node | None,
                         brace: Token | None = None, plain: PlainOpen | None = None) -> None:
        """Follow the line in the processes that skip the top-level block at hand.

        keepalived parses the config once per process (VRRP, checkers, ...); a process
        skips the top-level blocks it does not run by counting braces from their ``{``
        (or from the next line, which must then be ``{``). Where that count and the real
        structure part (a block without ``{``, a value block swallowing a ``}``, a ``{``
        that opened nothing), those processes read lines at the top level that the
        running process reads inside a block, and report them ("Unknown keyword"). Called
        while ``_skip`` <= 0, before the line is placed in the real structure.
        """
        if self._skip < 0:
            self._skip = 0
        msg: str | None
        if kind == "close":
            msg = "Unknown keyword '}'"
        elif kind == "lone_open":
            msg = "Unexpected '{' - ignoring"
        else:
            spec = self._schema.lookup("", kw)
            if spec is not None and spec.opens:
                self._skip = 1 if kind == "open" else -1
                return
            msg = None if spec is not None and kind == "stmt" else f"Unknown keyword '{kw}'"
        stack = self.stack
        if msg is None or (len(stack) == 1 and kind == "close"):
            return
        top = stack[1][1] if len(stack) > 1 else self.pending
        if top is None:
            return
        if node is None and plain is not None:
            words, text, lineno, src = plain
            toks = word_tokens(words, text, src[0], lineno, src[1])
            node = Node(toks[0], toks[1:-1])
        span = brace.span if brace is not None else node.head_span  # type: ignore[union-attr]
        self.diags.append(Diagnostic(
            "KA100", Severity.ERROR,
            f"{msg}: keepalived's processes that do not run '{top.name}' count its braces "
            "and read this line at the top level", span,
            hint="the braces of the block around this line do not match its structure",
        ))

    def appender(self) -> Callable[[Node], None]:
        """Where the tree reader puts plain statements: the open block's list, or
        :meth:`_statement` while the next line's place depends on more than that."""
        if self.pending is None and (self._skip > 0 or (self._skip == 0
                                                          and len(self.stack) == 1)):
            return self.stack[-1][0].append
        return self._statement

    def finish(self) -> Tree:
        """The tree, with a finding for every block left open."""
        stack = self.stack
        if len(stack) == 1 and self.excess > 0 and self._last_ignored is not None:
            self.diags.append(Diagnostic(
                "KA012", Severity.ERROR,
                f"{self.excess} '{{' more than '}}' in the file: keepalived reports There are "
                f"{self.excess} missing '}}'s or extra '{{'s", self._last_ignored.span,
                hint="remove the '{' that opens nothing or add the missing '}'",
            ))
        while len(stack) > 1:
            owner = stack.pop()[1]
            if owner is None:
                continue
            where = owner.open_brace.span if owner.open_brace is not None else owner.head_span
            self.diags.append(Diagnostic(
                "KA012", Severity.ERROR,
                f"block '{owner.keyword.text}' is never closed: missing '}}'",
                where,
                hint="add the missing '}' (keepalived reports: There are N missing '}'s "
                "or extra '{'s)",
            ))
        return Tree(self.root, self.diags)

    # -- keepalived 1.2.2: braces are words, blocks are paired by them --------------------

    def _add_legacy(self, line: Line) -> None:
        stack = self.stack
        current = stack[-1][0]
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
            owner = stack.pop()[1]
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
            stack.append((node.children, node, "", False))  # type: ignore[arg-type]
            return
        current.append(Node(first, toks[1:]))


def _brace_token(brace: Token | PlainClose) -> Token:
    """The token of a closing brace (made from the plain ``}`` line if need be)."""
    if isinstance(brace, Token):
        return brace
    text, lineno, (file, origin) = brace
    col = text.find("}") + 1
    return Token("}", "}", file, lineno, col, col + 1, origin)


def build_tree(lines: list[Line], version: str = "2.2.7") -> Tree:
    """Place logical lines in blocks as keepalived ``version`` does; never raises."""
    builder = _TreeBuilder(legacy=version == "1.2.2")
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
        self.tree = _TreeBuilder(legacy=self.legacy)
        self._emit_line = self.tree.add_line

    def _read_lines(self, texts: list[str], file: str, origin: Origin | None) -> None:
        """As :meth:`Reader._read_lines`, with the plain lines put into the tree here."""
        if self.legacy:
            super()._read_lines(texts, file, origin)
            return
        tree = self.tree
        stack = tree.stack
        general = self._general
        openers = tree.openers
        specials = _specials()
        add_plain = tree.add_plain
        open_block = tree._open
        close = tree._close
        appender = tree.appender
        known = tree._open_cache
        src = (file, origin)
        bad = iter(general_line_numbers("\n".join(texts), texts))
        next_bad = next(bad, 0)
        pending = None
        add = appender()  # an included file may start in the middle of anything
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
                if first not in specials and first[0] not in "@~":
                    if "{" not in text and "}" not in text:
                        # a statement (or a value-block item) wherever it stands
                        add(PlainNode(first, words, text, lineno, src, None))
                        continue
                    if words[-1] == "{":
                        if len(words) > 1 and text.count("{") == 1 and "}" not in text:
                            open_block(None, (words, text, lineno, src), None)
                            add = appender()
                            continue
                    elif first == "}" and len(words) == 1:
                        skip = tree._skip
                        if (skip > 0 and tree.pending is None and tree.excess >= 0
                                and len(stack) > 1):
                            # the usual '}': closes the open block (what _close does here)
                            tree._skip = skip - 1
                            stack.pop()[1].closing = (text, lineno, src)  # type: ignore[union-attr]
                            add = stack[-1][0].append
                            continue
                        close((text, lineno, src))
                        add = appender()
                        continue
                elif first in openers and "}" not in text:
                    if words[-1] == "{" and len(words) > 1 and text.count("{") == 1:
                        frame = stack[-1]
                        skip = tree._skip
                        if ((skip > 0 or (skip == 0 and len(stack) == 1))
                                and tree.pending is None and not frame[3]
                                and (kind := known.get((frame[2], first))) is not None):
                            # the usual block (what _open does here; at the top level the
                            # processes that do not run it start skipping it)
                            tree._skip = skip + 1
                            children: list[Node] = []
                            node = PlainNode(first, words, text, lineno, src, children)
                            frame[0].append(node)
                            stack.append((children, node, kind[0], kind[1]))
                            add = children.append
                            continue
                        open_block(None, (words, text, lineno, src), None)
                        add = appender()
                        continue
                    if "{" not in text:
                        # a block keyword: whether it opens a block depends on where it is
                        add_plain(words, text, lineno, src)
                        # while its '{' is awaited, statements go through the builder
                        add = appender()
                        continue
            pending = general(text, file, lineno, origin, pending)
            add = appender()


@functools.cache
def _specials() -> frozenset[str]:
    """First words the tree reader's fast path does not take: includes and block keywords."""
    return INCLUDE_WORDS | block_openers()


def read_tree(
    path: str,
    config_id: str | None = None,
    version: str = "2.2.7",
    data: bytes | None = None,
    include_base: str | None = None,
    overlay: Mapping[str, bytes] | None = None,
) -> tuple[ReadResult, Tree]:
    """:func:`~kaconf.source.read_config` and :func:`build_tree` in one pass.

    Gives the same tree and findings; the result's ``lines`` is empty (the
    logical lines are not kept). ``overlay`` as for ``read_config``. Never raises
    for bad input. ``include_base`` is the folder the relative includes of ``path``
    itself resolve against (default: the folder of ``path``), for a copy read before
    it is installed.
    """
    reader = _TreeReader(config_id, version)
    if include_base is not None:
        reader.include_dirs[path] = include_base
    if overlay:
        reader.overlay = overlay
    if data is not None:
        reader.read_bytes(data, path)
    else:
        reader.read_path(path)
    rr = ReadResult(reader.lines, reader.comments, reader.files, reader.diagnostics,
                    reader.texts)
    return rr, reader.tree.finish()
