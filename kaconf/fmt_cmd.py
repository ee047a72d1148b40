"""``kaconf fmt``: rewrite configs in the canonical layout (see :mod:`kaconf.fmt`).

Exit statuses follow the rest of kaconf: 0 nothing to do (or files rewritten),
1 ``--check`` found a file that would change, 2 a file could not be read or
written. Files are replaced through a temporary file and a rename, so a crash
or a full disk never leaves half a config behind (keepalived may reload at any
moment).
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import tempfile


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "fmt", help="rewrite configs in the canonical layout",
        description="Lay configs out canonically (4-space indent, one statement per line, "
        "braces on the keyword line) without changing what keepalived reads.")
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="config files to format ('-' reads stdin and writes stdout)")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 if any file would change")
    p.add_argument("--diff", action="store_true",
                   help="write nothing; print a unified diff of the changes")
    p.add_argument("--brace-style", choices=["same-line", "own-line"], default="same-line",
                   help="'same-line' (default: 'keyword args {', read by every keepalived) "
                   "or 'own-line' ('{' on the line below the keyword)")
    p.set_defaults(func=run)


def _diff(path: str, old: bytes, new: bytes) -> str:
    a = old.decode("utf-8", "replace").splitlines(keepends=True)
    b = new.decode("utf-8", "replace").splitlines(keepends=True)
    lines = list(difflib.unified_diff(a, b, fromfile=path, tofile=f"{path} (formatted)"))
    return "".join(x if x.endswith("\n") else x + "\n\\ No newline at end of file\n"
                   for x in lines)


def stage_file(target: str, data: bytes) -> str:
    """Write ``data`` to a new temporary file next to ``target``; return its path.

    The file is synced to disk and has ``target``'s permission bits (a new file
    gets 0644 minus the umask), ready to be renamed over ``target``; on failure
    nothing is left behind.
    """
    folder = os.path.dirname(target) or "."
    try:
        mode = os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o644 & ~umask
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.",
                               suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        remove_quietly(tmp)
        raise
    return tmp


def remove_quietly(path: str) -> None:
    """Delete ``path`` if possible (clean-up of a temporary file)."""
    try:
        os.unlink(path)
    except OSError:
        pass


def write_atomic(path: str, data: bytes) -> None:
    """Replace ``path`` by ``data`` via a temporary file in the same folder and a rename.

    A symlink is followed (the file it points at is replaced, the link stays) and
    the file keeps its permission bits; new files get 0644 minus the umask.
    """
    target = os.path.realpath(path)
    tmp = stage_file(target, data)
    try:
        os.replace(tmp, target)
    except BaseException:
        remove_quietly(tmp)
        raise


def run(args: argparse.Namespace) -> int:
    from kaconf.cli import EXIT_CONFIG, EXIT_OK, EXIT_USAGE
    from kaconf.fmt import format_bytes

    status = EXIT_OK
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
            status = EXIT_USAGE
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
            status = EXIT_USAGE
            continue
        print(f"kaconf fmt: reformatted {path}", file=sys.stderr)
    if status == EXIT_OK and args.check and changed:
        return EXIT_CONFIG
    return status
