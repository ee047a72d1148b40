"""Go to definition: from a name to the block defining it, from ``include`` to its files.

A name under the cursor where keepalived expects an object's name (see
:func:`kaconf.lsp.names.reference_kinds`: ``track_script`` items -> ``vrrp_script``,
sync group members -> ``vrrp_instance``, ``track_file``/``track_process``/``track_bfd``
items, ``virtual_server group NAME``) jumps to every block of that name the config
defines, included files too. On an ``include`` line the targets are the files the
reader reads for it (:func:`kaconf.source.include_targets`: relative to the
including file, ``{a,b}`` and globs expanded).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from kaconf.lsp.cursor import cursor_at, word_at
from kaconf.lsp.diagnostics import uri_of
from kaconf.lsp.names import name_index, reference_kinds
from kaconf.lsp.positions import from_lsp, span_range
from kaconf.scan import INCLUDE_WORDS, WORD_RE, decomment
from kaconf.source import include_targets

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

    from kaconf.lsp.session import Analysis

__all__ = ["definition"]

_FILE_START = types.Range(start=types.Position(line=0, character=0),
                          end=types.Position(line=0, character=0))


def _include(an: Analysis, text: str, col: int) -> list[types.Location] | None:
    """The files of an include line (the pattern under the cursor, else all), or None."""
    words = WORD_RE.findall(decomment(text)[0])
    if len(words) < 2 or words[0] not in INCLUDE_WORDS:
        return None
    patterns = [p.strip('"') for p in words[1:]]
    found = word_at(text, col)
    if found is not None and found[0].strip('"') in patterns:
        patterns = [found[0].strip('"')]
    files = [f for p in patterns for f in include_targets(p, an.path)]
    return [types.Location(uri=uri_of(f, an.uri, an.path), range=_FILE_START) for f in files]


def definition(server: LanguageServer, an: Analysis, params: types.DefinitionParams
               ) -> list[types.Location] | None:
    """Where the name or include at ``params.position`` is defined."""
    codec = server.workspace.position_codec
    lines = an.lines_of(an.path)
    line, col = from_lsp(codec, lines, params.position)
    if line >= len(lines):
        return None
    text = lines[line].rstrip("\r\n")
    targets = _include(an, text, col)
    if targets is not None:
        return targets or None
    found = word_at(text, col)
    if found is None:
        return None
    word, start, _ = found
    kinds = reference_kinds(cursor_at(lines, line, start))
    if not kinds:
        return None
    out = []
    for d in name_index(an.loaded.nodes):
        if d.kind in kinds and d.name == word:
            out.append(types.Location(uri=uri_of(d.span.file, an.uri, an.path),
                                      range=span_range(codec, an.lines_of(d.span.file),
                                                       d.span)))
    return out or None
