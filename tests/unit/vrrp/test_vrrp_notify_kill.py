"""kaconfd.vrrp.effects: notify scripts still running at stop are killed with their group."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from kaconfd.command import Command
from kaconfd.vrrp.effects import RUNNING, kill_running_scripts, run_script


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_hung_script_and_its_child_are_killed_and_a_finished_one_forgotten(
        tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    uid, gid = os.geteuid(), os.getegid()

    async def go() -> int:
        await run_script(Command(("/bin/true",), uid, gid))  # exits: not kept
        assert not RUNNING
        task = asyncio.ensure_future(run_script(Command(
            ("/bin/sh", "-c", f"sleep 600 & echo $$ $! > {pids}; wait"), uid, gid)))
        for _ in range(200):
            if pids.exists() and len(pids.read_text().split()) == 2:
                break
            await asyncio.sleep(0.02)
        task.cancel()  # as a runner's close() cancels its background tasks
        await asyncio.sleep(0)
        return kill_running_scripts()

    assert asyncio.run(go()) == 1
    assert not RUNNING
    shell, child = (int(p) for p in pids.read_text().split())
    deadline = time.monotonic() + 2
    while (_alive(shell) or _alive(child)) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not _alive(shell) and not _alive(child)
