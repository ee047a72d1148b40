"""The ``kaconf`` command line.

Sub-commands live in their own modules and are imported only when chosen, so
``kaconf lint`` never pays for jinja2, pyroute2 or the daemon.
Exit statuses: 0 fine, 1 the config has errors, 2 kaconf could not run
(usage error, unreadable input).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Callable, Sequence

from kaconf import __version__

EXIT_OK = 0
EXIT_CONFIG = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse exits with 2 on usage errors, which is what we want; keep it."""


def _add_dump(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("dump", help="print the config the way keepalived -d does")
    p.add_argument("file", help="keepalived.conf to read ('-' for stdin)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--config-id", "-i", default=None, help="keepalived's -i (for @id lines)")
    p.add_argument("--no-spans", action="store_true", help="JSON without source positions")
    p.set_defaults(func=_run_dump)


def read_input(path: str, config_id: str | None, version: str = "2.2.7"):  # type: ignore[no-untyped-def]
    """Load a file or stdin ('-'); returns (Loaded, exit status if it could not be read)."""
    from kaconf.loader import load_full

    if path == "-":
        data = sys.stdin.buffer.read()
        return load_full("<stdin>", config_id=config_id, version=version, data=data), None
    loaded = load_full(path, config_id=config_id, version=version)
    if not loaded.config.files:
        return loaded, EXIT_USAGE
    return loaded, None


def _run_dump(args: argparse.Namespace) -> int:
    from kaconf.diagnostics import Severity

    loaded, status = read_input(args.file, args.config_id)
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
    return EXIT_OK


#: every sub-command, in ``kaconf --help`` order: name, the help line listed
#: there, and the module whose ``add_parser`` defines it (None: defined here).
#: Listing the help here lets a run import only the chosen command's module.
_COMMANDS: tuple[tuple[str, str, str | None], ...] = (
    ("lint", "check configs for mistakes", "kaconf.lint_cmd"),
    ("dump", "print the config the way keepalived -d does", None),
    ("keywords", "list keepalived keywords known to the schema", "kaconf.keywords_cmd"),
    ("rules", "list the lint rules and reader codes", "kaconf.rules_cmd"),
    ("run", "run the config with the bundled VRRP daemon (kaconfd)", "kaconf.run_cmd"),
    ("render", "render a Jinja2 template into lint-checked configs", "kaconf.render_cmd"),
    ("fmt", "rewrite configs in the canonical layout", "kaconf.fmt_cmd"),
)


def _add_command(sub: argparse._SubParsersAction, name: str,  # type: ignore[type-arg]
                 module: str | None) -> None:
    if module is None:
        _add_dump(sub)
        return
    add: Callable[[argparse._SubParsersAction], None] = (  # type: ignore[type-arg]
        importlib.import_module(module).add_parser)
    add(sub)


def _chosen(argv: Sequence[str]) -> str | None:
    """The sub-command named in ``argv``: its first word that is not an option.

    The top-level parser's only options (``-h``, ``--version``) take no value,
    so that word is what argparse will read as COMMAND.
    """
    for arg in argv:
        if not arg.startswith("-"):
            return arg
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The ``kaconf`` parser, with every sub-command when ``argv`` is None.

    Given the arguments about to be parsed, only the sub-command they name is
    built from its module (so ``kaconf lint`` never imports the formatter, the
    renderer or the daemon); the others are listed by name and help line only.
    """
    parser = _Parser(prog="kaconf", description="Read, lint, dump, render and run keepalived "
                     "configurations.")
    parser.add_argument("--version", action="version", version=f"kaconf {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = None if argv is None else _chosen(argv)
    for name, help_line, module in _COMMANDS:
        if argv is None or name == chosen:
            _add_command(sub, name, module)
        else:
            sub.add_parser(name, help=help_line)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status (also used by the console script)."""
    if argv is None:
        argv = sys.argv[1:]
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK


def entry() -> None:
    """Console-script entry: run, flush, and leave without tearing the heap down.

    Freeing a large model object by object at interpreter exit can take longer
    than linting it; nothing is left to clean up once output is flushed.
    """
    # A short-lived CLI run builds large acyclic object graphs; the cyclic
    # collector would only re-scan them. Memory is returned at exit anyway.
    gc.disable()
    status = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    os._exit(status)


if __name__ == "__main__":
    entry()
