"""``kaconf migrate``: rewrite configs for another keepalived version, keeping their meaning.

A migration from version S to version T is the fix loop of :mod:`kaconf.fix.apply`
with three differences from ``kaconf lint --fix``:

* the fixes are those a version change calls for: keywords T deprecated or renamed
  (KA260's rename to the current name), layout T reads differently (KA262's
  own-line ``{`` for targets older than 1.4.2) and, from 1.2.2 to a 2.x reader,
  ``#``/``!`` inside a word (1.2.2 starts comments only at a word's start; later
  releases cut the line there, so the character is escaped as ``\\#``);
* the meaning to keep is the dump of the files *as S reads them*, and each result
  is dumped *as T reads it*: a migration is accepted only when the two agree;
* what T does not know at all (a keyword T dropped, KA261 under T) is refused:
  no rewrite can keep its meaning.

:func:`migrate` returns a :class:`Migration`; the caller decides what to write.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from kaconf.diagnostics import Diagnostic, Edit, Fix, Severity, Span
from kaconf.fix.apply import FixRun, run_fixes
from kaconf.fix.meaning import dump_files

__all__ = ["MIGRATION_CODES", "SYNTAX_CODE", "Migration", "comment_char_findings", "migrate"]

#: the lint codes whose fixes a migration applies
MIGRATION_CODES = ("KA260", "KA262")
#: the code of migrate's own findings (1.2.2 comment characters inside words)
SYNTAX_CODE = "migrate-comment-char"
#: the code of keywords the target does not know
UNKNOWN_CODE = "KA261"

_WORD = re.compile(r"\S+")


@dataclass
class Migration:
    """What a migration does, or why it cannot."""

    source: str
    target: str
    run: FixRun
    #: keywords the target does not know (nothing can be written)
    unsupported: list[Diagnostic] = field(default_factory=list)
    #: the difference between the dump before (source) and after (target), if any
    dump_diff: str = ""
    #: deprecated keywords left as they are (their replacement is no simple rename)
    left: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the migrated files mean what the originals meant."""
        return not self.unsupported and not self.dump_diff


def comment_char_findings(texts: Mapping[str, Sequence[str]]) -> list[Diagnostic]:
    """``#``/``!`` inside words of 1.2.2 text: a 2.x reader would cut the line there.

    1.2.2 starts a comment only at a word that begins with ``#`` or ``!``; later
    releases at any ``#``/``!`` outside quotes (``\\#`` escapes one). Lines with
    quotes are left to the dump check (1.2.2 does not group quoted words).
    """
    out: list[Diagnostic] = []
    for file, lines in texts.items():
        for lineno, text in enumerate(lines, 1):
            if "#" not in text and "!" not in text or '"' in text:
                continue
            for m in _WORD.finditer(text):
                word = m.group()
                if word[0] in "#!":
                    break  # the comment, for both readers
                edits = tuple(
                    Edit(file, lineno, m.start() + i + 1, lineno, m.start() + i + 1, "\\")
                    for i, c in enumerate(word) if c in "#!" and word[i - 1] != "\\")
                if not edits:
                    continue
                span = Span(file, lineno, m.start() + 1, lineno, m.end() + 1)
                out.append(Diagnostic(
                    SYNTAX_CODE, Severity.WARNING,
                    f"'{word}': keepalived after 1.2.2 reads the '#'/'!' as the start of a "
                    "comment", span, fix=Fix(f"escape the comment characters of '{word}'",
                                             edits)))
    return out


def _dump_diff(before: Sequence[str], after: Sequence[str], paths: Sequence[str]) -> str:
    out: list[str] = []
    for path, a, b in zip(paths, before, after, strict=True):
        out.extend(difflib.unified_diff(a.splitlines(keepends=True), b.splitlines(keepends=True),
                                        fromfile=f"{path} (dump as before)",
                                        tofile=f"{path} (dump after migration)", n=1))
    return "".join(out)


def migrate(paths: Sequence[str], *, source: str, target: str,
            config_id: str | None = None) -> Migration:
    """Plan the migration of ``paths`` (and what they include) from ``source`` to ``target``.

    Versions are anything :func:`kaconf.schema.normalize_version` accepts
    (ValueError otherwise). Nothing is written.
    """
    from kaconf.lint.engine import lint_paths
    from kaconf.loader import load_full
    from kaconf.schema import normalize_version

    src, dst = normalize_version(source), normalize_version(target)

    def find(contents: Mapping[str, bytes]) -> list[Diagnostic]:
        found = lint_paths(paths, target_version=target, config_id=config_id,
                           select=MIGRATION_CODES, sources=contents).diagnostics
        if src == "1.2.2" and dst != "1.2.2":
            for path in paths:
                loaded = load_full(path, config_id=config_id, version=src,
                                   data=contents.get(path), overlay=contents)
                found.extend(comment_char_findings(loaded.texts))
        return found

    def meaning(contents: Mapping[str, bytes]) -> tuple[str, ...]:
        return dump_files(paths, version=dst, config_id=config_id, overlay=contents)

    before = dump_files(paths, version=src, config_id=config_id)
    run = run_fixes(find, meaning, baseline=before, allow_meaning_change=False)
    rest = lint_paths(paths, target_version=target, config_id=config_id,
                      select=(UNKNOWN_CODE, *MIGRATION_CODES), sources=run.fixed).diagnostics
    after = meaning(run.fixed)
    diff = _dump_diff(before, after, paths) if after != before else ""
    return Migration(src, dst, run, [d for d in rest if d.code == UNKNOWN_CODE], diff,
                     [d for d in rest if d.code != UNKNOWN_CODE])
