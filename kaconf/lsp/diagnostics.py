"""Findings as LSP diagnostics: the same codes, ranges and hints as ``kaconf lint``.

A finding in a file the document includes is published for that file's URI
(editors list it under that file), with the include chain — each ``include``
line, ``$DEFINITION`` use or ``~SEQ`` line that led there — as related
information pointing back into the document. Files that had findings on the
previous run and have none now get an empty list, so stale marks disappear.
A file open in the editor as a document of its own keeps its own findings: the
including document does not publish over them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls import uris

from kaconf.diagnostics import Diagnostic, Position, Severity
from kaconf.lsp.positions import span_range, to_lsp_range

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

    from kaconf.lsp.session import Analysis

__all__ = ["SOURCE", "publish", "to_lsp_diagnostic", "uri_of"]

#: The ``source`` of every diagnostic the server publishes.
SOURCE = "kaconf"

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


def uri_of(path: str, document_uri: str, document_path: str) -> str:
    """The URI of ``path`` (the document's own URI for the document's path)."""
    if path == document_path:
        return document_uri
    return uris.from_fs_path(path) or path


def _chain(d: Diagnostic) -> Iterator[tuple[str, Position]]:
    """(how, where) for each step that brought the finding's text in, innermost first."""
    origin = d.span.origin
    while origin is not None and origin.parent is not None:
        yield origin.via, origin.parent
        origin = origin.parent.origin


def message_of(d: Diagnostic) -> str:
    """The message with the hint and notes, as the text output prints them."""
    parts = [d.message]
    if d.hint:
        parts.append(f"hint: {d.hint}")
    parts.extend(f"note: {n}" for n in d.notes)
    return "\n".join(parts)


def to_lsp_diagnostic(server: LanguageServer, an: Analysis, d: Diagnostic) -> types.Diagnostic:
    """One finding as an LSP diagnostic (positions in the client's encoding)."""
    codec = server.workspace.position_codec
    related = []
    for via, pos in _chain(d):
        lines = an.lines_of(pos.file)
        rng = to_lsp_range(codec, lines, pos.line, pos.col, pos.line, pos.col + 1)
        related.append(types.DiagnosticRelatedInformation(
            location=types.Location(uri=uri_of(pos.file, an.uri, an.path), range=rng),
            message=f"{d.code} reached through {via or 'this line'} here"))
    return types.Diagnostic(
        range=span_range(codec, an.lines_of(d.span.file), d.span),
        severity=_SEVERITY[d.severity],
        code=d.code,
        source=SOURCE,
        message=message_of(d),
        related_information=related or None,
        data={"file": d.span.file, "fix": d.fix is not None},
    )


def publish(server: LanguageServer, an: Analysis, previous: Analysis | None,
            open_uris: set[str]) -> None:
    """Send the findings of ``an`` for every file it concerns (and clear the files
    ``previous`` had findings in that now have none)."""
    targets: dict[str, list[types.Diagnostic]] = {}
    for file, diags in an.by_file.items():
        uri = uri_of(file, an.uri, an.path)
        if uri != an.uri and uri in open_uris:
            continue
        targets[uri] = [to_lsp_diagnostic(server, an, d) for d in diags]
    if previous is not None:
        for file in previous.by_file:
            uri = uri_of(file, previous.uri, previous.path)
            if uri not in targets and uri not in open_uris:
                targets[uri] = []
    for uri, published in targets.items():
        server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, diagnostics=published, version=an.version if uri == an.uri else None))
