"""``kaconf dump``: print a config the way ``keepalived -d`` does (text) or as JSON.

The text form matches keepalived's own dump line for line, so a kaconf dump and
a keepalived log can be diffed. Only argparse and sys are imported at module
level; the loader and the dumpers are imported when the command runs.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from kaconf.exitstatus import ExitStatus

if TYPE_CHECKING:
    from kaconf.loader import Loaded

__all__ = ["add_arguments", "read_input", "run"]


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``kaconf dump``."""
    p.add_argument("file", help="keepalived.conf to read ('-' for stdin)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--config-id", "-i", default=None, help="keepalived's -i (for @id lines)")
    p.add_argument("--no-spans", action="store_true", help="JSON without source positions")
    p.add_argument("--target-version", metavar="V", default=None,
                   help="read the file the way this keepalived version reads it (default "
                        "2.2.7; versions before 1.4.2 read like 1.2.2); the printed form is "
                        "2.2.7's either way, so dumps of two versions can be compared")


def read_input(path: str, config_id: str | None,
               version: str = "2.2.7") -> tuple[Loaded, ExitStatus | None]:
    """Load a file or stdin ('-'); returns (Loaded, exit status if it could not be read)."""
    from kaconf.loader import load_full

    if path == "-":
        data = sys.stdin.buffer.read()
        return load_full("<stdin>", config_id=config_id, version=version, data=data), None
    loaded = load_full(path, config_id=config_id, version=version)
    if not loaded.config.files:
        return loaded, ExitStatus.USAGE
    return loaded, None


def run(args: argparse.Namespace) -> int:
    """Execute ``kaconf dump``: reading errors go to stderr, the dump to stdout."""
    from kaconf.diagnostics import Severity
    from kaconf.schema import normalize_version

    try:
        version = normalize_version(args.target_version or "2.2.7")
    except ValueError as exc:
        print(f"kaconf dump: error: --target-version: {exc}", file=sys.stderr)
        return ExitStatus.USAGE
    loaded, status = read_input(args.file, args.config_id, version)
    if status is not None:
        for d in loaded.diagnostics:
            print(f"kaconf: {d}", file=sys.stderr)
        return status
    for d in loaded.diagnostics:
        if d.severity >= Severity.ERROR:
            print(f"kaconf: {d}", file=sys.stderr)
    if args.format == "json":
        from kaconf.dump.json_dump import dump_json

        print(dump_json(loaded.config, spans=not args.no_spans))
    else:
        from kaconf.dump.text import dump_text

        sys.stdout.write(dump_text(loaded.config))
    return ExitStatus.OK
