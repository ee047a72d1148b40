"""Tracked scripts and files, sans-I/O: turn raw results into tracker states.

A ``vrrp_script`` is run by the child (:mod:`.tracked`) every ``interval``; each run ends
as a :class:`ScriptOutcome`. :class:`ScriptState` counts outcomes the way keepalived
2.2.7 does (``rise`` successes to go up, ``fall`` failures to go down, the first result
counting at once unless ``init_fail``) and says when the script's state *changes*,
with keepalived's log lines; the child then sends a
:class:`~.fsm.TrackUpdate` to every instance tracking it.

A tracked file's value is read with :func:`parse_file_value`, which follows C's
``strtol(buf, NULL, 0)`` as keepalived uses it (leading blanks, sign, ``0x`` hex and
``0`` octal prefixes, stops at the first other character; no number is 0).

Nothing here reads a clock, starts a process or opens a file.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass, field

#: keepalived reads at most this much of a tracked file.
FILE_READ_MAX = 127
_INT32_MIN = -(2**31)
_INT32_MAX = 2**31 - 1


@dataclass(frozen=True, slots=True)
class ScriptOutcome:
    """How one run of a script ended: an exit status, a signal, or our timeout."""

    status: int | None = None
    signal: int | None = None
    timed_out: bool = False


@dataclass
class ScriptState:
    """keepalived's rise/fall counter of one ``vrrp_script`` (see the module docstring).

    ``result`` runs from 0 to ``rise + fall - 1``; the script is up from ``rise`` on.
    It starts at ``rise - 1`` (one success is enough) or, with ``init_fail``, at 0 and
    already down.
    """

    name: str
    rise: int = 1
    fall: int = 1
    init_fail: bool = False
    result: int = field(init=False)
    #: None until the first result is reported (False at once with ``init_fail``).
    up: bool | None = field(init=False)
    #: Whether no run has finished yet (keepalived's "init" state of the script).
    first: bool = field(init=False, default=True)
    last_status: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.rise = max(1, self.rise)
        self.fall = max(1, self.fall)
        self.result = 0 if self.init_fail else self.rise - 1
        self.up = False if self.init_fail else None

    def report(self, outcome: ScriptOutcome) -> tuple[bool | None, list[str]]:
        """Count one outcome; returns (the new state if it changed, else None; log lines)."""
        logs: list[str] = []
        reason = ""
        if outcome.timed_out:
            kind, success = "timed_out", False
        elif outcome.status is not None:
            if outcome.status != self.last_status:
                logs.append(f"Script `{self.name}` now returning {outcome.status}")
            self.last_status = outcome.status
            success = outcome.status == 0
            kind = "succeeded" if success else "failed"
            if not success:
                reason = f" (exited with status {outcome.status})"
        else:
            kind, success = "failed", False
            reason = f" (due to signal {outcome.signal})"
        first, self.first = self.first, False
        top = self.rise + self.fall - 1
        changed: bool | None = None
        if success:
            if self.result < self.rise - 1:
                self.result += 1
            elif self.result != top:
                if self.result < self.rise:
                    logs.append(f"VRRP_Script({self.name}) {kind}")
                    changed = True
                self.result = top
        else:
            if self.result > self.rise:
                self.result -= 1
            else:
                if self.result == self.rise or (first and not self.init_fail):
                    logs.append(f"VRRP_Script({self.name}) {kind}{reason}")
                    changed = False
                self.result = 0
        if changed is not None:
            self.up = changed
        return changed, logs


def outcome_from_returncode(returncode: int, timed_out: bool) -> ScriptOutcome:
    """asyncio's returncode (negative = killed by that signal) as a :class:`ScriptOutcome`.

    A script we killed because it overran its timeout counts as ``timed_out`` whatever
    signal ended it, as keepalived reports it.
    """
    if timed_out and returncode in (-signal.SIGTERM, -signal.SIGKILL):
        return ScriptOutcome(timed_out=True)
    if returncode < 0:
        return ScriptOutcome(signal=-returncode)
    return ScriptOutcome(status=returncode)


def parse_file_value(data: bytes) -> int | None:
    """The number a tracked file holds, as keepalived reads it; None if out of range.

    Like ``strtol(buf, NULL, 0)``: blanks skipped, optional sign, base from the prefix
    (``0x`` hex, ``0`` octal, else decimal), digits up to the first other character;
    nothing numeric reads as 0. Values outside the 32-bit range are ignored (None), as
    keepalived logs "Invalid number" and keeps the previous value.
    """
    text = data[:FILE_READ_MAX].decode("ascii", errors="replace").lstrip(" \t\n\r\f\v")
    sign = 1
    if text[:1] in ("+", "-"):
        sign = -1 if text[0] == "-" else 1
        text = text[1:]
    base = 10
    if text[:2].lower() == "0x" and text[2:3] and text[2:3] in "0123456789abcdefABCDEF":
        base, text = 16, text[2:]
    elif text[:1] == "0":
        base = 8
    digits = "0123456789abcdef"[:base]
    end = 0
    while end < len(text) and text[end].lower() in digits:
        end += 1
    value = sign * int(text[:end], base) if end else 0
    if value < _INT32_MIN or value > _INT32_MAX + 1:
        return None
    return value
