"""What the VRRP child tells ``kaconf status``, the metrics and keepalived's JSON dump.

One collector, three readers: the control socket's ``status`` command returns
:func:`vrrp_status` (the ``vrrp`` part of the documented ``kaconf status --json``,
docs/operations.md), the parent's metrics endpoint turns that same object into
Prometheus samples, and SIGRTMIN+2 (keepalived's ``--signum=JSON``) writes
:func:`keepalived_json`, keepalived's ``/tmp/keepalived.json`` layout, from it too. So
the three never disagree, and this module is the only one that reads the runners for
them. It builds plain dicts (JSON-ready); nothing here does I/O but
:func:`write_keepalived_json`.
"""

from __future__ import annotations

import json
import logging
import os
import signal
from typing import TYPE_CHECKING, Any

from kaconf.effective.values import ScriptSpec

from .datafile import beside
from .params import State
from .stats import InstanceStats

if TYPE_CHECKING:
    from .child import VrrpChild
    from .runner import InstanceRunner

log = logging.getLogger("Keepalived_vrrp")

#: keepalived's SIGJSON (``keepalived --signum=JSON``: 36 on Linux): write the JSON dump.
SIGJSON = signal.SIGRTMIN + 2
#: keepalived's numeric states (vrrp.h), used by its JSON dump and the exporters.
STATE_NUMBERS: dict[str, int] = {"INIT": 0, "BACKUP": 1, "MASTER": 2, "FAULT": 3, "STOP": 98}
#: The counters of :class:`~.stats.InstanceStats`, under keepalived's names.
COUNTERS: tuple[str, ...] = tuple(InstanceStats.__dataclass_fields__)
#: the counters keepalived's JSON dump has (checksum and version errors are SNMP-only)
JSON_COUNTERS: frozenset[str] = frozenset(COUNTERS) - {"chk_err", "vers_err"}


def cmd_str(argv: tuple[str, ...]) -> str:
    """A command as keepalived's JSON (and data file) print it: each word quoted."""
    return ScriptSpec(list(argv)).cmd_str()


def counters(runner: InstanceRunner) -> dict[str, int]:
    """keepalived's per-instance counters, with the adverts the socket only noted."""
    out = {name: int(getattr(runner.stats, name)) for name in COUNTERS}
    if runner.heard is not None:
        out["advert_rcvd"] += runner.heard.count
    return out


def instance_status(runner: InstanceRunner, link_state: dict[str, bool],
                    scripts: dict[str, dict[str, Any]],
                    files: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One instance's entry of ``kaconf status --json`` (see docs/operations.md)."""
    cfg, fsm = runner.cfg, runner.fsm
    state = runner.state
    master: str | None = None
    if state is State.MASTER and runner.sender is not None:
        master = str(runner.sender.src)
    elif state is State.BACKUP and runner.last_advert is not None:
        master = str(runner.last_advert.src)
    held = runner.vips_set
    return {
        "name": cfg.name,
        "interface": cfg.interface,
        "vrid": cfg.vrid,
        "version": cfg.version,
        "family": cfg.family,
        "state": state.value,
        "priority": cfg.priority,
        "effective_priority": fsm.effective_priority if fsm is not None else cfg.priority,
        "master": master,
        "master_priority": runner.last_advert.priority if runner.last_advert else None,
        "last_transition": runner.last_transition,
        "last_transition_reason": runner.last_why,
        "sync_group": cfg.sync_group,
        "vips": [str(v.address) for v in cfg.vips],
        "excluded_vips": [str(v.address) for v in cfg.excluded_vips],
        "vips_held": held,
        "tracked_interfaces": [
            {"name": name, "up": link_state.get(name)} for name in cfg.tracked_interfaces],
        "tracked_scripts": [scripts.get(name, {"name": name, "state": "unknown"})
                            for name in cfg.tracked_scripts],
        "tracked_files": [files.get(name, {"name": name, "value": None})
                          for name in cfg.tracked_files],
        "stats": counters(runner),
    }


def script_status(child: VrrpChild) -> dict[str, dict[str, Any]]:
    """Every running ``vrrp_script``: its state (init / up / down) and keepalived's result."""
    out: dict[str, dict[str, Any]] = {}
    for name, script in child.tracked.scripts.items():
        st = script.state
        out[name] = {"name": name, "state": "init" if st.up is None else
                     ("up" if st.up else "down"), "result": st.result,
                     "last_status": st.last_status}
    return out


def file_status(child: VrrpChild) -> dict[str, dict[str, Any]]:
    """Every ``track_file``: its path and the value last read."""
    return {name: {"name": name, "path": str(w.path), "value": w.value}
            for name, w in child.tracked.files.items()}


def vrrp_status(child: VrrpChild) -> dict[str, Any]:
    """The VRRP child's part of ``kaconf status --json`` (stable: docs/operations.md)."""
    scripts, files = script_status(child), file_status(child)
    groups = []
    for unit in child.units.values():
        if unit.group is not None and unit.group_cfg is not None:
            groups.append({"name": unit.group_cfg.name, "state": unit.group.state.value,
                           "members": list(unit.group_cfg.members)})
    return {
        "pid": os.getpid(),
        "instances": [instance_status(r, child.link_state, scripts, files)
                      for r in child.runners.values()],
        "sync_groups": groups,
        "scripts": list(scripts.values()),
        "files": list(files.values()),
    }


def keepalived_json(child: VrrpChild) -> list[dict[str, Any]]:
    """keepalived's ``/tmp/keepalived.json`` (SIGRTMIN+2): one ``{data, stats}`` per instance.

    Field names and units are keepalived 2.2.7's (``vrrp_json.c``): numeric states,
    seconds as floats, lists only when not empty, auth data only when set. Fields
    kaconfd has no value for are left out rather than invented.
    """
    out: list[dict[str, Any]] = []
    eff = child.effective
    resolved = {e.name: e for e in eff.vrrp.instances} if eff and eff.vrrp else {}
    for runner in child.runners.values():
        cfg, fsm = runner.cfg, runner.fsm
        state = STATE_NUMBERS.get(runner.state.value, 0)
        data: dict[str, Any] = {
            "iname": cfg.name,
            "ifp_ifname": cfg.interface,
            "master_priority": runner.last_advert.priority if runner.last_advert else 0,
            "last_transition": runner.last_transition,
            "garp_delay": cfg.garp_master_delay,
            "garp_refresh": int(cfg.garp_refresh),
            "garp_rep": cfg.garp_master_repeat,
            "garp_refresh_rep": cfg.garp_refresh_repeat,
            "garp_lower_prio_delay": int(cfg.garp_lower_prio_delay),
            "garp_lower_prio_rep": cfg.garp_lower_prio_repeat,
            "lower_prio_no_advert": int(cfg.lower_prio_no_advert),
            "vrid": cfg.vrid,
            "base_priority": cfg.priority,
            "effective_priority": fsm.effective_priority if fsm is not None else cfg.priority,
            "vipset": runner.vips_set,
            "adver_int": cfg.advert_int,
            "master_adver_int": fsm.master_adver_int if fsm is not None else cfg.advert_int,
            "accept": int(cfg.accept),
            "nopreempt": cfg.nopreempt,
            "preempt_delay": int(cfg.preempt_delay),
            "state": state,
            "wantstate": state,
            "version": cfg.version,
        }
        if cfg.vmac:
            data["vmac_ifname"] = cfg.vmac
        for key, cmd in (("script_backup", cfg.notify_backup),
                         ("script_master", cfg.notify_master),
                         ("script_fault", cfg.notify_fault), ("script_stop", cfg.notify_stop),
                         ("script", cfg.notify),
                         ("script_master_rx_lower_pri", cfg.notify_master_rx_lower_pri)):
            if cmd is not None:
                data[key] = cmd_str(cmd.argv)
        ei = resolved.get(cfg.name)
        if ei is not None:  # keepalived's address, route and rule texts, as the data file
            held = " set" if runner.vips_set else ""
            for key, texts in (("vips", [x.text() + held for x in ei.vips]),
                               ("evips", [x.text() + held for x in ei.evips]),
                               ("vroutes", [r.text() for r in ei.vroutes]),
                               ("vrules", [r.text() for r in ei.vrules])):
                if texts:
                    data[key] = texts
        # keepalived lists the track_interface entries, never its own interface
        tracked = [name for name in cfg.tracked_interfaces if name != cfg.interface]
        if tracked:
            data["track_ifp"] = tracked
        if cfg.tracked_scripts:
            data["track_script"] = [
                cmd_str(s.cfg.argv) for name in cfg.tracked_scripts
                if (s := child.tracked.scripts.get(name)) is not None]
        data["auth_type"] = int(cfg.auth_type)
        if int(cfg.auth_type):
            data["auth_data"] = cfg.auth_data.rstrip(b"\0").decode(errors="replace")
        stats = {k: v for k, v in counters(runner).items() if k in JSON_COUNTERS}
        out.append({"data": data, "stats": stats})
    return out


def json_path(data_file: str) -> str:
    """keepalived's JSON file beside its data file: ``/tmp/keepalived.json``."""
    return beside(data_file, ".json")


def write_keepalived_json(child: VrrpChild) -> None:
    """SIGRTMIN+2: write :func:`keepalived_json` (0600: it may hold auth data)."""
    path = json_path(child.opts.data_file)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(keepalived_json(child), f)
    except OSError as exc:
        log.error("cannot write %s: %s", path, exc)
