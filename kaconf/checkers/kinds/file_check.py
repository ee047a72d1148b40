"""FILE_CHECK: the real server follows a ``track_file``'s value.

keepalived 2.2.7 (check_file.c, track_file.c): not a timed checker (keepalived watches the
file with inotify; kaconfd reads it at start-up and then polls it), so it has no timers or
retries and ``alpha`` does not apply. Weight 0: any non-zero value is a fault (``reverse``:
zero is). Otherwise value x weight (negated by ``reverse``) is added to the real server's
weight, and a product at or below -2^31 is a fault. ``weight`` defaults to the track_file's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from kaconf.checkers.base import (
    IPVS_WEIGHT_FAULT,
    IPVS_WEIGHT_LIMIT,
    BuildContext,
    CheckerKind,
    CheckerSpec,
    CheckResult,
    ProbeContext,
    first_word,
)
from kaconf.model.objects import Checker

if TYPE_CHECKING:
    from kaconf.effective.globals import GlobalState


class FileCheck(Checker):
    """FILE_CHECK: the real server follows a track_file's value."""

    track_file: str | None = None
    weight: int | None = None


class FileParams(NamedTuple):
    path: str
    weight: int = 1
    reverse: bool = False


def build(ck: Checker, ctx: BuildContext) -> list[CheckerSpec]:
    assert isinstance(ck, FileCheck)
    tf = ctx.config.track_files.get(ck.track_file or "")
    if tf is None or not tf.file:
        ctx.warn(f"track_file {ck.track_file} not found - ignoring the checker")
        return []
    if ck.weight is not None:
        weight, given = ck.weight, ck.settings.get("weight")
    else:
        weight = tf.weight if tf.weight is not None else 1
        given = tf.settings.get("weight")
    reverse = given is not None and "reverse" in given.args[1:]
    return [ctx.spec(None, FileParams(tf.file, int(weight), reverse))]


def dump(ck: Checker, gs: GlobalState) -> list[str] | None:
    return ["   Keepalive method = FILE_CHECK",
            f"     Tracked file = {first_word(ck.settings.get('track_file')) or ''}",
            "     Reloaded = No"]


def read_track_file(path: str) -> int | None:
    """The number in a tracked file, read like keepalived (strtol base 0 of <=127 bytes).

    A missing or empty file, or text without a number, reads as 0; a number outside the
    32-bit range is invalid (None: keepalived logs it and keeps the previous value).
    """
    try:
        with open(path, "rb") as f:
            text = f.read(127).decode("latin-1")
    except OSError:
        return 0
    value = strtol0(text)
    if value < -(2**31) or value > 2**31:
        return None
    return value


def strtol0(text: str) -> int:
    s = text.lstrip(" \t\n\r\f\v")
    sign = 1
    if s[:1] in "+-" and s:
        sign = -1 if s[0] == "-" else 1
        s = s[1:]
    base = 10
    if s[:2].lower() == "0x" and len(s) > 2 and s[2] in "0123456789abcdefABCDEF":
        base, s = 16, s[2:]
    elif s[:1] == "0":
        base = 8
    digits = "0123456789abcdef"[:base]
    n = 0
    for c in s:
        d = digits.find(c.lower())
        if d < 0:
            break
        n = n * base + d
    return sign * n


def file_status(value: int, params: FileParams) -> CheckResult:
    """The verdict for a file value (track_file.c ``update_track_file_status``)."""
    if params.weight == 0:
        fault = (value != 0) != params.reverse
        return CheckResult(not fault, f"track file {params.path} = {value}"
                           + (" (fault)" if fault else ""), weight=0)
    status = value * params.weight * (-1 if params.reverse else 1)
    if status <= IPVS_WEIGHT_FAULT:
        return CheckResult(False, f"track file {params.path} = {value} (fault)", weight=0)
    status = min(status, IPVS_WEIGHT_LIMIT)
    return CheckResult(True, f"track file {params.path} = {value}, weight {status:+d}",
                       weight=status)


async def probe(spec: CheckerSpec, ctx: ProbeContext) -> CheckResult:
    """Read the file; an invalid number keeps the previous reading (logged)."""
    p = spec.params
    assert isinstance(p, FileParams), spec.kind
    value = read_track_file(p.path)
    if value is None:
        ctx.log.info("Invalid number read from %s - ignoring", p.path)
        value = ctx.memo.get("last", 0)
    ctx.memo["last"] = value
    return file_status(value, p)


KIND = CheckerKind("FILE_CHECK", FileCheck, build, dump, probe, default_retry=0,
                   connection=False, scheduled=False, weight="offset")
