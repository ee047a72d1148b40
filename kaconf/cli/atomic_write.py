"""Replacing files all at once: a temporary file next to the target, then a rename.

``kaconf fmt`` and ``kaconf render`` rewrite configs keepalived may reload at
any moment; a crash or a full disk must never leave half a config behind. Both
commands share these helpers (render stages every file first and renames them
only once all are written).
"""

from __future__ import annotations

import os
import tempfile

__all__ = ["remove_quietly", "stage_file", "write_atomic"]


def stage_file(target: str, data: bytes) -> str:
    """Write ``data`` to a new temporary file next to ``target``; return its path.

    The file is synced to disk and has ``target``'s permission bits (a new file
    gets 0644 minus the umask), ready to be renamed over ``target``; on failure
    nothing is left behind.
    """
    folder = os.path.dirname(target) or "."
    try:
        mode = os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o644 & ~umask
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.",
                               suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        remove_quietly(tmp)
        raise
    return tmp


def remove_quietly(path: str) -> None:
    """Delete ``path`` if possible (clean-up of a temporary file)."""
    try:
        os.unlink(path)
    except OSError:
        pass


def write_atomic(path: str, data: bytes) -> None:
    """Replace ``path`` by ``data`` via a temporary file in the same folder and a rename.

    A symlink is followed (the file it points at is replaced, the link stays) and
    the file keeps its permission bits; new files get 0644 minus the umask.
    """
    target = os.path.realpath(path)
    tmp = stage_file(target, data)
    try:
        os.replace(tmp, target)
    except BaseException:
        remove_quietly(tmp)
        raise
