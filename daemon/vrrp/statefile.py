"""``<run dir>/vrrp.state``: which instances were MASTER, for a restarted child.

State that must survive a watchdog restart is written at every state change; a
restarted child resumes MASTER for an unchanged instance whose VIPs are still in
place (:class:`~.events.Startup` ``resume_master``). Written to a temporary file and
renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path

log = logging.getLogger("Keepalived_vrrp")


def read_state(path: str) -> dict[str, str]:
    """The states last written to ``path`` by instance name; empty if none or unreadable."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def write_state(path: str, states: Mapping[str, str]) -> None:
    """Replace ``path`` with ``states`` (instance name -> state); failures are only logged."""
    tmp = f"{path}.tmp"
    try:
        Path(tmp).write_text(json.dumps(states))
        os.replace(tmp, path)
    except OSError as exc:
        log.debug("cannot write %s: %s", path, exc)
