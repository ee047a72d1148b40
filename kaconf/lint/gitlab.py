"""``kaconf lint --format gitlab``: a GitLab Code Quality report.

GitLab shows Code Quality findings in the merge request widget and on the
diff (``artifacts:reports:codequality``). The report is a JSON array of
Code Climate style issues; GitLab reads these fields of each one:

* ``description``: ``CODE: message`` (the hint follows in
  ``content.body``, which GitLab does not show but other Code Climate
  readers do);
* ``check_name``: the rule code;
* ``fingerprint``: what GitLab compares between the base and the head of a
  merge request to tell new findings from old ones. It must not change when
  unrelated lines move, so it is a hash of the code, the path and the
  message, not of the line; identical findings in one file are told apart by
  their order (the second one hashes with ``#1``, and so on);
* ``severity``: ``major`` for errors (keepalived rejects or ignores the
  text), ``minor`` for warnings, ``info`` for notes;
* ``location.path``: relative to the project's folder (``$CI_PROJECT_DIR``
  when set, otherwise the current folder), as GitLab matches paths against
  the repository; a path outside it stays as given;
* ``location.lines.begin`` (and ``end``).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from typing import TYPE_CHECKING

from kaconf.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from kaconf.lint.engine import LintResult

__all__ = ["SEVERITY", "fingerprint", "render_gitlab", "report_path"]

#: kaconf severity -> Code Quality severity (info, minor, major, critical, blocker)
SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def report_path(path: str, project_dir: str | None = None) -> str:
    """``path`` relative to the project folder when it lies inside it (POSIX slashes)."""
    base = project_dir or os.environ.get("CI_PROJECT_DIR") or os.getcwd()
    if path.startswith("<"):  # <stdin>
        return path
    full = os.path.abspath(path)
    rel = os.path.relpath(full, os.path.abspath(base))
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return path
    return rel.replace(os.sep, "/")


def fingerprint(code: str, path: str, message: str, occurrence: int = 0) -> str:
    """A stable id for a finding: the same code, path and message give the same id,
    wherever the line moved to; ``occurrence`` separates identical findings."""
    key = f"{code}\0{path}\0{message}"
    if occurrence:
        key += f"\0#{occurrence}"
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def _issue(d: Diagnostic, path: str, occurrence: int) -> dict[str, object]:
    body = "\n".join([d.message, *([f"hint: {d.hint}"] if d.hint else []),
                      *(f"note: {n}" for n in d.notes)])
    end = max(d.span.end_line, d.span.line)
    return {
        "type": "issue",
        "description": f"{d.code}: {d.message}",
        "check_name": d.code,
        "fingerprint": fingerprint(d.code, path, d.message, occurrence),
        "severity": SEVERITY[d.severity],
        "categories": ["Bug Risk"],
        "content": {"body": body},
        "location": {"path": path, "lines": {"begin": d.span.line, "end": end}},
    }


def render_gitlab(result: LintResult, project_dir: str | None = None) -> str:
    """The Code Quality JSON array for ``result``."""
    seen: Counter[tuple[str, str, str]] = Counter()
    issues = []
    for d in result.diagnostics:
        path = report_path(d.span.file, project_dir)
        key = (d.code, path, d.message)
        issues.append(_issue(d, path, seen[key]))
        seen[key] += 1
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
