"""The control socket each child serves: the parent's watchdog and ``kaconf status``.

The hello is answered by the child's one event loop, so a loop that is stuck stops
answering and gets restarted. Line protocol, one request and one answer line each:

* ``hello`` -> ``ok <role> <pid> <reloads>`` (role ``vrrp`` or ``check``; ``reloads``:
  how many SIGHUPs the child has finished handling, so the parent can tell systemd
  when a reload is over);
* ``watchdog <interval>`` -> the same answer as ``hello``; the connection then becomes
  the parent's watchdog line (a hello every ``interval`` seconds), whose hellos the
  child answers from its selector whenever its loop wakes up (:mod:`.watchdog`)
  instead of waking up for each;
* ``state`` -> a JSON object the child describes itself with (instance name -> state;
  the checker's summary);
* ``status`` -> the JSON object of the child's part of ``kaconf status --json``
  (docs/operations.md), also what the metrics are made of.

The socket lives in the parent's run directory (0700, root's) and is itself 0600.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .watchdog import WatchfulSelector


async def serve_control(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *,
                        role: str, states: Callable[[], Mapping[str, object]],
                        status: Callable[[], object] | None = None,
                        reloads: Callable[[], int] | None = None,
                        lazy: WatchfulSelector | None = None) -> None:
    """Serve one connection of the parent (see the module docstring)."""

    def hello() -> bytes:
        done = reloads() if reloads is not None else 0
        return f"ok {role} {os.getpid()} {done}\n".encode()

    adopted = False
    try:
        while line := await reader.readline():
            cmd = line.decode(errors="replace").strip()
            if cmd == "hello":
                writer.write(hello())
            elif cmd.startswith("watchdog"):
                writer.write(hello())
                await writer.drain()
                sock = writer.get_extra_info("socket")
                interval = _interval(cmd)
                if (lazy is not None and sock is not None and interval is not None
                        and not reader.at_eof()):
                    writer.transport.pause_reading()  # type: ignore[attr-defined]
                    lazy.adopt(sock.fileno(), hello, writer.close, interval)
                    adopted = True  # the line is the selector's now (it closes it at EOF)
                    return
            elif cmd == "state":
                writer.write((json.dumps(states()) + "\n").encode())
            elif cmd == "status" and status is not None:
                writer.write((json.dumps(status()) + "\n").encode())
            else:
                writer.write(b"error unknown command\n")
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        if not adopted:
            writer.close()


def _interval(cmd: str) -> float | None:
    """The interval of ``watchdog <interval>`` (None: absent or not a positive number)."""
    try:
        interval = float(cmd.split()[1])
    except (IndexError, ValueError):
        return None
    return interval if interval > 0 else None


async def start_control_server(path: str, handler: Callable[..., object]) -> asyncio.Server:
    """A UNIX server at ``path`` readable by root only (0600, whatever the umask).

    The socket is bound here, under a umask of 0177 restored at once: asyncio's own
    server start yields to other tasks, which must not start a script with that umask.
    """
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        sock.bind(path)
    except OSError:
        sock.close()
        raise
    finally:
        os.umask(old)
    os.chmod(path, 0o600)
    return await asyncio.start_unix_server(handler, sock=sock)  # type: ignore[arg-type]
