"""Run-time state printed into keepalived's data file (SIGUSR1) around the ``-d`` dump.

keepalived writes the same ``dump_vrrp`` text to ``/tmp/keepalived.data`` as it
logs for ``-d``, plus lines that only exist while running (current state, master
router, effective priority, timers, whether the VIPs are set, script results).
The daemon fills these objects from its running instances; :mod:`kaconf.dump.vrrp`
prints them in keepalived's places, so the configuration part of the data file is
printed by exactly the code ``kaconf dump`` uses.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class InstanceRun:
    """One running instance (keepalived's ``vrrp_t`` run-time members)."""

    state: str
    wantstate: str
    effective_priority: int
    total_priority: int
    #: epoch seconds of the last state change
    last_transition: float
    #: epoch seconds of the next timer (None: keepalived's "DISABLED")
    read_timeout: float | None
    down_timer_us: int
    faults: int = 0
    scripts_init: int = 0
    master_router: str | None = None
    master_priority: int = 0
    master_adver_int: float = 0.0
    vips_set: bool = False
    sockets: tuple[int, int] | None = None


@dataclass
class ScriptRun:
    """One running ``vrrp_script``: its rise/fall counter and whether it runs now."""

    result: int
    init_state: str = "unknown"
    running: bool = False


@dataclass
class ProcessRun:
    """One tracked ``vrrp_track_process``: its count, quorum and pending delay timers."""

    current: int = 0
    have_quorum: bool = False
    fork_timer: bool = False
    terminate_timer: bool = False


@dataclass
class RunState:
    """Everything run-time the data file adds, by instance, script and group name."""

    instances: dict[str, InstanceRun] = field(default_factory=dict)
    scripts: dict[str, ScriptRun] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    processes: dict[str, ProcessRun] = field(default_factory=dict)


def ctime_us(t: float) -> str:
    """keepalived's ``ctime_us_r``: ``Wed Dec  2 06:33:34.135235 2026`` (local time)."""
    sec = int(t)
    text = time.ctime(sec)
    return f"{text[:19]}.{int(round((t - sec) * 1_000_000)) % 1_000_000:06d}{text[19:]}"


def timestamp(t: float) -> str:
    """``%ld.%6.6ld (ctime)`` as keepalived prints a timeval."""
    sec = int(t)
    return f"{sec}.{int(round((t - sec) * 1_000_000)) % 1_000_000:06d} ({ctime_us(t)})"
