"""Completion: keywords valid at the cursor, a keyword's values, and names.

* First word of a statement in a section: the keywords of that block path that
  the target keepalived version knows (deprecated ones tagged and sorted last).
* After a keyword with a fixed set of values (enum, bool): those values.
* Where keepalived expects an object's name — an item of an instance's
  ``track_script`` block, of a sync group's ``group``, ``track_file`` /
  ``track_process`` / ``track_bfd`` items, ``virtual_server group NAME``,
  ``FILE_CHECK``'s ``track_file`` — the names the config (with its includes) defines.

The block path comes from :func:`kaconf.lsp.cursor.cursor_at` on the text before
the cursor, so a half-written block still completes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from kaconf.lsp.cursor import Cursor, cursor_at
from kaconf.lsp.hover import keyword_markdown
from kaconf.lsp.names import name_index, reference_kinds
from kaconf.lsp.positions import from_lsp
from kaconf.schema import KeywordSpec, load_schema

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

    from kaconf.lsp.session import Analysis

__all__ = ["TRIGGERS", "complete"]

#: Characters after which clients should ask again (a space starts the value).
TRIGGERS = [" "]


def _keyword_item(spec: KeywordSpec, version: str, edit_range: types.Range
                  ) -> types.CompletionItem:
    kind = types.CompletionItemKind.Module if spec.is_section else (
        types.CompletionItemKind.Struct if spec.is_value_block
        else types.CompletionItemKind.Keyword)
    return types.CompletionItem(
        label=spec.name,
        kind=kind,
        detail=spec.arg_syntax,
        documentation=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                          value=keyword_markdown(spec, version)),
        tags=[types.CompletionItemTag.Deprecated] if spec.deprecated else None,
        sort_text=("1" if spec.deprecated else "0") + spec.name,
        text_edit=types.TextEdit(range=edit_range, new_text=spec.name),
    )


def _keywords(cur: Cursor, version: str, rng: types.Range) -> list[types.CompletionItem]:
    path = cur.section_path
    if path is None:
        return []
    return [_keyword_item(spec, version, rng) for spec in load_schema().block(path).values()
            if spec.known_in(version)]


def _values(cur: Cursor, rng: types.Range) -> list[types.CompletionItem]:
    path = cur.section_path
    if path is None or len(cur.words) != 1:
        return []
    spec = load_schema().lookup(path, cur.words[0])
    if spec is None or not spec.choices:
        return []
    return [types.CompletionItem(label=c, kind=types.CompletionItemKind.EnumMember,
                                 detail=f"{spec.name} value",
                                 text_edit=types.TextEdit(range=rng, new_text=c))
            for c in spec.choices]


def _names(an: Analysis, cur: Cursor, rng: types.Range) -> list[types.CompletionItem]:
    kinds = reference_kinds(cur)
    if not kinds:
        return []
    items: dict[str, types.CompletionItem] = {}
    for d in name_index(an.loaded.nodes):
        if d.kind in kinds and d.name not in items:
            items[d.name] = types.CompletionItem(
                label=d.name, kind=types.CompletionItemKind.Reference,
                detail=f"{d.keyword} {d.name}",
                text_edit=types.TextEdit(range=rng, new_text=d.name))
    return list(items.values())


def complete(server: LanguageServer, an: Analysis, params: types.CompletionParams
             ) -> types.CompletionList:
    """The completion items at ``params.position`` of the analysed document."""
    codec = server.workspace.position_codec
    lines = an.lines_of(an.path)
    line, col = from_lsp(codec, lines, params.position)
    cur = cursor_at(lines, line, col)
    if cur.in_comment:
        return types.CompletionList(is_incomplete=False, items=[])
    start = codec.position_to_client_units(lines, types.Position(line=line,
                                                                 character=cur.prefix_start)) \
        if line < len(lines) else types.Position(line=line, character=0)
    rng = types.Range(start=start, end=params.position)
    items = _names(an, cur, rng)
    if not items:
        if cur.at_keyword:
            items = _keywords(cur, an.settings.target_version, rng)
        else:
            items = _values(cur, rng)
    return types.CompletionList(is_incomplete=False, items=items)
