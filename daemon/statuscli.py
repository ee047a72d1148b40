"""``kaconf status``: ask the running daemon what it is doing.

It connects to the parent's control socket (``kaconf run --control``; root's, 0600) and
prints the answer: with ``--json`` the documented object as it came (format 1,
docs/operations.md), otherwise tables drawn with rich; ``--watch`` redraws them every
``--interval`` seconds with rich's live display until interrupted.

Like ``kaconf run`` this command belongs to the daemon and is plugged in through the
``kaconf.commands`` entry point (``status = "kaconfd.statuscli:COMMAND"``). At module
level only argparse and kaconf's command table are imported; the socket client, rich and
the renderer (:mod:`kaconfd.statusview`) are imported when the command runs.
"""

from __future__ import annotations

import argparse
import json
import sys

from kaconf.cli.commands import Command
from kaconf.exitstatus import ExitStatus

from .defaults import DEFAULT_CONTROL

__all__ = ["COMMAND", "add_arguments", "fetch_status", "run"]

COMMAND = Command(
    "status", "show what the running kaconf daemon is doing", __name__,
    description="Ask the running daemon (kaconf run) over its control socket and show every "
    "VRRP instance (state, priorities, master, last transition and why, VIPs, tracked "
    "objects), sync group and, for the checker, every virtual and real server. --json "
    "prints the documented JSON object (docs/operations.md). Exit 2 when no daemon answers.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``kaconf status``."""
    p.add_argument("--control", default=DEFAULT_CONTROL, metavar="PATH",
                   help=f"the daemon's control socket (default {DEFAULT_CONTROL})")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the JSON status object")
    out.add_argument("--watch", action="store_true", help="redraw until interrupted")
    p.add_argument("--interval", type=float, default=1.0, metavar="SECONDS",
                   help="seconds between two redraws with --watch (default 1)")
    p.add_argument("--timeout", type=float, default=5.0, metavar="SECONDS",
                   help="how long to wait for the daemon's answer (default 5)")


def fetch_status(path: str, timeout: float = 5.0) -> dict[str, object]:
    """The daemon's status object; OSError (with the reason) when it does not answer."""
    import socket

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(path)
        sock.sendall(b"status\n")
        chunks: list[bytes] = []
        while not chunks or not chunks[-1].endswith(b"\n"):
            chunk = sock.recv(1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    data = b"".join(chunks)
    try:
        answer = json.loads(data)
    except ValueError as exc:
        raise OSError(f"unexpected answer from {path}: {data[:80]!r}") from exc
    if not isinstance(answer, dict):
        raise OSError(f"unexpected answer from {path}")
    return answer


def run(args: argparse.Namespace) -> int:
    """Execute ``kaconf status``."""
    try:
        status = fetch_status(args.control, args.timeout)
    except OSError as exc:
        print(f"kaconf status: cannot ask the daemon at {args.control}: "
              f"{exc.strerror or exc}", file=sys.stderr)
        return ExitStatus.USAGE
    if args.json:
        print(json.dumps(status, indent=2, sort_keys=True))
        return ExitStatus.OK
    from .statusview import render, watch

    if args.watch:
        return watch(lambda: fetch_status(args.control, args.timeout), args.interval)
    from rich.console import Console

    Console().print(render(status))
    return ExitStatus.OK
