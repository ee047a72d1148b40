"""Shared pieces of the language-server tests: the server command, documents, waits.

The server runs as editors run it (``python -m kaconf.cli lsp`` over stdio) with this
tree's code first on ``PYTHONPATH``; every wait is bounded.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from lsprotocol import types
from pygls import uris
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.support.aio import wait_until
from tests.support.paths import REPO

#: the environment of the server process: this tree's kaconf before any installed one
SERVER_ENV = {**os.environ,
              "PYTHONPATH": os.pathsep.join(p for p in (str(REPO),
                                                        os.environ.get("PYTHONPATH")) if p)}
SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "kaconf.cli", "lsp"],
                            server_env=SERVER_ENV)

#: a config with findings in itself and in the file it includes (extra.conf)
MAIN = """\
global_defs {
    router_id lb1
}

vrrp_script chk_haproxy {
    script "/usr/bin/true"
    interval 2
}

vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 300
    advert_int 1
    track_script {
        chk_haproxy  # kaconf: ignore[KA294]
    }
    virtual_ipaddress {
        10.0.0.1/24
    }
}

vrrp_sync_group G1 {
    group {
        VI_1
    }
}
include extra.conf
"""

EXTRA = """\
vrrp_instance VI_2 {
    state BACKUP
    interface eth0
    virtual_router_id 52
    priority 100
    virtual_ipaddress {
        10.0.0.2
    }
    bogus_kw 1
}
"""


def uri(path: Path) -> str:
    return uris.from_fs_path(str(path)) or str(path)


def open_doc(client: LanguageClient, path: Path, text: str | None = None) -> str:
    """Tell the server ``path`` is open with ``text`` (default: its content)."""
    u = uri(path)
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=u, language_id="keepalived", version=1,
                                             text=path.read_text() if text is None else text)))
    return u


def change_doc(client: LanguageClient, u: str, version: int, text: str) -> None:
    """Replace the whole buffer (unsaved)."""
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=u, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))


async def diagnostics(client: LanguageClient, u: str,
                      until: Callable[[Sequence[types.Diagnostic]], bool] | None = None
                      ) -> Sequence[types.Diagnostic]:
    """The diagnostics published for ``u`` (once ``until`` holds for them, when given)."""
    def ready() -> bool:
        return u in client.diagnostics and (until is None or until(client.diagnostics[u]))
    await wait_until(ready, 20, f"diagnostics for {u}")
    return client.diagnostics[u]


def codes(diags: Sequence[types.Diagnostic]) -> list[str]:
    return [str(d.code) for d in diags]


def pos(line: int, character: int) -> types.Position:
    return types.Position(line=line, character=character)


def doc_id(u: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=u)
