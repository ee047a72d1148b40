"""kaconfd.parent.process_state: what the watchdog's stopped-child probe reads."""

from __future__ import annotations

import os
import signal
import subprocess
import time

from kaconfd.parent import process_state


def test_a_stopped_process_reads_T_and_a_gone_one_None() -> None:
    proc = subprocess.Popen(["sleep", "30"])
    try:
        assert process_state(proc.pid) in ("S", "R")
        os.kill(proc.pid, signal.SIGSTOP)
        deadline = time.monotonic() + 5
        while process_state(proc.pid) != "T" and time.monotonic() < deadline:
            time.sleep(0.01)
        assert process_state(proc.pid) == "T"
    finally:
        proc.kill()
        proc.wait()
    assert process_state(proc.pid) is None
