"""One walk over the raw tree, shared by every rule that reads statements.

A 100k-line config has
tens of thousands of statements; a rule that walks them all costs milliseconds
(Python touches every node and token), and a dozen rules need the tree. So the
tree is walked once per lint context (:meth:`kaconf.lint.rule.Context.memo`),
and the walk leaves behind the indexes the rules ask for:

* every section (a keyword that opens a block of keywords) grouped by the block
  path it opens, with the keyword names of its statements, so a rule can test
  "is ``priority`` given here" or "is a keyword repeated here" without
  re-reading the nodes, and list the ``virtual_server`` sections without
  looking at the others;
* the sections in source order, to put findings from several paths in order;
* the keyword names read outside any section's list (top level, the lines of
  unknown keywords' blocks), so that the names read in each path are known.

Node names are read with ``Node.name``, never through ``Node.keyword``: the
reader makes tokens only for the lines that need them, and a walk that asked
every node for its token would make them all. The per-section work is what
a 100k-line config multiplies by 24,000, so the walk records only the per-path
lists; everything derived (names by node, names by path) is built from them,
with C-level loops, when a rule asks.

The walk mirrors the builder's: sections open their child path, value blocks
are not entered (their lines are items, not keywords), and the lines of an
unknown keyword's block are read at the same level, as keepalived does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from itertools import chain
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

if TYPE_CHECKING:
    from kaconf.lint.rule import Context
    from kaconf.tree import Node

class PathSections:
    """The sections opening one block path, in source order, with their statements' names."""

    __slots__ = ("path", "nodes", "names", "lists")

    def __init__(self, path: str) -> None:
        self.path = path
        self.nodes: list[Node] = []
        #: ``names[i]``: the keyword names of ``nodes[i]``'s statements (:func:`.tree.children`)
        self.names: list[tuple[str, ...]] = []
        #: each different ``names`` entry, once: sections of one path mostly list the same
        #: keywords (thousands of real servers, all alike), so the walk keeps one tuple per
        #: list, and questions about every list ("is a keyword repeated", "which keywords
        #: are read here") are answered for the few different ones
        self.lists: dict[tuple[str, ...], tuple[str, ...]] = {}

    def add(self, node: Node, names: list[str]) -> None:
        """Record section ``node`` with the names of its statements."""
        self.nodes.append(node)
        key = tuple(names)
        self.names.append(self.lists.setdefault(key, key))

    def distinct(self) -> Iterable[tuple[str, ...]]:
        """The different statement-name lists of these sections."""
        return self.lists.keys()


class TreeIndex:
    """What one walk of the tree found (see the module docstring)."""

    def __init__(self) -> None:
        #: block path -> the sections opening it (only paths some section opens)
        self.by_path: dict[str, PathSections] = {}
        #: every section node, in source order
        self.order: list[Node] = []
        #: id(section node) -> its statements, for the few sections with ``{`` lines
        #: (for the others they are simply ``node.children``)
        self.flattened: dict[int, list[Node]] = {}
        #: block path -> names of the statements read there that are in no section's list
        #: (top level, and the lines of unknown keywords' blocks)
        self.loose_names: dict[str, set[str]] = {}
        self._names: dict[int, tuple[str, ...]] | None = None
        self._position: dict[int, int] | None = None

    def statements(self, node: Node) -> list[Node] | None:
        """The statements of section ``node`` (read-only), None if it is not a section."""
        if id(node) not in self.names:
            return None
        found = self.flattened.get(id(node))
        return found if found is not None else node.children

    @property
    def names(self) -> dict[int, tuple[str, ...]]:
        """id(section node) -> the keyword names of its statements (built on first use)."""
        if self._names is None:
            self._names = {}
            for group in self.by_path.values():
                self._names.update(zip(map(id, group.nodes), group.names, strict=True))
        return self._names

    def sections(self, path: str) -> list[Node]:
        """Section nodes opening block ``path``, in source order (read-only)."""
        group = self.by_path.get(path)
        return group.nodes if group is not None else []

    def position(self, node: Node) -> int:
        """Where section ``node`` comes in source order (to merge findings of several paths)."""
        if self._position is None:
            self._position = {id(n): i for i, n in enumerate(self.order)}
        return self._position[id(node)]

    def names_by_path(self) -> dict[str, set[str]]:
        """Every keyword name read in each block path (``{`` lines included)."""
        out = {path: set(names) for path, names in self.loose_names.items()}
        for path, group in self.by_path.items():
            out.setdefault(path, set()).update(chain.from_iterable(group.distinct()))
        return out


def build(ctx: Context) -> TreeIndex:
    """Walk ``ctx``'s tree once and index it (use through ``ctx.memo``)."""
    from kaconf.schema import load_schema

    return _walk(load_schema(), ctx.nodes)


class _Block(NamedTuple):
    """How the walk reads one block path: what each keyword there does, where sections go."""

    path: str
    #: keyword name -> the block its section opens, False for a value block, None for a
    #: keyword read at this level (unknown, or a plain keyword); filled as names are met
    actions: dict[str, _Block | Literal[False] | None]
    keywords: Mapping[str, Any]
    add: Callable[[Node, list[str]], None]


def _walk(schema: Any, nodes: list[Node]) -> TreeIndex:
    """The recursive walk, as closures over the index so the per-node work stays small.

    A statement without a block costs a name read; a statement with one costs a
    dict lookup of what its keyword does in the current block (the schema is asked
    once per keyword and path, not once per statement).
    """
    index = TreeIndex()
    by_path = index.by_path
    flattened = index.flattened
    loose_names = index.loose_names
    add_order = index.order.append
    known: dict[str, _Block] = {}

    def block(path: str) -> _Block:
        found = known.get(path)
        if found is None:
            group = by_path.get(path)
            if group is None:
                group = by_path[path] = PathSections(path)
            found = known[path] = _Block(path, {}, schema.block(path), group.add)
        return found

    def action(where: _Block, name: str) -> _Block | Literal[False] | None:
        """What keyword ``name`` does in ``where`` (looked up once, then remembered)."""
        spec = where.keywords.get(name)
        act: _Block | Literal[False] | None
        if spec is None or spec.opens is None:
            act = None  # unknown keyword: its block is read at this level
        elif spec.opens == "sublevel":
            act = block(spec.child_path)
        else:
            act = False  # a value block's lines are items, not keywords: not entered
        where.actions[name] = act
        return act

    def section(node: Node, where: _Block) -> None:
        """Index a section opening ``where`` and walk its statements."""
        stmts: list[Node] = node.children  # type: ignore[assignment]
        names = [n.name for n in stmts]
        if "{" in names:  # rare: the lines of a '{' line are read as if they stood here
            stmts = _flatten(stmts)
            names = [n.name for n in stmts]
            flattened[id(node)] = stmts
        where.add(node, names)
        add_order(node)
        actions = where.actions
        for n in stmts:
            if n.children:
                name = n.name
                act = actions[name] if name in actions else action(where, name)
                if act:
                    section(n, act)
                elif act is None and not _is_brace(n):  # a '{' line's lines are in stmts
                    loose(n.children, where)

    def loose(nodes: list[Node], where: _Block) -> None:
        """Walk statements read at ``where`` that belong to no section's list."""
        found = loose_names.get(where.path)
        if found is None:
            found = loose_names[where.path] = set()
        found.update([n.name for n in nodes])
        actions = where.actions
        for n in nodes:
            if n.children:
                name = n.name
                act = actions[name] if name in actions else action(where, name)
                if act:
                    section(n, act)
                elif act is None:  # a '{' line or an unknown keyword: read at this level
                    loose(n.children, where)

    loose(nodes, block(""))
    return index


def _is_brace(node: Node) -> bool:
    """A ``{`` line (a quoted ``"{"`` is a keyword); the name test avoids making tokens."""
    return node.name == "{" and node.keyword.raw == "{"


def _flatten(nodes: list[Node]) -> list[Node]:
    """``nodes`` with the lines of each ``{`` line right after it (:func:`.tree.children`)."""
    out: list[Node] = []
    for n in nodes:
        out.append(n)
        if n.children and _is_brace(n):
            out.extend(_flatten(n.children))
    return out
