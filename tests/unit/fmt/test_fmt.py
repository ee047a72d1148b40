"""``kaconf fmt``: canonical layout, idempotent and meaning-preserving (corpus + Hypothesis)."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kaconf.cli import main
from kaconf.dump.json_dump import dump_json
from kaconf.fmt import BraceStyle, format_bytes, format_text, has_broken_structure
from kaconf.loader import load_full
from tests.support.paths import REPO as ROOT

FIXTURES = ROOT / "tests" / "fixtures"
EXAMPLES = ROOT / "examples"
CORPUS = sorted(
    list((FIXTURES / "corpus" / "keepalived-samples").glob("keepalived.conf.*"))
    + list((FIXTURES / "corpus" / "dumps").glob("*.conf"))
    + list((FIXTURES / "validation").glob("*.conf"))
)
#: config ids to read with: @high/@low lines of the corpus must keep their meaning for both
CONFIG_IDS = ("high", "low", "other")
STYLES: tuple[BraceStyle, ...] = ("same-line", "own-line")

SEED_A = """\
global_defs {
    router_id aaa
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 90
    nopreempt
    priority 100
    advert_int 1
    virtual_ipaddress {
        10.1.10.240/24
    }
}
"""


def meaning(path: Path | str, data: bytes, config_id: str = "other") -> tuple[str, list[str]]:
    """What keepalived would run (JSON dump without positions) plus the finding codes."""
    ld = load_full(str(path), data=data, config_id=config_id)
    return dump_json(ld.config, spans=False), sorted(d.code for d in ld.diagnostics)


def assert_fmt_ok(path: Path | str, data: bytes, style: BraceStyle = "same-line") -> bytes:
    out = format_bytes(data, brace_style=style)
    assert format_bytes(out, brace_style=style) == out, "not idempotent"
    for cid in CONFIG_IDS:
        assert meaning(path, out, cid) == meaning(path, data, cid), f"meaning changed ({cid})"
    return out


# -- the seed ------------------------------------------------------------------------


def test_seed_own_line_braces_become_same_line() -> None:
    data = (EXAMPLES / "serverA.conf").read_bytes()
    assert b"\n{\n" in data
    out = assert_fmt_ok(EXAMPLES / "serverA.conf", data)
    assert out.decode() == SEED_A


def test_own_line_style() -> None:
    out = format_text(SEED_A, brace_style="own-line")
    assert out.startswith("global_defs\n{\n    router_id aaa\n}\nvrrp_instance VI_1\n{\n")
    assert "    virtual_ipaddress\n    {\n        10.1.10.240/24\n    }\n" in out
    assert format_text(out) == SEED_A


# -- layout rules --------------------------------------------------------------------


def test_value_block_items_one_per_line_and_comments_kept() -> None:
    text = ("\n\n# top\nvrrp_instance B { interface eth0 # trailing\n virtual_router_id 2\n\n\n"
            "  virtual_ipaddress { 10.0.0.2 }   ! vips\n track_script # ts\n # between\n"
            " { # open\n   chk\n }\n\n}\n\n\n")
    out = format_text(text)
    assert out == (
        "# top\n"
        "vrrp_instance B {\n"
        "    interface eth0 # trailing\n"
        "    virtual_router_id 2\n"
        "\n"
        "    virtual_ipaddress {\n"
        "        10.0.0.2\n"
        "    } ! vips\n"
        "    track_script { # ts\n"
        "        # between\n"
        "        # open\n"
        "        chk\n"
        "    }\n"
        "}\n")
    assert_fmt_ok("t.conf", text.encode())


def test_comment_before_close_brace_stays_inside_block() -> None:
    out = format_text("a {\n b\n\n # last words\n\n}\n")
    assert out == "a {\n    b\n\n    # last words\n}\n"


def test_quotes_and_escapes_survive() -> None:
    text = 'vrrp_script s {\n  script   "/bin/echo a#b  {x}"\n  user a\\#b\n}\n'
    out = format_text(text)
    assert '    script "/bin/echo a#b  {x}"\n' in out
    assert "    user a\\#b\n" in out
    assert_fmt_ok("t.conf", text.encode())


def test_stray_brace_after_close_kept_on_its_line() -> None:
    # '} {' decides whether the '{' is stray by line numbers: splitting would change that
    for text in ("a\n} {\n b\n}\n", "a } {\n b\n}\n", "x {\n y\n} {\n z\n}\n"):
        out = assert_fmt_ok("t.conf", text.encode())
        assert b"} {" in out


def test_brace_not_joined_to_unterminated_quote() -> None:
    text = 'notify "/bin/true\n{\n a\n}\n'
    out = assert_fmt_ok("t.conf", text.encode())
    assert out.decode().splitlines()[1] == "{"


def test_preprocessing_lines_kept_verbatim() -> None:
    text = ("$IF=eth0\n$VIPS=10.0.0.1 \\\n   10.0.0.2\n\n"
            "vrrp_instance V {\n"
            "@high   priority 150\n"
            "@^high priority 100\n"
            "  interface $IF\n"
            "~SEQ(i, 1, 2) track_interface { eth$i }\n"
            "  include   /nonexistent/*.conf\n"
            "  virtual_router_id 1\n"
            "  virtual_ipaddress\n"
            "  {\n  $VIPS\n  }\n}\n")
    out = format_text(text)
    assert out == ("$IF=eth0\n$VIPS=10.0.0.1 \\\n    10.0.0.2\n\n"
                   "vrrp_instance V {\n"
                   "    @high   priority 150\n"
                   "    @^high priority 100\n"
                   "    interface $IF\n"
                   "    ~SEQ(i, 1, 2) track_interface { eth$i }\n"
                   "    include   /nonexistent/*.conf\n"
                   "    virtual_router_id 1\n"
                   "    virtual_ipaddress {\n"
                   "        $VIPS\n"
                   "    }\n}\n")
    assert_fmt_ok("t.conf", text.encode())


def test_brace_after_conditional_line_not_joined() -> None:
    # the '{' belongs to whatever statement the config id leaves before it
    text = "global_defs {\n router_id a\n}\nvirtual_server_group g\n@high vrrp_script x\n{\n}\n"
    out = assert_fmt_ok("t.conf", text.encode())
    assert b"@high vrrp_script x\n{\n}\n" in out


def test_definition_ended_by_blank_line_keeps_it() -> None:
    text = "a {\n$D=x \\\n  y \\\n\n}\n"
    out = assert_fmt_ok("t.conf", text.encode())
    assert out == b"a {\n    $D=x \\\n        y \\\n\n}\n"


def test_lines_keepalived_skips_stay_byte_for_byte() -> None:
    long_line = b"  router_id " + b"x" * 1100
    text = b"global_defs {\n" + long_line + b"\n  nul\x00here\n\xff\xfe latin\n}\n"
    out = assert_fmt_ok("t.conf", text)
    assert long_line in out and b"  nul\x00here" in out and b"\xff\xfe latin" in out


def test_crlf_and_no_final_newline() -> None:
    out = assert_fmt_ok("t.conf", b"global_defs {\r\n router_id a\r\n}")
    assert out == b"global_defs {\n    router_id a\n}\n"
    assert format_bytes(b"") == b""
    assert format_bytes(b"\n\n# only\n\n") == b"# only\n"


def test_unbalanced_braces_are_kept() -> None:
    for text in ("}\n}\n", "vrrp_instance V {\n interface eth0\n", "a {\n{\n}\n}\n"):
        assert_fmt_ok("t.conf", text.encode())


def test_bad_style_rejected() -> None:
    with pytest.raises(ValueError):
        format_bytes(b"", brace_style="k&r")  # type: ignore[arg-type]


# -- the whole corpus ---------------------------------------------------------------


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_corpus_idempotent_and_meaning_preserving(path: Path, style: BraceStyle) -> None:
    assert_fmt_ok(path, path.read_bytes(), style)


# -- generated layouts --------------------------------------------------------------

_INDENTS = ("", " ", "  ", "\t", "        ", " \t ")
_TRAILING = ("", " ", "\t", "   ")
_COMMENTS = ("# note", "!bang", "#", "# { brace } \"quote\"", "! kaconf: ignore[KA100]")
#: lines that make the reader's life hard: stray braces, preprocessing, open quotes
_TRICKY = ("{", "}", "} {", "a } {", "{ {", "$D=x", "$M=a \\", "notify \"/bin/x {",
           "~SEQ(i, 1, 2) x$i {", "include nothing/*.conf", "@high", "@high {", "@low }",
           "x \\# y", "y \\!z {", "$D", "\x00", "\"a b\"c {", "a { @high b",
           "a { include nothing/*.conf", "} ~SEQ(i, 1, 2) y", "a { ~x {", "@high a { b")
_PREFIXES = ("@high ", "@^high ", "@low ", "@other\t")


def _mutate(data: bytes, rnd: random.Random, layout_only: bool) -> bytes:
    """Shuffle the layout of ``data``: indentation, braces, blank lines, comments.

    With ``layout_only`` only changes that cannot change the canonical form are made
    (indentation, trailing white space, '{' moved to its own line, CRLF).
    """
    out: list[str] = []
    lines = data.decode("utf-8", "surrogateescape").split("\n")
    if not layout_only:
        lines = _scramble(lines, rnd)
    for line in lines:
        body = line.strip()
        if not layout_only:
            if rnd.random() < 0.08:
                out.append("")
            if rnd.random() < 0.05:
                out.append(rnd.choice(_INDENTS) + rnd.choice(_COMMENTS))
        ind = rnd.choice(_INDENTS)
        trail = rnd.choice(_TRAILING)
        if body.endswith(" {") and "#" not in body and "!" not in body and rnd.random() < 0.5:
            out.append(ind + body[:-1].rstrip() + trail)
            out.append(rnd.choice(_INDENTS) + "{")
            continue
        if not layout_only and body == "{" and out and rnd.random() < 0.5:
            out[-1] = out[-1] + " {"
            continue
        if not layout_only and body == "}" and out and rnd.random() < 0.2:
            out[-1] = out[-1] + " }"
            continue
        if not layout_only and body and rnd.random() < 0.05:
            trail = trail + " " + rnd.choice(_COMMENTS)
        out.append(ind + body + trail if body else rnd.choice(_TRAILING))
    sep = "\r\n" if rnd.random() < 0.2 else "\n"
    return sep.join(out).encode("utf-8", "surrogateescape")


def _scramble(lines: list[str], rnd: random.Random) -> list[str]:
    """Structure noise: conditional prefixes, tricky lines, lines merged with the next."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        r = rnd.random()
        if r < 0.04:
            out.append(rnd.choice(_TRICKY))
        elif r < 0.08 and line.strip():
            line = rnd.choice(_PREFIXES) + line.strip()
        elif r < 0.13 and i + 1 < len(lines):
            line = line + " " + lines[i + 1]
            i += 1
        out.append(line)
        i += 1
    return out


def _plain(data: bytes) -> bool:
    """No preprocessing constructs: the canonical form must not depend on the layout."""
    return not any(s.lstrip().startswith((b"@", b"~", b"include", b"$")) or b"$" in s
                   for s in data.split(b"\n"))


_SETTINGS = settings(max_examples=300, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(path=st.sampled_from(CORPUS), seed=st.integers(0, 2**32),
       style=st.sampled_from(STYLES))
def test_generated_layouts_idempotent_and_meaning_preserving(
    path: Path, seed: int, style: BraceStyle
) -> None:
    # one seed drives the whole mutation: a failure prints a seed that reproduces it
    data = _mutate(path.read_bytes(), random.Random(seed), layout_only=False)
    assert_fmt_ok(path, data, style)


@_SETTINGS
@given(path=st.sampled_from([p for p in CORPUS if _plain(p.read_bytes())
                             and not has_broken_structure(p.read_bytes())]),
       seed=st.integers(0, 2**32), style=st.sampled_from(STYLES))
def test_layout_noise_gives_the_same_canonical_form(
    path: Path, seed: int, style: BraceStyle
) -> None:
    data = path.read_bytes()
    noisy = _mutate(data, random.Random(seed), layout_only=True)
    assert format_bytes(noisy, brace_style=style) == format_bytes(data, brace_style=style)


# -- the command ----------------------------------------------------------------------


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["fmt", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_check_diff_and_rewrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = tmp_path / "a.conf"
    b = tmp_path / "b.conf"
    a.write_bytes((EXAMPLES / "serverA.conf").read_bytes())
    b.write_text(SEED_A)
    before = a.read_bytes()

    status, out, err = _cli(capsys, "--check", str(a), str(b))
    assert status == 1 and f"would reformat {a}" in err and str(b) not in err
    assert a.read_bytes() == before and out == ""

    status, out, err = _cli(capsys, "--diff", str(a))
    assert status == 0 and out.startswith(f"--- {a}\n+++ {a} (formatted)\n")
    assert "-{\n" in out and "+global_defs {\n" in out
    assert a.read_bytes() == before

    status, out, err = _cli(capsys, "--check", "--diff", str(a))
    assert status == 1 and out

    os.chmod(a, 0o640)
    status, out, err = _cli(capsys, str(a), str(b))
    assert status == 0 and f"reformatted {a}" in err
    assert a.read_text() == SEED_A and os.stat(a).st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.conf", "b.conf"]

    status, out, err = _cli(capsys, "--check", str(a), str(b))
    assert status == 0 and err == ""


def test_cli_brace_style_and_symlink(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    real = tmp_path / "real.conf"
    real.write_text(SEED_A)
    link = tmp_path / "link.conf"
    link.symlink_to(real)
    status, _, _ = _cli(capsys, "--brace-style", "own-line", str(link))
    assert status == 0 and link.is_symlink()
    assert real.read_text() == format_text(SEED_A, brace_style="own-line")


def test_cli_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.conf"
    good.write_text("a {\nb\n}\n")
    status, out, err = _cli(capsys, str(tmp_path / "missing.conf"), str(good))
    assert status == 2 and "cannot read" in err and "Traceback" not in err
    assert good.read_text() == "a {\n    b\n}\n"


def test_cli_stdin_to_stdout(monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    import io
    import sys

    class FakeStdin:
        buffer = io.BytesIO(b"a { b }\n")

    monkeypatch.setattr(sys, "stdin", FakeStdin)
    status = main(["fmt", "-"])
    out = capsys.readouterr().out
    assert status == 0 and out == "a {\n    b\n}\n"


def test_braces_stay_put_where_the_structure_is_broken() -> None:
    # vrrp_instance without '{': keepalived's other processes report every line of the
    # block, an own-line '{' as "Unexpected '{'", so no brace may move (re-indent only)
    data = (b"vrrp_instance VI_1\n    interface eth0\n    virtual_ipaddress {\n"
            b"        10.0.0.1\n    }\n}\n")
    assert has_broken_structure(data)
    out = format_bytes(data, brace_style="own-line")
    assert b"virtual_ipaddress {" in out
    assert_fmt_ok("/nonexistent/x.conf", data, "own-line")
