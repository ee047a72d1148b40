"""``kaconf lint``: check keepalived configs and report findings with file:line:col.

Exit status (the contract CI jobs and Ansible's ``validate:`` rely on):

* 0: no error-severity finding (warnings are allowed unless ``--strict``);
* 1: at least one error (or, with ``--strict``, a warning);
* 2: kaconf could not do its job: a usage error, a bad setting or
  ``--target-version``, or an input file that cannot be opened.

Settings come from ``[tool.kaconf]`` in pyproject.toml or ``.kaconf.toml``
(see :mod:`kaconf.lint.settings`); command-line options win over them.

Only argparse and the exit statuses are imported at module level: building
this parser costs nothing; the lint machinery is imported by :func:`run`.
"""

from __future__ import annotations

import argparse
import os
import sys

from kaconf.cli.lint_fix import add_fix_arguments
from kaconf.exitstatus import ExitStatus

__all__ = ["DEFAULT_FILE", "add_arguments", "run"]

DEFAULT_FILE = "/etc/keepalived/keepalived.conf"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``kaconf lint`` (its help line lives in :mod:`kaconf.cli.commands`)."""
    p.add_argument("files", nargs="*", metavar="FILE",
                   help=f"config files ('-' for stdin; default {DEFAULT_FILE})")
    p.add_argument("--format", choices=["text", "json", "sarif", "github", "junit", "gitlab"],
                   default="text", help="output format (default: text; coloured on a terminal)")
    p.add_argument("--output-file", metavar="PATH", default=None,
                   help="write the report to PATH instead of standard output")
    p.add_argument("--select", action="append", metavar="CODES", default=None,
                   help="only report these codes or prefixes (comma-separated, e.g. KA0,KA2)")
    p.add_argument("--ignore", action="append", metavar="CODES", default=None,
                   help="do not report these codes or prefixes (comma-separated)")
    p.add_argument("--target-version", metavar="V", default=None,
                   help="keepalived version the configs are for (default 2.2.7)")
    p.add_argument("--strict", action=argparse.BooleanOptionalAction, default=None,
                   help="exit 1 on warnings too")
    p.add_argument("--config-id", "-i", default=None,
                   help="keepalived's -i, for @id lines (default: the host name)")
    p.add_argument("--cluster", action="store_true",
                   help="also check the files against each other as nodes of one cluster")
    p.add_argument("--include-base", metavar="DIR", default=None,
                   help="resolve the relative includes of the FILEs against DIR instead of "
                   "their own folder (for a copy checked before it is installed in DIR, "
                   "e.g. Ansible's validate)")
    add_fix_arguments(p)


def _fail(message: str) -> int:
    print(f"kaconf lint: error: {message}", file=sys.stderr)
    return ExitStatus.USAGE


def run(args: argparse.Namespace) -> int:
    """Execute ``kaconf lint`` for parsed ``args``; returns the exit status."""
    from kaconf.cli import keep_until_exit
    from kaconf.lint import output
    from kaconf.lint.engine import lint_paths
    from kaconf.lint.settings import CodeSelection, SettingsError, load_settings, parse_codes
    from kaconf.schema import normalize_version

    try:
        settings = load_settings()
        cli_select = parse_codes(args.select, "--select: ") if args.select is not None else None
        cli_ignore = parse_codes(args.ignore or [], "--ignore: ")
    except SettingsError as exc:
        return _fail(str(exc))

    version_text = args.target_version or settings.target_version or "2.2.7"
    try:
        normalize_version(version_text)  # fail here, with the option's name, not in the engine
    except ValueError as exc:
        where = "--target-version" if args.target_version else f"{settings.source}"
        return _fail(f"{where}: {exc}")

    include_base = args.include_base
    if include_base is not None and not os.path.isdir(include_base):
        return _fail(f"--include-base: '{include_base}' is not a directory")

    files = list(args.files) or [DEFAULT_FILE]
    if files.count("-") > 1:
        return _fail("'-' (standard input) can be given only once")

    selection = CodeSelection((
        (settings.select, settings.ignore),
        (cli_select, cli_ignore),
    ))
    strict = args.strict if args.strict is not None else bool(settings.strict)
    config_id = args.config_id if args.config_id is not None else settings.config_id
    if args.fix or args.diff:
        from kaconf.cli.lint_fix import apply_fixes

        status = apply_fixes(args, files, version=version_text, config_id=config_id,
                             selection=selection, severity=settings.severity)
        if status is not None:
            return status
    kept: list[object] = []
    result = lint_paths(
        files, target_version=version_text, config_id=config_id, cluster=args.cluster,
        strict=strict, severity=settings.severity, selection=selection,
        include_base=include_base, keep=kept,
    )
    kept.append(result)
    keep_until_exit(kept)  # the process ends soon: no need to free the models first
    if args.output_file is None:
        output.write(result, args.format)
        sys.stdout.flush()
        return result.exit_status
    # like ruff's --output-file: the report goes to the file only
    try:
        with open(args.output_file, "w", encoding="utf-8") as fh:
            output.write(result, args.format, fh)
    except OSError as exc:
        return _fail(f"cannot write {args.output_file}: {exc.strerror or exc}")
    return result.exit_status
