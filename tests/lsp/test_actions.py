"""Code actions: each finding's machine fix, and "apply every safe fix"."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.lsp.support import SERVER_ENV, diagnostics, doc_id, open_doc, pos

pytestmark = pytest.mark.asyncio(loop_scope="module")

TEXT = """\
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 1
    priority 50
    virtual_ipaddress {
        10.0.0.1
    }
}
vrrp_instance VI_2 {
    interface eth0
    virtual_router_id 2
    priority 255
    virtual_ipaddress {
        10.0.0.2
    }
}
"""


@pytest_lsp.fixture(config=ClientServerConfig(
    server_command=[sys.executable, "-m", "tests.lsp.fixing_server"], server_env=SERVER_ENV),
    scope="module")
async def fixing(lsp_client: LanguageClient) -> AsyncIterator[None]:
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code")))
    yield
    await lsp_client.shutdown_session()


async def _actions(client: LanguageClient, u: str, line: int,
                   only: list[str] | None = None) -> list[types.CodeAction]:
    diags = await diagnostics(client, u)
    got = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=doc_id(u), range=types.Range(start=pos(line, 0), end=pos(line, 4)),
        context=types.CodeActionContext(diagnostics=list(diags), only=only)))
    return [a for a in got or [] if isinstance(a, types.CodeAction)]


async def test_a_fix_becomes_a_preferred_quickfix(fixing: LanguageClient, tmp_path: Path) -> None:
    u = open_doc(fixing, tmp_path / "k.conf", TEXT)
    (action,) = await _actions(fixing, u, 3, [types.CodeActionKind.QuickFix])
    assert action.title == "set priority of VI_1 to 100"
    assert action.kind == types.CodeActionKind.QuickFix and action.is_preferred
    assert [str(d.code) for d in action.diagnostics or []] == ["KA999"]
    assert action.edit is not None and action.edit.changes is not None
    (edit,) = action.edit.changes[u]
    assert edit.new_text == "100"
    assert edit.range == types.Range(start=pos(3, 13), end=pos(3, 15))


async def test_an_unsafe_fix_is_offered_but_not_preferred(
        fixing: LanguageClient, tmp_path: Path) -> None:
    u = open_doc(fixing, tmp_path / "k.conf", TEXT)
    (action,) = await _actions(fixing, u, 11, [types.CodeActionKind.QuickFix])
    assert action.title.endswith("(unsafe)") and not action.is_preferred


async def test_fix_all_applies_only_the_safe_fixes(fixing: LanguageClient, tmp_path: Path) -> None:
    u = open_doc(fixing, tmp_path / "k.conf", TEXT)
    (action,) = await _actions(fixing, u, 0, ["source.fixAll"])
    assert action.kind == "source.fixAll.kaconf"
    assert action.edit is not None and action.edit.changes is not None
    assert [e.range.start.line for e in action.edit.changes[u]] == [3]


REAL = """\
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 1
    priority 50
    authentication {
        auth_type PASS
        auth_pass 1234567890
    }
    virtual_ipaddress {
        10.0.0.1
    }
}
"""


async def test_a_real_rule_fix_is_offered(client: LanguageClient, tmp_path: Path) -> None:
    """KA213 (auth_pass longer than 8 characters) has a safe fix: keep what keepalived uses."""
    u = open_doc(client, tmp_path / "k.conf", REAL)
    diags = await diagnostics(client, u)
    got = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=doc_id(u), range=types.Range(start=pos(7, 0), end=pos(7, 30)),
        context=types.CodeActionContext(diagnostics=list(diags),
                                        only=[types.CodeActionKind.QuickFix])))
    actions = [a for a in got or [] if isinstance(a, types.CodeAction)]
    ka213 = [a for a in actions if any(str(d.code) == "KA213" for d in a.diagnostics or [])]
    assert len(ka213) == 1 and ka213[0].is_preferred
    edit = ka213[0].edit
    assert edit is not None and edit.changes is not None
    (change,) = edit.changes[u]
    new = REAL.splitlines()[7]
    line = change.range.start.line
    assert line == 7
    new = new[:change.range.start.character] + change.new_text + new[change.range.end.character:]
    assert new.strip() == "auth_pass 12345678"
