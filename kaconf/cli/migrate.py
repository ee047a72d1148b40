"""``kaconf migrate --to VERSION FILE...``: rewrite configs for another keepalived version.

The work is :func:`kaconf.fix.migrate.migrate`: keywords the target renamed or
deprecated get their current names, layout the target reads differently is
rewritten, and the result must dump (as the target reads it) exactly as the
original dumps (as the version it was written for reads it, ``--from``). What
the target does not support is refused with its file:line, and then nothing is
written.

Exit status: 0 migrated (or nothing to do); 1 refused, or with ``--check`` /
``--diff`` changes needed; 2 usage error or unreadable file. Each change is
reported on standard output as ``file:line:col: what``; refusals go to
standard error.
"""

from __future__ import annotations

import argparse
import sys

from kaconf.exitstatus import ExitStatus

__all__ = ["add_arguments", "run"]


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``kaconf migrate``."""
    from kaconf.schema import VERSIONS

    p.add_argument("files", nargs="+", metavar="FILE",
                   help="config files to migrate (files they include are migrated too)")
    p.add_argument("--to", required=True, metavar="VERSION", dest="target",
                   help=f"the keepalived version to migrate to ({', '.join(VERSIONS)}, or a "
                        "release number such as 2.2.8)")
    p.add_argument("--from", metavar="VERSION", dest="source", default=None,
                   help="the keepalived version the files are written for (default: the "
                        "settings file's target-version, else 2.2.7)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help="write nothing; exit 1 if the files need changes (for CI)")
    mode.add_argument("--diff", action="store_true",
                      help="print the changes as a unified diff, write nothing "
                           "(exit 1 if there are changes)")
    p.add_argument("--config-id", "-i", default=None,
                   help="keepalived's -i, for @id lines (default: the host name)")


def _fail(message: str) -> int:
    print(f"kaconf migrate: error: {message}", file=sys.stderr)
    return ExitStatus.USAGE


def run(args: argparse.Namespace) -> int:
    """Execute ``kaconf migrate``; returns the exit status."""
    import os

    from kaconf.cli.atomic_write import write_atomic
    from kaconf.fix.migrate import migrate
    from kaconf.lint.settings import SettingsError, load_settings
    from kaconf.schema import normalize_version

    try:
        settings = load_settings()
    except SettingsError as exc:
        return _fail(str(exc))
    source = args.source or settings.target_version or "2.2.7"
    for opt, value in (("--to", args.target), ("--from", source)):
        try:
            normalize_version(value)
        except ValueError as exc:
            return _fail(f"{opt}: {exc}")
    for f in args.files:
        if f == "-" or not os.path.isfile(f):
            return _fail(f"{f}: not a readable file (migrate rewrites files in place)")
    config_id = args.config_id if args.config_id is not None else settings.config_id

    m = migrate(args.files, source=source, target=args.target, config_id=config_id)
    what = f"keepalived {source} to {args.target}"
    if not m.ok:
        for d in m.unsupported:
            print(f"{d.span}: not supported by keepalived {args.target}: {d.message}",
                  file=sys.stderr)
        if m.dump_diff:
            print(f"kaconf migrate: the migrated files would not mean the same under "
                  f"keepalived {args.target} (kaconf dump before and after):", file=sys.stderr)
            sys.stderr.write(m.dump_diff)
        for r in m.run.refused:
            print(f"{r.diagnostic.span}: not rewritten: {r.reason}", file=sys.stderr)
        print(f"kaconf migrate: refused ({what}); nothing written.", file=sys.stderr)
        return ExitStatus.CONFIG

    for d in sorted(m.run.applied, key=lambda d: (d.span.file, d.span.line, d.span.col)):
        title = d.fix.title if d.fix is not None else d.message
        print(f"{d.span}: {title}")
    for d in m.left:
        print(f"{d.span}: left as is: {d.message} ({d.hint})")
    changed = m.run.changed
    if args.diff:
        sys.stdout.write(m.run.diff())
    elif not args.check:
        for f in changed:
            try:
                write_atomic(f, m.run.fixed[f])
            except OSError as exc:
                return _fail(f"cannot write {f}: {exc}")
    if not changed:
        print(f"kaconf migrate: nothing to change ({what}).")
        return ExitStatus.OK
    verb = "would change" if args.check or args.diff else "changed"
    print(f"kaconf migrate: {verb} {len(changed)} file{'s' if len(changed) != 1 else ''} "
          f"({what}); the dump is the same.")
    return ExitStatus.CONFIG if args.check or args.diff else ExitStatus.OK
