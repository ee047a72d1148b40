"""The lint gate of ``kaconf render``: rendered text is linted before anything is written.

Rendered configs are linted from memory (they have no file yet), each on its
own and then all together with the cluster rules, because a pair is only right
as a pair (``nopreempt`` on the higher-priority node, one VRID per LAN...).
Findings are what ``kaconf lint --cluster`` would report for the same files
with the project's settings (``[tool.kaconf]``: select, ignore, severity);
error-severity findings block writing.

:func:`_lint_gate` is the single place that talks to the lint engine. The
engine's public entry point, :func:`kaconf.lint.engine.lint_paths`, reads
paths only, so the gate repeats its per-file/cluster loop on in-memory loads
with the engine's own helpers. When the engine grows an in-memory entry point
(``lint_texts([(name, bytes), ...], cluster=True, ...)``), replace the body of
:func:`_lint_gate` with a call to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.render.errors import STATUS_INPUT, RenderError

__all__ = ["GateInput", "_lint_gate"]


@dataclass(frozen=True)
class GateInput:
    """One rendered config: the name findings are reported under, its text, its ``-i``."""

    name: str
    text: str
    config_id: str | None = None


def _lint_gate(configs: Sequence[GateInput], target_version: str | None = None
               ) -> dict[str, list[Diagnostic]]:
    """Lint ``configs`` from memory, alone and as one cluster; findings by config name.

    ``target_version`` defaults to the settings file's, then 2.2.7. Raises
    :class:`RenderError` (exit 2) for a bad version or settings file.
    """
    from kaconf.lint import registry
    from kaconf.lint.engine import _Filter, _run_rule, _sort_key, _start_span
    from kaconf.lint.rule import ClusterContext, Context
    from kaconf.lint.settings import CodeSelection, SettingsError, load_settings
    from kaconf.lint.suppress import Suppressions
    from kaconf.loader import load_full
    from kaconf.schema import normalize_version

    try:
        settings = load_settings()
    except SettingsError as exc:
        raise RenderError(str(exc), status=STATUS_INPUT) from None
    version = (target_version or settings.target_version or "2.2.7").strip()
    try:
        snapshot = normalize_version(version)
    except ValueError as exc:
        raise RenderError(f"--target-version: {exc}", status=STATUS_INPUT) from None
    selection = CodeSelection(((settings.select, settings.ignore),))
    filt = _Filter(selection, settings.severity)
    rules = registry.all_rules()
    config_rules = [r for r in rules if r.scope == "config" and r.check is not None
                    and selection.enabled(r.code)]
    cluster_rules = [r for r in rules if r.scope == "cluster" and r.check is not None
                     and selection.enabled(r.code)]

    by_name: dict[str, list[Diagnostic]] = {}
    contexts: list[Context] = []
    all_sup = Suppressions()
    owner: dict[str, str] = {}
    for cfg in configs:
        loaded = load_full(cfg.name, config_id=cfg.config_id, version=snapshot,
                           data=cfg.text.encode("utf-8"))
        ctx = Context(loaded, target_version=version, path=cfg.name)
        contexts.append(ctx)
        for f in loaded.config.files:
            owner.setdefault(f, cfg.name)
        found = list(loaded.diagnostics)
        for rule in config_rules:
            found.extend(_run_rule(rule, ctx, _start_span(cfg.name)))
        all_sup.add(loaded.comments)
        kept = filt.apply(found, Suppressions(loaded.comments))
        kept.sort(key=_sort_key(loaded.config.files or [cfg.name]))
        by_name[cfg.name] = kept
    if cluster_rules and contexts:
        cctx = ClusterContext(nodes=contexts, target_version=version)
        found = []
        for rule in cluster_rules:
            found.extend(_run_rule(rule, cctx, _start_span(contexts[0].path)))
        for d in filt.apply(found, all_sup):
            by_name.setdefault(owner.get(d.span.file, configs[0].name), []).append(d)
    return by_name


def blocking(findings: dict[str, list[Diagnostic]]) -> bool:
    """Whether any finding is an error (the gate closes)."""
    return any(d.severity >= Severity.ERROR for ds in findings.values() for d in ds)
