"""Socket helpers shared by the probes: non-blocking sockets with keepalived's connection options.

I/O, and it imports asyncio and socket: only probes import it, from inside their functions,
so that ``kaconf lint``/``kaconf dump`` (which import every kind module) never load it.

Why raw non-blocking sockets rather than threads or a client library: the checker child
runs thousands of checks per second in one process (bench/checks.py: 1,000 real servers at
``delay_loop 1``), so each check must cost a few hundred microseconds of CPU and no thread.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket

from kaconf.checkers.base import ConnOpts

SO_MARK = getattr(socket, "SO_MARK", 36)
SO_BINDTODEVICE = getattr(socket, "SO_BINDTODEVICE", 25)


def family(host: str) -> socket.AddressFamily:
    """AF_INET or AF_INET6 for an address."""
    return socket.AF_INET6 if ipaddress.ip_address(host).version == 6 else socket.AF_INET


def open_socket(conn: ConnOpts, kind: int, proto: int = 0) -> socket.socket:
    """A non-blocking socket with ``bindto``/``bind_port``/``bind_if``/``fwmark`` applied."""
    sock = socket.socket(family(conn.host), kind | socket.SOCK_CLOEXEC, proto)
    try:
        sock.setblocking(False)
        if conn.fwmark:
            sock.setsockopt(socket.SOL_SOCKET, SO_MARK, conn.fwmark)
        if conn.bind_if:
            sock.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, conn.bind_if.encode())
        if conn.bindto is not None or conn.bind_port:
            if conn.bind_port:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            default = "::" if sock.family == socket.AF_INET6 else "0.0.0.0"
            sock.bind((conn.bindto or default, conn.bind_port or 0))
    except BaseException:
        sock.close()
        raise
    return sock


async def tcp_connect(conn: ConnOpts) -> socket.socket:
    """Connect within ``conn.timeout``; the caller owns (and closes) the socket."""
    sock = open_socket(conn, socket.SOCK_STREAM)
    try:
        async with asyncio.timeout(conn.timeout):
            await asyncio.get_running_loop().sock_connect(sock, (conn.host, conn.port))
    except BaseException:
        sock.close()
        raise
    return sock


def oserror(e: BaseException) -> str:
    """A short reason for a failed socket operation, for the check's log line."""
    if isinstance(e, TimeoutError):
        return "timeout"
    if isinstance(e, OSError) and e.errno:
        return os.strerror(e.errno)
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    return str(e) or type(e).__name__
