"""One checker's entry in ``------< Health checkers >------``: the common lines around its kind's.

keepalived 2.2.7 prints every checker the same way (check_api.c ``dump_checker_opts``:
state, timers, connection), then the kind's own lines (its ``dump_*_check``, here the kind
module's ``dump``, kept by the resolver as ``kind_lines``). The values are the resolver's
(:mod:`kaconf.effective.lvs`): this module only prints them. The LVS topology around it
is :mod:`kaconf.dump.checker`'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kaconf.effective.values import TIMER_HZ

if TYPE_CHECKING:
    from kaconf.effective.lvs_types import LvsChecker, LvsRealServer

__all__ = ["checker_entry_lines"]


def checker_entry_lines(vs_label: str, rs: LvsRealServer, c: LvsChecker) -> list[str]:
    """The checker's block in ``Health checkers`` (``vs -> rs`` and its values)."""
    proto = vs_label.split(":")[-2] if vs_label.count(":") >= 2 else "none"
    rs_label = f"[{rs.addr}]:{proto}:{rs.port}"
    out = [f" {vs_label} -> {rs_label}",
           "   Enabled = yes",
           f"   Up = {'no' if c.alpha == 1 else 'yes'}",
           "   Has run = no",
           "   Current weight = 0"]
    a = out.append
    if c.timers:
        a(f"   Alpha = {'yes' if c.alpha == 1 else 'no'}")
        a(f"   Delay loop = {c.delay_loop} us")
        a(f"   Warmup = {c.warmup} us")
        a(f"   Retries = {c.retry}")
        if c.retry:
            a(f"   Delay before retry = {c.delay_before_retry} us")
            a(f"   Retries iterations = {c.retry}")
        a(f"   Default delay before retry = {c.default_delay_before_retry} us")
    a(f"   Log all failures = {'yes' if c.log_all_failures else 'no'}")
    if c.has_co:
        a("   Connection")
        a(f"     Dest = [{c.dest}]:{c.dest_port}")
        if c.bindto:
            a(f"     Bind to = [{c.bindto}]:{c.bind_port}")
        if c.bind_if:
            a(f"     Bind i/f = {c.bind_if}")
        if c.fwmark:
            a(f"     Mark = {c.fwmark}")
        a(f"     Timeout = {c.connection_to / TIMER_HZ:f}")
    out.extend(c.kind_lines)
    return out
