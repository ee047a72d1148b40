"""Formatting: ``kaconf fmt`` on the buffer, as one edit of the whole document.

:func:`kaconf.fmt.format_text` keeps what keepalived reads (see :mod:`kaconf.fmt`),
so formatting on save is safe; the brace style is the ``braceStyle`` option.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from lsprotocol import types

from kaconf.fmt import BraceStyle, format_text

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

    from kaconf.lsp.session import Analysis

__all__ = ["format_document"]


def format_document(server: LanguageServer, an: Analysis, brace_style: str
                    ) -> list[types.TextEdit]:
    """The edits that lay the document out canonically (none when it already is)."""
    new = format_text(an.text, brace_style=cast(BraceStyle, brace_style))
    if new == an.text:
        return []
    lines = an.text.split("\n")
    end = server.workspace.position_codec.position_to_client_units(
        lines, types.Position(line=len(lines) - 1, character=len(lines[-1])))
    return [types.TextEdit(range=types.Range(start=types.Position(line=0, character=0), end=end),
                           new_text=new)]
