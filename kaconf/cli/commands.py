"""The table of ``kaconf`` sub-commands: the one place their names and help live.

Each :class:`Command` row gives a sub-command's name, its one-line help (listed
by ``kaconf --help``), its description (shown by ``kaconf NAME --help``) and the
module that implements it, by *name*: the module is imported only when that
command runs or its parser is built, so ``kaconf lint`` never loads jinja2,
pyroute2 or the daemon. A command module defines two functions, named by the
row (by default ``add_arguments(parser)`` and ``run(args) -> int``); the
sub-parser itself, with the help text, is made from the row, never by the module.

Commands shipped outside the ``kaconf`` library are *plugins*: a distribution
declares an entry point in the group :data:`PLUGIN_GROUP` whose value names a
:class:`Command` object (kaconf's own pyproject declares
``run = "kaconfd.cli:COMMAND"``). So the library never imports the daemon:
the daemon plugs itself in. An install made before that entry point existed
(an editable install not re-run) has no such metadata, hence
:data:`PLUGIN_FALLBACKS`: the same reference, as a string, used when the
entry point is missing. Either way the object is found with
:func:`importlib.import_module` by name, never through a static import.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "BUILTIN",
    "Command",
    "PLUGIN_FALLBACKS",
    "PLUGIN_GROUP",
    "builtin",
    "load_plugin",
    "plugin_refs",
]

#: The entry-point group other distributions add ``kaconf`` sub-commands to.
PLUGIN_GROUP = "kaconf.commands"

Handler = Callable[[argparse.Namespace], int]
ArgumentAdder = Callable[[argparse.ArgumentParser], None]


@dataclass(frozen=True)
class Command:
    """One sub-command: what ``--help`` says about it and where its code is."""

    name: str
    #: the line listed by ``kaconf --help`` (also the sub-command's description
    #: when ``description`` is empty)
    help: str
    #: importable name of the module holding the two functions below
    module: str
    #: the text at the top of ``kaconf NAME --help``
    description: str = ""
    #: ``module.<handler>(args) -> int`` runs the command, returning the exit status
    handler: str = "run"
    #: ``module.<arguments>(parser)`` adds the command's arguments to its sub-parser
    arguments: str = "add_arguments"

    def load(self) -> tuple[ArgumentAdder, Handler]:
        """Import the module (now, not before) and return (argument adder, handler)."""
        mod = importlib.import_module(self.module)
        adder: ArgumentAdder = getattr(mod, self.arguments)
        handler: Handler = getattr(mod, self.handler)
        return adder, handler

    def add_to(self, sub: argparse._SubParsersAction[argparse.ArgumentParser]
               ) -> argparse.ArgumentParser:
        """Create this command's sub-parser from the table row and fill it in."""
        adder, handler = self.load()
        parser = sub.add_parser(self.name, help=self.help,
                                description=self.description or self.help)
        adder(parser)
        parser.set_defaults(func=handler)
        return parser


_LINT_DESCRIPTION = (
    "Check keepalived configs: reading problems (KA0xx, KA100), lint rules "
    "(KA2xx) and, with --cluster, consistency between nodes (KA4xx). Exit 0 clean, "
    "1 errors (or warnings with --strict), 2 usage error or unreadable file.")
_RENDER_DESCRIPTION = (
    "Render TEMPLATE with vars (YAML/JSON/TOML, merged left to right, then "
    "--set). A 'nodes:' mapping in the vars renders one config per node. The result is "
    "linted (alone and as a cluster) before anything is written. Exit 0 ok, 1 template/"
    "vars/lint problem or --check drift, 2 unreadable input or usage error.")
_FMT_DESCRIPTION = (
    "Lay configs out canonically (4-space indent, one statement per line, "
    "braces on the keyword line) without changing what keepalived reads.")
_KEYWORDS_DESCRIPTION = (
    "List keepalived.conf keywords from kaconf's schema. PATTERN is a "
    "case-insensitive glob (if it contains * ? or [) or substring, matched "
    "against the keyword name and against 'block_path/keyword'. --describe adds "
    "what each keyword does (from grammars/descriptions.json) on an indented line.")
_DIFF_DESCRIPTION = (
    "Compare two configs by what keepalived runs, not by their text: both are "
    "resolved (defaults, inheritance, fix-ups) and printed as keepalived -d would, then "
    "diffed. Exit 0 no change, 1 changes, 2 unreadable file.")
_LSP_DESCRIPTION = (
    "Run the kaconf language server on stdin/stdout for editors: lint findings as you "
    "type, hover, completion, go to definition, outline, formatting and quick fixes. "
    "Set-up for Neovim, VS Code, Helix and Emacs: docs/editors.md.")
_MIGRATE_DESCRIPTION = (
    "Rewrite configs for another keepalived version: keywords the target renamed or "
    "deprecated get their current names, layout it reads differently is rewritten, and the "
    "result must dump under the target exactly as the original dumps under --from. What the "
    "target does not support is refused (nothing written). Exit 0 done, 1 refused or (with "
    "--check/--diff) changes needed, 2 usage error.")
_RULES_DESCRIPTION = (
    "List every code kaconf reports (reader codes and lint "
    "rules). With one exact CODE, explain that rule in full.")

#: The library's own sub-commands, in ``kaconf --help`` order (plugins follow).
BUILTIN: tuple[Command, ...] = (
    Command("lint", "check configs for mistakes", "kaconf.cli.lint", _LINT_DESCRIPTION),
    Command("dump", "print the config the way keepalived -d does", "kaconf.cli.dump"),
    Command("diff", "show what keepalived would run differently after an edit",
            "kaconf.cli.diff", _DIFF_DESCRIPTION),
    Command("keywords", "list keepalived keywords known to the schema", "kaconf.cli.keywords",
            _KEYWORDS_DESCRIPTION),
    Command("rules", "list the lint rules and reader codes", "kaconf.cli.rules",
            _RULES_DESCRIPTION),
    Command("render", "render a Jinja2 template into lint-checked configs",
            "kaconf.cli.render", _RENDER_DESCRIPTION),
    Command("fmt", "rewrite configs in the canonical layout", "kaconf.cli.fmt",
            _FMT_DESCRIPTION),
    Command("lsp", "run the language server for editors (stdio)", "kaconf.cli.lsp",
            _LSP_DESCRIPTION),
    Command("migrate", "rewrite configs for another keepalived version",
            "kaconf.cli.migrate", _MIGRATE_DESCRIPTION),
)

#: Plugin commands used when their entry point is not in the installed metadata:
#: name -> "module:attribute" of the :class:`Command`, exactly the entry point's value.
PLUGIN_FALLBACKS: dict[str, str] = {"run": "kaconfd.cli:COMMAND",
                                     "simulate": "kaconfd.simulate.cli:COMMAND",
                                     "status": "kaconfd.statuscli:COMMAND"}


def builtin(name: str) -> Command | None:
    """The built-in command called ``name``, if there is one."""
    return next((c for c in BUILTIN if c.name == name), None)


def plugin_refs() -> dict[str, str]:
    """Plugin command name -> "module:attribute", from entry points then fallbacks.

    Reading distribution metadata costs a few milliseconds, so callers ask only
    when the chosen command is not built in (or for the full ``--help`` list).
    """
    from importlib.metadata import entry_points

    refs = {ep.name: ep.value for ep in entry_points(group=PLUGIN_GROUP)}
    for name, ref in PLUGIN_FALLBACKS.items():
        refs.setdefault(name, ref)
    return {name: ref for name, ref in refs.items() if builtin(name) is None}


def load_plugin(name: str, ref: str) -> Command:
    """Import the :class:`Command` that ``ref`` ("module:attribute") names.

    Raises ImportError when the module is not installed (kaconf without the
    daemon) and TypeError when the object is not a Command for ``name``.
    """
    module, _, attr = ref.partition(":")
    obj = getattr(importlib.import_module(module), attr or "COMMAND")
    if not isinstance(obj, Command) or obj.name != name:
        raise TypeError(f"{ref} is not the kaconf command {name!r}")
    return obj
