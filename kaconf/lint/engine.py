"""The lint engine: load configs, run the rules, filter findings, decide the exit status.

Everything a front end needs is here so the CLI, editor integrations and tests
share one behaviour: :func:`lint_paths` takes paths (``-`` for stdin) and
returns a :class:`LintResult` with the findings per input file and the exit
status ``kaconf lint`` uses.

Order of work, per input file:

1. load it (reader/tree/model findings: KA0xx, KA100);
2. run every selected single-config rule (``scope="config"``) on it;

then, with ``cluster=True``, every selected cluster rule once over all readable
files. Findings then go through code selection (``--select``/``--ignore``),
inline suppression comments and severity overrides, in that order.

A rule that raises does not stop the run: its exception becomes an
error-severity finding carrying the rule's code (so ``--ignore`` that code is
the workaround), and every other rule still runs. A kaconf bug must not hide
the real problems of a config, nor crash an Ansible ``validate``.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO

from kaconf.diagnostics import Diagnostic, Severity, Span
from kaconf.exitstatus import ExitStatus
from kaconf.lint import registry
from kaconf.lint.rule import ClusterContext, Context
from kaconf.lint.settings import CodeSelection, parse_codes, prefix_lookup
from kaconf.lint.suppress import Suppressions

if TYPE_CHECKING:
    from kaconf.lint.registry import Rule
    from kaconf.loader import Loaded

__all__ = [
    "LintResult",
    "STDIN_NAME",
    "lint_paths",
]

#: The file name findings in standard input are reported under.
STDIN_NAME = "<stdin>"


@dataclass
class LintResult:
    """What a lint run found, per input file, and the exit status it implies.

    ``by_file`` is keyed by the inputs as given (``<stdin>`` for ``-``), in
    command-line order; a finding in an included file is listed under the file
    that included it (its own ``file`` attribute names the included file).
    """

    files: list[str]
    by_file: dict[str, list[Diagnostic]]
    #: inputs that could not be opened at all (exit status 2)
    unreadable: list[str] = field(default_factory=list)
    strict: bool = False
    #: findings hidden by suppression comments
    suppressed: int = 0
    #: the lines of every file read, for code frames in the text output
    texts: dict[str, list[str]] = field(default_factory=dict)
    #: the keepalived version asked for, as given (rules compare exact versions)
    target_version: str = "2.2.7"
    #: the schema snapshot that version maps to (how the files were read)
    snapshot: str = "2.2.7"

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """All findings, file by file in input order."""
        return [d for diags in self.by_file.values() for d in diags]

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity == severity)

    @property
    def errors(self) -> int:
        return self.count(Severity.ERROR)

    @property
    def warnings(self) -> int:
        return self.count(Severity.WARNING)

    @property
    def exit_status(self) -> ExitStatus:
        """0 clean, 1 errors (or warnings with ``strict``), 2 an input could not be read."""
        if self.unreadable:
            return ExitStatus.USAGE
        if self.errors or (self.strict and self.warnings):
            return ExitStatus.CONFIG
        return ExitStatus.OK


def internal_error(rule: Rule, exc: BaseException, span: Span) -> Diagnostic:
    """The finding that stands in for a rule that raised."""
    import traceback  # only when a rule crashed

    frames = traceback.extract_tb(exc.__traceback__)
    notes = [f"raised at {frames[-1].filename}:{frames[-1].lineno} in {frames[-1].name}"] \
        if frames else []
    return Diagnostic(
        rule.code, Severity.ERROR,
        f"internal error: rule {rule.code} ({rule.meta.name}) crashed with "
        f"{type(exc).__name__}: {exc}",
        span,
        hint=f"this is a bug in kaconf, please report it; --ignore {rule.code} skips the rule",
        notes=notes,
    )


def _run_rule(rule: Rule, ctx: Context | ClusterContext, fallback: Span) -> list[Diagnostic]:
    """Run one rule, turning an exception (or a non-Diagnostic result) into a finding."""
    out: list[Diagnostic] = []
    assert rule.check is not None
    try:
        for d in rule.check(ctx):
            if not isinstance(d, Diagnostic):
                raise TypeError(f"check() yielded {type(d).__name__}, not a Diagnostic")
            out.append(d)
    except Exception as exc:  # a rule bug must not crash lint (see module docstring)
        out.append(internal_error(rule, exc, fallback))
    return out


def _start_span(path: str) -> Span:
    return Span(path, 1, 1, 1, 2)


def _sort_key(files: Sequence[str]) -> Callable[[Diagnostic], tuple[int, str, int, int, str]]:
    """Findings in reading order: by file (as read), line, column, code."""
    order = {f: i for i, f in enumerate(files)}

    def key(d: Diagnostic) -> tuple[int, str, int, int, str]:
        return (order.get(d.span.file, len(order)), d.span.file, d.span.line, d.span.col, d.code)

    return key


class _Filter:
    """Selection, suppression and severity overrides, applied to each finding."""

    def __init__(self, selection: CodeSelection, severity: Mapping[str, Severity]) -> None:
        self.selection = selection
        self.severity = dict(severity)
        self.suppressed = 0

    def apply(self, diags: Iterable[Diagnostic], sup: Suppressions) -> list[Diagnostic]:
        out: list[Diagnostic] = []
        enabled = self.selection.enabled
        for d in diags:
            if not enabled(d.code):
                continue
            if sup and sup.covers(d):
                self.suppressed += 1
                continue
            if self.severity:
                best = prefix_lookup(d.code, self.severity)
                if best is not None and d.severity != self.severity[best]:
                    d = dataclasses.replace(d, severity=self.severity[best])
            out.append(d)
        return out


def _load(path: str, version: str, config_id: str | None,
          stdin: BinaryIO | None, sources: Mapping[str, bytes] | None = None,
          include_base: str | None = None) -> tuple[str, Loaded]:
    from kaconf.loader import load_full

    if sources is not None and path in sources:
        return path, load_full(path, config_id=config_id, version=version, data=sources[path],
                               include_base=include_base, overlay=sources)
    if path == "-":
        data = (stdin if stdin is not None else sys.stdin.buffer).read()
        return STDIN_NAME, load_full(STDIN_NAME, config_id=config_id, version=version, data=data,
                                     include_base=include_base, overlay=sources)
    return path, load_full(path, config_id=config_id, version=version,
                           include_base=include_base, overlay=sources)


def lint_paths(
    paths: Sequence[str],
    *,
    target_version: str = "2.2.7",
    config_id: str | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
    cluster: bool = False,
    strict: bool = False,
    severity: Mapping[str, Severity] | None = None,
    selection: CodeSelection | None = None,
    stdin: BinaryIO | None = None,
    sources: Mapping[str, bytes] | None = None,
    config_ids: Mapping[str, str | None] | None = None,
    include_base: str | None = None,
    keep: list[object] | None = None,
) -> LintResult:
    """Lint ``paths`` (``-`` reads ``stdin``, default the process's standard input).

    ``target_version`` is any version :func:`kaconf.schema.normalize_version`
    accepts (ValueError otherwise); files are read by the snapshot it maps to,
    while rules get the exact version (behaviour changed between snapshots,
    e.g. in 1.4.2). ``select``/``ignore`` are code prefixes
    (``"KA2"``, ``"KA201"``, ``"ALL"``; ValueError for malformed ones);
    ``selection`` replaces both when the caller has several layers (settings
    file plus command line). ``severity`` maps code prefixes to the severity
    to report instead of the rule's own. ``strict`` only affects
    :attr:`LintResult.exit_status` (warnings then fail too). ``sources`` gives
    the text of paths that exist only in memory (rendered templates), and
    ``config_ids`` a per-path ``-i`` overriding ``config_id``. ``include_base``
    is the folder the relative includes of each of ``paths`` resolve against
    instead of its own (``--include-base``: a copy checked before it is
    installed, as Ansible's ``validate`` does); files they include resolve
    theirs against their own folder as usual. With ``keep``, what
    was built for each file (model, tree, resolved config) is appended there rather
    than freed on return, for a caller that is about to exit anyway.
    """
    from kaconf.schema import normalize_version

    snapshot = normalize_version(target_version)
    version = target_version.strip()
    if selection is None:
        selection = CodeSelection.of(
            parse_codes(select) if select is not None else None, parse_codes(ignore))
    filt = _Filter(selection, severity or {})
    rules = registry.all_rules()
    config_rules = [r for r in rules if r.scope == "config" and r.check is not None
                    and selection.enabled(r.code)]
    cluster_rules = [r for r in rules if r.scope == "cluster" and r.check is not None
                     and selection.enabled(r.code)] if cluster else []

    names: list[str] = []
    by_file: dict[str, list[Diagnostic]] = {}
    unreadable: list[str] = []
    texts: dict[str, list[str]] = {}
    contexts: list[Context] = []
    all_sup = Suppressions()
    owner: dict[str, str] = {}  # file read -> input that read it
    for path in paths:
        cid = config_ids.get(path, config_id) if config_ids is not None else config_id
        name, loaded = _load(path, snapshot, cid, stdin, sources, include_base)
        if keep is not None:
            keep.append(loaded)
        names.append(name)
        texts.update(loaded.texts)
        readable = bool(loaded.config.files)
        if not readable:
            unreadable.append(name)
        found = list(loaded.diagnostics)
        if readable:
            ctx = Context(loaded, target_version=version, path=name)
            contexts.append(ctx)
            if found:
                from kaconf.lint.reader_fixes import attach

                found = attach(ctx, found)
            if keep is not None:
                keep.append(ctx)
            for f in loaded.config.files:
                owner.setdefault(f, name)
            for rule in config_rules:
                found.extend(_run_rule(rule, ctx, _start_span(name)))
        sup = Suppressions(loaded.comments)
        if cluster_rules:
            all_sup.add(loaded.comments)
        kept = filt.apply(found, sup)
        kept.sort(key=_sort_key(loaded.config.files or [name]))
        by_file.setdefault(name, []).extend(kept)

    if cluster_rules and contexts:
        cctx = ClusterContext(nodes=contexts, target_version=version)
        found = []
        for rule in cluster_rules:
            found.extend(_run_rule(rule, cctx, _start_span(contexts[0].path)))
        for d in filt.apply(found, all_sup):
            by_file.setdefault(owner.get(d.span.file, names[0]), []).append(d)

    return LintResult(
        files=names, by_file=by_file, unreadable=unreadable, strict=strict,
        suppressed=filt.suppressed, texts=texts, target_version=version, snapshot=snapshot,
    )


def lint_findings(path: str, *, config_id: str | None = None) -> list[Diagnostic]:
    """Every finding for one file as ``kaconf lint FILE`` reports it."""
    result = lint_paths([path], config_id=config_id)
    return [d for ds in result.by_file.values() for d in ds]


def lint_loaded(loaded: Loaded, *, path: str, target_version: str = "2.2.7"
                ) -> list[Diagnostic]:
    """Every finding for a configuration already read (``kaconf run`` and its reloads).

    The same findings as ``kaconf lint PATH`` for the same bytes, without reading the
    files again: the daemon checks exactly the configuration it then runs.
    """
    rules = [r for r in registry.all_rules() if r.scope == "config" and r.check is not None]
    found = list(loaded.diagnostics)
    if loaded.config.files:
        ctx = Context(loaded, target_version=target_version, path=path)
        for rule in rules:
            found.extend(_run_rule(rule, ctx, _start_span(path)))
    kept = _Filter(CodeSelection.of(None, ()), {}).apply(found, Suppressions(loaded.comments))
    kept.sort(key=_sort_key(loaded.config.files or [path]))
    return kept
