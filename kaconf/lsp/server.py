"""``kaconf lsp``: the language server, over stdio (pygls 2, lsprotocol).

This module only wires the protocol to the feature modules of :mod:`kaconf.lsp`
(diagnostics, hover, completion, definition, symbols, formatting, actions); each
of them is a function of the server, the document's :class:`~kaconf.lsp.session.Analysis`
and the request. Documents are linted on open and save at once and on change
after a short pause (:data:`CHANGE_DELAY`), so typing does not lint every keystroke;
a request that needs the current text (completion after a change) analyses it first.

pygls is imported by ``kaconf lsp`` only (:mod:`kaconf.cli.lsp` imports this
module inside its ``run``), so no other command pays for it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from lsprotocol import types
from pygls import uris
from pygls.lsp.server import LanguageServer

from kaconf.lsp import actions, completion, definition, diagnostics, formatting, hover, symbols
from kaconf.lsp.session import Analysis, Options, Session

__all__ = ["CHANGE_DELAY", "KaconfServer", "create_server", "serve"]

#: Seconds without a change before a changed document is linted again.
CHANGE_DELAY = 0.25


class KaconfServer(LanguageServer):
    """A pygls server with kaconf's :class:`Session`."""

    def __init__(self) -> None:
        from kaconf import __version__

        super().__init__("kaconf", __version__,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.session = Session()

    def path_of(self, uri: str) -> str:
        """The file path a document's findings are reported under."""
        return uris.to_fs_path(uri) or uri

    def current(self, uri: str) -> Analysis:
        """The analysis of the document's current text (made now if it is stale)."""
        doc = self.workspace.get_text_document(uri)
        an = self.session.analyses.get(uri)
        if an is None or an.text != doc.source:
            an = self.session.analyse(uri, self.path_of(uri), doc.source, doc.version)
        return an

    def lint_and_publish(self, uri: str) -> None:
        """Lint the document as it is now and publish the findings."""
        previous = self.session.analyses.get(uri)
        doc = self.workspace.get_text_document(uri)
        an = self.session.analyse(uri, self.path_of(uri), doc.source, doc.version)
        for problem in an.settings.problems:
            self.window_log_message(types.LogMessageParams(
                type=types.MessageType.Warning, message=f"kaconf: {problem}"))
        diagnostics.publish(self, an, previous, set(self.workspace.text_documents))


def create_server() -> KaconfServer:
    """A server with every feature registered (not started)."""
    server = KaconfServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: KaconfServer, params: types.InitializeParams) -> None:
        options, problems = Options.parse(params.initialization_options)
        ls.session.options = options
        for problem in problems:
            ls.window_log_message(types.LogMessageParams(
                type=types.MessageType.Warning, message=f"kaconf: {problem}"))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: KaconfServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.lint_and_publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: KaconfServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.lint_and_publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: KaconfServer, params: types.DidChangeTextDocumentParams) -> None:
        uri, version = params.text_document.uri, params.text_document.version
        await asyncio.sleep(CHANGE_DELAY)
        if uri in ls.workspace.text_documents and \
                ls.workspace.get_text_document(uri).version == version:
            ls.lint_and_publish(uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: KaconfServer, params: types.DidCloseTextDocumentParams) -> None:
        an = ls.session.forget(params.text_document.uri)
        if an is None:
            return
        still_open = set(ls.workspace.text_documents) - {an.uri}
        for file in an.by_file:
            uri = diagnostics.uri_of(file, an.uri, an.path)
            if uri not in still_open:  # an open file keeps the findings of its own analysis
                ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                    uri=uri, diagnostics=[]))

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: KaconfServer, params: types.HoverParams) -> types.Hover | None:
        return hover.hover(ls, ls.current(params.text_document.uri), params)

    @server.feature(types.TEXT_DOCUMENT_COMPLETION,
                    types.CompletionOptions(trigger_characters=completion.TRIGGERS))
    def on_completion(ls: KaconfServer, params: types.CompletionParams
                      ) -> types.CompletionList:
        return completion.complete(ls, ls.current(params.text_document.uri), params)

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def on_definition(ls: KaconfServer, params: types.DefinitionParams
                      ) -> list[types.Location] | None:
        return definition.definition(ls, ls.current(params.text_document.uri), params)

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def on_symbols(ls: KaconfServer, params: types.DocumentSymbolParams
                   ) -> list[types.DocumentSymbol]:
        return symbols.document_symbols(ls, ls.current(params.text_document.uri))

    @server.feature(types.TEXT_DOCUMENT_FORMATTING)
    def on_format(ls: KaconfServer, params: types.DocumentFormattingParams
                  ) -> list[types.TextEdit]:
        return formatting.format_document(ls, ls.current(params.text_document.uri),
                                          ls.session.options.brace_style)

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=actions.KINDS))
    def on_code_action(ls: KaconfServer, params: types.CodeActionParams
                       ) -> list[types.CodeAction]:
        return actions.code_actions(ls, ls.current(params.text_document.uri), params)

    return server


def serve(**_: Any) -> None:
    """Run the server on standard input and output until the client says exit."""
    create_server().start_io()
