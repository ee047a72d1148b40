"""kaconfd.vrrp.track: keepalived's rise/fall counting and tracked-file values."""

from __future__ import annotations

import signal

import pytest
from kaconfd.vrrp.track import (
    ScriptOutcome,
    ScriptState,
    outcome_from_returncode,
    parse_file_value,
)

OK = ScriptOutcome(status=0)
FAIL = ScriptOutcome(status=1)


def run(state: ScriptState, *outcomes: ScriptOutcome) -> list[bool | None]:
    return [state.report(o)[0] for o in outcomes]


def test_first_result_counts_at_once_whatever_rise() -> None:
    # keepalived starts the counter at rise - 1: one success is enough at start-up.
    state = ScriptState("chk", rise=3, fall=2)
    assert state.up is None
    changed, logs = state.report(OK)
    assert (changed, logs) == (True, ["VRRP_Script(chk) succeeded"])
    assert state.up is True


def test_first_failure_counts_at_once_too() -> None:
    state = ScriptState("chk", rise=3, fall=3)
    changed, logs = state.report(FAIL)
    assert changed is False
    assert logs == ["Script `chk` now returning 1",
                    "VRRP_Script(chk) failed (exited with status 1)"]


def test_fall_failures_needed_then_rise_successes() -> None:
    state = ScriptState("chk", rise=2, fall=3)
    state.report(OK)
    # Up: two failures are absorbed, the third reports.
    assert run(state, FAIL, FAIL) == [None, None]
    assert state.report(FAIL)[0] is False
    # Down: the first success is not enough, the second is.
    assert run(state, OK, OK) == [None, True]
    # A failure in the middle of rising resets the count.
    assert run(state, FAIL, FAIL, FAIL, OK, FAIL, OK, OK) == [None, None, False, None, None,
                                                              None, True]


def test_init_fail_starts_down_and_needs_rise_successes() -> None:
    state = ScriptState("chk", rise=2, fall=1, init_fail=True)
    assert state.up is False
    # Already reported down: a first failure says nothing.
    assert state.report(FAIL) == (None, ["Script `chk` now returning 1"])
    assert run(state, OK, OK) == [None, True]


def test_status_change_is_logged_once() -> None:
    state = ScriptState("chk")
    state.report(ScriptOutcome(status=2))
    _, logs = state.report(ScriptOutcome(status=2))
    assert logs == []
    _, logs = state.report(OK)
    assert logs == ["Script `chk` now returning 0", "VRRP_Script(chk) succeeded"]


def test_timeout_and_signal_wording() -> None:
    state = ScriptState("chk")
    state.report(OK)
    assert state.report(ScriptOutcome(timed_out=True)) == (False, ["VRRP_Script(chk) timed_out"])
    state.report(OK)
    assert state.report(ScriptOutcome(signal=9)) == (
        False, ["VRRP_Script(chk) failed (due to signal 9)"])


def test_returncodes() -> None:
    assert outcome_from_returncode(0, False) == ScriptOutcome(status=0)
    assert outcome_from_returncode(3, False) == ScriptOutcome(status=3)
    assert outcome_from_returncode(-signal.SIGSEGV, False) == ScriptOutcome(signal=11)
    assert outcome_from_returncode(-signal.SIGTERM, True) == ScriptOutcome(timed_out=True)
    assert outcome_from_returncode(-signal.SIGKILL, True) == ScriptOutcome(timed_out=True)


@pytest.mark.parametrize(("data", "value"), [
    (b"0\n", 0), (b"5", 5), (b"  -12\n", -12), (b"+7", 7), (b"0x10", 16), (b"0X1f\n", 31),
    (b"010", 8), (b"08", 0), (b"0x", 0), (b"12abc", 12), (b"abc", 0), (b"", 0),
    (b"\t 42 junk", 42), (b"2147483648", 2147483648), (b"2147483649", None),
    (b"-2147483648", -2147483648), (b"-2147483649", None),
])
def test_file_value_reads_like_strtol(data: bytes, value: int | None) -> None:
    assert parse_file_value(data) == value
