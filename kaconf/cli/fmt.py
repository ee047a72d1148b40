"""``kaconf fmt``: rewrite configs in the canonical layout (see :mod:`kaconf.fmt`).

Exit statuses follow the rest of kaconf: 0 nothing to do (or files rewritten),
1 ``--check`` found a file that would change, 2 a file could not be read or
written. Files are replaced through a temporary file and a rename, so a crash
or a full disk never leaves half a config behind (keepalived may reload at any
moment; see :mod:`kaconf.cli.atomic_write`).
"""

from __future__ import annotations

import argparse
import difflib
import sys

from kaconf.cli.atomic_write import write_atomic
from kaconf.exitstatus import ExitStatus

__all__ = ["add_arguments", "run"]


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``kaconf fmt`` (its help line lives in :mod:`kaconf.cli.commands`)."""
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="config files to format ('-' reads stdin and writes stdout)")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 if any file would change")
    p.add_argument("--diff", action="store_true",
                   help="write nothing; print a unified diff of the changes")
    p.add_argument("--brace-style", choices=["same-line", "own-line"], default="same-line",
                   help="'same-line' (default: 'keyword args {', read by every keepalived) "
                   "or 'own-line' ('{' on the line below the keyword)")


def _diff(path: str, old: bytes, new: bytes) -> str:
    a = old.decode("utf-8", "replace").splitlines(keepends=True)
    b = new.decode("utf-8", "replace").splitlines(keepends=True)
    lines = list(difflib.unified_diff(a, b, fromfile=path, tofile=f"{path} (formatted)"))
    return "".join(x if x.endswith("\n") else x + "\n\\ No newline at end of file\n"
                   for x in lines)


def run(args: argparse.Namespace) -> int:
    """Execute ``kaconf fmt``: format, then check, diff or rewrite each file."""
    from kaconf.fmt import format_bytes

    status = ExitStatus.OK
    changed = 0
    for path in args.files:
        try:
            if path == "-":
                old = sys.stdin.buffer.read()
            else:
                with open(path, "rb") as fh:
                    old = fh.read()
        except OSError as exc:
            print(f"kaconf fmt: cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
            status = ExitStatus.USAGE
            continue
        new = format_bytes(old, brace_style=args.brace_style)
        if path == "-" and not (args.check or args.diff):
            sys.stdout.buffer.write(new)
            continue
        if new == old:
            continue
        changed += 1
        if args.diff:
            sys.stdout.write(_diff("<stdin>" if path == "-" else path, old, new))
        if args.check:
            print(f"kaconf fmt: would reformat {path}", file=sys.stderr)
        if args.check or args.diff:
            continue
        try:
            write_atomic(path, new)
        except OSError as exc:
            print(f"kaconf fmt: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
            status = ExitStatus.USAGE
            continue
        print(f"kaconf fmt: reformatted {path}", file=sys.stderr)
    if status == ExitStatus.OK and args.check and changed:
        return ExitStatus.CONFIG
    return status
