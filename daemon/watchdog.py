"""The parent's watchdog line to a child, and the child's side of it, both without wake-ups.

Why this shape: on a small VM every wake-up of a Python process costs a few hundred
microseconds of CPU (cold caches), so an idle node's cost is counted in wake-ups. A
hello that the parent sends, the child answers at once and the parent reads at once is
three wake-ups every interval. Here it is one per process, and often none in the child:

* the parent (:class:`WatchLine`) sends ``hello`` at each tick and, at the *next* tick,
  reads the answer the child has left meanwhile (a non-blocking read; the socket is not
  watched by the loop). The answer is due within one interval, as before;
* the child (:class:`WatchfulSelector`, its event loop's selector) does not watch the
  line either: it answers whatever hellos are waiting when its loop wakes up anyway (a
  MASTER's advert timer, a BACKUP's master-down check), and makes sure it wakes up at
  least every :data:`ANSWER_SHARE` of the parent's interval while a line is open, so
  the answer is never late. A loop that is stuck never comes back to its selector, so
  it stops answering: the watchdog still checks what it is meant to check.

The line is opened with the control socket's ``watchdog <interval>`` command
(:mod:`.control`), answered at once like ``hello``; other connections (``kaconf
status``, the readiness check's ``hello``) are served by the loop as usual.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import selectors
import socket
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

#: The child answers a waiting hello at most this share of the parent's interval after
#: it arrived (4 s of the default 5): the parent reads the answer one interval later.
ANSWER_SHARE = 0.8
#: A loop that wakes up often looks at its lines at most this often (and at least twice
#: per answering time).
LOOK_EVERY = 2.0


class WatchLine:
    """The parent's open line to one child's control socket (non-blocking, not watched).

    :meth:`tick` is called once per watchdog interval: it tells whether the child
    answered the previous hello, then sends the next one.
    """

    def __init__(self, path: str, interval: float) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.sock.settimeout(1.0)  # a UNIX connect completes at once or fails
            self.sock.connect(path)
            self.sock.setblocking(False)
            self.sock.send(f"watchdog {interval:g}\n".encode())
        except OSError:
            self.sock.close()
            raise
        #: a hello (or the opening ``watchdog``) has been sent and not yet answered
        self.waiting = True

    def tick(self) -> bool | None:
        """True: the last request was answered; False: it was not; None: no request yet.

        Raises OSError when the line is broken (the child closed it or died): the
        caller opens a new one.
        """
        answered: bool | None = None
        if self.waiting:
            try:
                data = self.sock.recv(4096)  # answers are a few bytes: one read is all
            except (BlockingIOError, InterruptedError):
                answered = False
            else:
                if not data:
                    raise ConnectionResetError("the child closed the watchdog line")
                answered = b"ok" in data
        self.sock.send(b"hello\n")
        self.waiting = True
        return answered

    def close(self) -> None:
        self.sock.close()


class _Line:
    """A watchdog line the child answers from its selector."""

    __slots__ = ("fd", "answer", "close", "pending")

    def __init__(self, fd: int, answer: Callable[[], bytes], close: Callable[[], Any]) -> None:
        self.fd, self.answer, self.close = fd, answer, close
        self.pending = b""


class WatchfulSelector(selectors.EpollSelector):
    """The child's selector: answers the parent's hellos whenever the loop wakes up.

    Give it to the child's loop (``asyncio.SelectorEventLoop(selector)``) and to the
    control server (``lazy=``), which hands it the line after the ``watchdog`` command.
    """

    def __init__(self) -> None:
        super().__init__()
        self._lines: list[_Line] = []
        self._looked = time.monotonic()
        self._within = math.inf
        self._every = LOOK_EVERY

    def adopt(self, fd: int, answer: Callable[[], bytes], close: Callable[[], Any],
              interval: float) -> None:
        """Answer the hellos on ``fd`` from now on (the loop no longer reads it); the
        parent sends one every ``interval`` seconds."""
        self._lines.append(_Line(fd, answer, close))
        self._within = min(self._within, ANSWER_SHARE * interval)
        self._every = min(LOOK_EVERY, self._within / 2)

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if self._lines:
            now = time.monotonic()
            if now - self._looked >= self._every:
                self.look()
                now = self._looked
            limit = max(self._looked + self._within - now, 0.0)
            if timeout is None or timeout < 0 or timeout > limit:
                timeout = limit
        return super().select(timeout)

    def look(self) -> None:
        """Answer every complete request waiting on the lines; drop closed ones."""
        self._looked = time.monotonic()
        for line in tuple(self._lines):
            try:
                data = os.read(line.fd, 4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if not data:
                self._lines.remove(line)
                with contextlib.suppress(Exception):
                    line.close()
                continue
            *requests, line.pending = (line.pending + data).split(b"\n")
            for _request in requests:
                with contextlib.suppress(OSError):
                    os.write(line.fd, line.answer())


def run_watched(main: Callable[[WatchfulSelector], Coroutine[Any, Any, T]]) -> T:
    """Run a child's ``main(selector)`` on a fresh loop whose selector is watchful.

    What ``asyncio.run`` does (the loop is closed at the end, pending tasks cancelled),
    with :class:`WatchfulSelector` under the loop so the child can hand it the line.
    """
    selector = WatchfulSelector()
    with asyncio.Runner(loop_factory=lambda: asyncio.SelectorEventLoop(selector)) as runner:
        return runner.run(main(selector))
