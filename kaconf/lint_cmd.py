"""``kaconf lint``: read configs and report findings with file:line:col.

Exit 0 when no error-severity finding, 1 when there are errors, 2 when a file
could not be read at all.
"""

from __future__ import annotations

import argparse
import json
import sys

from kaconf.diagnostics import Diagnostic, Severity


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("lint", help="check configs for mistakes")
    p.add_argument("files", nargs="*", default=["/etc/keepalived/keepalived.conf"],
                   help="config files ('-' for stdin)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--config-id", "-i", default=None)
    p.add_argument("--target-version", default="2.2.7")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from kaconf.cli import EXIT_CONFIG, EXIT_OK, EXIT_USAGE, read_input
    from kaconf.schema import normalize_version

    try:
        version = normalize_version(args.target_version)
    except ValueError as exc:
        print(f"kaconf lint: {exc}", file=sys.stderr)
        return EXIT_USAGE
    status = EXIT_OK
    found: list[Diagnostic] = []
    for path in args.files:
        loaded, bad = read_input(path, args.config_id, version)
        found.extend(loaded.diagnostics)
        if bad is not None:
            status = max(status, bad)
    errors = sum(1 for d in found if d.severity >= Severity.ERROR)
    if args.format == "json":
        print(json.dumps({"diagnostics": [d.as_dict() for d in found],
                          "summary": {"errors": errors,
                                      "warnings": len(found) - errors,
                                      "files": len(args.files)}}, indent=2))
    else:
        for d in found:
            print(d)
    if status == EXIT_USAGE:
        return status
    return EXIT_CONFIG if errors else EXIT_OK
