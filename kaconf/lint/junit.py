"""``kaconf lint --format junit``: a JUnit XML report for CI test-report views.

GitLab (``artifacts:reports:junit``) and Jenkins (``junit`` step) both show
test reports in their own pages, next to the pipeline: a lint run written as
a test run appears there without any plug-in. The shape is the one both
read, and the one Jenkins' JUnit schema accepts:

* one ``<testsuites>`` root holding one ``<testsuite name="kaconf lint">``;
* one ``<testcase>`` per input file (``name`` the path as given,
  ``classname`` ``kaconf.lint``), so a clean file is a passed test and a
  file with findings a failed one;
* one ``<failure>`` per finding in that file (includes' findings included),
  with ``type`` the rule code, ``message`` ``CODE: message`` and, as its
  text, the finding as the text format prints its header line
  (``path:line:col: CODE severity: message``) plus hint and notes.

Every finding is a failure, whatever its severity: a report that lists a
warning as a passed test would hide it. Whether the run fails is still the
exit status's business (``--strict``). An input that could not be read gets
an ``<error>`` instead: the test could not run.

Only :mod:`xml.etree.ElementTree` is used (standard library; it escapes text
and attributes, and drops nothing but the characters XML 1.0 cannot carry,
which :func:`_xml_text` replaces first).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from kaconf.diagnostics import Diagnostic

if TYPE_CHECKING:
    from kaconf.lint.engine import LintResult

__all__ = ["SUITE_NAME", "render_junit"]

#: the one test suite's name (and the test cases' classname prefix)
SUITE_NAME = "kaconf lint"
_CLASSNAME = "kaconf.lint"

#: characters XML 1.0 cannot carry at all, even escaped (control bytes in a config)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """``text`` with the characters XML 1.0 forbids shown as ``\\xNN``."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _failure_text(d: Diagnostic) -> str:
    """The finding as the text format's header line, then hint, notes and include chain."""
    s = d.span
    lines = [f"{s.file}:{s.line}:{s.col}: {d.code} {d.severity}: {d.message}"]
    if d.hint:
        lines.append(f"hint: {d.hint}")
    lines.extend(f"note: {note}" for note in d.notes)
    if s.origin is not None:
        lines.extend(f"via: {step}" for step in s.origin.chain())
    return "\n".join(lines)


def render_junit(result: LintResult) -> str:
    """The JUnit XML report of ``result`` (see the module docstring for the shape)."""
    unreadable = set(result.unreadable)
    # counts are of test cases (files), as JUnit readers expect: tests >= failures + errors
    failures = sum(1 for name in result.files
                   if name not in unreadable and result.by_file.get(name))
    errors = len(unreadable)
    counts = {"tests": str(len(result.files)), "failures": str(failures),
              "errors": str(errors), "time": "0"}
    root = ET.Element("testsuites", {"name": SUITE_NAME, **counts})
    suite = ET.SubElement(root, "testsuite", {"name": SUITE_NAME, **counts, "skipped": "0"})
    for name in result.files:
        case = ET.SubElement(suite, "testcase",
                             {"name": _xml_text(name), "classname": _CLASSNAME, "time": "0"})
        found = result.by_file.get(name, [])
        if name in unreadable:  # the test could not run: one <error> saying why
            error = ET.SubElement(case, "error", {
                "type": "unreadable",
                "message": _xml_text(found[0].message if found else f"cannot read {name}"),
            })
            error.text = _xml_text("\n".join(_failure_text(d) for d in found))
            continue
        for d in found:
            failure = ET.SubElement(case, "failure", {
                "type": d.code,
                "message": _xml_text(f"{d.code}: {d.message}"),
            })
            failure.text = _xml_text(_failure_text(d))
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
