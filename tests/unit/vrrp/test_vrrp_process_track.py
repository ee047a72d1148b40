"""vrrp_track_process: matching processes and quorum changes with delays (keepalived's)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from kaconfd.vrrp.events import TrackUpdate
from kaconfd.vrrp.process_match import (
    ProcessConfig,
    ProcessQuorum,
    comm_of_stat,
    matches,
    params_bytes,
)
from kaconfd.vrrp.process_track import TrackedProcesses, count_processes


def _cmd(*argv: str) -> bytes:
    return params_bytes(argv)


def test_comm_match_ignores_the_command_line() -> None:
    cfg = ProcessConfig("p", "nginx")
    assert matches(cfg, "nginx", None)
    assert not matches(cfg, "nginx2", _cmd("nginx"))


@pytest.mark.parametrize(("mode", "argv", "expected"), [
    ("exact", ("/usr/sbin/nginx", "-g", "daemon"), True),
    ("exact", ("/usr/sbin/nginx", "-g", "daemon", "x"), False),
    ("exact", ("/usr/sbin/nginx", "-g"), False),
    ("partial", ("/usr/sbin/nginx", "-g", "daemon", "x"), True),
    ("partial", ("/usr/sbin/nginx", "-g", "daemonize"), False),
    ("initial", ("/usr/sbin/nginx", "-g", "daemonize"), True),
    ("initial", ("/usr/sbin/nginx", "-x", "daemon"), False),
    ("exact", ("/usr/bin/nginx", "-g", "daemon"), False),
])
def test_full_command_parameters(mode: str, argv: tuple[str, ...], expected: bool) -> None:
    cfg = ProcessConfig("p", "/usr/sbin/nginx", params_bytes(["-g", "daemon"]), mode,
                        full_command=True)
    assert matches(cfg, "nginx", _cmd(*argv)) is expected


def test_full_command_without_parameters_matches_any_arguments() -> None:
    cfg = ProcessConfig("p", "/bin/sleep", full_command=True)
    assert matches(cfg, None, _cmd("/bin/sleep", "100"))
    assert not matches(cfg, None, b"")  # a kernel thread or a zombie
    exact = ProcessConfig("p", "/bin/sleep", param_match="exact", full_command=True)
    assert matches(exact, None, _cmd("/bin/sleep"))
    assert not matches(exact, None, _cmd("/bin/sleep", "1"))


def test_comm_of_stat_skips_zombies() -> None:
    assert comm_of_stat("123 (my proc) S 1 2 3") == "my proc"
    assert comm_of_stat("123 (gone) Z 1 2 3") is None
    assert comm_of_stat("garbage") is None


def test_quorum_range_and_immediate_changes() -> None:
    q = ProcessQuorum(ProcessConfig("p", "x", quorum=2, quorum_max=3))
    q.start(1)
    assert not q.up
    assert q.observe(2, 0.0) is True
    assert q.observe(3, 0.0) is None
    assert q.observe(4, 0.0) is False  # above quorum_max
    assert q.observe(3, 0.0) is True
    assert q.observe(0, 0.0) is False


def test_fork_delay_waits_and_a_drop_cancels_it() -> None:
    q = ProcessQuorum(ProcessConfig("p", "x", fork_delay=2.0))
    q.start(0)
    assert q.observe(1, 10.0) is None and q.deadline == 12.0 and q.forking
    assert q.expire(11.0) is None
    assert q.expire(12.0) is True and q.up
    # up again later, then gone within the delay: nothing reported
    assert q.observe(0, 20.0) is False  # no terminate_delay: at once
    assert q.observe(1, 21.0) is None
    assert q.observe(0, 22.0) is None and q.deadline is None
    assert q.expire(30.0) is None and not q.up


def test_terminate_delay_survives_a_quick_restart() -> None:
    q = ProcessQuorum(ProcessConfig("p", "x", terminate_delay=1.5))
    q.start(1)
    assert q.observe(0, 5.0) is None and q.deadline == 6.5 and not q.forking
    assert q.observe(1, 6.0) is None and q.deadline is None  # restarted in time
    assert q.up
    assert q.observe(0, 7.0) is None
    assert q.expire(8.5) is False


def _fake_proc(root: Path, procs: dict[int, tuple[str, str, tuple[str, ...]]]) -> None:
    for pid, (comm, state, argv) in procs.items():
        d = root / str(pid)
        d.mkdir()
        (d / "stat").write_text(f"{pid} ({comm}) {state} 1 1 1\n")
        (d / "cmdline").write_bytes(_cmd(*argv))
    (root / "self").mkdir()


def test_count_processes_reads_stat_and_cmdline(tmp_path: Path) -> None:
    _fake_proc(tmp_path, {10: ("nginx", "S", ("nginx", "-g", "x")),
                          11: ("nginx", "Z", ()),
                          12: ("sleep", "S", ("/bin/sleep", "9"))})
    cfgs = [ProcessConfig("a", "nginx"), ProcessConfig("b", "/bin/sleep", full_command=True),
            ProcessConfig("c", "nginx", params_bytes(["-g"]), "partial", full_command=True)]
    assert count_processes(cfgs, str(tmp_path)) == {"a": 1, "b": 1, "c": 1}


def test_tracked_processes_broadcast_changes(tmp_path: Path) -> None:
    sent: list[tuple[str, TrackUpdate]] = []
    tracked = TrackedProcesses(lambda name, ev: sent.append((name, ev)), str(tmp_path))
    cfg = ProcessConfig("web", "nginx")

    async def run() -> None:
        tracked.sync([cfg])
        assert tracked.state("web") is False
        _fake_proc(tmp_path, {10: ("nginx", "S", ("nginx",))})
        tracked.scan(0.0)
        tracked.sync([cfg])  # unchanged: kept, not rescanned
        assert tracked.state("web") is True
        tracked.sync([])
        assert tracked.state("web") is None

    asyncio.run(run())
    assert sent == [("process:web", TrackUpdate("process:web", True))]


def test_a_definition_changed_by_a_reload_is_rescanned_and_announced(tmp_path: Path) -> None:
    sent: list[tuple[str, TrackUpdate]] = []
    tracked = TrackedProcesses(lambda name, ev: sent.append((name, ev)), str(tmp_path))
    _fake_proc(tmp_path, {10: ("nginx", "S", ("nginx",))})

    async def run() -> None:
        tracked.sync([ProcessConfig("web", "nginx")])
        assert tracked.state("web") is True
        tracked.sync([ProcessConfig("web", "nginx", quorum=2)])

    asyncio.run(run())
    assert tracked.state("web") is False
    assert sent == [("process:web", TrackUpdate("process:web", False))]
