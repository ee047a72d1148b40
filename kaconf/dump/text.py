"""``kaconf dump``: what ``keepalived -d`` (2.2.7) prints for a configuration.

keepalived prints its configuration from each child process after start-up:
the VRRP child prints ``Global definitions`` and its VRRP sections, the
checker child prints its own copy of ``Global definitions`` and the LVS
sections. :func:`dump_text` produces the VRRP child's part followed by the
checker child's sections (its duplicate ``Global definitions`` is printed only
when no VRRP child would run). Values are keepalived's effective ones after
its start-up fix-ups; facts that depend on the machine (interface addresses,
host name, script paths, users) come from a :class:`~kaconf.dump.host.Host`.
"""

from __future__ import annotations

from kaconf.dump.globals import GlobalState, global_lines
from kaconf.dump.host import Host
from kaconf.model.objects import Config

__all__ = ["dump_text", "dump_lines", "Host"]


def _has_vrrp(cfg: Config) -> bool:
    """Whether keepalived would start its VRRP child for this config."""
    return bool(cfg.vrrp_instances or cfg.static_ipaddress or cfg.static_routes
                or cfg.static_rules)


def dump_lines(cfg: Config, host: Host | None = None) -> list[str]:
    """The dump as a list of lines (no trailing newlines)."""
    from kaconf.dump.checker import checker_lines
    from kaconf.dump.effective import build_vrrp
    from kaconf.dump.vrrp import vrrp_lines

    host = host if host is not None else Host.local()
    gs = GlobalState(cfg, host)
    out: list[str] = []
    has_vrrp = _has_vrrp(cfg)
    if has_vrrp or not cfg.virtual_servers:
        vs = build_vrrp(cfg, gs, host)
        out.extend(global_lines(gs, vrrp_child=True))
        out.extend(vrrp_lines(vs))
    if cfg.virtual_servers:
        # the checker child has its own global data (no VRRP completion applied)
        cgs = GlobalState(cfg, host)
        if not has_vrrp:
            out.extend(global_lines(cgs, vrrp_child=False))
        out.extend(checker_lines(cfg, cgs, host))
    return out


def dump_text(cfg: Config, host: Host | None = None) -> str:
    """The configuration part of ``keepalived -d`` output for ``cfg``.

    ``host`` describes the machine (default: the one kaconf runs on); pass
    :meth:`Host.static` for reproducible output.
    """
    return "\n".join(dump_lines(cfg, host)) + "\n"
