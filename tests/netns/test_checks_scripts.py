"""Checkers and notifications that run processes or read files, on the real clock.

MISC_CHECK scripts, misc_dynamic weights, misc_timeout, FILE_CHECK files, and quorum_up /
quorum_down (with a sorry server) over three real TCP listeners: each notification script
appends a word to a file in tmp_path, and the tests assert each runs once per transition.
Every wait has a deadline.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import textwrap
from pathlib import Path

from kaconfd.check import probes
from kaconfd.check.ipvs_writer import IpvsWriter
from kaconfd.check.scheduler import Scheduler
from kaconfd.check.spec import MiscParams, ServiceAddr, resolve

import kaconf
from tests.support.aio import run, wait_until

LOG = logging.getLogger("test.checks.scripts")
DELAY = 0.2
BOUND = DELAY + 1.0 + 1.0  # delay_loop + timeout + slack


def load(tmp: Path, text: str) -> kaconf.Config:
    loaded = kaconf.load_full(str(tmp / "keepalived.conf"), data=textwrap.dedent(text).encode())
    assert not loaded.errors, loaded.errors
    return loaded.config


def words(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def scheduler(cfg: kaconf.Config) -> Scheduler:
    res = resolve(cfg)
    return Scheduler(res, log=LOG, writer=IpvsWriter(LOG, use_kernel=False))


def dest_weights(sched: Scheduler) -> dict[str, int]:
    entries = list(sched.writer.table.values())
    return {} if not entries else {f"{d.address}:{d.port}": d.weight
                                   for d in entries[0].dests.values()}


def test_misc_check_up_down_recovery_and_dynamic_weight(tmp_path: Path) -> None:
    state = tmp_path / "exit"
    state.write_text("0")
    notes = tmp_path / "notify.log"
    cfg = load(tmp_path, f"""
        virtual_server 192.0.2.1 80 {{
          protocol TCP
          delay_loop {DELAY}
          real_server 192.0.2.10 80 {{
            weight 3
            notify_up "/bin/sh -c 'echo up >> {notes}'"
            notify_down "/bin/sh -c 'echo down >> {notes}'"
            MISC_CHECK {{
              misc_path "/bin/sh -c 'exit $(cat {state})'"
              misc_timeout 2
              misc_dynamic
            }}
          }}
        }}
    """)

    async def main() -> None:
        sched = scheduler(cfg)
        rs = sched.pool.virtual_servers[0].real_servers[0]
        cs = rs.checkers[0]
        await sched.start()
        try:
            await wait_until(lambda: cs.has_run, BOUND, "first run")
            assert rs.alive and dest_weights(sched) == {"192.0.2.10:80": 3}
            state.write_text("7")  # dynamic: weight 7 - 2
            await wait_until(lambda: dest_weights(sched) == {"192.0.2.10:80": 5}, BOUND,
                             "dynamic weight")
            state.write_text("1")
            await wait_until(lambda: not rs.alive, BOUND, "down on exit 1")
            assert dest_weights(sched) == {}
            assert "exited with status 1" in cs.last_reason
            state.write_text("0")
            await wait_until(lambda: rs.alive, BOUND, "up on exit 0")
            assert dest_weights(sched) == {"192.0.2.10:80": 3}
        finally:
            await sched.stop()

    run(main())
    assert words(notes) == ["down", "up"]


def test_misc_timeout_kills_the_script(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    script = tmp_path / "slow.sh"
    script.write_text(f"#!/bin/sh\necho $$ > {pidfile}\nexec sleep 30\n")
    script.chmod(0o755)

    async def main() -> tuple[probes.CheckResult, float]:
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        res = await probes.misc_check(MiscParams((str(script),), 0.3))
        return res, loop.time() - t0

    res, took = run(main())
    assert not res.up and "timed out" in res.reason
    assert took < 0.3 + probes.MISC_KILL_GRACE + 1.0
    pid = int(pidfile.read_text())
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        pass
    else:
        raise AssertionError(f"script {pid} still running after misc_timeout")


def test_misc_check_missing_script() -> None:
    res = run(probes.misc_check(MiscParams(("/nonexistent/kaconf-check",), 1.0)))
    assert not res.up and "cannot run" in res.reason


def test_file_check_follows_the_file(tmp_path: Path) -> None:
    f = tmp_path / "track"
    f.write_text("2\n")
    notes = tmp_path / "notify.log"
    cfg = load(tmp_path, f"""
        track_file tf {{
          file {f}
        }}
        virtual_server 192.0.2.1 80 {{
          protocol TCP
          delay_loop {DELAY}
          real_server 192.0.2.10 80 {{
            weight 10
            notify_up "/bin/sh -c 'echo up >> {notes}'"
            notify_down "/bin/sh -c 'echo down >> {notes}'"
            FILE_CHECK {{
              track_file tf
              weight 3
            }}
          }}
        }}
    """)

    async def main() -> None:
        sched = scheduler(cfg)
        await sched.start()
        try:
            assert dest_weights(sched) == {"192.0.2.10:80": 16}  # read at start: 10 + 2*3
            f.write_text("-1\n")
            await wait_until(lambda: dest_weights(sched) == {"192.0.2.10:80": 7}, BOUND,
                             "weight follows the file")
            f.write_text(str(-(2**31)))  # times 3: at or below -2^31, a fault
            await wait_until(lambda: dest_weights(sched) == {}, BOUND, "fault")
            f.write_text("0")
            await wait_until(lambda: dest_weights(sched) == {"192.0.2.10:80": 10}, BOUND,
                             "recovered")
        finally:
            await sched.stop()

    run(main())
    assert words(notes) == ["down", "up"]


class Listener:
    """A loopback TCP listener that accepts and closes; restartable on its port."""

    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.server: asyncio.AbstractServer | None = None

    async def start(self) -> None:
        async def handle(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
            w.close()

        self.server = await asyncio.start_server(handle, "127.0.0.1", self.port,
                                                 reuse_address=True)

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        await asyncio.wait_for(self.server.wait_closed(), 2)


def test_quorum_transitions_fire_once_with_sorry_server(tmp_path: Path) -> None:
    qlog = tmp_path / "quorum.log"
    servers = [Listener() for _ in range(3)]
    rs_blocks = "".join(f"""
          real_server 127.0.0.{i + 1} {s.port} {{
            TCP_CHECK {{
              retry 0
              connect_ip 127.0.0.1
              connect_port {s.port}
            }}
          }}""" for i, s in enumerate(servers))
    cfg = load(tmp_path, f"""
        virtual_server 192.0.2.1 80 {{
          protocol TCP
          lb_kind DR
          delay_loop {DELAY}
          connect_timeout 1
          quorum 2
          hysteresis 1
          quorum_up "/bin/sh -c 'echo up >> {qlog}'"
          quorum_down "/bin/sh -c 'echo down >> {qlog}'"
          sorry_server 127.0.0.9 80
          {rs_blocks}
        }}
    """)

    async def main() -> None:
        for s in servers:
            await s.start()
        sched = scheduler(cfg)
        vs = sched.pool.virtual_servers[0]
        await sched.start()
        try:
            assert vs.quorum_up  # 3 >= quorum 2 + hysteresis 1
            await wait_until(lambda: all(c.has_run for c in sched.pool.checkers), BOUND,
                             "first checks")
            await servers[0].stop()
            await wait_until(lambda: vs.weight_sum() == 2, BOUND, "one down")
            await servers[1].stop()
            await wait_until(lambda: vs.weight_sum() == 1, BOUND, "two down")
            assert vs.quorum_up  # 1 is not below 2 - 1
            await servers[2].stop()
            await wait_until(lambda: not vs.quorum_up, BOUND, "quorum lost")
            assert dest_weights(sched) == {"127.0.0.9:80": 1}  # only the sorry server
            await servers[0].start()
            await servers[1].start()
            await wait_until(lambda: vs.weight_sum() == 2, BOUND, "two back")
            assert not vs.quorum_up  # 2 < 2 + 1
            assert dest_weights(sched) == {"127.0.0.9:80": 1}
            await servers[2].start()
            await wait_until(lambda: vs.quorum_up, BOUND, "quorum regained")
            # DR: the real servers' ports are reset to the virtual server's
            assert dest_weights(sched) == {f"127.0.0.{i}:80": 1 for i in (1, 2, 3)}
            addr = ServiceAddr(4, "TCP", "192.0.2.1", 80)
            assert all(d.forwarding == "DR" for d in sched.writer.table[addr].dests.values())
        finally:
            await sched.stop()
            for s in servers:
                if s.server is not None and s.server.is_serving():
                    await s.stop()

    run(main())
    assert words(qlog) == ["up", "down", "up"]
