"""``kaconf lint --fix / --unsafe-fixes / --diff``: apply the fixes of the findings.

Kept apart from :mod:`kaconf.cli.lint` so the plain lint path neither builds nor
imports any of it. The work is :func:`kaconf.fix.apply.run_fixes`: the files
are linted as ``kaconf lint`` would (same selection, suppressions and target
version), the fixes of the findings are applied in memory, the result is read
and linted again, and a fix whose result does not dump the same is refused
unless its rule says changing the meaning is its purpose. Then:

* ``--fix`` writes the changed files (each atomically) and lint goes on to
  report what is left, as without ``--fix``;
* ``--diff`` prints a unified diff, writes nothing and exits 1 when there
  would be changes (0 otherwise).

Applied and refused fixes are reported on standard error, so the findings on
standard output keep their format (JSON, SARIF...).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from kaconf.exitstatus import ExitStatus

if TYPE_CHECKING:
    from kaconf.diagnostics import Diagnostic, Severity
    from kaconf.fix.apply import FixRun
    from kaconf.lint.settings import CodeSelection

__all__ = ["add_fix_arguments", "apply_fixes", "report"]


def add_fix_arguments(p: argparse.ArgumentParser) -> None:
    """``--fix``, ``--unsafe-fixes`` and ``--diff``."""
    p.add_argument("--fix", action="store_true",
                   help="apply the safe fixes of the findings (files are rewritten; only "
                        "fixes that keep what kaconf dump shows, unless that is their purpose)")
    p.add_argument("--unsafe-fixes", action="store_true",
                   help="with --fix or --diff, apply the unsafe fixes too")
    p.add_argument("--diff", action="store_true",
                   help="print the fixes as a unified diff, write nothing "
                        "(exit 1 if there would be changes)")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 'es' if word.endswith('x') else 's'}"


def report(run: FixRun, *, verb: str, prog: str = "kaconf lint") -> None:
    """Applied and refused fixes on standard error, one line each, then a summary."""
    for r in run.refused:
        d = r.diagnostic
        title = d.fix.title if d.fix is not None else ""
        print(f"{d.span}: {d.code} fix refused: {title}: {r.reason}", file=sys.stderr)
    files = len(run.changed)
    text = f"{prog}: {verb} {_plural(len(run.applied), 'fix')} in {_plural(files, 'file')}"
    if run.refused:
        text += f", {len(run.refused)} refused"
    print(text + ".", file=sys.stderr)


def apply_fixes(args: argparse.Namespace, files: Sequence[str], *, version: str,
                config_id: str | None, selection: CodeSelection,
                severity: Mapping[str, Severity]) -> int | None:
    """Run the fixes for ``kaconf lint``; the exit status with ``--diff`` (or an error),
    ``None`` when lint should go on to report the findings of the written files."""
    from kaconf.cli.atomic_write import write_atomic
    from kaconf.fix.apply import run_fixes
    from kaconf.fix.meaning import dump_files
    from kaconf.lint.engine import STDIN_NAME, lint_paths

    sources: dict[str, bytes] = {}
    paths = list(files)
    if "-" in paths:
        if not args.diff:
            print("kaconf lint: error: --fix cannot rewrite standard input; use --diff",
                  file=sys.stderr)
            return ExitStatus.USAGE
        sources[STDIN_NAME] = sys.stdin.buffer.read()
        paths = [STDIN_NAME if p == "-" else p for p in paths]

    def find(contents: Mapping[str, bytes]) -> list[Diagnostic]:
        return lint_paths(paths, target_version=version, config_id=config_id,
                          selection=selection, severity=severity, sources=contents,
                          cluster=args.cluster).diagnostics

    def meaning(contents: Mapping[str, bytes]) -> tuple[str, ...]:
        return dump_files(paths, version=version, config_id=config_id, overlay=contents)

    run = run_fixes(find, meaning, sources=sources, unsafe=args.unsafe_fixes)
    if args.diff:
        sys.stdout.write(run.diff())
        sys.stdout.flush()
        report(run, verb="would apply")
        return ExitStatus.CONFIG if run.changed else ExitStatus.OK
    for f in run.changed:
        try:
            write_atomic(f, run.fixed[f])
        except OSError as exc:
            print(f"kaconf lint: error: cannot write {f}: {exc}", file=sys.stderr)
            return ExitStatus.USAGE
    report(run, verb="applied")
    return None
