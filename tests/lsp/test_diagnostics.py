"""Diagnostics on open, change and save: what ``kaconf lint`` reports, as LSP diagnostics."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from kaconf.lint.engine import lint_paths
from tests.lsp.support import EXTRA, MAIN, change_doc, codes, diagnostics, open_doc, uri

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "keepalived.conf").write_text(MAIN)
    (tmp_path / "extra.conf").write_text(EXTRA)
    return tmp_path


async def test_open_publishes_what_lint_reports(client: LanguageClient, project: Path) -> None:
    main = project / "keepalived.conf"
    u = open_doc(client, main)
    got = await diagnostics(client, u)
    want = [d for d in lint_paths([str(main)]).diagnostics if d.span.file == str(main)]
    assert codes(got) == [d.code for d in want] and want
    for lsp_d, d in zip(got, want, strict=True):
        assert lsp_d.source == "kaconf"
        assert (lsp_d.range.start.line, lsp_d.range.start.character) == (d.line - 1, d.column - 1)
        assert (lsp_d.range.end.line, lsp_d.range.end.character) == (d.span.end_line - 1,
                                                                     d.span.end_col - 1)
        assert lsp_d.message.startswith(d.message)
        assert f"hint: {d.hint}" in lsp_d.message
    ka021 = next(d for d in got if d.code == "KA021")
    assert ka021.severity == types.DiagnosticSeverity.Error
    assert "KA294" not in codes(got)  # the suppression comment is honoured


async def test_included_file_gets_its_findings_with_the_include_chain(
        client: LanguageClient, project: Path) -> None:
    open_doc(client, project / "keepalived.conf")
    extra = await diagnostics(client, uri(project / "extra.conf"))
    assert codes(extra) == ["KA100"]
    assert extra[0].range.start == types.Position(line=8, character=4)
    (related,) = extra[0].related_information or []
    assert related.location.uri == uri(project / "keepalived.conf")
    assert related.location.range.start == types.Position(line=28, character=0)
    assert "include" in related.message


async def test_change_lints_the_unsaved_buffer(client: LanguageClient, project: Path) -> None:
    main = project / "keepalived.conf"
    u = open_doc(client, main)
    assert "KA021" in codes(await diagnostics(client, u))
    change_doc(client, u, 2, MAIN.replace("priority 300", "priority 200"))
    await diagnostics(client, u, lambda ds: "KA021" not in codes(ds))
    assert main.read_text() == MAIN  # nothing written


async def test_save_lints_again(client: LanguageClient, project: Path) -> None:
    main = project / "keepalived.conf"
    u = open_doc(client, main, MAIN.replace("priority 300", "priority 200"))
    await diagnostics(client, u, lambda ds: "KA021" not in codes(ds))
    client.diagnostics.pop(u)
    client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=u)))
    assert "KA021" not in codes(await diagnostics(client, u))


async def test_target_version_comes_from_the_workspace_settings(
        client: LanguageClient, tmp_path: Path) -> None:
    text = ("vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 1\n"
            "    track_src_ip\n    virtual_ipaddress {\n        10.0.0.1\n    }\n}\n")
    new = tmp_path / "new"
    old = tmp_path / "old"
    for folder in (new, old):
        folder.mkdir()
        (folder / "keepalived.conf").write_text(text)
    (old / "pyproject.toml").write_text('[tool.kaconf]\ntarget-version = "1.2.2"\n')
    in_old = await diagnostics(client, open_doc(client, old / "keepalived.conf"))
    in_new = await diagnostics(client, open_doc(client, new / "keepalived.conf"))
    assert any(d.code == "KA261" and d.range.start.line == 3 for d in in_old)
    assert not any(d.range.start.line == 3 for d in in_new)


async def test_close_clears_the_findings(client: LanguageClient, project: Path) -> None:
    u = open_doc(client, project / "keepalived.conf")
    extra = uri(project / "extra.conf")
    await diagnostics(client, extra, lambda ds: bool(ds))
    await diagnostics(client, u, lambda ds: bool(ds))
    client.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=u)))
    await diagnostics(client, u, lambda ds: not ds)
    await diagnostics(client, extra, lambda ds: not ds)


async def test_an_open_included_file_keeps_its_own_findings(
        client: LanguageClient, project: Path) -> None:
    extra_text = EXTRA.replace("bogus_kw 1", "priority 999")
    extra = open_doc(client, project / "extra.conf", extra_text)
    assert "KA021" in codes(await diagnostics(client, extra, lambda ds: "KA021" in codes(ds)))
    u = open_doc(client, project / "keepalived.conf")
    await diagnostics(client, u, lambda ds: "KA021" in codes(ds))
    assert "KA100" not in codes(client.diagnostics[extra])  # not overwritten from disk's text


async def test_ranges_are_in_the_clients_code_units(client: LanguageClient, tmp_path: Path
                                                    ) -> None:
    line = "    bogus_\U0001F600 1"
    u = open_doc(client, tmp_path / "k.conf", f"global_defs {{\n{line}\n}}\n")
    got = await diagnostics(client, u, lambda ds: "KA100" in codes(ds))
    ka100 = next(d for d in got if d.code == "KA100")
    assert ka100.range.start == types.Position(line=1, character=4)
    # kaconf's end column counts the emoji once; UTF-16 (the client's units) twice
    assert ka100.range.end == types.Position(line=1, character=len(line) + 1)
