"""SIGUSR1: the data file, keepalived's text dump of the running configuration and state.

Worded and laid out like keepalived's ``/tmp/keepalived.data`` so that tools reading
it keep working; only the parts kaconfd runs are written.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .child import VrrpChild

log = logging.getLogger("Keepalived_vrrp")


def write_data(child: VrrpChild) -> None:
    """Write configuration and state to the child's data file, as keepalived does."""
    lines = ["------< Global definitions >------",
             f" Router ID = {child.config.global_defs.router_id or os.uname().nodename}",
             f" Data written = {time.strftime('%a %b %d %H:%M:%S %Y')}",
             "------< VRRP Topology >------"]
    for name, runner in child.runners.items():
        cfg, fsm = runner.cfg, runner.fsm
        lines += [f" VRRP Instance = {name}",
                  f"   State = {runner.state.value}",
                  f"   Wantstate = {cfg.initial_state.value}",
                  f"   Running on device = {cfg.interface}",
                  f"   Virtual Router ID = {cfg.vrid}",
                  f"   VRRP Version = {cfg.version}",
                  f"   Priority = {cfg.priority}",
                  f"   Effective priority = {fsm.effective_priority if fsm else cfg.priority}",
                  f"   Advert interval = {cfg.advert_int:g} sec",
                  f"   Preempt = {'disabled' if cfg.nopreempt else 'enabled'}",
                  f"   Preempt delay = {cfg.preempt_delay:g} secs",
                  f"   Virtual IP = {len(cfg.vips)}"]
        lines += [f"     {v.address} dev {v.dev}" for v in cfg.vips]
        if cfg.unicast_peers:
            lines.append(f"   Unicast Peer = {len(cfg.unicast_peers)}")
            lines += [f"     {p}" for p in cfg.unicast_peers]
        if cfg.sync_group:
            lines.append(f"   Sync group = {cfg.sync_group}")
        if cfg.routes:
            lines.append(f"   Virtual Routes = {len(cfg.routes)}")
            lines += [f"     {r}" for r in cfg.routes]
        if cfg.rules:
            lines.append(f"   Virtual Rules = {len(cfg.rules)}")
            lines += [f"     {r}" for r in cfg.rules]
        if fsm is not None and fsm.params.trackers:
            lines.append("   Tracking:")
            lines += [f"     {t.name} weight {t.weight}{' reverse' if t.reverse else ''}"
                      for t in fsm.params.trackers]
    groups = [u for u in child.units.values() if u.group is not None]
    if groups:
        lines.append("------< VRRP Sync groups >------")
        for unit in groups:
            assert unit.group is not None
            lines.append(f" VRRP Sync Group = {unit.group.name}, {unit.group.state.value}")
            lines += [f"     {m}" for m in unit.runners]
    if child.tracked.scripts:
        lines.append("------< VRRP Scripts >------")
        for name, script in child.tracked.scripts.items():
            up = script.state.up
            status = "INIT" if up is None else ("GOOD" if up else "BAD")
            lines += [f" VRRP Script = {name}",
                      f"   Command = {' '.join(script.cfg.argv)}",
                      f"   Interval = {script.cfg.interval:g} sec",
                      f"   Timeout = {script.cfg.timeout:g} sec",
                      f"   Rise = {script.cfg.rise}", f"   Fall = {script.cfg.fall}",
                      f"   Status = {status}"]
    if child.tracked.files:
        lines.append("------< Tracked files >------")
        for name, tracked in child.tracked.files.items():
            lines += [f" Track file = {name}", f"   File = {tracked.path}",
                      f"   Status = {tracked.value}"]
    try:
        Path(child.opts.data_file).write_text("\n".join(lines) + "\n")
    except OSError as exc:
        log.error("cannot write %s: %s", child.opts.data_file, exc)
