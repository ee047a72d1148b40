"""Hover, completion, go to definition, outline and formatting, through a real client."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from kaconf.fmt import format_text
from tests.lsp.support import EXTRA, MAIN, change_doc, diagnostics, doc_id, open_doc, pos, uri

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "keepalived.conf").write_text(MAIN)
    (tmp_path / "extra.conf").write_text(EXTRA)
    return tmp_path


async def _opened(client: LanguageClient, project: Path, text: str = MAIN) -> str:
    u = open_doc(client, project / "keepalived.conf", text)
    await diagnostics(client, u)
    return u


def _markdown(h: types.Hover | None) -> str:
    assert h is not None and isinstance(h.contents, types.MarkupContent)
    return h.contents.value


async def test_hover_on_a_keyword_shows_the_schema(client: LanguageClient, project: Path) -> None:
    u = await _opened(client, project)
    text = _markdown(await client.text_document_hover_async(
        types.HoverParams(text_document=doc_id(u), position=pos(12, 8))))  # virtual_router_id
    assert "**virtual_router_id**" in text and "`vrrp_instance`" in text
    assert "1-255" in text
    assert "1.2.2, 2.2.7, master" in text and "target 2.2.7: known" in text


async def test_hover_on_a_deprecated_keyword_names_its_replacement(
        client: LanguageClient, project: Path) -> None:
    u = await _opened(client, project, "vrrp_track_file tf {\n    file /tmp/x\n}\n")
    text = _markdown(await client.text_document_hover_async(
        types.HoverParams(text_document=doc_id(u), position=pos(0, 3))))
    assert "**deprecated**" in text and "use instead: `track_file`" in text


async def test_hover_on_a_code_in_a_comment_explains_the_rule(
        client: LanguageClient, project: Path) -> None:
    u = await _opened(client, project)
    line = MAIN.splitlines()[16]
    text = _markdown(await client.text_document_hover_async(types.HoverParams(
        text_document=doc_id(u), position=pos(16, line.index("KA294") + 2))))
    assert text.startswith("**KA294**")
    assert "Bad:" in text and "Good:" in text


async def test_hover_on_a_finding_explains_its_rule(client: LanguageClient, project: Path) -> None:
    u = await _opened(client, project)
    text = _markdown(await client.text_document_hover_async(
        types.HoverParams(text_document=doc_id(u), position=pos(13, 14))))  # "300"
    assert "**KA021**" in text


async def _complete(client: LanguageClient, u: str, line: int, col: int) -> list[str]:
    got = await client.text_document_completion_async(
        types.CompletionParams(text_document=doc_id(u), position=pos(line, col)))
    assert isinstance(got, types.CompletionList)
    return [i.label for i in got.items]


async def test_completion_of_keywords_at_the_block_path(
        client: LanguageClient, project: Path) -> None:
    text = MAIN.replace("    advert_int 1\n", "    advert_int 1\n    pri\n")
    u = await _opened(client, project, text)
    labels = await _complete(client, u, 15, 7)
    assert {"priority", "virtual_router_id", "track_script"} <= set(labels)
    assert "router_id" not in labels  # a global_defs keyword
    top = await _complete(client, u, 3, 0)
    assert {"global_defs", "vrrp_instance", "virtual_server"} <= set(top)


async def test_completion_follows_the_target_version(client: LanguageClient, tmp_path: Path
                                                     ) -> None:
    (tmp_path / ".kaconf.toml").write_text('target-version = "1.2.2"\n')
    u = open_doc(client, tmp_path / "keepalived.conf", "vrrp_instance VI_1 {\n    \n}\n")
    await diagnostics(client, u)
    labels = await _complete(client, u, 1, 4)
    assert "priority" in labels and "track_src_ip" not in labels


async def test_completion_of_values(client: LanguageClient, project: Path) -> None:
    u = await _opened(client, project, MAIN.replace("state MASTER", "state "))
    assert set(await _complete(client, u, 10, 10)) == {"MASTER", "BACKUP"}


async def test_completion_of_names(client: LanguageClient, project: Path) -> None:
    text = MAIN.replace("        chk_haproxy  # kaconf: ignore[KA294]\n", "        \n")
    text = text.replace("        VI_1\n    }\n}", "        VI_1\n        \n    }\n}")
    u = await _opened(client, project, text)
    lines = text.splitlines()
    assert await _complete(client, u, 16, 8) == ["chk_haproxy"]
    member = lines.index("        VI_1") + 1
    assert set(await _complete(client, u, member, 8)) == {"VI_1", "VI_2"}  # VI_2: included


async def test_completion_on_a_half_written_file(client: LanguageClient, project: Path) -> None:
    u = await _opened(client, project, "global_defs {\n    router_id x\n}\nvrrp_script s {\n    ")
    labels = await _complete(client, u, 4, 4)
    assert {"script", "interval", "weight"} <= set(labels)


async def _definition(client: LanguageClient, u: str, line: int, col: int
                      ) -> list[types.Location]:
    got = await client.text_document_definition_async(
        types.DefinitionParams(text_document=doc_id(u), position=pos(line, col)))
    assert isinstance(got, list)
    return [loc for loc in got if isinstance(loc, types.Location)]


async def test_definition_of_names_and_includes(client: LanguageClient, project: Path) -> None:
    u = await _opened(client, project)
    lines = MAIN.splitlines()
    (script,) = await _definition(client, u, 16, 10)  # chk_haproxy in track_script
    assert script.uri == u and script.range.start == pos(4, 12)
    member = lines.index("        VI_1")
    (inst,) = await _definition(client, u, member, 9)
    assert inst.uri == u and inst.range.start == pos(9, 14)
    (inc,) = await _definition(client, u, lines.index("include extra.conf"), 12)
    assert inc.uri == uri(project / "extra.conf")


async def test_definition_into_an_included_file(client: LanguageClient, project: Path) -> None:
    u = await _opened(client, project, MAIN.replace("        VI_1\n", "        VI_2\n"))
    member = MAIN.splitlines().index("        VI_1")
    (inst,) = await _definition(client, u, member, 9)
    assert inst.uri == uri(project / "extra.conf") and inst.range.start == pos(0, 14)


async def test_document_symbols_are_the_block_outline(
        client: LanguageClient, project: Path) -> None:
    u = await _opened(client, project)
    got = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=doc_id(u)))
    assert got is not None
    symbols = [s for s in got if isinstance(s, types.DocumentSymbol)]
    assert [s.name for s in symbols] == ["global_defs", "vrrp_script chk_haproxy",
                                         "vrrp_instance VI_1", "vrrp_sync_group G1"]
    inst = symbols[2]
    assert [c.name for c in inst.children or []] == ["track_script", "virtual_ipaddress"]
    assert inst.range.start == pos(9, 0) and inst.range.end == pos(21, 1)


async def test_formatting_is_kaconf_fmt(client: LanguageClient, project: Path) -> None:
    messy = "global_defs {\nrouter_id lb1\n\n\n}\nvrrp_script s { script /bin/true }\n"
    u = await _opened(client, project, messy)
    edits = await client.text_document_formatting_async(types.DocumentFormattingParams(
        text_document=doc_id(u), options=types.FormattingOptions(tab_size=4,
                                                                 insert_spaces=True)))
    assert edits is not None and len(edits) == 1
    assert edits[0].new_text == format_text(messy)
    assert edits[0].range.start == pos(0, 0) and edits[0].range.end == pos(6, 0)
    change_doc(client, u, 2, format_text(messy))
    again = await client.text_document_formatting_async(types.DocumentFormattingParams(
        text_document=doc_id(u), options=types.FormattingOptions(tab_size=4,
                                                                 insert_spaces=True)))
    assert not again


@pytest.mark.parametrize("text", ["", "}\n}\nvrrp_instance {\n  {\n\x00 \"unterminated\n",
                                  "vrrp_instance VI_1 {\n    state"])
async def test_every_request_answers_on_odd_text(client: LanguageClient, project: Path,
                                                 text: str) -> None:
    u = await _opened(client, project, text)
    for line, col in ((0, 0), (1, 3), (4, 2), (40, 0)):
        p = types.TextDocumentPositionParams(text_document=doc_id(u), position=pos(line, col))
        await client.text_document_hover_async(types.HoverParams(
            text_document=p.text_document, position=p.position))
        await client.text_document_completion_async(types.CompletionParams(
            text_document=p.text_document, position=p.position))
        await client.text_document_definition_async(types.DefinitionParams(
            text_document=p.text_document, position=p.position))
    await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=doc_id(u)))
    await client.text_document_formatting_async(types.DocumentFormattingParams(
        text_document=doc_id(u), options=types.FormattingOptions(tab_size=4,
                                                                 insert_spaces=True)))


async def test_definition_of_a_glob_include_and_of_track_file(
        client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    for name in ("b.conf", "a.conf"):
        (tmp_path / "conf.d" / name).write_text("")
    text = ("track_file tf {\n    file /tmp/x\n}\n"
            "vrrp_instance VI_1 {\n    track_file {\n        tf weight 10\n    }\n}\n"
            "include conf.d/*.conf\n")
    u = open_doc(client, tmp_path / "keepalived.conf", text)
    await diagnostics(client, u)
    files = await _definition(client, u, 8, 12)
    assert [loc.uri for loc in files] == [uri(tmp_path / "conf.d" / "a.conf"),
                                          uri(tmp_path / "conf.d" / "b.conf")]
    (tf,) = await _definition(client, u, 5, 9)
    assert tf.range.start == pos(0, 11)
