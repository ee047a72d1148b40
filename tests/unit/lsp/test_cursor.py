"""The block path at the cursor and the names referred to there, on plain text."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kaconf.lsp.cursor import cursor_at, word_at
from kaconf.lsp.names import reference_kinds

TEXT = """\
global_defs {
    router_id x   # a { in a comment
}
vrrp_instance VI_1 {
    state MASTER
    track_script {
        chk
    }
    virtual_ipaddress { 10.0.0.1
    }
@lb1 auth_type PASS
}
virtual_server group vsg1 {
    real_server 10.0.0.2 80
    {
        FILE_CHECK {
            track_file tf
""".splitlines()


@pytest.mark.parametrize(("line", "col", "path", "words", "prefix"), [
    (1, 4, "global_defs", (), ""),
    (1, 14, "global_defs", ("router_id",), ""),
    (2, 0, "global_defs", (), ""),
    (3, 2, "", (), "vr"),
    (4, 10, "vrrp_instance", ("state",), ""),
    (6, 9, None, (), "c"),
    (8, 32, None, (), "10.0.0.1"),   # words after a '{' on the same line: the block's items
    (10, 9, "vrrp_instance", (), "auth"),  # the @id prefix is not a word
    (12, 0, "", (), ""),
    (14, 5, "virtual_server/real_server", (), ""),  # a lone '{' opens the line above's block
    (16, 25, "virtual_server/real_server/FILE_CHECK", ("track_file",), "tf"),
])
def test_block_path_at_the_cursor(line: int, col: int, path: str | None,
                                  words: tuple[str, ...], prefix: str) -> None:
    cur = cursor_at(TEXT, line, col)
    assert (cur.section_path, cur.words, cur.prefix) == (path, words, prefix)


def test_comment_and_past_the_end() -> None:
    assert cursor_at(TEXT, 1, 30).in_comment
    past = cursor_at(TEXT, 99, 99)
    assert past.section_path == "virtual_server/real_server/FILE_CHECK" and past.words == ()


@pytest.mark.parametrize(("line", "col", "kinds"), [
    (6, 9, ("vrrp_script",)),
    (12, 21, ("virtual_server_group",)),
    (16, 25, ("track_file",)),
    (4, 10, ()),
    (8, 32, ()),  # virtual_ipaddress items are addresses, not names
])
def test_reference_kinds(line: int, col: int, kinds: tuple[str, ...]) -> None:
    assert reference_kinds(cursor_at(TEXT, line, col)) == kinds


def test_word_at() -> None:
    assert word_at("    track_file tf", 16) == ("tf", 15, 17)
    assert word_at("    x", 1) is None


def test_cursor_module_needs_no_protocol_library() -> None:
    code = ("import sys, kaconf.lsp.cursor, kaconf.lsp.names; "
            "sys.exit(any(m.split('.')[0] in ('pygls', 'lsprotocol') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
