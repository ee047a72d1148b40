"""Printing lint results: text (plain or rich), JSON, SARIF 2.1.0, GitHub annotations,
JUnit XML and GitLab Code Quality.

Each format has one consumer in mind:

* ``text``: people. On a terminal it is coloured with rich; otherwise (pipes,
  CI logs, editors, Ansible) it is plain text with the same content. Either
  way each finding starts with ``path:line:col: CODE severity: message``,
  the line format editors' "compile" modes and problem matchers parse.
* ``json``: scripts; a small, stable shape (see :func:`render_json`).
* ``sarif``: code-scanning dashboards (GitHub code scanning, GitLab, IDEs).
* ``github``: GitHub Actions workflow commands, which show as annotations on
  the pull request diff without any upload step.
* ``junit``: test-report views of GitLab and Jenkins (:mod:`kaconf.lint.junit`).
* ``gitlab``: GitLab's Code Quality widget (:mod:`kaconf.lint.gitlab`).

rich is imported only inside the terminal path: it costs tens of milliseconds
to import, which every Ansible ``validate`` and pre-commit run would pay.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import PurePath
from typing import TYPE_CHECKING, TextIO
from urllib.parse import quote

from kaconf.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from kaconf.lint.engine import LintResult
    from kaconf.lint.registry import Rule

__all__ = [
    "FORMATS",
    "render_github",
    "render_json",
    "render_plain",
    "render_sarif",
    "summary_line",
    "write",
]

FORMATS = ("text", "json", "sarif", "github", "junit", "gitlab")

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(result: LintResult) -> str:
    """One line saying how it went, e.g. ``Found 2 errors and 1 warning in 3 files.``."""
    files = _plural(len(result.files), "file")
    parts = []
    if result.errors:
        parts.append(_plural(result.errors, "error"))
    if result.warnings:
        parts.append(_plural(result.warnings, "warning"))
    infos = result.count(Severity.INFO)
    if infos:
        parts.append(_plural(infos, "note"))
    text = f"Found {' and '.join(parts)} in {files}." if parts else f"No problems found in {files}."
    if result.suppressed:
        text += f" ({result.suppressed} suppressed)"
    if result.unreadable:
        text += f" Could not read: {', '.join(result.unreadable)}."
    return text


# --------------------------------------------------------------------------- text


def _frame(d: Diagnostic, texts: dict[str, list[str]]) -> tuple[int, str, str] | None:
    """(line number, source line, underline) for ``d``, or None without source.

    The underline copies tabs from the source so the carets line up under the
    span however wide the terminal draws a tab.
    """
    lines = texts.get(d.span.file)
    if not lines or not 1 <= d.span.line <= len(lines):
        return None
    src = lines[d.span.line - 1].rstrip("\r\n")
    start = max(d.span.col - 1, 0)
    if d.span.end_line == d.span.line:
        width = d.span.end_col - d.span.col
    else:
        width = len(src) - start
    width = max(width, 1)
    pad = "".join(c if c == "\t" else " " for c in src[:start])
    return d.span.line, src, pad + "^" * width


def _extras(d: Diagnostic) -> Iterator[tuple[str, str]]:
    """The (label, text) lines after the frame: hint, notes and the include chain."""
    if d.hint:
        yield "hint", d.hint
    for note in d.notes:
        yield "note", note
    if d.span.origin is not None:
        for step in d.span.origin.chain():
            yield "via", step


def render_plain(result: LintResult) -> str:
    """Text without colours: header line, code frame, hint; then a summary line."""
    out: list[str] = []
    for d in result.diagnostics:
        out.append(f"{d.span.file}:{d.span.line}:{d.span.col}: {d.code} {d.severity}: "
                   f"{d.message}")
        frame = _frame(d, result.texts)
        gutter = len(str(frame[0])) if frame else 1
        if frame:
            lineno, src, marks = frame
            out.append(f" {' ' * gutter} |")
            out.append(f" {lineno} | {src}")
            out.append(f" {' ' * gutter} | {marks}")
        for label, text in _extras(d):
            out.append(f" {' ' * gutter} = {label}: {text}")
        out.append("")
    out.append(summary_line(result))
    return "\n".join(out) + "\n"


def _render_rich(result: LintResult, stream: TextIO) -> None:
    """The same content as :func:`render_plain`, coloured for a terminal."""
    from rich.console import Console
    from rich.text import Text

    console = Console(file=stream, highlight=False, soft_wrap=True)
    colour = {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow",
              Severity.INFO: "bold cyan"}
    for d in result.diagnostics:
        style = colour[d.severity]
        console.print(Text.assemble(
            (f"{d.span.file}:{d.span.line}:{d.span.col}:", "bold"), " ",
            (d.code, style), " ", (f"{d.severity}:", style), " ", d.message,
        ))
        frame = _frame(d, result.texts)
        pad = " " * (len(str(frame[0])) if frame else 1)
        if frame:
            lineno, src, marks = frame
            console.print(Text(f" {pad} |", style="blue"))
            console.print(Text.assemble((f" {lineno} | ", "blue"), src))
            console.print(Text.assemble((f" {pad} | ", "blue"), (marks, style)))
        for label, text in _extras(d):
            console.print(Text.assemble(
                (f" {pad} = ", "blue"),
                (f"{label}:", "bold cyan" if label == "hint" else "bold"), f" {text}",
            ))
        console.print()
    bad = result.exit_status != 0
    console.print(Text(summary_line(result), style="bold red" if bad else "bold green"))


# --------------------------------------------------------------------------- json


def render_json(result: LintResult) -> str:
    """``{"diagnostics": [...], "summary": {"errors", "warnings", "files"}}``."""
    return json.dumps({
        "diagnostics": [d.as_dict() for d in result.diagnostics],
        "summary": {"errors": result.errors, "warnings": result.warnings,
                    "files": len(result.files)},
    }, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- sarif


def _uri(path: str) -> str:
    """A SARIF artifact URI: relative paths stay relative (code scanning maps them
    onto the repository), absolute ones become ``file://`` URIs."""
    p = PurePath(path)
    if p.is_absolute():
        return p.as_uri()
    return quote(p.as_posix())


def _sarif_rule(rule: Rule) -> dict[str, object]:
    m = rule.meta
    return {
        "id": m.code,
        "name": m.name,
        "shortDescription": {"text": m.summary},
        "fullDescription": {"text": m.rationale or m.summary},
        "help": {"text": f"{m.rationale}\n\nBad:\n{m.bad}\nGood:\n{m.good}".strip()},
        "defaultConfiguration": {"level": _SARIF_LEVEL[m.severity]},
        "properties": {"scope": m.scope},
    }


def render_sarif(result: LintResult, rules: tuple[Rule, ...] | None = None) -> str:
    """A SARIF 2.1.0 log with one run; every known rule is listed in the driver."""
    from kaconf import __version__

    if rules is None:
        from kaconf.lint import registry

        rules = registry.all_rules()
    descriptors = [_sarif_rule(r) for r in rules]
    index = {r.code: i for i, r in enumerate(rules)}
    results = []
    for d in result.diagnostics:
        if d.code not in index:  # a code no rule declares: still describe it
            index[d.code] = len(descriptors)
            descriptors.append({"id": d.code, "name": d.code,
                                "shortDescription": {"text": d.code},
                                "fullDescription": {"text": d.code},
                                "defaultConfiguration": {"level": _SARIF_LEVEL[d.severity]}})
        text = d.message + (f" (hint: {d.hint})" if d.hint else "")
        results.append({
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": _SARIF_LEVEL[d.severity],
            "message": {"text": text},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": _uri(d.span.file)},
                "region": {"startLine": d.span.line, "startColumn": d.span.col,
                           "endLine": max(d.span.end_line, d.span.line),
                           "endColumn": max(d.span.end_col, 1)},
            }}],
        })
    log = {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": {"name": "kaconf", "version": __version__,
                                "rules": descriptors}},
            "columnKind": "unicodeCodePoints",
            "invocations": [{"executionSuccessful": not result.unreadable,
                             "exitCode": result.exit_status}],
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- github


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(result: LintResult) -> str:
    """GitHub Actions workflow commands, one ``::error file=...::message`` per finding."""
    out = []
    for d in result.diagnostics:
        s = d.span
        props = (f"file={_gh_prop(s.file)},line={s.line},col={s.col},"
                 f"endLine={max(s.end_line, s.line)},endColumn={s.end_col},"
                 f"title={_gh_prop(d.code)}")
        msg = d.message + (f"\nhint: {d.hint}" if d.hint else "")
        out.append(f"::{_GITHUB_LEVEL[d.severity]} {props}::{_gh_data(msg)}")
    return "".join(line + "\n" for line in out)


# --------------------------------------------------------------------------- entry


def _use_rich(stream: TextIO) -> bool:
    """Colour only for a terminal, and never when NO_COLOR or TERM=dumb say otherwise."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def write(result: LintResult, fmt: str = "text", stream: TextIO | None = None) -> None:
    """Print ``result`` in ``fmt`` (one of :data:`FORMATS`) to ``stream`` (stdout)."""
    stream = stream if stream is not None else sys.stdout
    if fmt == "text":
        if _use_rich(stream):
            _render_rich(result, stream)
            return
        stream.write(render_plain(result))
    elif fmt == "json":
        stream.write(render_json(result))
    elif fmt == "sarif":
        stream.write(render_sarif(result))
    elif fmt == "github":
        stream.write(render_github(result))
    elif fmt == "junit":
        from kaconf.lint.junit import render_junit

        stream.write(render_junit(result))
    elif fmt == "gitlab":
        from kaconf.lint.gitlab import render_gitlab

        stream.write(render_gitlab(result))
    else:
        raise ValueError(f"unknown output format {fmt!r}; expected one of {', '.join(FORMATS)}")
