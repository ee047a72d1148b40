"""Pid files (-p/-r/-c): refuse to start twice, clean up after an unclean stop.

A pid file whose process is gone ("stale", keepalived calls it a zombie pid file) is
removed at start-up; one whose process is alive means another daemon already runs
with that file, which is an error the user must see, not something to overwrite.
"""

from __future__ import annotations

import contextlib
import os


class PidFileError(RuntimeError):
    """Another live process owns the pid file."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_pid(path: str) -> int | None:
    try:
        with open(path) as fh:
            return int(fh.read().strip() or "0") or None
    except (OSError, ValueError):
        return None


def check_pidfile(path: str) -> bool:
    """Raise PidFileError if a live process owns ``path``; remove it if stale.

    Returns True when a stale file was removed (the caller logs it).
    """
    pid = read_pid(path)
    if pid is not None and pid != os.getpid() and _alive(pid):
        raise PidFileError(f"daemon is already running (pid {pid} in {path})")
    if os.path.exists(path):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        return True
    return False


def write_pidfile(path: str, pid: int | None = None) -> None:
    """Write ``pid`` (default: ours) atomically."""
    directory = os.path.dirname(path) or "."
    os.makedirs(directory, exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w") as fh:
        fh.write(f"{pid or os.getpid()}\n")
    os.replace(tmp, path)


def remove_pidfile(path: str, pid: int | None = None) -> None:
    """Remove ``path`` if it still holds ``pid`` (default: ours)."""
    if read_pid(path) == (pid or os.getpid()):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
