"""Document symbols: the outline of a config's blocks, with their names.

Every statement that has a block (``vrrp_instance VI_1 { ... }``,
``virtual_server 10.0.0.1 80 { real_server ... }``, ``track_script { ... }``)
becomes a symbol named by its keyword and arguments; blocks nest as in the
file. Only blocks written in the document itself are listed: what an
``include`` pulls in belongs to the outline of that file.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from lsprotocol import types

from kaconf.lsp.positions import span_range
from kaconf.node import Node

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

    from kaconf.lsp.session import Analysis

__all__ = ["document_symbols"]

_KINDS = {
    "global_defs": types.SymbolKind.Namespace,
    "vrrp_instance": types.SymbolKind.Object,
    "vrrp_sync_group": types.SymbolKind.Package,
    "vrrp_script": types.SymbolKind.Function,
    "virtual_server": types.SymbolKind.Class,
    "virtual_server_group": types.SymbolKind.Package,
    "real_server": types.SymbolKind.Field,
}


def _symbols(server: LanguageServer, an: Analysis, nodes: Iterable[Node]
             ) -> list[types.DocumentSymbol]:
    codec = server.workspace.position_codec
    lines = an.lines_of(an.path)
    out: list[types.DocumentSymbol] = []
    for node in nodes:
        if node.children is None or node.keyword.file != an.path:
            continue
        span = node.span
        head = node.head_span
        name = " ".join(node.words())
        out.append(types.DocumentSymbol(
            name=name,
            kind=_KINDS.get(node.name, types.SymbolKind.Struct),
            range=span_range(codec, lines, span),
            selection_range=span_range(codec, lines, head),
            detail=node.name,
            children=_symbols(server, an, node.children) or None,
        ))
    return out


def document_symbols(server: LanguageServer, an: Analysis) -> list[types.DocumentSymbol]:
    """The outline of the analysed document."""
    return _symbols(server, an, an.loaded.nodes)
