"""The checker child's entry points (kaconfd.check.child): run_checker, watchdog, dump."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import textwrap
import threading

import pytest
from kaconfd.check import child
from kaconfd.check.ipvs_writer import PROC_IP_VS, IpvsWriter

import kaconf

CONF = textwrap.dedent("""
    virtual_server 192.0.2.1 80 {
      protocol TCP
      lb_algo rr
      real_server 192.0.2.10 80 {
        weight 2
      }
    }
""")


def config() -> kaconf.Config:
    loaded = kaconf.load_full("child.conf", data=CONF.encode())
    assert not loaded.errors
    return loaded.config


def test_as_logger_accepts_loggers_and_callables() -> None:
    lg = logging.getLogger("x")
    assert child.as_logger(lg) is lg
    lines: list[str] = []
    adapted = child.as_logger(lines.append)
    adapted.info("a %s %d", "b", 3)
    adapted.error("plain")
    assert lines == ["a b 3", "plain"]
    with pytest.raises(TypeError):
        child.as_logger(42)


def test_run_checker_until_stop_with_dump_and_sigusr1(tmp_path) -> None:
    lines: list[str] = []
    data = tmp_path / "check.data"

    async def main() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(child.run_checker(config(), log=lines.append,
                                                     stop_event=stop, dump_path=str(data)))
        for _ in range(100):
            await asyncio.sleep(0.01)
            if "192.0.2.10:80" in child.dump():
                break
        text = child.dump()
        assert "TCP  192.0.2.1:80 rr" in text
        assert "192.0.2.10:80" in text and "alive, weight 2" in text
        os.kill(os.getpid(), signal.SIGUSR1)
        for _ in range(100):
            await asyncio.sleep(0.01)
            if data.exists():
                break
        stop.set()
        await asyncio.wait_for(task, 5)

    asyncio.run(main())
    assert "TCP  192.0.2.1:80 rr" in data.read_text()
    assert child.dump() == "checker not running\n"
    if not os.path.exists(PROC_IP_VS):
        assert sum("IPVS: Can't initialize ipvs" in line
                   and "running checks without it" in line for line in lines) == 1


def test_run_checker_accepts_a_threading_event() -> None:
    async def main() -> None:
        stop = threading.Event()
        task = asyncio.create_task(child.run_checker(config(), log=None, stop_event=stop,
                                                     use_ipvs=False))
        await asyncio.sleep(0.05)
        stop.set()
        await asyncio.wait_for(task, 5)

    asyncio.run(main())


def test_serve_watchdog_answers_hello(tmp_path) -> None:
    path = str(tmp_path / "check.sock")

    async def main() -> None:
        server = await child.serve_watchdog(path)
        try:
            reader, writer = await asyncio.open_unix_connection(path)
            writer.write(b"hello\nstate\nstatus\nbogus\n")
            await writer.drain()
            assert await reader.readline() == f"ok check {os.getpid()} 0\n".encode()
            assert json.loads(await reader.readline()) == {}
            assert json.loads(await reader.readline()) == {"pid": os.getpid(),
                                                           "virtual_servers": []}
            assert await reader.readline() == b"error unknown command\n"
            assert os.stat(path).st_mode & 0o777 == 0o600
            writer.close()
        finally:
            server.close()
            await server.wait_closed()

    asyncio.run(main())


def test_writer_without_ipvs_logs_once_and_keeps_the_table(caplog) -> None:
    if os.path.exists(PROC_IP_VS):
        pytest.skip(f"this kernel has IPVS ({PROC_IP_VS} exists): the no-IPVS path cannot run here")

    async def main() -> IpvsWriter:
        w = IpvsWriter(logging.getLogger("t"))
        assert await w.open() is False
        return w

    with caplog.at_level(logging.ERROR):
        w = asyncio.run(main())
    assert caplog.text.count("IPVS: Can't initialize ipvs") == 1
    assert "running checks without it" in caplog.text
    assert not w.kernel and w.render().startswith("IP Virtual Server (in memory only:")


def test_reload_checker_keeps_state_and_diffs_the_table() -> None:
    new_conf = textwrap.dedent("""
        virtual_server 192.0.2.1 80 {
          protocol TCP
          lb_algo wrr
          real_server 192.0.2.11 80 {
          }
        }
        virtual_server 192.0.2.2 53 {
          protocol UDP
          real_server 192.0.2.20 53 {
          }
        }
    """)
    loaded = kaconf.load_full("new.conf", data=new_conf.encode())
    assert not loaded.errors

    async def main() -> str:
        stop = asyncio.Event()
        task = asyncio.create_task(child.run_checker(config(), log=None, stop_event=stop,
                                                     use_ipvs=False))
        for _ in range(100):
            await asyncio.sleep(0.01)
            if "192.0.2.10:80" in child.dump():
                break
        assert await child.reload_checker(loaded.config)
        text = child.dump()
        stop.set()
        await asyncio.wait_for(task, 5)
        return text

    text = asyncio.run(main())
    assert "TCP  192.0.2.1:80 wrr" in text and "192.0.2.11:80" in text
    assert "192.0.2.10:80" not in text
    assert "UDP  192.0.2.2:53" in text and "192.0.2.20:53" in text
    assert asyncio.run(child.reload_checker(loaded.config)) is False  # nothing running


def test_reload_keeps_each_checkers_record() -> None:
    """kaconf status / metrics: a checker kept across a reload keeps its last result and
    its latency histogram (a Prometheus counter must not restart at a reload)."""
    conf = textwrap.dedent("""
        virtual_server 192.0.2.1 80 {
          protocol TCP
          delay_loop 1
          real_server 192.0.2.10 80 {
            MISC_CHECK {
              misc_path /bin/true
            }
          }
        }
    """)
    cfg = kaconf.load_full("a.conf", data=conf.encode()).config

    async def main() -> tuple[int, int]:
        stop = asyncio.Event()
        task = asyncio.create_task(child.run_checker(cfg, log=None, stop_event=stop,
                                                     use_ipvs=False))

        def count() -> int:
            vs = child.status()["virtual_servers"]
            return int(vs[0]["real_servers"][0]["checkers"][0]["latency"]["count"]) if vs \
                else 0

        for _ in range(300):
            await asyncio.sleep(0.01)
            if count():
                break
        before = count()
        assert await child.reload_checker(cfg)
        after = count()
        stop.set()
        await asyncio.wait_for(task, 5)
        return before, after

    before, after = asyncio.run(main())
    assert before >= 1 and after >= before
