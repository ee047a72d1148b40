"""The one exception ``kaconf render`` raises for bad input, with where and how bad.

Every problem with a template, a vars file or a ``--set`` becomes a
:class:`RenderError` carrying the file and line to blame and the exit status,
so the CLI prints one line and never a traceback.
"""

from __future__ import annotations

from kaconf.exitstatus import ExitStatus

#: The template or the vars are wrong (a config problem).
STATUS_CONFIG = ExitStatus.CONFIG
#: An input could not be read at all, or the command line is wrong.
STATUS_INPUT = ExitStatus.USAGE


class RenderError(Exception):
    """A template/vars problem: ``file:line: message``, exit ``status``."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 status: ExitStatus = STATUS_CONFIG) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.status = status

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        return f"{where}{self.message}"
