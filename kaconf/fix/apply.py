"""The fix loop: find fixes, apply them, re-read, and keep only what keeps the meaning.

:func:`run_fixes` is shared by ``kaconf lint --fix``, ``kaconf migrate`` and the
language server. It knows nothing about lint itself: ``find`` returns the
findings for the current contents of the files (with their fixes) and
``meaning`` says what those contents mean (``kaconf dump``'s text, see
:mod:`kaconf.fix.meaning`). Nothing is written: the result holds the new bytes
of every changed file and the caller writes them (or prints a diff).

One pass:

1. ``find`` on the current contents; the fixes not applied or refused yet
   (safe ones, unsafe ones too with ``unsafe``) are candidates;
2. candidates whose edits overlap an earlier candidate's wait for the next pass
   (their positions are recomputed by reading the result again);
3. the meaning-preserving fixes are applied together; if the result does not
   mean what the files meant, they are tried one by one and those that change
   the meaning are refused;
4. fixes whose purpose is to change the meaning (``Fix.changes_meaning``) are
   applied on top, when the caller allows it, and the new meaning becomes the
   one later passes must keep.

Passes repeat (a fix may make another possible, e.g. a rename that reveals a
repetition) until nothing is left to do or ``max_passes`` is reached.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from kaconf.diagnostics import Diagnostic, Edit
from kaconf.fix.edits import EditError, apply_to_bytes, edits_overlap

__all__ = ["MAX_PASSES", "FixRun", "Refusal", "preview", "read_file", "run_fixes",
           "unified_diff"]

#: how many times the files are re-read and fixed at most
MAX_PASSES = 8

Contents = Mapping[str, bytes]
Finder = Callable[[Contents], Sequence[Diagnostic]]
Meaning = Callable[[Contents], Hashable]


@dataclass(frozen=True)
class Refusal:
    """A fix that was not applied, and why (for the report)."""

    diagnostic: Diagnostic
    reason: str


@dataclass
class FixRun:
    """What :func:`run_fixes` did: the files' old and new bytes, applied and refused fixes."""

    #: the bytes each file had before (only files that were edited)
    original: dict[str, bytes] = field(default_factory=dict)
    #: the bytes each edited file has now
    fixed: dict[str, bytes] = field(default_factory=dict)
    #: the findings whose fix was applied, in the order applied
    applied: list[Diagnostic] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    passes: int = 0

    @property
    def changed(self) -> list[str]:
        """The files whose bytes differ from before, in the order first edited."""
        return [f for f, data in self.fixed.items() if data != self.original.get(f)]

    def diff(self) -> str:
        """A unified diff of every changed file (``--- path`` / ``+++ path``)."""
        return "".join(unified_diff(f, self.original[f], self.fixed[f]) for f in self.changed)


def unified_diff(path: str, old: bytes, new: bytes) -> str:
    """The unified diff of one file's bytes (decoded as UTF-8, replacement for the rest)."""
    a = old.decode("utf-8", "replace").splitlines(keepends=True)
    b = new.decode("utf-8", "replace").splitlines(keepends=True)
    out: list[str] = []
    for line in difflib.unified_diff(a, b, fromfile=path, tofile=path):
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def read_file(path: str) -> bytes:
    """The bytes of ``path`` on disk (the default reader of :func:`run_fixes`)."""
    with open(path, "rb") as fh:
        return fh.read()


def _key(d: Diagnostic) -> tuple[str, str, str, str]:
    """What identifies a refused fix across passes (positions shift as others apply)."""
    assert d.fix is not None
    return d.code, d.span.file, d.message, d.fix.title


def _applied_key(d: Diagnostic) -> tuple[object, ...]:
    """An applied fix, positions included: the same finding reported again at a new
    place (a second unclosed block once the first is closed) is a new fix."""
    assert d.fix is not None
    return (*_key(d), d.fix.edits)


def _edited(base: Contents, fixes: Iterable[Diagnostic],
            read: Callable[[str], bytes]) -> dict[str, bytes]:
    """``base`` (plus files read from disk) with the edits of ``fixes`` applied."""
    by_file: dict[str, list[Edit]] = {}
    for d in fixes:
        assert d.fix is not None
        for e in d.fix.edits:
            by_file.setdefault(e.file, []).append(e)
    out = dict(base)
    for file, edits in by_file.items():
        data = out[file] if file in out else read(file)
        out[file] = apply_to_bytes(data, edits)
    return out


def run_fixes(find: Finder, meaning: Meaning, *, sources: Contents | None = None,
              unsafe: bool = False, allow_meaning_change: bool = True,
              baseline: Hashable | None = None, max_passes: int = MAX_PASSES,
              read: Callable[[str], bytes] = read_file) -> FixRun:
    """Apply the fixes ``find`` reports, as long as ``meaning`` stays ``baseline``.

    ``sources`` are contents not on disk (standard input). ``baseline`` is the
    meaning to keep (default: ``meaning`` of the files as they are; ``kaconf
    migrate`` passes the meaning under the version the files were written for).
    With ``allow_meaning_change`` false, fixes that mean to change the meaning are
    refused too.
    """
    contents: dict[str, bytes] = dict(sources or {})
    run = FixRun()
    base = baseline if baseline is not None else meaning(contents)
    done: set[tuple[object, ...]] = set()

    def refuse(d: Diagnostic, reason: str) -> None:
        done.add(_key(d))
        run.refused.append(Refusal(d, reason))

    def remember(new: dict[str, bytes]) -> None:
        for f, data in new.items():
            if contents.get(f) != data and f not in run.original:
                run.original[f] = contents[f] if f in contents else read(f)
        contents.update(new)

    for _ in range(max_passes):
        run.passes += 1
        keep: list[Diagnostic] = []
        change: list[Diagnostic] = []
        taken: list[Edit] = []
        for d in find(contents):
            fix = d.fix
            if fix is None or (not fix.safe and not unsafe) or _key(d) in done \
                    or _applied_key(d) in done:
                continue
            if fix.changes_meaning and not allow_meaning_change:
                refuse(d, "the fix changes what the configuration means")
                continue
            if any(edits_overlap(e, t) for e in fix.edits for t in taken):
                continue  # next pass, on the text this pass leaves
            try:
                _edited(contents, [d], read)
            except (EditError, OSError) as exc:
                refuse(d, f"cannot edit the file: {exc}")
                continue
            taken.extend(fix.edits)
            (change if fix.changes_meaning else keep).append(d)
        if not keep and not change:
            break
        accepted = keep
        if keep and meaning(_edited(contents, keep, read)) != base:
            accepted = []
            for d in keep:
                if meaning(_edited(contents, [*accepted, d], read)) == base:
                    accepted.append(d)
                else:
                    refuse(d, "the result would not dump the same (kaconf dump)")
        for d in [*accepted, *change]:
            done.add(_applied_key(d))
        if accepted or change:
            remember(_edited(contents, [*accepted, *change], read))
            run.applied.extend([*accepted, *change])
            if change:
                base = meaning(contents)
    run.fixed = {f: contents[f] for f in run.original}
    return run


def preview(d: Diagnostic, meaning: Meaning, *, sources: Contents | None = None,
            read: Callable[[str], bytes] = read_file) -> tuple[dict[str, bytes], str]:
    """The files ``d``'s fix alone would change, with their new bytes, or why not.

    For editors: a code action shows one fix at a time. Returns ``(files, "")``
    when the fix can be applied (the meaning is kept, or changing it is the fix's
    purpose), ``({}, reason)`` otherwise. ``sources`` as for :func:`run_fixes`.
    """
    if d.fix is None:
        return {}, "the finding has no fix"
    contents = dict(sources or {})
    try:
        new = _edited(contents, [d], read)
    except (EditError, OSError) as exc:
        return {}, f"cannot edit the file: {exc}"
    if not d.fix.changes_meaning and meaning(new) != meaning(contents):
        return {}, "the result would not dump the same (kaconf dump)"
    files = {e.file for e in d.fix.edits}
    return {f: new[f] for f in files}, ""
