"""The load path's one-pass reader gives what the two-step public API gives.

``kaconf.tree.read_tree`` (used by ``kaconf.load``) reads plain lines straight into
tree nodes, while ``build_tree(read_config(...).lines)`` goes through logical lines; both
decide "plain" on their own, for speed. These tests hold them to the same result —
nodes, positions, braces, findings, comments — with the plain-line fast path on and
forced off (every line general), on every fixture and on generated junk.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kaconf.scan as scan
import kaconf.source as source
from kaconf.tree import Node, build_tree, read_tree
from tests.support.paths import REPO as ROOT

FIXTURES = sorted([*ROOT.glob("tests/fixtures/**/*.conf"), *ROOT.glob("examples/*.conf")])
PIECES = ["a", "b", "{", "}", " ", "\t", "x{", "}y", "vrrp_instance", "virtual_ipaddress",
          "1.2.3.4", "\u00a0", "include", "@", "~", "!", "#", '"', "\\", "\r", "\x00", "@x",
          "~SEQ(i,1,2)", "$X", "$X=c {", "$X=d \\", "x" * 300,
          # block keywords: where they land depends on the block they are in
          " global_defs ", " notification_email ", " priority ", " virtual_server ",
          " real_server ", " authentication ", " ${A:-b} "]


def _walk(nodes: list[Node]) -> Iterator[Node]:
    for n in nodes:
        yield n
        if n.children:
            yield from _walk(n.children)


def _snapshot(rr: source.ReadResult, nodes: list[Node], diags: Sequence[object]) -> object:
    lazy = [(n.name, n.span, n.head_span, n.words(), n.has_block, n.brace_own_line)
            for n in _walk(nodes)]
    eager = [(n.keyword, n.args, n.open_brace, n.close_brace) for n in _walk(nodes)]
    return (lazy, eager, [str(d) for d in [*rr.diagnostics, *diags]],
            [(c.text, c.file, c.line, c.col, c.own_line) for c in rr.comments],
            rr.files, rr.texts)


def _three(name: str, data: bytes, version: str,
           monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """read_tree, then read_config + build_tree, then the same with every line general."""
    out = []
    for how in ("read_tree", "two-step", "general-only"):
        with monkeypatch.context() as m:
            if how == "general-only":
                m.setattr(scan, "NOT_PLAIN", re.compile(r"[\s\S]|^$"))
            if how == "read_tree":
                rr, tree = read_tree(name, config_id="x", version=version, data=data)
            else:
                rr = source.read_config(name, config_id="x", version=version, data=data)
                tree = build_tree(rr.lines, version)
        out.append(_snapshot(rr, tree.nodes, tree.diagnostics))
    return out


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: str(p.relative_to(ROOT)))
def test_fixture_reads_the_same_every_way(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one, two, three = _three(str(path), path.read_bytes(), "2.2.7", monkeypatch)
    assert one == two == three


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.lists(st.sampled_from(PIECES), max_size=8).map("".join),
                      min_size=1, max_size=14),
       version=st.sampled_from(["2.2.7", "1.2.2"]))
def test_junk_reads_the_same_every_way(lines: list[str], version: str,
                                       monkeypatch: pytest.MonkeyPatch,
                                       tmp_path: Path) -> None:
    data = "\n".join(lines).encode()
    one, two, three = _three(str(tmp_path / "junk.conf"), data, version, monkeypatch)
    assert one == two == three
