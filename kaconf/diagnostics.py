"""Diagnostics: what every stage of kaconf reports about a config.

Reading, tree building, model conversion and lint all report through the same
:class:`Diagnostic` record so the CLI can print, filter and count them in one
place, and so each one can point at ``file:line:col`` of the text the user wrote.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import NamedTuple


class Severity(enum.IntEnum):
    """How bad a finding is; errors make ``kaconf lint`` exit 1."""

    INFO = 0
    WARNING = 1
    ERROR = 2

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a piece of text came from: a file, and how it was reached.

    ``parent`` is the origin of the line that pulled this text in (an
    ``include`` line, the use of a ``$DEFINITION`` or a ``~SEQ`` line), so a
    diagnostic can show the whole chain instead of only the innermost file.
    """

    file: str
    via: str = ""  # "include", "definition $X", "~SEQ" ...
    parent: Position | None = None

    def chain(self) -> list[str]:
        """Human-readable list of the steps that produced this text, outermost last."""
        steps: list[str] = []
        pos = self.parent
        via = self.via
        while pos is not None:
            steps.append(f"{via} at {pos.file}:{pos.line}:{pos.col}")
            via = pos.origin.via if pos.origin is not None else ""
            pos = pos.origin.parent if pos.origin is not None else None
        return steps


@dataclass(frozen=True, slots=True)
class Position:
    """A 1-based line and column in a file."""

    file: str
    line: int
    col: int
    origin: Origin | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class Span(NamedTuple):
    """A region of source text: start and end position (end column exclusive).

    A named tuple rather than a frozen dataclass: every setting and model
    object gets one, and a frozen dataclass costs three times as much to build.
    """

    file: str
    line: int
    col: int
    end_line: int
    end_col: int
    origin: Origin | None = None

    @property
    def start(self) -> Position:
        return Position(self.file, self.line, self.col, self.origin)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the text of one region of one file (1-based; end column exclusive).

    An insertion has start == end; a deletion has ``text == ""``.
    """

    file: str
    line: int
    col: int
    end_line: int
    end_col: int
    text: str


@dataclass(frozen=True, slots=True)
class Fix:
    """How to repair what a diagnostic reports: edits applied together, or not at all.

    ``safe`` fixes are applied by ``kaconf lint --fix``; unsafe ones only with
    ``--unsafe-fixes``. ``changes_meaning`` says the fix is *meant* to change what
    ``kaconf dump`` shows (otherwise a fix whose result dumps differently is refused).
    """

    title: str
    edits: tuple[Edit, ...]
    safe: bool = True
    changes_meaning: bool = False


@dataclass(slots=True)
class Diagnostic:
    """One finding, with a rule code, a location and a hint on how to fix it."""

    code: str
    severity: Severity
    message: str
    span: Span
    hint: str = ""
    notes: list[str] = field(default_factory=list)
    #: a machine-applicable repair, when the rule knows one
    fix: Fix | None = None

    @property
    def file(self) -> str:
        return self.span.file

    @property
    def line(self) -> int:
        return self.span.line

    @property
    def column(self) -> int:
        return self.span.col

    def as_dict(self) -> dict[str, object]:
        """The stable JSON form used by ``--format json``."""
        return {
            "code": self.code,
            "severity": str(self.severity),
            "message": self.message,
            "file": self.span.file,
            "line": self.span.line,
            "column": self.span.col,
            "end_line": self.span.end_line,
            "end_column": self.span.end_col,
            "hint": self.hint,
        }

    def __str__(self) -> str:
        text = f"{self.span}: {self.code} {self.severity}: {self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


class ConfigError(Exception):
    """Raised when a config cannot be read at all (file missing, unreadable).

    Carries diagnostics so the CLI can print them the same way as any other
    finding; the exit status for these is 2 ("could not run").
    """

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("; ".join(str(d) for d in diagnostics))
        self.diagnostics = diagnostics
