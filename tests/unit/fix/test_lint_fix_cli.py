"""``kaconf lint --fix / --unsafe-fixes / --diff`` and the fix loop's guarantees."""

from __future__ import annotations

import io
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from kaconf.cli import main
from kaconf.diagnostics import Diagnostic, Edit, Fix, Severity, Span
from kaconf.fix.apply import run_fixes
from kaconf.fix.meaning import dump_files


@pytest.fixture(autouse=True)
def _isolate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from an empty folder: no settings file of the checkout leaks in."""
    monkeypatch.chdir(tmp_path)


# CRLF line endings, tabs, comments, blank lines and quoting around the fixed spans
MAIN = ("# managed by hand\r\n"
        "global_defs {\r\n"
        "\trouter_id \"lb 1\"   ! quoted\r\n"
        "\r\n"
        "\tlvs_flush_onstop\r\n"
        "}\r\n"
        "include conf.d/*.conf\r\n")
INCLUDED = ("vrrp_instance VI_1 {\n"
            "    interface eth0\n"
            "    virtual_router_id 51\n"
            "    priority 100\n"
            "    authentication {\n"
            "        auth_type PASS\n"
            "        auth_pass verysecret123  # 13 characters\n"
            "    }\n"
            "    virtual_ipaddress {\n"
            "        10.0.0.10/24\n"
            "    }\n"
            "}\n")


def _tree(tmp_path: Path) -> tuple[Path, Path]:
    main_conf = tmp_path / "keepalived.conf"
    main_conf.write_bytes(MAIN.encode())
    (tmp_path / "conf.d").mkdir()
    inc = tmp_path / "conf.d" / "vi1.conf"
    inc.write_bytes(INCLUDED.encode())
    return main_conf, inc


def test_fix_edits_only_the_spans_in_every_file(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    main_conf, inc = _tree(tmp_path)
    before = dump_files([str(main_conf)], version="2.2.7")
    assert main(["lint", "--fix", str(main_conf)]) == 0
    err = capsys.readouterr().err
    assert "applied 2 fixes in 2 files" in err
    assert main_conf.read_bytes() == MAIN.replace("lvs_flush_onstop", "lvs_flush_on_stop").encode()
    assert inc.read_bytes() == INCLUDED.replace("verysecret123", "verysecr").encode()
    assert dump_files([str(main_conf)], version="2.2.7") == before


def test_diff_writes_nothing_and_exits_1(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    main_conf, inc = _tree(tmp_path)
    assert main(["lint", "--diff", str(main_conf)]) == 1
    out = capsys.readouterr().out
    assert f"--- {inc}\n+++ {inc}\n" in out
    assert "-        auth_pass verysecret123  # 13 characters\n" in out
    assert "+\tlvs_flush_on_stop\r\n" in out
    assert main_conf.read_bytes() == MAIN.encode() and inc.read_bytes() == INCLUDED.encode()
    assert main(["lint", "--fix", str(main_conf)]) == 0
    capsys.readouterr()
    assert main(["lint", "--diff", str(main_conf)]) == 0
    assert capsys.readouterr().out == ""


def test_unsafe_fixes_need_the_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conf = tmp_path / "k.conf"
    text = INCLUDED.replace("priority 100", "priorty 150")
    conf.write_text(text)
    assert main(["lint", "--fix", str(conf)]) == 1  # KA100 stays
    assert "priorty 150" in conf.read_text()
    assert main(["lint", "--fix", "--unsafe-fixes", str(conf)]) == 0
    assert "priority 150" in conf.read_text()
    capsys.readouterr()


def test_fixes_that_enable_others_are_applied_in_later_passes(tmp_path: Path) -> None:
    conf = tmp_path / "k.conf"
    conf.write_text("global_defs {\n    vrrp_rlimit_rttime 1000\n    vrrp_rlimit_rtime 2000\n}\n")
    assert main(["lint", "--fix", str(conf)]) == 0
    # the rename (KA260) makes the repetition (KA263) visible; the earlier line goes
    assert conf.read_text() == "global_defs {\n    vrrp_rlimit_rttime 2000\n}\n"


def test_stdin_only_with_diff(monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    data = INCLUDED.encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["lint", "--fix", "-"]) == 2
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["lint", "--diff", "-"]) == 1
    assert "+        auth_pass verysecr  # 13 characters" in capsys.readouterr().out


def _finding(path: str, line: int, text: str, *, changes_meaning: bool = False) -> Diagnostic:
    end = 25 if line == 3 else 17  # "    virtual_router_id 51", "    priority 100"
    fix = Fix(f"set {text}", (Edit(path, line, 5, line, end, text),),
              changes_meaning=changes_meaning)
    return Diagnostic("KA999", Severity.WARNING, f"test {text}", Span(path, line, 5, line, 6),
                      fix=fix)


def test_a_fix_that_changes_the_dump_is_refused_unless_that_is_its_purpose(
        tmp_path: Path) -> None:
    conf = tmp_path / "k.conf"
    conf.write_text(INCLUDED)
    p = str(conf)

    def meaning(c: Mapping[str, bytes]) -> tuple[str, ...]:
        return dump_files([p], version="2.2.7", overlay=c)

    # line 4 is "    priority 100": 'priority 150' changes the dump, 'priority 100 ' does not
    changing = _finding(p, 4, "priority 150")
    run = run_fixes(lambda c: [changing] if not c else [], meaning)
    assert run.applied == [] and run.changed == []
    assert [r.reason for r in run.refused] == ["the result would not dump the same (kaconf dump)"]

    harmless = _finding(p, 4, "priority  100")
    changing_too = _finding(p, 3, "virtual_router_id 52")
    run = run_fixes(lambda c: [harmless, changing_too] if not c else [], meaning)
    assert run.applied == [harmless] and [r.diagnostic for r in run.refused] == [changing_too]

    meant = _finding(p, 4, "priority 150", changes_meaning=True)
    run = run_fixes(lambda c: [meant] if not c else [], meaning)
    assert run.applied == [meant]
    assert b"priority 150" in run.fixed[p]
    run = run_fixes(lambda c: [meant] if not c else [], meaning, allow_meaning_change=False)
    assert run.applied == [] and run.refused


def test_passes_are_bounded(tmp_path: Path) -> None:
    conf = tmp_path / "k.conf"
    conf.write_text(INCLUDED)
    p = str(conf)
    n = 0

    def find(c: Mapping[str, bytes]) -> list[Diagnostic]:
        nonlocal n
        n += 1  # a fix that never makes its finding go away
        return [_finding(p, 4, "priority  100" if n % 2 else "priority 100")]

    run = run_fixes(find, lambda c: dump_files([p], version="2.2.7", overlay=c),
                    max_passes=3)
    assert run.passes == 3


def test_preview_one_fix_for_an_editor(tmp_path: Path) -> None:
    from kaconf.fix.apply import preview

    conf = tmp_path / "k.conf"
    conf.write_text(INCLUDED)
    p = str(conf)

    def meaning(c: Mapping[str, bytes]) -> tuple[str, ...]:
        return dump_files([p], version="2.2.7", overlay=c)

    files, why = preview(_finding(p, 4, "priority  100"), meaning)
    assert why == "" and files == {p: INCLUDED.replace("priority 100", "priority  100").encode()}
    assert preview(_finding(p, 4, "priority 150"), meaning) == (
        {}, "the result would not dump the same (kaconf dump)")
    assert preview(_finding(p, 4, "priority 150", changes_meaning=True), meaning)[1] == ""
    assert conf.read_text() == INCLUDED


def test_text_from_a_definition_is_never_edited(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    conf = tmp_path / "k.conf"
    text = "$PASS=verysecret123\n" + INCLUDED.replace("auth_pass verysecret123", "auth_pass $PASS")
    conf.write_text(text)
    assert main(["lint", "--diff", str(conf)]) == 0  # KA213 is reported, but has no fix here
    assert capsys.readouterr().out == ""
