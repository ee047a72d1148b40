"""The watchdog line without wake-ups (kaconfd.watchdog): parent's WatchLine, child's selector."""

from __future__ import annotations

import asyncio
import functools
import socket
import threading
import time
from pathlib import Path

import pytest
from kaconfd.control import serve_control, start_control_server
from kaconfd.watchdog import WatchfulSelector, WatchLine, run_watched


def test_selector_answers_only_when_the_loop_comes_back() -> None:
    """A hello waiting on an adopted line is answered at the next select(), not before."""
    sel = WatchfulSelector()
    parent, child = socket.socketpair()
    child.setblocking(False)
    closed: list[bool] = []
    sel.adopt(child.fileno(), lambda: b"ok vrrp 1 0\n", lambda: closed.append(True), 5.0)
    parent.settimeout(0.2)
    parent.send(b"hello\n")
    with pytest.raises(TimeoutError):
        parent.recv(100)  # nobody looked yet
    sel._looked -= 10  # as if the loop had slept for a while
    sel.select(0)
    assert parent.recv(100) == b"ok vrrp 1 0\n"
    parent.send(b"hello\nhel")  # one whole request, one partial
    sel._looked -= 10
    sel.select(0)
    assert parent.recv(100) == b"ok vrrp 1 0\n"
    parent.send(b"lo\n")
    sel._looked -= 10
    sel.select(0)
    assert parent.recv(100) == b"ok vrrp 1 0\n"
    parent.close()
    sel._looked -= 10
    sel.select(0)
    assert closed == [True]
    child.close()
    sel.close()


def test_selector_bounds_the_sleep_while_a_line_is_open() -> None:
    """With a line open the loop never sleeps past the answering time (0.8 x interval)."""
    sel = WatchfulSelector()
    t0 = time.monotonic()
    sel.select(0.05)  # no line: the timeout as given
    assert time.monotonic() - t0 >= 0.04
    parent, child = socket.socketpair()
    child.setblocking(False)
    sel.adopt(child.fileno(), lambda: b"ok\n", lambda: None, 0.25)
    t0 = time.monotonic()
    sel.select(None)  # "forever" becomes at most 0.2 s
    assert 0.1 < time.monotonic() - t0 < 1.0
    parent.close()
    child.close()
    sel.close()


def test_watch_line_reads_the_previous_answer_at_the_next_tick(tmp_path: Path) -> None:
    """None before anything was asked; True when the child answered; False when not."""
    path = str(tmp_path / "c.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    line = WatchLine(path, 5.0)
    conn, _ = server.accept()
    conn.settimeout(1.0)
    assert conn.recv(100) == b"watchdog 5\n"
    conn.send(b"ok vrrp 1 0\n")
    time.sleep(0.05)
    assert line.tick() is True  # the opening request was answered
    assert conn.recv(100) == b"hello\n"
    assert line.tick() is False  # not answered this time
    conn.close()
    time.sleep(0.05)
    with pytest.raises(OSError):
        line.tick()
    line.close()
    server.close()


def _child_in_thread(path: str, interval: float, hang: threading.Event) -> threading.Thread:
    """A child's loop on a watchful selector serving the control socket; ``hang`` blocks it."""
    ready = threading.Event()

    async def main(selector: WatchfulSelector) -> None:
        serve = functools.partial(serve_control, role="vrrp", states=dict,
                                  reloads=lambda: 0, lazy=selector)
        server = await start_control_server(path, serve)
        ready.set()
        loop = asyncio.get_running_loop()
        end = loop.time() + 6 * interval + 2
        while loop.time() < end:
            await asyncio.sleep(0.05)
            if hang.is_set():
                time.sleep(3 * interval)  # a stuck loop: no selector call meanwhile
                return
        server.close()

    thread = threading.Thread(target=run_watched, args=(main,), daemon=True)
    thread.start()
    assert ready.wait(5)
    return thread


def test_a_loop_on_the_watchful_selector_answers_and_a_stuck_one_does_not(tmp_path: Path
                                                                         ) -> None:
    """End to end: the parent's ticks see answers while the child's loop runs, and a
    miss once it is stuck (the line's answers come from the loop's own selector)."""
    interval = 0.4
    path = str(tmp_path / "child.sock")
    hang = threading.Event()
    thread = _child_in_thread(path, interval, hang)
    line = WatchLine(path, interval)
    seen = []
    for _ in range(3):
        time.sleep(interval)
        seen.append(line.tick())
    assert seen == [True, True, True]
    hang.set()
    time.sleep(0.1)  # the loop is stuck from here
    line.tick()  # a hello sent into the stuck loop (its answer may be the last one's)
    time.sleep(interval)
    assert line.tick() is False
    line.close()
    thread.join(10)
