"""The public entry point: ``kaconf.load(path) -> Config``.

Runs the pipeline text -> tokens -> tree -> typed model and returns the model
with every finding of those stages attached, so callers (lint, dump, render,
the daemon) never re-read a file themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.model.build import Builder
from kaconf.model.objects import Config
from kaconf.source import Comment
from kaconf.tree import Node, read_tree


@dataclass
class Loaded:
    """A config together with what reading it produced (tree, comments, findings)."""

    config: Config
    nodes: list[Node]
    comments: list[Comment]
    diagnostics: list[Diagnostic]
    texts: dict[str, list[str]] = field(default_factory=dict)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity >= Severity.ERROR]


def load_full(
    path: str,
    *,
    config_id: str | None = None,
    version: str = "2.2.7",
    data: bytes | None = None,
    include_base: str | None = None,
    overlay: Mapping[str, bytes] | None = None,
) -> Loaded:
    """Read ``path`` (or ``data`` under that name) into a model plus findings.

    ``include_base`` is the folder the relative includes of ``path`` resolve
    against instead of its own (a copy read before it is installed there).
    ``overlay`` maps file paths (as read, includes too) to contents that replace
    the disk's: ``kaconf lint --fix`` and ``kaconf migrate`` re-read edits before
    writing them. Never raises on bad config text: problems are diagnostics with
    positions.
    The garbage collector is left alone: tuning it is the business of process
    entry points (``kaconf.cli.entry``, the daemon's processes), not of a
    library call that may run inside a long-lived process or on every reload.
    """
    rr, tree = read_tree(path, config_id=config_id, version=version, data=data,
                         include_base=include_base, overlay=overlay)
    builder = Builder()
    cfg = builder.build(tree.nodes, rr.files)
    diags = rr.diagnostics + tree.diagnostics + builder.diags
    return Loaded(cfg, tree.nodes, rr.comments, diags, rr.texts)


def load(
    path: str,
    *,
    config_id: str | None = None,
    version: str = "2.2.7",
    data: bytes | None = None,
) -> Config:
    """Read a keepalived config into a typed :class:`~kaconf.model.objects.Config`.

    ``config_id`` is keepalived's ``-i`` (for ``@id`` lines; default: the host
    name up to the first dot). ``version`` selects the reading rules (1.2.2
    reads like that release). Findings of reading are in ``config.diagnostics``.
    """
    loaded = load_full(path, config_id=config_id, version=version, data=data)
    cfg = loaded.config
    cfg.diagnostics = loaded.diagnostics  # type: ignore[attr-defined]
    return cfg
