"""The lint gate of ``kaconf render``: rendered text is linted before anything is written.

Rendered configs are linted from memory (they have no file yet), each on its
own and then all together with the cluster rules, because a pair is only right
as a pair (``nopreempt`` on the higher-priority node, one VRID per LAN...).
Findings are what ``kaconf lint --cluster`` would report for the same files
with the project's settings (``[tool.kaconf]``: select, ignore, severity);
error-severity findings block writing.

:func:`lint_gate` is the single place that talks to the lint engine. It calls
:func:`kaconf.lint.engine.lint_paths` with the rendered texts as in-memory
``sources``, so rendering and ``kaconf lint --cluster`` share one code path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.render.errors import STATUS_INPUT, RenderError

__all__ = ["GateInput", "blocking", "lint_gate"]


@dataclass(frozen=True)
class GateInput:
    """One rendered config: the name findings are reported under, its text, its ``-i``."""

    name: str
    text: str
    config_id: str | None = None


def lint_gate(configs: Sequence[GateInput], target_version: str | None = None
               ) -> dict[str, list[Diagnostic]]:
    """Lint ``configs`` from memory, alone and as one cluster; findings by config name.

    ``target_version`` defaults to the settings file's, then 2.2.7. Raises
    :class:`RenderError` (exit 2) for a bad version or settings file.
    """
    from kaconf.lint.engine import lint_paths
    from kaconf.lint.settings import CodeSelection, SettingsError, load_settings
    from kaconf.schema import normalize_version

    try:
        settings = load_settings()
    except SettingsError as exc:
        raise RenderError(str(exc), status=STATUS_INPUT) from None
    version = (target_version or settings.target_version or "2.2.7").strip()
    try:
        normalize_version(version)
    except ValueError as exc:
        raise RenderError(f"--target-version: {exc}", status=STATUS_INPUT) from None
    result = lint_paths(
        [c.name for c in configs],
        target_version=version,
        selection=CodeSelection(((settings.select, settings.ignore),)),
        severity=settings.severity,
        cluster=True,
        sources={c.name: c.text.encode("utf-8") for c in configs},
        config_ids={c.name: c.config_id for c in configs},
    )
    return {c.name: list(result.by_file.get(c.name, [])) for c in configs}


def blocking(findings: dict[str, list[Diagnostic]]) -> bool:
    """Whether any finding is an error (the gate closes)."""
    return any(d.severity >= Severity.ERROR for ds in findings.values() for d in ds)
