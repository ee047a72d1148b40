"""kaconf positions (1-based line, 1-based character column) <-> LSP positions.

kaconf counts columns in characters; LSP counts in the code units the client
negotiated (UTF-16 unless it said otherwise). The conversion needs the text of
the line, so every function takes the file's lines and pygls' position codec.
"""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from kaconf.diagnostics import Span

__all__ = ["from_lsp", "span_range", "to_lsp", "to_lsp_range"]


def to_lsp(codec: PositionCodec, lines: Sequence[str], line: int, col: int) -> types.Position:
    """The LSP position of kaconf's 1-based (``line``, ``col``)."""
    line0 = max(line - 1, 0)
    if line0 >= len(lines):
        return types.Position(line=line0, character=0)
    return codec.position_to_client_units(lines, types.Position(line=line0,
                                                                character=max(col - 1, 0)))


def to_lsp_range(codec: PositionCodec, lines: Sequence[str], line: int, col: int,
                 end_line: int, end_col: int) -> types.Range:
    """The LSP range of a kaconf region (end column exclusive, as in LSP)."""
    return types.Range(start=to_lsp(codec, lines, line, col),
                       end=to_lsp(codec, lines, end_line, end_col))


def span_range(codec: PositionCodec, lines: Sequence[str], span: Span) -> types.Range:
    """The LSP range of a :class:`~kaconf.diagnostics.Span`."""
    return to_lsp_range(codec, lines, span.line, span.col, span.end_line, span.end_col)


def from_lsp(codec: PositionCodec, lines: Sequence[str], pos: types.Position) -> tuple[int, int]:
    """0-based (line, character column) of an LSP position."""
    if pos.line >= len(lines):
        return pos.line, 0
    p = codec.position_from_client_units(lines, types.Position(line=pos.line,
                                                               character=pos.character))
    return p.line, p.character
