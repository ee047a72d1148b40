"""The checker child's notify and quorum scripts run as the uid:gid the resolver decided."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from kaconfd.check.scheduler import ScriptRunner
from kaconfd.command import Command

NOBODY = 65534


@pytest.mark.skipif(os.geteuid() != 0, reason="changing a script's user needs root")
def test_notify_script_runs_as_its_user() -> None:
    # a folder the unprivileged user can reach (pytest's tmp_path is under a 0700 folder)
    work = Path(tempfile.mkdtemp(prefix="kaconf-script-user-", dir="/tmp"))
    try:
        work.chmod(0o777)
        out = work / "id"
        runner = ScriptRunner(logging.getLogger("test"))

        async def go() -> None:
            runner.run(Command(("/bin/sh", "-c", f"id -u > {out}; id -g >> {out}"), NOBODY,
                               NOBODY), "real server up")
            await runner.close(timeout=10)

        asyncio.run(go())
        assert out.read_text().split() == [str(NOBODY), str(NOBODY)]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_resolved_scripts_carry_their_ids(tmp_path: Path) -> None:
    from kaconfd.check.spec import resolve

    from kaconf.loader import load_full

    path = tmp_path / "keepalived.conf"
    path.write_text("global_defs {\n    script_user nobody\n}\n"
                    "virtual_server 192.0.2.1 80 {\n    protocol TCP\n"
                    "    quorum_up /bin/true\n"
                    "    real_server 192.0.2.10 80 {\n        notify_up /bin/true\n"
                    "        TCP_CHECK {\n        }\n    }\n}\n")
    (vs,) = resolve(load_full(str(path)).config).virtual_servers
    assert vs.quorum_up is not None and vs.quorum_up.argv[0].endswith("true")
    (rs,) = vs.real_servers
    assert rs.notify_up is not None
    assert (rs.notify_up.uid, vs.quorum_up.uid) == (NOBODY, NOBODY)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_close_kills_the_process_group_of_a_hung_notify_script(tmp_path: Path) -> None:
    """A notify script still running at close() (after the grace) dies with its children."""
    pids = tmp_path / "pids"
    runner = ScriptRunner(logging.getLogger("test"))
    uid, gid = os.geteuid(), os.getegid()

    async def go() -> None:
        runner.run(Command(("/bin/sh", "-c", f"sleep 600 & echo $$ $! > {pids}; wait"),
                           uid, gid), "real server down")
        for _ in range(200):
            if pids.exists() and len(pids.read_text().split()) == 2:
                break
            await asyncio.sleep(0.02)
        await runner.close(timeout=0.2)

    asyncio.run(go())
    shell, child = (int(p) for p in pids.read_text().split())
    for _ in range(100):
        if not _alive(shell) and not _alive(child):
            break
        time.sleep(0.02)
    assert not _alive(shell) and not _alive(child)
