"""``kaconf dump``: what ``keepalived -d`` (2.2.7) prints for a configuration.

keepalived prints its configuration from each child process after start-up:
the VRRP child prints ``Global definitions`` and its VRRP sections, the
checker child prints its own copy of ``Global definitions`` and the LVS
sections. :func:`dump_text` produces the VRRP child's part followed by the
checker child's sections (its duplicate ``Global definitions`` is printed only
when no VRRP child would run). Values are keepalived's effective ones after
its start-up fix-ups; facts that depend on the machine (interface addresses,
host name, script paths, users) come from a :class:`~kaconf.effective.host.Host`.
"""

from __future__ import annotations

from kaconf.dump.globals import global_lines
from kaconf.effective import Effective, resolve
from kaconf.effective.host import Host
from kaconf.model.objects import Config

__all__ = ["dump_text", "dump_lines", "effective_lines", "Host"]


def dump_lines(cfg: Config, host: Host | None = None) -> list[str]:
    """The dump as a list of lines (no trailing newlines)."""
    return effective_lines(resolve(cfg, host))


def effective_lines(eff: Effective) -> list[str]:
    """Print a resolved configuration the way keepalived's children dump it."""
    from kaconf.dump.checker import checker_lines
    from kaconf.dump.vrrp import vrrp_lines

    out: list[str] = []
    if eff.vrrp is not None:
        out.extend(global_lines(eff.globals, vrrp_child=True))
        out.extend(vrrp_lines(eff.vrrp))
    if eff.checker_globals is not None:
        # the checker child has its own global data (no VRRP completion applied)
        if eff.vrrp is None:
            out.extend(global_lines(eff.checker_globals, vrrp_child=False))
        if eff.lvs is not None:
            out.extend(checker_lines(eff.lvs))
    return out


def dump_text(cfg: Config, host: Host | None = None) -> str:
    """The configuration part of ``keepalived -d`` output for ``cfg``.

    ``host`` describes the machine (default: the one kaconf runs on); pass
    :meth:`Host.static` for reproducible output.
    """
    return "\n".join(dump_lines(cfg, host)) + "\n"
