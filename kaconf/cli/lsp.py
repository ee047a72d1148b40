"""``kaconf lsp``: run the language server on standard input and output.

Editors start it as ``kaconf lsp`` (``--stdio`` is accepted and ignored, for
clients that always pass it). pygls and lsprotocol are imported by :func:`run`
only, so every other command starts without them. Settings are those of
``kaconf lint`` (the workspace's ``.kaconf.toml`` or ``[tool.kaconf]``), with the
client's ``initializationOptions`` on top; see docs/editors.md.
"""

from __future__ import annotations

import argparse

from kaconf.exitstatus import ExitStatus

__all__ = ["add_arguments", "run"]


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``kaconf lsp`` (its help line lives in :mod:`kaconf.cli.commands`)."""
    p.add_argument("--stdio", action="store_true",
                   help="talk over standard input and output (the default and only transport)")


def run(args: argparse.Namespace) -> int:
    """Serve until the client asks the server to exit."""
    import gc

    from kaconf.lsp.server import serve

    gc.enable()  # a long-lived process: the CLI entry's GC tuning is for short runs

    serve()
    return ExitStatus.OK
