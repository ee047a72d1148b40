"""Named objects of a config and the places that refer to them by name.

keepalived links blocks by name: an instance's ``track_script`` block lists
``vrrp_script`` names, a sync group's ``group`` block lists ``vrrp_instance``
names, ``virtual_server group NAME`` names a ``virtual_server_group``. This module
says which (block path, position) refers to which kind of object
(:func:`reference_kinds`), and collects the objects a read config defines
(:func:`name_index`), so completion offers the names and go-to-definition jumps
to them. Pure: it reads the block tree, never a file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kaconf.diagnostics import Span
from kaconf.lsp.cursor import Cursor
from kaconf.node import Node

__all__ = ["DEFINERS", "Definition", "name_index", "reference_kinds"]

#: Object kind -> the top-level keywords whose blocks define one (by their first argument).
DEFINERS: dict[str, tuple[str, ...]] = {
    "vrrp_script": ("vrrp_script",),
    "vrrp_instance": ("vrrp_instance",),
    "track_file": ("track_file", "vrrp_track_file"),
    "track_process": ("vrrp_track_process",),
    "bfd_instance": ("bfd_instance",),
    "virtual_server_group": ("virtual_server_group",),
}

#: Value block path -> the kind of object its item lines start with.
_VALUE_BLOCK_REFS: dict[str, str] = {
    f"{parent}/{kw}": kind
    for parent in ("vrrp_instance", "vrrp_sync_group")
    for kw, kind in (("track_script", "vrrp_script"), ("track_file", "track_file"),
                     ("track_process", "track_process"), ("track_bfd", "bfd_instance"))
}
_VALUE_BLOCK_REFS["vrrp_sync_group/group"] = "vrrp_instance"

#: (block path, keyword, the word before the name or "") -> kind, for single-line references.
_STATEMENT_REFS: dict[tuple[str, str, str], str] = {
    ("virtual_server/real_server/FILE_CHECK", "track_file", ""): "track_file",
    ("", "virtual_server", "group"): "virtual_server_group",
}


@dataclass(frozen=True)
class Definition:
    """Where a named object is defined: its kind, name and the span of the name."""

    kind: str
    name: str
    keyword: str
    span: Span


def reference_kinds(cur: Cursor) -> tuple[str, ...]:
    """The kinds of object whose name belongs at the cursor (empty: no name here)."""
    top = cur.block
    if top is not None and top.kind == "value" and top.path is not None and cur.at_keyword:
        kind = _VALUE_BLOCK_REFS.get(top.path)
        return (kind,) if kind is not None else ()
    path = cur.section_path
    if path is None or not cur.words:
        return ()
    before = cur.words[-1] if len(cur.words) > 1 else ""
    kind = _STATEMENT_REFS.get((path, cur.words[0], before))
    if kind is None and len(cur.words) == 1:
        kind = _STATEMENT_REFS.get((path, cur.words[0], ""))
    return (kind,) if kind is not None else ()


def name_index(nodes: Iterable[Node]) -> list[Definition]:
    """Every named object the top-level ``nodes`` define, in reading order."""
    by_keyword = {kw: kind for kind, kws in DEFINERS.items() for kw in kws}
    out: list[Definition] = []
    for node in nodes:
        kind = by_keyword.get(node.name)
        if kind is None:
            continue
        args = node.args
        if args:
            out.append(Definition(kind, args[0].text, node.name, args[0].span))
    return out
