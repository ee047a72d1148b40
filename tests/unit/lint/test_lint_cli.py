"""``kaconf lint`` end to end: exit statuses, output formats, selection, suppression, settings.

These tests drive :func:`kaconf.cli.main` in-process (fast) on configs
written to ``tmp_path``; the exit status is the contract CI and Ansible's
``validate:`` depend on, so every branch of it is covered. Errors come from
reader codes (KA021 out-of-range priority, KA100 unknown keyword), which do
not depend on the lint rules: every test runs with the reader codes only (so
a new KA2xx rule cannot change what these tests expect), except the smoke
tests at the end, which run the real rules over the fixture corpus. Warnings
and crashing rules come from fake rules patched into the registry.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from kaconf.cli import main
from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint import registry
from kaconf.lint.engine import lint_paths
from kaconf.lint.rule import ClusterContext, Context, RuleMeta
from kaconf.lint.settings import CodeSelection, SettingsError, parse_codes
from kaconf.lint.suppress import parse_directive
from tests.support.paths import REPO

FIXTURES = REPO / "tests" / "fixtures"
#: the registry as shipped, before the fixture below narrows it
REAL_ALL_RULES = registry.all_rules

CLEAN = """\
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        192.0.2.10/24
    }
}
"""

#: line 5: KA021 (priority out of range), line 6: KA100 (unknown keyword)
BROKEN = CLEAN.replace("    priority 100\n", "    priority 300\n    bogus_keyword 1\n")

HEADER = re.compile(r"^(?P<file>[^\s:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>KA\d{3}) "
                    r"(?P<sev>error|warning|info): .+$")


@pytest.fixture(autouse=True)
def _isolate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from an empty folder (no settings file of the checkout leaks in), with
    only the reader codes registered (see the module docstring)."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("NO_COLOR", raising=False)
    reader_only = tuple(r for r in REAL_ALL_RULES() if r.scope == "reader")
    monkeypatch.setattr(registry, "all_rules", lambda: reader_only)


def write(name: str, text: str) -> str:
    path = Path.cwd() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


def lint(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(["lint", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def lint_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    status, out, _ = lint(capsys, "--format", "json", *argv)
    return status, json.loads(out)


def codes(doc: dict[str, Any]) -> list[str]:
    return [d["code"] for d in doc["diagnostics"]]


def add_rule(monkeypatch: pytest.MonkeyPatch, meta: RuleMeta,
             check: Callable[[Any], Iterable[Diagnostic]]) -> None:
    """Put a fake rule into the registry for the duration of a test."""
    current = registry.all_rules()
    fake = registry.Rule(meta, check, "tests.fake_rule")
    monkeypatch.setattr(registry, "all_rules", lambda: (*current, fake))


def _meta(code: str, severity: Severity = Severity.WARNING, scope: str = "config") -> RuleMeta:
    return RuleMeta(code=code, name=f"fake-{code.lower()}", severity=severity,
                    summary="A fake rule for tests.", rationale="Tests need one.",
                    bad="x\n", good="y\n", scope=scope)  # type: ignore[arg-type]


def add_warning_rule(monkeypatch: pytest.MonkeyPatch, code: str = "KA299") -> RuleMeta:
    """A rule that warns once per vrrp_instance, at the instance's head."""
    meta = _meta(code)

    def check(ctx: Context) -> Iterable[Diagnostic]:
        for vi in ctx.config.vrrp_instances:
            yield ctx.diag(meta, f"instance {vi.name} looks suspicious", vi.span, "look at it")

    add_rule(monkeypatch, meta, check)
    return meta


# --------------------------------------------------------------------------- exit statuses


def test_clean_config_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = lint(capsys, write("ok.conf", CLEAN))
    assert status == 0, out + err
    assert "No problems found in 1 file." in out


def test_errors_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    status, doc = lint_json(capsys, write("bad.conf", BROKEN))
    assert status == 1
    assert codes(doc) == ["KA021", "KA100"]
    assert doc["summary"] == {"errors": 2, "warnings": 0, "files": 1}


def test_missing_file_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = lint(capsys, "does-not-exist.conf")
    assert status == 2
    assert "KA002" in out and "does-not-exist.conf" in out


def test_missing_file_exits_2_even_next_to_a_clean_one(
        capsys: pytest.CaptureFixture[str]) -> None:
    status, doc = lint_json(capsys, write("ok.conf", CLEAN), "nope.conf")
    assert status == 2
    assert doc["summary"]["files"] == 2


def test_directory_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert lint(capsys, str(Path.cwd()))[0] == 2


def test_missing_include_is_a_warning_as_keepalived_carries_on(
        capsys: pytest.CaptureFixture[str]) -> None:
    # keepalived -t logs "Config files missing" and exits 0: reported, but not an error
    status, doc = lint_json(capsys, write("main.conf", "include nothing-here/*.conf\n" + CLEAN))
    assert status == 0
    assert codes(doc) == ["KA001"]
    assert doc["diagnostics"][0]["severity"] == "warning"


def test_bad_target_version_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = lint(capsys, "--target-version", "two.two", write("ok.conf", CLEAN))
    assert status == 2
    assert "--target-version" in err and out == ""


def test_target_version_changes_how_the_file_is_read(
        capsys: pytest.CaptureFixture[str]) -> None:
    path = write("defs.conf", "$PRIO=100\n" + CLEAN.replace("priority 100", "priority $PRIO"))
    assert lint(capsys, "--target-version", "master", path)[0] == 0
    # keepalived 1.2.x had no $definitions: the line is an unknown keyword there
    status, doc = lint_json(capsys, "--target-version", "1.2.24", path)
    assert status == 1 and "KA100" in codes(doc)


def test_bad_select_code_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = lint(capsys, "--select", "KA1OO", write("ok.conf", CLEAN))
    assert status == 2 and "KA1OO" in err


def test_warnings_only_exit_0_and_1_with_strict(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    add_warning_rule(monkeypatch)
    path = write("ok.conf", CLEAN)
    status, doc = lint_json(capsys, path)
    assert status == 0
    assert codes(doc) == ["KA299"] and doc["diagnostics"][0]["severity"] == "warning"
    assert doc["summary"] == {"errors": 0, "warnings": 1, "files": 1}
    assert lint(capsys, "--strict", path)[0] == 1
    assert lint(capsys, "--strict", "--ignore", "KA299", path)[0] == 0


def test_default_file_is_etc_keepalived(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = lint(capsys)
    if Path("/etc/keepalived/keepalived.conf").exists():
        pytest.skip("/etc/keepalived/keepalived.conf exists here: the missing-default-file exit "
                    "status cannot be shown")
    assert status == 2 and "/etc/keepalived/keepalived.conf" in out


# --------------------------------------------------------------------------- formats


def test_plain_text_format(capsys: pytest.CaptureFixture[str]) -> None:
    path = write("bad.conf", BROKEN)
    status, out, _ = lint(capsys, path)
    assert status == 1
    lines = out.splitlines()
    headers = [m for m in map(HEADER.match, lines) if m]
    assert [(m["code"], m["line"], m["col"], m["sev"]) for m in headers] == [
        ("KA021", "5", "5", "error"), ("KA100", "6", "5", "error")]
    assert all(m["file"] == path for m in headers)
    # code frame with the span underlined, and the hint
    i = lines.index(headers[0].group(0))
    assert lines[i + 2] == " 5 |     priority 300"
    assert lines[i + 3] == "   |     ^^^^^^^^^^^^"
    assert lines[i + 4].startswith("   = hint: ")
    assert "\x1b[" not in out  # not a terminal: no colours
    assert lines[-1] == "Found 2 errors in 1 file."


def test_text_frame_keeps_tabs_aligned(capsys: pytest.CaptureFixture[str]) -> None:
    path = write("tabs.conf", "vrrp_instance VI_1 {\n\tpriority 300\n}\n")
    out = lint(capsys, path)[1].splitlines()
    assert " 2 | \tpriority 300" in out
    assert "   | \t^^^^^^^^^^^^" in out


def test_json_format_shape(capsys: pytest.CaptureFixture[str]) -> None:
    path = write("bad.conf", BROKEN)
    _, doc = lint_json(capsys, path)
    assert set(doc) == {"diagnostics", "summary"}
    first = doc["diagnostics"][0]
    assert set(first) == {"code", "severity", "message", "file", "line", "column",
                          "end_line", "end_column", "hint"}
    assert first == {
        "code": "KA021", "severity": "error",
        "message": "number '300' outside range [1, 255] for priority",
        "file": path, "line": 5, "column": 5, "end_line": 5, "end_column": 17,
        "hint": first["hint"],
    }
    assert first["hint"]


def test_sarif_format(capsys: pytest.CaptureFixture[str]) -> None:
    write("bad.conf", BROKEN)
    status, out, _ = lint(capsys, "--format", "sarif", "bad.conf")
    assert status == 1
    log = json.loads(out)
    assert log["version"] == "2.1.0"
    assert "sarif" in log["$schema"]
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "kaconf" and driver["version"]
    rules = {r["id"]: r for r in driver["rules"]}
    for rule in driver["rules"]:
        assert {"id", "name", "shortDescription", "fullDescription",
                "defaultConfiguration"} <= set(rule)
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    assert {"KA021", "KA100", "KA001"} <= set(rules)
    results = run["results"]
    assert [r["ruleId"] for r in results] == ["KA021", "KA100"]
    res = results[0]
    assert res["level"] == "error"
    assert res["message"]["text"].startswith("number '300' outside range")
    assert driver["rules"][res["ruleIndex"]]["id"] == "KA021"
    loc = res["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "bad.conf"  # relative stays relative
    assert loc["region"] == {"startLine": 5, "startColumn": 5, "endLine": 5, "endColumn": 17}


def test_sarif_absolute_paths_are_file_uris(capsys: pytest.CaptureFixture[str]) -> None:
    path = write("bad conf.conf", BROKEN)
    log = json.loads(lint(capsys, "--format", "sarif", path)[1])
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"][
        "artifactLocation"]["uri"]
    assert uri.startswith("file:///") and uri.endswith("bad%20conf.conf")


def test_github_format(capsys: pytest.CaptureFixture[str]) -> None:
    write("bad.conf", BROKEN)
    status, out, _ = lint(capsys, "--format", "github", "bad.conf")
    assert status == 1
    lines = out.splitlines()
    assert len(lines) == 2
    pattern = re.compile(r"^::(error|warning|notice) file=([^,]+),line=(\d+),col=(\d+),"
                         r"endLine=(\d+),endColumn=(\d+),title=(KA\d{3})::(.+)$")
    m = pattern.match(lines[0])
    assert m, lines[0]
    assert m.groups()[:7] == ("error", "bad.conf", "5", "5", "5", "17", "KA021")
    assert "\n" not in m.group(8) and "%0Ahint: " in m.group(8)


def test_github_format_escapes_properties(capsys: pytest.CaptureFixture[str]) -> None:
    write("a,b:c.conf", BROKEN)
    out = lint(capsys, "--format", "github", "a,b:c.conf")[1]
    assert "file=a%2Cb%3Ac.conf," in out


def test_github_warning_level(monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    add_warning_rule(monkeypatch)
    out = lint(capsys, "--format", "github", write("ok.conf", CLEAN))[1]
    assert out.startswith("::warning file=")


def test_plain_text_does_not_import_rich(tmp_path: Path) -> None:
    path = write("bad.conf", BROKEN)
    code = ("import sys; from kaconf.cli import main; s = main(['lint', sys.argv[1]]); "
            "print('RICH' if 'rich' in sys.modules else 'NORICH'); sys.exit(s)")
    proc = subprocess.run([sys.executable, "-c", code, path], capture_output=True, text=True,
                          cwd=REPO)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.rstrip().endswith("NORICH")


def test_terminal_output_uses_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    from kaconf.lint import output

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    result = lint_paths([write("bad.conf", BROKEN)])
    stream = Tty()
    output.write(result, "text", stream)
    text = stream.getvalue()
    assert "KA021" in text and "priority 300" in text and "^^^^" in text
    monkeypatch.setenv("NO_COLOR", "1")
    plain = Tty()
    output.write(result, "text", plain)
    assert plain.getvalue() == output.render_plain(result)


# --------------------------------------------------------------------------- stdin


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(BROKEN.encode())))
    status, doc = lint_json(capsys, "-")
    assert status == 1
    assert codes(doc) == ["KA021", "KA100"]
    assert {d["file"] for d in doc["diagnostics"]} == {"<stdin>"}


def test_stdin_clean_with_suppression(monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    text = BROKEN.replace("priority 300", "priority 300 # kaconf: ignore").replace(
        "bogus_keyword 1", "bogus_keyword 1  ! kaconf: ignore[KA1]")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    status, out, _ = lint(capsys, "-")
    assert status == 0, out
    assert "(2 suppressed)" in out


def test_stdin_only_once(capsys: pytest.CaptureFixture[str]) -> None:
    assert lint(capsys, "-", "-")[0] == 2


# --------------------------------------------------------------------------- select / ignore


def test_ignore_code(capsys: pytest.CaptureFixture[str]) -> None:
    status, doc = lint_json(capsys, "--ignore", "KA021", write("bad.conf", BROKEN))
    assert status == 1 and codes(doc) == ["KA100"]
    status, doc = lint_json(capsys, "--ignore", "KA021,KA100", "bad.conf")
    assert status == 0 and codes(doc) == []


def test_select_prefix(capsys: pytest.CaptureFixture[str]) -> None:
    path = write("bad.conf", BROKEN)
    assert codes(lint_json(capsys, "--select", "KA0", path)[1]) == ["KA021"]
    assert codes(lint_json(capsys, "--select", "KA1", path)[1]) == ["KA100"]
    assert codes(lint_json(capsys, "--select", "ka02", "--select", "KA100", path)[1]) == [
        "KA021", "KA100"]
    assert codes(lint_json(capsys, "--select", "ALL", path)[1]) == ["KA021", "KA100"]


def test_more_specific_entry_wins() -> None:
    sel = CodeSelection.of(parse_codes("KA2"), parse_codes("KA205"))
    assert sel.enabled("KA201") and not sel.enabled("KA205") and not sel.enabled("KA100")
    sel = CodeSelection.of(parse_codes("KA205"), parse_codes("KA2"))
    assert sel.enabled("KA205") and not sel.enabled("KA201")
    sel = CodeSelection.of(parse_codes("KA2"), parse_codes("KA2"))
    assert not sel.enabled("KA201")  # a tie goes to ignore
    layered = CodeSelection(((None, ("KA201",)), (("KA201",), ())))
    assert layered.enabled("KA201")  # the command line's select overrides settings' ignore
    with pytest.raises(SettingsError):
        parse_codes("E501")


def test_deselected_rule_does_not_run(monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    calls: list[str] = []

    def check(ctx: Context) -> Iterable[Diagnostic]:
        calls.append(ctx.path)
        return []

    add_rule(monkeypatch, _meta("KA298"), check)
    path = write("ok.conf", CLEAN)
    lint(capsys, "--ignore", "KA2", path)
    assert calls == []
    lint(capsys, path)
    assert calls == [path]


# --------------------------------------------------------------------------- suppression


def test_suppression_on_the_line(capsys: pytest.CaptureFixture[str]) -> None:
    text = BROKEN.replace("priority 300", "priority 300   # kaconf: ignore[KA021] lab box")
    status, doc = lint_json(capsys, write("s.conf", text))
    assert status == 1 and codes(doc) == ["KA100"]


def test_suppression_on_the_line_before(capsys: pytest.CaptureFixture[str]) -> None:
    text = BROKEN.replace("    bogus_keyword 1\n",
                          "    # kaconf: ignore[KA100, KA021]\n    bogus_keyword 1\n")
    status, doc = lint_json(capsys, write("s.conf", text))
    assert codes(doc) == ["KA021"]


def test_suppression_with_bang_and_bare(capsys: pytest.CaptureFixture[str]) -> None:
    text = BROKEN.replace("    priority 300\n", "    ! kaconf: ignore\n    priority 300\n")
    assert codes(lint_json(capsys, write("s.conf", text))[1]) == ["KA100"]


def test_suppression_needs_the_right_code(capsys: pytest.CaptureFixture[str]) -> None:
    text = BROKEN.replace("priority 300", "priority 300 # kaconf: ignore[KA100]")
    assert codes(lint_json(capsys, write("s.conf", text))[1]) == ["KA021", "KA100"]


def test_suppression_applies_only_to_the_next_line(capsys: pytest.CaptureFixture[str]) -> None:
    text = BROKEN.replace("    priority 300\n",
                          "    # kaconf: ignore[KA100]\n    priority 300\n")
    # the directive is before 'priority' (KA021), not before 'bogus_keyword'
    assert codes(lint_json(capsys, write("s.conf", text))[1]) == ["KA021", "KA100"]


def test_trailing_directive_does_not_reach_the_next_line(
        capsys: pytest.CaptureFixture[str]) -> None:
    text = BROKEN.replace("priority 300", "priority 300 # kaconf: ignore[KA100]")
    assert "KA100" in codes(lint_json(capsys, write("s.conf", text))[1])


def test_suppression_in_an_included_file(capsys: pytest.CaptureFixture[str]) -> None:
    inc = write("conf.d/vi.conf", BROKEN.replace("bogus_keyword 1",
                                                 "bogus_keyword 1 # kaconf: ignore[KA100]"))
    main_conf = write("main.conf", "include conf.d/*.conf\n")
    status, doc = lint_json(capsys, main_conf)
    assert codes(doc) == ["KA021"]
    assert doc["diagnostics"][0]["file"] == inc


def test_suppression_of_a_rule_finding(monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    add_warning_rule(monkeypatch)
    text = "# kaconf: ignore[KA299]\n" + CLEAN
    status, out, _ = lint(capsys, "--strict", write("s.conf", text))
    assert status == 0 and "(1 suppressed)" in out


def test_parse_directive() -> None:
    assert parse_directive("# kaconf: ignore") == frozenset({""})
    assert parse_directive("#kaconf:ignore[ka201,KA3]") == frozenset({"KA201", "KA3"})
    assert parse_directive("! note # kaconf: ignore[KA201] why") == frozenset({"KA201"})
    assert parse_directive("# kaconf: ignored") is None
    assert parse_directive("# something else") is None
    assert parse_directive("# kaconf: ignore[]") == frozenset()


# --------------------------------------------------------------------------- settings


def test_settings_from_pyproject(capsys: pytest.CaptureFixture[str]) -> None:
    write("pyproject.toml", '[project]\nname = "x"\n\n[tool.kaconf]\nignore = ["KA021"]\n')
    status, doc = lint_json(capsys, write("bad.conf", BROKEN))
    assert codes(doc) == ["KA100"]


def test_settings_from_kaconf_toml_found_upwards(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    write(".kaconf.toml", 'select = ["KA1"]\n')
    path = write("bad.conf", BROKEN)
    sub = Path.cwd() / "deep" / "er"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    assert codes(lint_json(capsys, path)[1]) == ["KA100"]


def test_kaconf_toml_wins_over_pyproject_in_the_same_folder(
        capsys: pytest.CaptureFixture[str]) -> None:
    write("pyproject.toml", '[tool.kaconf]\nignore = ["KA100"]\n')
    write(".kaconf.toml", 'ignore = ["KA021"]\n')
    assert codes(lint_json(capsys, write("bad.conf", BROKEN))[1]) == ["KA100"]


def test_pyproject_without_tool_kaconf_is_skipped(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    write(".kaconf.toml", 'ignore = ["KA021"]\n')
    write("proj/pyproject.toml", '[project]\nname = "x"\n')
    path = write("bad.conf", BROKEN)
    monkeypatch.chdir(Path.cwd() / "proj")
    assert codes(lint_json(capsys, path)[1]) == ["KA100"]


def test_settings_target_version_strict_and_cli_override(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    add_warning_rule(monkeypatch)
    write(".kaconf.toml", 'strict = true\ntarget-version = "2.2.7"\n')
    path = write("ok.conf", CLEAN)
    assert lint(capsys, path)[0] == 1  # strict from the file
    assert lint(capsys, "--no-strict", path)[0] == 0  # the command line wins
    write(".kaconf.toml", 'target-version = "bogus"\n')
    status, _, err = lint(capsys, path)
    assert status == 2 and ".kaconf.toml" in err
    assert lint(capsys, "--target-version", "2.2.7", path)[0] == 0


def test_settings_ignore_and_cli_select_layer(capsys: pytest.CaptureFixture[str]) -> None:
    write(".kaconf.toml", 'ignore = ["KA021"]\n')
    path = write("bad.conf", BROKEN)
    assert codes(lint_json(capsys, "--select", "KA021", path)[1]) == ["KA021"]
    assert codes(lint_json(capsys, "--ignore", "KA100", path)[1]) == []


def test_settings_severity_override(capsys: pytest.CaptureFixture[str]) -> None:
    write("pyproject.toml", '[tool.kaconf]\nignore = ["KA021"]\n\n'
          '[tool.kaconf.severity]\nKA1 = "warning"\n')
    path = write("bad.conf", BROKEN)
    status, doc = lint_json(capsys, path)
    assert status == 0
    assert [(d["code"], d["severity"]) for d in doc["diagnostics"]] == [("KA100", "warning")]
    assert lint(capsys, "--strict", path)[0] == 1


@pytest.mark.parametrize("content", [
    'ignroe = ["KA021"]\n',
    'select = "KA021 KA0x"\n',
    "strict = 1\n",
    "select = [\n",
    '[severity]\nKA021 = "fatal"\n',
])
def test_bad_settings_exit_2(content: str, capsys: pytest.CaptureFixture[str]) -> None:
    write(".kaconf.toml", content)
    status, out, err = lint(capsys, write("ok.conf", CLEAN))
    assert status == 2 and ".kaconf.toml" in err and out == ""


# --------------------------------------------------------------------------- robustness


def test_raising_rule_does_not_crash(monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    meta = _meta("KA297", Severity.WARNING)

    def check(ctx: Context) -> Iterable[Diagnostic]:
        yield ctx.diag(meta, "found before the crash", None)
        raise RuntimeError("boom")

    add_rule(monkeypatch, meta, check)
    add_warning_rule(monkeypatch)  # a later rule still runs
    path = write("bad.conf", BROKEN)
    status, doc = lint_json(capsys, path)
    assert status == 1
    by_code: dict[str, list[dict[str, Any]]] = {}
    for d in doc["diagnostics"]:
        by_code.setdefault(d["code"], []).append(d)
    assert set(by_code) == {"KA021", "KA100", "KA297", "KA299"}
    crash = [d for d in by_code["KA297"] if "internal error" in d["message"]]
    assert len(crash) == 1 and crash[0]["severity"] == "error"
    assert "RuntimeError: boom" in crash[0]["message"] and crash[0]["file"] == path
    # the workaround the hint names works
    status, doc = lint_json(capsys, "--ignore", "KA297", path)
    assert "KA297" not in codes(doc)


def test_rule_yielding_garbage_is_an_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def garbage(ctx: Context) -> Any:
        return ["not a diagnostic"]

    add_rule(monkeypatch, _meta("KA296"), garbage)
    result = lint_paths([write("ok.conf", CLEAN)])
    (diag,) = result.diagnostics
    assert diag.code == "KA296" and "TypeError" in diag.message


def test_cluster_rules_see_every_file(monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    meta = _meta("KA499", Severity.ERROR, scope="cluster")
    seen: list[list[str]] = []

    def check(ctx: ClusterContext) -> Iterable[Diagnostic]:
        seen.append([n.path for n in ctx.nodes])
        last = ctx.nodes[-1]
        yield ctx.diag(meta, "nodes disagree", last.config.vrrp_instances[0].span)

    add_rule(monkeypatch, meta, check)
    a = write("a.conf", CLEAN)
    b = write("b.conf", CLEAN)
    assert lint(capsys, a, b)[0] == 0 and seen == []  # only with --cluster
    status, doc = lint_json(capsys, "--cluster", a, b)
    assert status == 1 and seen == [[a, b]]
    assert [(d["code"], d["file"]) for d in doc["diagnostics"]] == [("KA499", b)]
    # cluster findings honour suppression comments too
    write("b.conf", "# kaconf: ignore[KA499]\n" + CLEAN)
    assert lint(capsys, "--cluster", a, b)[0] == 0


def test_engine_api_result_by_file() -> None:
    a = write("a.conf", CLEAN)
    b = write("b.conf", BROKEN)
    result = lint_paths([a, b], target_version="2.2.7", config_id="lb1", select=None,
                        ignore=["KA100"], cluster=False)
    assert result.files == [a, b]
    assert result.by_file[a] == []
    assert [d.code for d in result.by_file[b]] == ["KA021"]
    assert result.exit_status == 1 and result.errors == 1 and result.warnings == 0
    with pytest.raises(ValueError):
        lint_paths([a], target_version="nonsense")


def test_ansible_validate_style(tmp_path: Path) -> None:
    """``validate: kaconf lint %s`` runs the console entry point with one path."""
    good = write("ansible-good.conf", CLEAN)
    bad = write("ansible-bad.conf", BROKEN)
    cmd = [sys.executable, "-m", "kaconf.cli", "lint"]
    ok = subprocess.run([*cmd, good], capture_output=True, text=True, cwd=tmp_path,
                        stdin=subprocess.DEVNULL)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    fail = subprocess.run([*cmd, bad], capture_output=True, text=True, cwd=tmp_path,
                          stdin=subprocess.DEVNULL)
    assert fail.returncode == 1 and "KA021" in fail.stdout


# --------------------------------------------------------------------------- kaconf rules


def test_rules_command_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    listed = [line.split()[0] for line in out.splitlines()]
    assert listed == [r.code for r in registry.all_rules()]
    assert any(line.startswith("KA100  unknown-keyword") for line in out.splitlines())


def test_rules_command_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "json"]) == 0
    rules = json.loads(capsys.readouterr().out)
    assert {"code", "name", "severity", "scope", "summary", "rationale", "bad", "good",
            "keepalived_check", "fix", "fix_safe"} == set(rules[0])
    assert {r["code"] for r in rules} >= {"KA001", "KA021", "KA100"}
    fixable = {r["code"]: r["fix_safe"] for r in rules if r["fix"]}
    assert fixable["KA040"] is True and fixable["KA100"] is False


def test_rules_command_explain_and_filter(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "KA021"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("KA021 invalid-number (error, reader)") and "Bad:" in out
    assert main(["rules", "KA01"]) == 0
    assert {line.split()[0] for line in capsys.readouterr().out.splitlines()} == {
        "KA010", "KA011", "KA012", "KA013"}
    assert main(["rules", "KA999"]) == 1
    assert main(["rules", "nonsense"]) == 2


# --------------------------------------------------------------------------- real rules


def _corpus() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*") if p.is_file() and (
        p.suffix == ".conf" or p.name.startswith("keepalived.conf")))


def test_real_rules_do_not_crash_on_the_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    """Smoke test of the shipped rules: no internal error on any fixture config."""
    monkeypatch.setattr(registry, "all_rules", REAL_ALL_RULES)
    files = _corpus()
    assert files
    for version in ("2.2.7", "1.4.2", "master"):
        result = lint_paths([str(p) for p in files], target_version=version, config_id="lb1",
                            cluster=True)
        crashes = [str(d) for d in result.diagnostics if "internal error" in d.message]
        assert crashes == []
        assert result.unreadable == []


def test_real_rules_clean_config(monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(registry, "all_rules", REAL_ALL_RULES)
    status, doc = lint_json(capsys, write("ok.conf", CLEAN))
    assert not [d for d in doc["diagnostics"] if d["severity"] == "error"], doc
    assert status == 0
