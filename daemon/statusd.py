"""The parent's control socket: ``kaconf status`` and the metrics ask here, the parent asks
its children.

Why one socket in the parent: its path is fixed (``--control``, default
:data:`kaconfd.defaults.DEFAULT_CONTROL`), while the children's sockets live in a run
directory whose name changes at every start and whose socket names change at every
restart. The parent knows which children run; it asks each one over its own control
socket (the ``status`` line of :mod:`kaconfd.control`) and answers with one JSON
object, the documented ``kaconf status --json`` (format 1, docs/operations.md). A child
that does not answer in time is reported as such; its part is null.

Permissions: the directory holding the socket is created 0700 and the socket is 0600,
both root's: the status shows addresses, scripts and (in keepalived's JSON dump) auth
data, and the socket is not meant to be a way in.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from typing import TYPE_CHECKING, Any

from .control import start_control_server

if TYPE_CHECKING:
    from .parent import ChildSpec, Parent

#: The version of the JSON layout; bumped only when a key changes meaning or goes away.
JSON_FORMAT = 1
#: How long a child has to answer a status request.
ASK_TIMEOUT = 2.0


async def ask(path: str, command: str, timeout: float = ASK_TIMEOUT) -> str | None:
    """One request line to a control socket, its answer line (None: no answer in time)."""
    async def exchange() -> str:
        reader, writer = await asyncio.open_unix_connection(path, limit=1 << 24)
        try:
            writer.write(command.encode() + b"\n")
            await writer.drain()
            return (await reader.readline()).decode(errors="replace").strip()
        finally:
            writer.close()

    try:
        return await asyncio.wait_for(exchange(), timeout)
    except (OSError, TimeoutError, ValueError):
        return None


async def child_status(spec: ChildSpec) -> dict[str, Any] | None:
    """A running child's ``status`` answer, or None."""
    if spec.pid is None:
        return None
    answer = await ask(spec.control_path, "status")
    if not answer or not answer.startswith("{"):
        return None
    try:
        data = json.loads(answer)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


async def daemon_status(parent: Parent) -> dict[str, Any]:
    """The whole ``kaconf status --json`` object: the parent's view and each child's part."""
    children = [s for s in parent.children if not s.retired]
    answers = await asyncio.gather(*(child_status(s) for s in children))
    pairs = list(zip(children, answers, strict=True))
    out: dict[str, Any] = {
        "format": JSON_FORMAT,
        "time": time.time(),
        "daemon": {
            "pid": os.getpid(),
            "config": parent.opts.config_path,
            "started": parent.started_at,
            "reloads": parent.reloads,
            "children": [{"role": s.kind, "pid": s.pid, "restarts": s.restarts,
                          "answering": a is not None} for s, a in pairs],
        },
        "vrrp": None,
        "checker": None,
    }
    for spec, answer in pairs:
        out["vrrp" if spec.kind == "vrrp" else "checker"] = answer
    return out


async def serve_parent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *,
                       parent: Parent) -> None:
    """One ``kaconf status`` connection: ``status`` -> one JSON line; ``hello`` -> ``ok``."""
    try:
        while line := await reader.readline():
            cmd = line.decode(errors="replace").strip()
            if cmd == "status":
                writer.write((json.dumps(await daemon_status(parent)) + "\n").encode())
            elif cmd == "hello":
                writer.write(f"ok parent {os.getpid()}\n".encode())
            else:
                writer.write(b"error unknown command\n")
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def start_parent_control(path: str, parent: Parent) -> asyncio.Server:
    """Listen on ``path`` (its directory made 0700 if missing), socket 0600."""
    import functools

    directory = os.path.dirname(path) or "."
    os.makedirs(directory, mode=0o700, exist_ok=True)
    return await start_control_server(path, functools.partial(serve_parent, parent=parent))


async def start_servers(parent: Parent) -> list[asyncio.Server]:
    """The parent's control socket and, with ``--metrics``, its metrics port.

    Either failing is logged and the daemon runs on without it: VRRP matters more.
    """
    import logging

    log = logging.getLogger("Keepalived")
    opts = parent.opts
    servers: list[asyncio.Server] = []
    if opts.control_path:
        try:
            servers.append(await start_parent_control(opts.control_path, parent))
        except OSError as exc:
            log.error("cannot listen on %s: %s", opts.control_path, exc)
    if opts.metrics is not None:
        from .metrics import serve_metrics

        host, port = opts.metrics
        try:
            servers.append(await serve_metrics(host, port, lambda: daemon_status(parent)))
        except OSError as exc:
            log.error("cannot serve metrics on %s:%d: %s", host, port, exc)
    return servers
