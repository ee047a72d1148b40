"""The ``kaconf`` command line.

One module per sub-command (``kaconf.cli.lint``, ``.dump``, ``.render``, ...);
their names, help lines and modules are listed once, in
:mod:`kaconf.cli.commands`, and both ``kaconf --help`` and every sub-parser are
built from that table. Only the chosen sub-command's module is imported, so
``kaconf lint`` never pays for jinja2, pyroute2 or the daemon. ``kaconf run``
is the daemon's own command, plugged in through the ``kaconf.commands`` entry
point group (see :mod:`kaconf.cli.commands`).

Exit statuses are :class:`kaconf.exitstatus.ExitStatus`: 0 fine, 1 the config
has errors, 2 kaconf could not run (usage error, unreadable input).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence

from kaconf import __version__
from kaconf.cli.commands import (
    BUILTIN,
    PLUGIN_FALLBACKS,
    Command,
    builtin,
    load_plugin,
    plugin_refs,
)
from kaconf.exitstatus import ExitStatus

__all__ = ["build_parser", "entry", "keep_until_exit", "main"]

#: what commands hand over to die with the process (a list only under :func:`entry`)
_kept: list[object] | None = None

_DESCRIPTION = "Read, lint, dump, render and run keepalived configurations."


def _chosen(argv: Sequence[str]) -> str | None:
    """The sub-command named in ``argv``: its first word that is not an option.

    The top-level parser's only options (``-h``, ``--version``) take no value,
    so that word is what argparse will read as COMMAND.
    """
    for arg in argv:
        if not arg.startswith("-"):
            return arg
    return None


def _plugins() -> list[Command | tuple[str, str]]:
    """Every plugin command: loaded, or (name, why it cannot be loaded).

    A plugin that cannot be imported (kaconf installed without the daemon) stays
    listed; choosing it then fails with the reason in :func:`main`.
    """
    found: list[Command | tuple[str, str]] = []
    for name, ref in plugin_refs().items():
        try:
            found.append(load_plugin(name, ref))
        except (ImportError, AttributeError, TypeError) as exc:
            found.append((name, f"{ref}: {exc}"))
    return found


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The ``kaconf`` parser, with every sub-command built when ``argv`` is None.

    Given the arguments about to be parsed, only the sub-command they name is
    built from its module; the others are listed by name and help line only,
    straight from the table. Plugins are looked up only when the chosen command
    is not built in (or for the full list), so ``kaconf lint`` does not even
    read entry-point metadata.
    """
    parser = argparse.ArgumentParser(prog="kaconf", description=_DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"kaconf {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = None if argv is None else _chosen(argv)
    commands: list[Command | tuple[str, str]] = list(BUILTIN)
    if chosen is None or builtin(chosen) is None:
        commands += _plugins()
    for cmd in commands:
        if isinstance(cmd, tuple):
            sub.add_parser(cmd[0], help="(not installed)").set_defaults(load_error=cmd[1])
        elif argv is None or cmd.name == chosen:
            cmd.add_to(sub)
        else:
            sub.add_parser(cmd.name, help=cmd.help)
    if chosen is not None and builtin(chosen) is not None:
        for name in PLUGIN_FALLBACKS:  # listed by name only, for argparse's choices
            sub.add_parser(name)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status (also used by the console script)."""
    if argv is None:
        argv = sys.argv[1:]
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return ExitStatus.USAGE
    if not getattr(args, "func", None):  # a plugin whose module is not installed
        why = getattr(args, "load_error", "its module cannot be imported")
        print(f"kaconf: {args.command}: this command is not installed ({why})",
              file=sys.stderr)
        return ExitStatus.USAGE
    try:
        return args.func(args)  # type: ignore[no-any-return]
    except KeyboardInterrupt:
        return ExitStatus.INTERRUPTED
    except BrokenPipeError:
        return ExitStatus.OK


def keep_until_exit(obj: object) -> None:
    """Let ``obj`` (a model, its tree, lint's contexts) go with the process.

    Under :func:`entry`, which leaves with ``os._exit``, a large configuration is then
    never freed object by object (~25 ms for 94,000 lines: a tenth of ``kaconf lint``);
    called in-process (``main()`` from tests or another program) it does nothing, and
    the objects are freed as usual.
    """
    if _kept is not None:
        _kept.append(obj)


def entry() -> None:
    """Console-script entry: tune the GC, run, flush, leave without tearing the heap down.

    This is a process entry point, so it is where the collector is tuned: a
    short-lived CLI run builds large acyclic object graphs that the cyclic
    collector would only re-scan (the daemon, a long-lived process, turns it
    back on in its own entry, :meth:`kaconfd.parent.Parent.run`). Freeing a
    large model object by object at interpreter exit can take longer than
    linting it, and nothing is left to clean up once output is flushed.
    """
    global _kept
    gc.disable()
    _kept = []
    status = main()
    if not _kept:  # nothing large handed over: a normal exit (atexit, logging.shutdown)
        sys.exit(status)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):  # ValueError: closed by the command (kaconf lsp)
        pass
    os._exit(status)
