"""Inline suppression comments: ``# kaconf: ignore[KA201,KA305]``.

Some findings are deliberate (a lab box that really wants ``priority 255``
without being the address owner), and the only place that knowledge belongs is
next to the line itself, where the next reader sees it. A suppression comment
applies to findings on

* the line it is written on (a trailing comment), or
* the next line, when the comment is alone on its line.

``#`` and ``!`` both start comments in keepalived.conf, so both work. Without
a code list (``# kaconf: ignore``) every finding on that line is suppressed.
Codes are prefixes like ``--select``: ``ignore[KA2]`` covers every KA2xx code.
Anything may follow the directive (``# kaconf: ignore[KA021] lab only``), so
the reason can live in the same comment.

The reader keeps every comment with its position (:class:`kaconf.source.Comment`),
so no second pass over the text is needed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic
from kaconf.lint.settings import prefix_lookup
from kaconf.source import Comment

__all__ = ["DIRECTIVE", "Suppressions", "parse_directive"]

#: ``kaconf: ignore`` optionally followed by ``[CODES]``, anywhere in a comment
#: (so ``# note # kaconf: ignore`` works too); case-insensitive like noqa.
DIRECTIVE = re.compile(r"(?:^|[\s#!])kaconf:\s*ignore(?:\[(?P<codes>[^\]]*)\])?(?![\w-])",
                       re.IGNORECASE)
_CODE = re.compile(r"KA\d{0,3}")

#: Marker for "every code".
_ALL: frozenset[str] = frozenset({""})


def parse_directive(text: str) -> frozenset[str] | None:
    """The code prefixes a comment suppresses: ``None`` if it is no directive.

    ``frozenset({""})`` means all codes (the empty prefix matches everything).
    Words in the brackets that are not codes are ignored rather than rejected:
    a suppression comment must never turn into a new failure of its own.
    """
    m = DIRECTIVE.search(text)
    if m is None:
        return None
    raw = m.group("codes")
    if raw is None:
        return _ALL
    codes = frozenset(c.upper() for c in re.split(r"[,\s]+", raw)
                      if _CODE.fullmatch(c.upper()))
    return codes


class Suppressions:
    """Index of suppression directives by ``(file, line)`` they apply to."""

    def __init__(self, comments: Iterable[Comment] = ()) -> None:
        self._by_line: dict[tuple[str, int], set[str]] = {}
        self.add(comments)

    def add(self, comments: Iterable[Comment]) -> None:
        """Index more comments (cluster lint merges those of every file)."""
        for c in comments:
            if "kaconf" not in c.text.lower():
                continue  # fast path: almost no comment is a directive
            codes = parse_directive(c.text)
            if not codes:
                continue
            self._by_line.setdefault((c.file, c.line), set()).update(codes)
            if c.own_line:
                self._by_line.setdefault((c.file, c.line + 1), set()).update(codes)

    def __bool__(self) -> bool:
        return bool(self._by_line)

    def covers(self, diag: Diagnostic) -> bool:
        """Whether a directive suppresses ``diag`` (matched on its first line)."""
        codes = self._by_line.get((diag.span.file, diag.span.line))
        if not codes:
            return False
        return prefix_lookup(diag.code, codes) is not None
