"""Pure text edits: apply :class:`~kaconf.diagnostics.Edit` records to a file's text.

Positions are the reader's: 1-based lines of the text split at ``\\n`` and 1-based
character columns in them, the end column exclusive. A carriage return is part of
its line's text (the reader strips it only when cutting words), so an edit that
stops at the end of a word never touches a CRLF line ending, and everything an
edit does not cover stays byte for byte what it was.

Files are decoded as strict UTF-8: for any other bytes the reader's columns (it
decodes with replacement characters) might not be the file's, so such a file is
refused rather than risked (:class:`EditError`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from kaconf.diagnostics import Edit

__all__ = ["EditError", "apply_edits", "apply_to_bytes", "edits_overlap", "offset"]


class EditError(ValueError):
    """An edit that cannot be applied: outside the text, overlapping, or bytes not UTF-8."""


def _line_starts(text: str) -> list[int]:
    starts = [0]
    pos = text.find("\n")
    while pos >= 0:
        starts.append(pos + 1)
        pos = text.find("\n", pos + 1)
    return starts


def offset(text: str, line: int, col: int, starts: Sequence[int] | None = None) -> int:
    """The string index of (``line``, ``col``) in ``text``.

    Column ``len(line) + 1`` (just past the line's last character, before its
    ``\\n``) is allowed; line ``n + 1`` column 1, just past the last line, is the
    end of the text (so "delete whole lines" needs no special case for the last
    line). Anything else outside the text raises.
    """
    starts = starts if starts is not None else _line_starts(text)
    if line < 1 or col < 1:
        raise EditError(f"position {line}:{col} is not 1-based")
    n_lines = len(starts) - 1 if text.endswith("\n") else len(starts)
    if line == n_lines + 1 and col == 1:
        return len(text)
    if line > len(starts):
        raise EditError(f"line {line} is past the end of the text ({len(starts)} lines)")
    start = starts[line - 1]
    end = starts[line] - 1 if line < len(starts) else len(text)
    if start + col - 1 > end:
        raise EditError(f"column {col} is past the end of line {line}")
    return start + col - 1


def edits_overlap(a: Edit, b: Edit) -> bool:
    """Whether two edits touch the same text (so they cannot be applied together).

    Ranges that only meet at one point do not overlap, except two insertions at
    the same point (their order would be a guess).
    """
    if a.file != b.file:
        return False
    a0, a1 = (a.line, a.col), (a.end_line, a.end_col)
    b0, b1 = (b.line, b.col), (b.end_line, b.end_col)
    if a0 == a1 and b0 == b1:
        return a0 == b0
    return a0 < b1 and b0 < a1


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """``text`` with ``edits`` (all of one file, none overlapping) applied."""
    starts = _line_starts(text)
    spans: list[tuple[int, int, str]] = []
    for e in edits:
        lo = offset(text, e.line, e.col, starts)
        hi = offset(text, e.end_line, e.end_col, starts)
        if hi < lo:
            raise EditError(f"edit ends before it starts at {e.line}:{e.col}")
        spans.append((lo, hi, e.text))
    spans.sort(key=lambda s: (s[0], s[1]))
    for (lo1, hi1, _), (lo2, hi2, _) in zip(spans, spans[1:], strict=False):
        if lo2 < hi1 or (lo1 == hi1 == lo2 == hi2):
            raise EditError("overlapping edits")
    out: list[str] = []
    pos = 0
    for lo, hi, new in spans:
        out.append(text[pos:lo])
        out.append(new)
        pos = hi
    out.append(text[pos:])
    return "".join(out)


def apply_to_bytes(data: bytes, edits: Iterable[Edit]) -> bytes:
    """:func:`apply_edits` on a file's bytes (strict UTF-8, else :class:`EditError`)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EditError(f"the file is not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    return apply_edits(text, edits).encode("utf-8")
