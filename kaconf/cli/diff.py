"""``kaconf diff OLD NEW``: what changes in what keepalived runs, before a reload.

Operators edit a config and send SIGHUP; a textual diff of the two files shows the
edit, not its meaning (a moved keyword, a default written out, a global that now
reaches an instance...). This compares the two *resolved* configurations, printed the
way ``keepalived -d`` prints them (:func:`kaconf.dump.text.dump_lines`, the same host
for both), and shows a unified diff of that. Exit 0 when nothing keepalived runs
changes, 1 when something does, 2 when a file cannot be read.
"""

from __future__ import annotations

import argparse
import sys

from kaconf.exitstatus import ExitStatus

__all__ = ["add_arguments", "run"]


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``kaconf diff``."""
    p.add_argument("old", help="the configuration running now")
    p.add_argument("new", help="the edited configuration")
    p.add_argument("--config-id", "-i", default=None, help="keepalived's -i (for @id lines)")
    p.add_argument("--context", "-U", type=int, default=3, metavar="N",
                   help="lines of context around each change (default 3)")


def run(args: argparse.Namespace) -> int:
    """Execute ``kaconf diff``: the unified diff of the two dumps on stdout."""
    import difflib

    from kaconf.cli.dump import read_input
    from kaconf.dump.text import dump_lines
    from kaconf.effective.host import Host

    host = Host.local()  # one host for both sides: only the configurations differ
    dumps: list[list[str]] = []
    for path in (args.old, args.new):
        loaded, status = read_input(path, args.config_id)
        if status is not None:
            for d in loaded.diagnostics:
                print(f"kaconf: {d}", file=sys.stderr)
            return status
        dumps.append(dump_lines(loaded.config, host))
    diff = list(difflib.unified_diff(dumps[0], dumps[1], args.old, args.new,
                                     n=max(0, args.context), lineterm=""))
    for line in diff:
        print(line)
    return ExitStatus.CONFIG if diff else ExitStatus.OK
