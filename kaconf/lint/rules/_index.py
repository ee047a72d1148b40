"""One walk over the raw tree, shared by every rule that reads statements.

Not a rule (modules starting with ``_`` are skipped). A 100k-line config has
tens of thousands of statements; a rule that walks them all costs milliseconds
(Python touches every node and token), and a dozen rules need the tree. So the
tree is walked once per lint context (:meth:`kaconf.lint.rule.Context.memo`),
and the walk leaves behind the indexes the rules ask for:

* every keyword statement with its block path and schema spec, in source order
  (what :func:`kaconf.lint.rules._util.walk_with_paths` yields), also grouped by
  block path;
* every section (a keyword that opens a block of keywords) by the path it
  opens, with its statements and their keyword names, so a rule can test "is
  ``priority`` given here" or "is a keyword repeated here" without re-reading
  the nodes;

Node names are read with ``Node.name``, never through ``Node.keyword``: the
reader makes tokens only for the lines that need them, and a walk that asked
every node for its token would make them all.

The walk mirrors the builder's: sections open their child path, value blocks
are not entered (their lines are items, not keywords), and the lines of an
unknown keyword's block are read at the same level, as keepalived does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kaconf.lint.rule import Context
    from kaconf.tree import Node

#: a keyword statement: the node, the block path it is read in, its spec (or None)
Entry = tuple["Node", str, Any]


@dataclass
class TreeIndex:
    """What one walk of the tree found (see the module docstring)."""

    #: every section: its node, the block path it opens and the keyword names of its
    #: statements (as :func:`_util.children` lists them), in source order
    sections: list[tuple[Node, str, list[str]]] = field(default_factory=list)
    #: id(section node) -> its statements, for the few sections with ``{`` lines
    #: (for the others they are simply ``node.children``)
    flattened: dict[int, list[Node]] = field(default_factory=dict)
    #: block path -> names of the statements read there that are in no section's list
    #: (top level, and the lines of unknown keywords' blocks)
    loose_names: dict[str, set[str]] = field(default_factory=dict)
    _names: dict[int, list[str]] | None = None
    _by_path: dict[str, list[Node]] | None = None

    def statements(self, node: Node) -> list[Node] | None:
        """The statements of section ``node`` (read-only), None if it is not a section."""
        if id(node) not in self.names:
            return None
        found = self.flattened.get(id(node))
        return found if found is not None else node.children

    @property
    def names(self) -> dict[int, list[str]]:
        """id(section node) -> the keyword names of its statements."""
        if self._names is None:
            self._names = {id(n): names for n, _path, names in self.sections}
        return self._names

    @property
    def sections_by_path(self) -> dict[str, list[Node]]:
        """Section nodes grouped by the block path they open, in source order."""
        if self._by_path is None:
            self._by_path = {}
            for n, path, _names in self.sections:
                self._by_path.setdefault(path, []).append(n)
        return self._by_path

    def names_by_path(self) -> dict[str, set[str]]:
        """Every keyword name read in each block path (``{`` lines included)."""
        out = {path: set(names) for path, names in self.loose_names.items()}
        for _n, path, names in self.sections:
            out.setdefault(path, set()).update(names)
        return out


def build(ctx: Context) -> TreeIndex:
    """Walk ``ctx``'s tree once and index it (use through ``ctx.memo``)."""
    from kaconf.schema import load_schema

    return _Walker(load_schema()).run(ctx.nodes)


class _Walker:
    """The recursive walk, with per-path lookups hoisted out of the per-node loop.

    A statement without a block costs a name read; only statements with a block are
    looked up in the schema, to know how their lines are read.
    """

    def __init__(self, schema: Any) -> None:
        self.schema = schema
        self.index = TreeIndex()
        self._blocks: dict[str, Mapping[str, Any]] = {}
        self._child_paths: dict[int, str] = {}

    def run(self, nodes: list[Node]) -> TreeIndex:
        self._loose(nodes, "")
        return self.index

    def _keywords(self, path: str) -> Mapping[str, Any]:
        found = self._blocks.get(path)
        if found is None:
            found = self._blocks[path] = self.schema.block(path)
        return found

    def _enter(self, node: Node, path: str) -> None:
        """Walk the block of keyword ``node`` (read at ``path``) the way keepalived reads it."""
        spec = self._keywords(path).get(node.name)
        if spec is None or spec.opens is None:  # unknown keyword: read at this level
            self._loose(node.children, path)  # type: ignore[arg-type]
        elif spec.opens == "sublevel":
            child_path = self._child_paths.get(id(spec))
            if child_path is None:
                child_path = self._child_paths[id(spec)] = spec.child_path
            self._section(node, child_path)
        # a value block's lines are items, not keywords: not entered

    def _section(self, node: Node, path: str) -> None:
        """Index a section opening ``path`` and walk its statements."""
        stmts: list[Node] = node.children  # type: ignore[assignment]
        names = [n.name for n in stmts]
        if "{" in names:  # rare: the lines of a '{' line are read as if they stood here
            stmts = _flatten(stmts)
            names = [n.name for n in stmts]
            self.index.flattened[id(node)] = stmts
        self.index.sections.append((node, path, names))
        for n in stmts:
            if n.children and not _is_brace(n):  # a '{' line's lines are in stmts already
                self._enter(n, path)

    def _loose(self, nodes: list[Node], path: str) -> None:
        """Walk statements read at ``path`` that belong to no section's list."""
        self.index.loose_names.setdefault(path, set()).update(n.name for n in nodes)
        for n in nodes:
            if n.children:
                if _is_brace(n):
                    self._loose(n.children, path)
                else:
                    self._enter(n, path)


def _is_brace(node: Node) -> bool:
    """A ``{`` line (a quoted ``"{"`` is a keyword); the name test avoids making tokens."""
    return node.name == "{" and node.keyword.raw == "{"


def _flatten(nodes: list[Node]) -> list[Node]:
    """``nodes`` with the lines of each ``{`` line right after it (:func:`_util.children`)."""
    out: list[Node] = []
    for n in nodes:
        out.append(n)
        if n.children and _is_brace(n):
            out.extend(_flatten(n.children))
    return out
