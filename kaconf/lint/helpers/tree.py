"""Reading the raw tree from rules: statements, sections, keyword names and spans.

The model folds away what some rules need (the order of keywords, repeated keywords,
the line of a ``{``), so those rules read the raw statements. Everything here goes
through the shared walk of :mod:`kaconf.lint.helpers.index` or a per-context memo
(:meth:`kaconf.lint.rule.Context.memo`), so a hundred rules cost one pass over the
tree, not one each.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import partial
from itertools import compress
from operator import ne
from typing import TYPE_CHECKING, Any

from kaconf.diagnostics import Span
from kaconf.lint.helpers.index import TreeIndex
from kaconf.lint.helpers.index import build as build_tree_index
from kaconf.model.objects import Block, VrrpInstance
from kaconf.schema import load_schema

if TYPE_CHECKING:
    from kaconf.lint.rule import Context
    from kaconf.tree import Node


def _walk(nodes: Iterable[Node]) -> Iterator[Node]:
    for n in nodes:
        yield n
        if n.children:
            yield from _walk(n.children)


def walk_nodes(ctx: Context) -> Iterator[Node]:
    """Every statement of the config, depth first, in source order."""
    return _walk(ctx.nodes)


def tree_index(ctx: Context) -> TreeIndex:
    """The shared walk of ``ctx``'s tree (built on first use, see :mod:`.index`)."""
    return ctx.memo("tree", build_tree_index)


def node_of(ctx: Context, block: Block) -> Node | None:
    """The raw tree node a model block was built from (matched by its start position).

    Rules need the raw statements for what the model folds away: the order of
    keywords, repeated keywords, the line of a ``{``. This indexes every node's
    position, which makes every token of the config: for instances use
    :func:`instance_node`, which only looks at ``vrrp_instance`` sections.
    """
    span = block.span
    if span is None:
        return None
    return ctx.memo("node_at", _index_positions).get((span.file, span.line, span.col))


def node_at(ctx: Context, span: Span | None) -> Node | None:
    """The statement whose keyword starts at ``span``'s start (a setting's line).

    Fixes need the statement's tokens (a setting's value, its line). The index is
    built from the nodes' head spans, which plain lines answer without making
    tokens, once per context and only when a rule has something to fix.
    """
    if span is None:
        return None
    return ctx.memo("node_at_head", _index_heads).get((span.file, span.line, span.col))


def _index_heads(ctx: Context) -> dict[tuple[str, int, int], Node]:
    index: dict[tuple[str, int, int], Node] = {}
    for n in walk_nodes(ctx):
        h = n.head_span
        index.setdefault((h.file, h.line, h.col), n)
    return index


def _index_positions(ctx: Context) -> dict[tuple[str, int, int], Node]:
    index: dict[tuple[str, int, int], Node] = {}
    for n in walk_nodes(ctx):
        k = n.keyword
        index.setdefault((k.file, k.line, k.col), n)
    return index


def instance_node(ctx: Context, inst: VrrpInstance) -> Node | None:
    """The ``vrrp_instance`` section ``inst`` was built from (the first at its position).

    None for an empty block (no statements either way). Unlike :func:`node_of` this
    does not index every node: a node of another kind at exactly the same position
    (possible only through a definition expanding several statements onto one
    column) is not considered.
    """
    found = instance_section(ctx, inst)
    return found[0] if found is not None else None


def instance_section(ctx: Context, inst: VrrpInstance) -> tuple[Node, Sequence[str]] | None:
    """:func:`instance_node` and the names of its statements, in one lookup."""
    span = inst.span
    if span is None:
        return None
    return ctx.memo("instance_at", _index_instances).get((span.file, span.line, span.col))


def _index_instances(ctx: Context) -> dict[tuple[str, int, int], tuple[Node, Sequence[str]]]:
    index: dict[tuple[str, int, int], tuple[Node, Sequence[str]]] = {}
    group = tree_index(ctx).by_path.get("vrrp_instance")
    if group is None:
        return index
    for n, names in zip(group.nodes, group.names, strict=True):
        h = n.head_span  # starts where the builder's block span does, without making tokens
        index.setdefault((h.file, h.line, h.col), (n, names))
    return index


def statements(ctx: Context, node: Node | None) -> list[Node]:
    """:func:`children` of ``node``, from the shared index when it is a section (read-only)."""
    if node is None:
        return []
    found = tree_index(ctx).statements(node)
    return found if found is not None else children(node)


def statement_names(ctx: Context, node: Node | None) -> Sequence[str]:
    """The keyword names of :func:`statements` (read-only): a cheap "is X given here"."""
    if node is None:
        return []
    found = tree_index(ctx).names.get(id(node))
    return found if found is not None else [c.name for c in children(node)]


def sections(ctx: Context, path: str) -> list[Node]:
    """The section nodes opening block ``path`` (``"virtual_server/real_server"``), in order."""
    return tree_index(ctx).sections(path)


def statements_in(ctx: Context, path: str) -> list[tuple[Node, str, Any]]:
    """:func:`walk_with_paths` restricted to the statements read in block ``path``.

    Those are the lines of the sections opening ``path`` (a path opens only at one
    depth, so they never nest); walking just them avoids the rest of the config.
    """
    return ctx.memo(f"statements_in:{path}", lambda c: [
        e for n in sections(c, path) for e in _walk_paths(n.children or [], path, load_schema())
        if e[1] == path])


def sections_with_repeats(ctx: Context, paths: Iterable[str]
                          ) -> list[tuple[Node, str, set[str]]]:
    """Sections opening one of ``paths`` where some keyword is given twice, in source
    order: (node, path opened, the repeated names).

    Rules about repeated keywords only need to look closely at these, and only when a
    keyword they care about is repeated; finding them is one set per section of the
    paths asked for (not of every section: a config's checker blocks outnumber the
    blocks these rules read), each path done once for all such rules.
    """
    found: list[tuple[Node, str, set[str]]] = []
    from_paths = 0
    for path in paths:
        here = ctx.memo(f"repeats:{path}", partial(_with_repeats, path=path))
        if here:
            found += here
            from_paths += 1
    if from_paths > 1:
        found.sort(key=lambda e: tree_index(ctx).position(e[0]))
    return found


def _with_repeats(ctx: Context, *, path: str) -> list[tuple[Node, str, set[str]]]:
    group = tree_index(ctx).by_path.get(path)
    if group is None:
        return []
    if all(len(set(names)) == len(names) for names in group.distinct()):
        return []  # the usual case, found by looking at each different list once
    names = group.names
    # the indexes of the name lists that lose an entry as a set, found without a Python loop
    repeats = compress(range(len(names)), map(ne, map(len, map(set, names)), map(len, names)))
    return [(group.nodes[i], path, _repeated(names[i])) for i in repeats]


def _repeated(names: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    repeated: set[str] = set()
    for name in names:
        if name in seen:
            repeated.add(name)
        seen.add(name)
    return repeated


def names_in(ctx: Context, path: str) -> frozenset[str] | set[str]:
    """Every keyword name read somewhere in block ``path`` (read-only).

    A rule about a keyword most configs never use (``mcast_dst_ip``, ``version``...)
    tests it here first: when no block of the path has the keyword, no statement
    list can, and the rule is done without looking at a single section.
    """
    return ctx.memo("names_by_path", _names_by_path).get(path, frozenset())


def _names_by_path(ctx: Context) -> dict[str, set[str]]:
    return tree_index(ctx).names_by_path()


def distinct_specs(ctx: Context) -> list[Any]:
    """The spec of every keyword name read somewhere, once: lets a rule that looks for
    particular keywords (deprecated ones...) see there are none without a walk."""
    return ctx.memo("distinct_specs", _distinct_specs)


def _distinct_specs(ctx: Context) -> list[Any]:
    schema = load_schema()
    found: dict[int, Any] = {}
    for path, names in ctx.memo("names_by_path", _names_by_path).items():
        block = schema.block(path)
        for name in names:
            spec = block.get(name)
            if spec is not None:
                found[id(spec)] = spec
    return list(found.values())


def children(node: Node | None, keyword: str | None = None) -> list[Node]:
    """Direct statements inside ``node`` (optionally only those named ``keyword``).

    keepalived reads the lines of an unknown keyword's block at the current
    level, so those are included as if they stood in ``node`` itself.
    """
    out: list[Node] = []
    if node is None or not node.children:
        return out
    for c in node.children:
        name = c.name  # not c.keyword: that would make the line's tokens
        if keyword is None or name == keyword:
            out.append(c)
        if c.children and name == "{" and c.keyword.raw == "{":
            out.extend(children(c, keyword))
    return out


def setting_span(block: Block, keyword: str) -> Span | None:
    """Where ``keyword`` was given in ``block`` (its line), else the block's start."""
    s = block.settings.get(keyword)
    if s is not None:
        return s.span
    return head(block.span)


def head(span: Span | None) -> Span | None:
    """Only the first line of a (block) span: findings point at a line, not a region."""
    if span is None:
        return None
    return Span(span.file, span.line, span.col, span.line, span.col + 1, span.origin)


def walk_with_paths(ctx: Context) -> Iterator[tuple[Node, str, Any]]:
    """Every keyword statement with the block path it is read in and its spec (or None).

    Mirrors the builder's walk: sections open their child path, value blocks are not
    entered (their lines are items, not keywords), and the lines of an unknown
    keyword's block are read at the same level, as keepalived does. This visits every
    statement: rules first check :func:`distinct_specs` or use :func:`statements_in`.
    """
    return iter(ctx.memo("walk_with_paths", lambda c: list(
        _walk_paths(c.nodes, "", load_schema()))))


def _walk_paths(nodes: Iterable[Node], path: str, schema: Any) -> Iterator[tuple[Node, str, Any]]:
    for n in nodes:
        if n.name == "{" and n.keyword.raw == "{":
            if n.children:
                yield from _walk_paths(n.children, path, schema)
            continue
        spec = schema.lookup(path, n.name)
        yield n, path, spec
        if not n.children:
            continue
        if spec is None:
            yield from _walk_paths(n.children, path, schema)
        elif spec.opens == "sublevel":
            yield from _walk_paths(n.children, spec.child_path, schema)
        elif spec.opens is None:
            yield from _walk_paths(n.children, path, schema)
