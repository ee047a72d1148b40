"""What the language server knows about each open document: settings, findings, tree.

One :class:`Session` per server. For a document it finds the lint settings the
way ``kaconf lint`` does (``.kaconf.toml`` or ``[tool.kaconf]`` in pyproject.toml,
from the document's folder upwards; see :mod:`kaconf.lint.settings`), with the
editor's initialisation options as the command line's layer on top, and lints the
*buffer* — the unsaved text, handed to :func:`kaconf.lint.engine.lint_paths` as an
in-memory source under the file's own path, so includes resolve as they will on disk.

Nothing here speaks the protocol: the feature modules turn these results into
LSP objects.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kaconf.diagnostics import Diagnostic
from kaconf.lint.engine import LintResult, lint_paths
from kaconf.lint.settings import (
    CodeSelection,
    Settings,
    SettingsError,
    load_settings,
    parse_codes,
)
from kaconf.loader import Loaded, load_full
from kaconf.schema import normalize_version

__all__ = ["Analysis", "DocumentSettings", "Options", "Session"]

DEFAULT_VERSION = "2.2.7"


@dataclass(frozen=True)
class Options:
    """The editor's settings (LSP ``initializationOptions``), like command-line options.

    ``targetVersion``, ``configId``, ``select``, ``ignore`` and ``braceStyle``
    (camelCase, as editors write JSON); each wins over the settings file, the way
    ``kaconf lint``'s options do.
    """

    target_version: str | None = None
    config_id: str | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    brace_style: str = "same-line"

    @classmethod
    def parse(cls, raw: Any) -> tuple[Options, list[str]]:
        """Options from the client's JSON value, and the problems found in it."""
        problems: list[str] = []
        if not isinstance(raw, Mapping):
            return cls(), problems
        version = raw.get("targetVersion")
        if version is not None:
            try:
                normalize_version(str(version))
            except ValueError as exc:
                problems.append(f"targetVersion: {exc}")
                version = None
        select: tuple[str, ...] | None = None
        ignore: tuple[str, ...] = ()
        try:
            if raw.get("select") is not None:
                select = parse_codes(raw["select"], "select: ")
            if raw.get("ignore") is not None:
                ignore = parse_codes(raw["ignore"], "ignore: ")
        except SettingsError as exc:
            problems.append(str(exc))
        style = raw.get("braceStyle", "same-line")
        if style not in ("same-line", "own-line"):
            problems.append(f"braceStyle: expected same-line or own-line, got {style!r}")
            style = "same-line"
        cid = raw.get("configId")
        return cls(str(version) if version is not None else None,
                   str(cid) if cid is not None else None, select, ignore, style), problems


@dataclass(frozen=True)
class DocumentSettings:
    """The settings one document is linted with, and what went wrong finding them."""

    target_version: str
    config_id: str | None
    selection: CodeSelection
    settings: Settings
    problems: tuple[str, ...] = ()

    @property
    def snapshot(self) -> str:
        """The schema snapshot the target version reads like."""
        return normalize_version(self.target_version)


@dataclass
class Analysis:
    """One lint run of one version of a document."""

    uri: str
    path: str
    version: int | None
    text: str
    settings: DocumentSettings
    result: LintResult
    #: findings by the file they are in (the document itself and files it includes)
    by_file: dict[str, list[Diagnostic]] = field(default_factory=dict)
    _loaded: Loaded | None = field(default=None, repr=False)

    @property
    def loaded(self) -> Loaded:
        """The document read into a tree (for names, symbols), made on first use."""
        if self._loaded is None:
            self._loaded = load_full(self.path, config_id=self.settings.config_id,
                                     version=self.settings.snapshot,
                                     data=self.text.encode("utf-8"))
        return self._loaded

    def lines_of(self, file: str) -> Sequence[str]:
        """The lines of ``file`` as read by this run (the buffer's for the document)."""
        if file == self.path:
            # cut at "\n" only, as the reader does (str.splitlines also cuts at \f, \v...)
            return self.text.split("\n")
        return self.result.texts.get(file, [])


class Session:
    """The server's state: options and the latest analysis of each open document."""

    def __init__(self, options: Options | None = None) -> None:
        self.options = options or Options()
        self.analyses: dict[str, Analysis] = {}

    def settings_for(self, path: str) -> DocumentSettings:
        """The settings for the document at ``path`` (never raises: problems are listed)."""
        problems: list[str] = []
        folder = Path(path).parent if os.path.isabs(path) else Path.cwd()
        try:
            settings = load_settings(folder)
        except SettingsError as exc:
            problems.append(str(exc))
            settings = Settings()
        opts = self.options
        version = opts.target_version or settings.target_version or DEFAULT_VERSION
        try:
            normalize_version(version)
        except ValueError as exc:
            problems.append(f"{settings.source}: {exc}")
            version = DEFAULT_VERSION
        selection = CodeSelection(((settings.select, settings.ignore),
                                   (opts.select, opts.ignore)))
        config_id = opts.config_id if opts.config_id is not None else settings.config_id
        return DocumentSettings(version, config_id, selection, settings, tuple(problems))

    def analyse(self, uri: str, path: str, text: str, version: int | None) -> Analysis:
        """Lint ``text`` as the content of ``path`` and remember the result for ``uri``."""
        ds = self.settings_for(path)
        result = lint_paths([path], target_version=ds.target_version, config_id=ds.config_id,
                            severity=ds.settings.severity, selection=ds.selection,
                            sources={path: text.encode("utf-8")})
        by_file: dict[str, list[Diagnostic]] = {path: []}
        for d in result.diagnostics:
            by_file.setdefault(d.span.file, []).append(d)
        found = Analysis(uri, path, version, text, ds, result, by_file)
        self.analyses[uri] = found
        return found

    def forget(self, uri: str) -> Analysis | None:
        """Drop a closed document's state; returns what was known."""
        return self.analyses.pop(uri, None)
