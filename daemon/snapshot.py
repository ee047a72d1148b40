"""The configuration the parent checked, handed to the children on reload.

keepalived's children each re-read the file on SIGHUP; a file edited between the
parent's check and a child's read would then run unchecked. Here the parent reads and
lints once and writes the resulting model to a snapshot file in its private run
directory (0700, owned by root); a child on SIGHUP loads exactly that object and never
opens the configuration files. Only the daemon's own processes write or read it.
"""

from __future__ import annotations

import os
import pickle
import tempfile

from kaconf.model.objects import Config

SNAPSHOT_NAME = "config.snapshot"


def snapshot_path(run_dir: str) -> str:
    """Where the parent keeps the current configuration for its children."""
    return os.path.join(run_dir, SNAPSHOT_NAME)


def write_snapshot(path: str, config: Config) -> None:
    """Replace the snapshot atomically (a child reading at the same time sees old or new)."""
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix=".snapshot.", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(config, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def read_snapshot(path: str) -> Config:
    """The configuration the parent last accepted; OSError/ValueError when unusable."""
    with open(path, "rb") as f:
        config = pickle.load(f)  # noqa: S301 - written by our own parent, 0600 in a 0700 dir
    if not isinstance(config, Config):
        raise ValueError(f"{path} does not hold a configuration")
    return config
