"""CI report formats of ``kaconf lint``: JUnit XML, GitLab Code Quality, ``--output-file``,
and ``--include-base`` (a copy checked before it is installed, as Ansible's validate does).

Each report is checked against its consumer's format: the JUnit XML against an XML
schema of what Jenkins' and GitLab's JUnit readers accept (tests/fixtures/reports/junit.xsd,
validated with xmlschema), the Code Quality JSON against a JSON schema of GitLab's
documented report format (tests/fixtures/reports/gitlab-codequality.schema.json,
validated with jsonschema). As in test_lint_cli.py, only the reader codes run (KA021
priority out of range, KA100 unknown keyword), so new lint rules cannot change what
these tests expect.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import xmlschema

from kaconf.cli import main
from kaconf.lint import registry
from kaconf.lint.gitlab import fingerprint, report_path
from kaconf.lint.junit import render_junit
from tests.support.paths import FIXTURES

REPORTS = FIXTURES / "reports"
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


@pytest.fixture(autouse=True)
def _isolate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty working folder, the reader codes only, no CI variables."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("CI_PROJECT_DIR", raising=False)
    reader_only = tuple(r for r in REAL_ALL_RULES() if r.scope == "reader")
    monkeypatch.setattr(registry, "all_rules", lambda: reader_only)


@pytest.fixture(scope="module")
def junit_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(REPORTS / "junit.xsd"))


@pytest.fixture(scope="module")
def gitlab_schema() -> jsonschema.protocols.Validator:
    schema = json.loads((REPORTS / "gitlab-codequality.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def write(name: str, text: str) -> str:
    path = Path.cwd() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return name


def lint(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(["lint", *argv])
    out, err = capsys.readouterr()
    return status, out, err


# --------------------------------------------------------------------------- junit


def test_junit_one_testcase_per_file_one_failure_per_finding(
        capsys: pytest.CaptureFixture[str], junit_schema: xmlschema.XMLSchema) -> None:
    good = write("good.conf", CLEAN)
    bad = write("conf/bad.conf", BROKEN)
    status, out, _ = lint(capsys, "--format", "junit", good, bad)
    assert status == 1
    junit_schema.validate(out)
    root = ET.fromstring(out)
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "1", "0")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [good, bad]
    assert cases[0].findall("*") == []  # a clean file is a passed test
    failures = cases[1].findall("failure")
    assert [f.get("type") for f in failures] == ["KA021", "KA100"]
    assert failures[0].get("message", "").startswith("KA021: number '300' outside range")
    text = failures[0].text or ""
    assert text.startswith(f"{bad}:5:5: KA021 error: number '300' outside range")
    assert "\nhint: " in text
    assert (failures[1].text or "").startswith(f"{bad}:6:5: KA100 ")


def test_junit_unreadable_file_is_an_error(capsys: pytest.CaptureFixture[str],
                                           junit_schema: xmlschema.XMLSchema) -> None:
    good = write("good.conf", CLEAN)
    status, out, _ = lint(capsys, "--format", "junit", good, "missing.conf")
    assert status == 2
    junit_schema.validate(out)
    suite = ET.fromstring(out).find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "0", "1")
    missing = suite.findall("testcase")[1]
    assert missing.findall("failure") == []
    (error,) = missing.findall("error")
    assert "cannot open configuration file 'missing.conf'" in (error.get("message") or "")


def test_junit_include_chain_and_control_characters(
        capsys: pytest.CaptureFixture[str], junit_schema: xmlschema.XMLSchema) -> None:
    """A finding in an included file is listed under the input that included it (with
    the include step), and bytes XML cannot carry (a stray \\x01) do not break the report."""
    write("inc/part.conf", "vrrp_instance VI_2 {\n    priority 0\n    bogus\x01 1\n}\n")
    main_conf = write("main.conf", "include inc/part.conf\n")
    status, out, _ = lint(capsys, "--format", "junit", main_conf)
    assert status == 1
    junit_schema.validate(out)
    (case,) = ET.fromstring(out).iter("testcase")
    texts = [f.text or "" for f in case.findall("failure")]
    assert texts and all("via: include at main.conf:1:1" in t for t in texts)
    assert any(t.startswith("inc/part.conf:2:5: KA021") for t in texts)
    assert any("\\x01" in t for t in texts)


def test_junit_empty_run_is_valid(junit_schema: xmlschema.XMLSchema) -> None:
    from kaconf.lint.engine import LintResult

    out = render_junit(LintResult(files=[], by_file={}))
    junit_schema.validate(out)


def test_junit_schema_rejects_what_jenkins_rejects(junit_schema: xmlschema.XMLSchema) -> None:
    """The schema is not a rubber stamp: a suite without its counts, or a case without a
    name, is refused as Jenkins' reader refuses it."""
    assert not junit_schema.is_valid('<testsuites><testsuite name="x"/></testsuites>')
    assert not junit_schema.is_valid(
        '<testsuite name="x" tests="1" failures="0" errors="0"><testcase/></testsuite>')
    assert junit_schema.is_valid(
        '<testsuite name="x" tests="1" failures="1" errors="0">'
        '<testcase name="a"><failure message="m">t</failure><failure/></testcase>'
        '</testsuite>')


# --------------------------------------------------------------------------- gitlab


def test_gitlab_code_quality(capsys: pytest.CaptureFixture[str],
                             gitlab_schema: jsonschema.protocols.Validator) -> None:
    write("good.conf", CLEAN)
    bad = write("keepalived/bad.conf", BROKEN)
    status, out, _ = lint(capsys, "--format", "gitlab", "good.conf", bad)
    assert status == 1
    issues = json.loads(out)
    gitlab_schema.validate(issues)
    assert [(i["check_name"], i["location"]["path"], i["location"]["lines"]["begin"],
             i["severity"]) for i in issues] == [
        ("KA021", "keepalived/bad.conf", 5, "major"),
        ("KA100", "keepalived/bad.conf", 6, "major"),
    ]
    assert issues[0]["description"].startswith("KA021: number '300' outside range")
    assert "hint: " in issues[0]["content"]["body"]


def test_gitlab_clean_run_is_an_empty_array(capsys: pytest.CaptureFixture[str],
                                            gitlab_schema: jsonschema.protocols.Validator
                                            ) -> None:
    status, out, _ = lint(capsys, "--format", "gitlab", write("good.conf", CLEAN))
    assert status == 0 and json.loads(out) == []


def test_gitlab_fingerprints_stable_when_lines_move_and_unique(
        capsys: pytest.CaptureFixture[str]) -> None:
    """GitLab tells new findings from old ones by fingerprint: moving the text down must
    keep them, and two identical findings in one file must still differ (GitLab shows
    only the first of equal fingerprints)."""
    twice = BROKEN.replace("    bogus_keyword 1\n", "    bogus_keyword 1\n    bogus_keyword 1\n")
    write("k.conf", twice)
    before = json.loads(lint(capsys, "--format", "gitlab", "k.conf")[1])
    write("k.conf", "# a comment\n\n" + twice)
    after = json.loads(lint(capsys, "--format", "gitlab", "k.conf")[1])
    assert [i["location"]["lines"]["begin"] for i in after] == \
        [i["location"]["lines"]["begin"] + 2 for i in before]
    prints = [i["fingerprint"] for i in before]
    assert prints == [i["fingerprint"] for i in after]
    assert len(set(prints)) == len(prints) == 3


def test_gitlab_paths_relative_to_the_project(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    monkeypatch.setenv("CI_PROJECT_DIR", str(project))
    assert report_path(str(project / "etc" / "keepalived.conf")) == "etc/keepalived.conf"
    assert report_path("/elsewhere/keepalived.conf") == "/elsewhere/keepalived.conf"
    assert report_path("<stdin>") == "<stdin>"
    assert report_path("sub/k.conf", project_dir=str(Path.cwd())) == "sub/k.conf"
    assert fingerprint("KA021", "a.conf", "m") != fingerprint("KA021", "b.conf", "m")
    assert fingerprint("KA021", "a.conf", "m") != fingerprint("KA021", "a.conf", "m", 1)


# --------------------------------------------------------------------------- --output-file


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit", "gitlab"])
def test_output_file_gets_the_report_stdout_nothing(
        fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write("bad.conf", BROKEN)
    status, out, err = lint(capsys, "--format", fmt, "--output-file", "report.out", bad)
    assert status == 1
    assert out == "" and err == ""
    report = Path("report.out").read_text(encoding="utf-8")
    main(["lint", "--format", fmt, bad])
    assert report == capsys.readouterr().out  # the same report stdout would have had
    assert "KA021" in report


def test_output_file_text_is_plain_even_on_a_terminal(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdout", Tty())
    monkeypatch.delenv("NO_COLOR", raising=False)
    bad = write("bad.conf", BROKEN)
    assert main(["lint", "--output-file", "report.txt", bad]) == 1
    assert "\x1b[" not in Path("report.txt").read_text(encoding="utf-8")


def test_output_file_that_cannot_be_written_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    good = write("good.conf", CLEAN)
    status, out, err = lint(capsys, "--output-file", "no/such/dir/report.xml", good)
    assert status == 2
    assert "cannot write no/such/dir/report.xml" in err


# --------------------------------------------------------------------------- --include-base


def _install_layout() -> tuple[str, str]:
    """An installed folder ``dest/`` with ``conf.d/vi.conf`` (priority 300), and a copy of
    the main config elsewhere under Ansible's naming (``.source.conf``, another folder)."""
    write("dest/conf.d/vi.conf", BROKEN)
    write("dest/keepalived.conf", "include conf.d/*.conf\n")
    copy = write("ansible-tmp-1/.source.conf", "include conf.d/*.conf\n")
    return "dest", copy


def test_include_base_resolves_relative_includes_against_the_destination(
        capsys: pytest.CaptureFixture[str]) -> None:
    dest, copy = _install_layout()
    status, out, _ = lint(capsys, copy)  # without it the include finds nothing (a warning)
    assert status == 0 and "KA001" in out
    status, out, _ = lint(capsys, "--include-base", dest, copy)
    assert status == 1
    assert "dest/conf.d/vi.conf:5:5: KA021 error" in out
    assert f"via: include at {copy}:1:1" in out
    # the same findings as linting the installed file itself
    _, installed, _ = lint(capsys, "dest/keepalived.conf")
    assert installed.count("KA021") == out.count("KA021") == 1


def test_include_base_for_standard_input(monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    dest, _ = _install_layout()
    stdin = io.TextIOWrapper(io.BytesIO(b"include conf.d/*.conf\n"))
    monkeypatch.setattr("sys.stdin", stdin)
    status, out, _ = lint(capsys, "--include-base", dest, "-")
    assert status == 1 and "KA021" in out


def test_include_base_absolute_includes_unchanged(capsys: pytest.CaptureFixture[str]) -> None:
    write("dest/x", "")
    part = write("parts/p.conf", BROKEN)
    copy = write("tmp/.source", f"include {Path.cwd() / part}\n")
    status, out, _ = lint(capsys, "--include-base", "dest", copy)
    assert status == 1 and "KA021" in out


def test_include_base_must_be_a_directory(capsys: pytest.CaptureFixture[str]) -> None:
    good = write("good.conf", CLEAN)
    status, _, err = lint(capsys, "--include-base", "nowhere", good)
    assert status == 2 and "--include-base: 'nowhere' is not a directory" in err
