"""SIGUSR1: the data file, keepalived's ``-d`` dump of the running configuration plus state.

keepalived writes ``/tmp/keepalived.data`` with the same printer as its ``-d`` log,
adding run-time lines (current state, master router, effective priority, timers,
whether VIPs are set, script results). The configuration part here is printed by
``kaconf dump``'s own code (:func:`kaconf.dump.globals.global_lines`,
:func:`kaconf.dump.vrrp.vrrp_lines`) from the :class:`~kaconf.effective.Effective`
the child runs; this module only collects the run-time values from the runners.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from kaconf.dump.globals import global_lines
from kaconf.dump.runtime import InstanceRun, ProcessRun, RunState, ScriptRun
from kaconf.dump.vrrp import vrrp_lines

from .params import State

if TYPE_CHECKING:
    from .child import VrrpChild
    from .runner import InstanceRunner

log = logging.getLogger("Keepalived_vrrp")


def instance_run(runner: InstanceRunner, now_mono: float, now: float) -> InstanceRun:
    """The run-time half of one instance's block."""
    cfg, fsm = runner.cfg, runner.fsm
    state = runner.state
    prio = fsm.effective_priority if fsm is not None else cfg.priority
    run = InstanceRun(
        state=state.value, wantstate=state.value if state in (State.MASTER, State.BACKUP)
        else cfg.initial_state.value,
        effective_priority=prio, total_priority=prio, last_transition=runner.last_transition,
        read_timeout=None, down_timer_us=0, vips_set=runner.vips_set)
    if fsm is not None:
        run.down_timer_us = round(fsm.master_down_interval() * 1_000_000)
        run.master_adver_int = fsm.master_adver_int
        if fsm.timers:
            run.read_timeout = now + (min(fsm.timers.values()) - now_mono)
    if runner.receiver is not None and runner.sender is not None:
        run.sockets = (runner.receiver.sock.fileno(), runner.sender.send_sock.fileno())
    event = runner.last_advert
    if event is not None:
        run.master_router, run.master_priority = str(event.src), event.priority
    return run


def run_state(child: VrrpChild) -> RunState:
    """Run-time state of every instance, script and sync group of the child."""
    import asyncio

    try:
        now_mono = asyncio.get_running_loop().time()
    except RuntimeError:
        now_mono = time.monotonic()
    now = time.time()
    out = RunState()
    for name, runner in child.runners.items():
        out.instances[name] = instance_run(runner, now_mono, now)
    for name, script in child.tracked.scripts.items():
        st = script.state
        out.scripts[name] = ScriptRun(st.result, "INIT" if st.up is None else "unknown")
    for unit in child.units.values():
        if unit.group is not None:
            out.groups[unit.group.name] = unit.group.state.value
    for name, q in child.processes.quorums.items():
        pending = q.deadline is not None
        out.processes[name] = ProcessRun(q.count, q.up, pending and q.forking,
                                         pending and not q.forking)
    return out


def data_lines(child: VrrpChild) -> list[str]:
    """The data file's lines: keepalived's VRRP-child dump with run-time state."""
    eff = child.effective
    if eff is None or eff.vrrp is None:
        return []
    return [*global_lines(eff.globals, vrrp_child=True),
            *vrrp_lines(eff.vrrp, run_state(child))]


def stats_lines(child: VrrpChild) -> list[str]:
    """The stats file (SIGUSR2): keepalived's counters of every instance, in order."""
    out: list[str] = []
    for name, runner in child.runners.items():
        noted = runner.heard.count if runner.heard is not None else 0
        out += runner.stats.lines(name, received=noted)
    return out


def beside(data_file: str, extension: str) -> str:
    """A file of keepalived's beside its data file: ``/tmp/keepalived`` + ``extension``."""
    base = data_file[:-len(".data")] if data_file.endswith(".data") else data_file
    return base + extension


def stats_path(data_file: str) -> str:
    """keepalived's stats file beside its data file: ``/tmp/keepalived.stats``."""
    return beside(data_file, ".stats")


def write_stats(child: VrrpChild) -> None:
    """Write the per-instance counters, as keepalived does on SIGUSR2."""
    _write(Path(stats_path(child.opts.data_file)), stats_lines(child))


def write_data(child: VrrpChild) -> None:
    """Write configuration and state to the child's data file, as keepalived does."""
    _write(Path(child.opts.data_file), data_lines(child))


def _write(path: Path, lines: list[str]) -> None:
    try:
        # keepalived creates these 0600: the data file may hold passwords (auth_pass)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write("\n".join(lines) + "\n")
    except OSError as exc:
        log.error("cannot write %s: %s", path, exc)
