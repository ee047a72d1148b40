"""What the parent runs for a configuration: which children, and whether it can run at all.

Decided before forking, at start and on every reload (SIGHUP): a configuration that
cannot run here is refused and the running one keeps serving (:meth:`.Parent.reload`).
"""

from __future__ import annotations

import logging
import os

from kaconf.model.objects import Config

__all__ = ["log_config_dump", "unrunnable", "wanted_roles"]


def unrunnable(config: Config, run_vrrp: bool = True) -> str | None:
    """Why ``config``'s VRRP side cannot run here (None when it can), at start and reload.

    Where keepalived refuses (an interface this host lacks) or kaconfd cannot run
    something keepalived can (the reason says what).
    """
    from .vrrp.config import UnsupportedConfig, missing_interfaces
    from .vrrp.prepared import prepare

    if not run_vrrp or not wanted_roles(config, True, False)[0]:
        return None
    try:
        eff, _ = prepare(config)  # kept for the VRRP child forked next (shared pages)
    except UnsupportedConfig as exc:
        return str(exc)
    if eff.globals.lvs_syncd and not os.path.exists("/proc/net/ip_vs"):
        # the VRRP process starts the IPVS sync daemon and stops when it cannot
        return "IPVS: Can't initialize ipvs (lvs_sync_daemon needs IPVS in the kernel)"
    return missing_interfaces(eff)


def wanted_roles(config: Config, run_vrrp: bool = True,
                 run_checkers: bool = True) -> tuple[bool, bool]:
    """(VRRP child?, checker child?) for ``config``, keepalived's rule.

    keepalived starts a child only for a role the configuration uses. One exception kept
    from kaconfd's first versions: a config with neither VRRP nor virtual servers still
    gets a (idle) VRRP child, so an empty config runs instead of exiting.
    """
    from kaconf.effective import has_vrrp

    vrrp = run_vrrp and (has_vrrp(config) or not config.virtual_servers)
    check = run_checkers and bool(config.virtual_servers)
    return vrrp, check


def log_config_dump(logger: logging.Logger, config: Config) -> None:
    """-d: log ``keepalived -d``'s text dump, one log line per dump line.

    keepalived logs its configuration this way, so operators can diff a kaconfd and a
    keepalived node's logs. A dump failure must never stop the daemon: it is logged.
    """
    try:
        from kaconf.dump.text import dump_lines

        lines = dump_lines(config)
    except Exception as exc:  # noqa: BLE001 - the dump is a diagnostic aid only
        logger.error("cannot dump the configuration: %s", exc)
        return
    for line in lines:
        logger.info("%s", line)
