"""The control socket the parent's watchdog talks to, served by each child.

The hello is answered by the child's one event loop, so a loop that is stuck stops
answering and gets restarted. Line protocol: ``hello`` -> ``ok <role> <pid>``
(role ``vrrp`` or ``check``); ``state`` -> a JSON object the child describes itself
with (instance name -> state; the checker's summary).
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable, Mapping


async def serve_control(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *,
                        role: str, states: Callable[[], Mapping[str, object]]) -> None:
    """Serve one connection of the parent (see the module docstring)."""
    try:
        while line := await reader.readline():
            cmd = line.decode(errors="replace").strip()
            if cmd == "hello":
                writer.write(f"ok {role} {os.getpid()}\n".encode())
            elif cmd == "state":
                writer.write((json.dumps(states()) + "\n").encode())
            else:
                writer.write(b"error unknown command\n")
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()
