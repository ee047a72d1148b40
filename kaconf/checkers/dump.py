"""One checker's entry in ``------< Health checkers >------``: the common lines around its kind's.

keepalived 2.2.7 prints every checker the same way (check_api.c ``dump_checker_opts``:
state, timers, connection), then the kind's own lines (its ``dump_*_check``, here the kind
module's ``dump``). The values are the ones after ``validate_check_config``: what a checker
does not set is inherited from its real server (:func:`inherit`). The LVS topology around it
is :mod:`kaconf.dump.checker`'s.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kaconf.checkers import registry
from kaconf.checkers.base import first_word
from kaconf.effective.values import (
    TIMER_HZ,
    UINT_MAX,
    bool_setting,
    is_before,
    read_decimal,
    read_uint,
)
from kaconf.model.objects import Checker, Setting

if TYPE_CHECKING:
    from kaconf.dump.checker import EffRS
    from kaconf.effective.globals import GlobalState

ULONG_MAX = 2**64 - 1


def read_timer(text: str | None) -> int | None:
    """keepalived's ``read_timer``: seconds with up to 6 decimals, in microseconds."""
    return read_decimal(text, 6, 0, ULONG_MAX)


def norm_addr(text: str) -> str:
    """An address as keepalived prints it (unchanged when it is not one)."""
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return text


@dataclass
class EffChecker:
    kind: str
    rs: EffRS
    dest: str = ""
    dest_port: int = 0
    bindto: str | None = None
    bind_port: int = 0
    bind_if: str | None = None
    fwmark: int = 0
    connection_to: int = UINT_MAX
    alpha: int = -1
    delay_loop: int = ULONG_MAX
    warmup: int = ULONG_MAX
    retry: int = UINT_MAX
    delay_before_retry: int = ULONG_MAX
    log_all_failures: bool = False
    has_co: bool = True
    timers: bool = True  # the kind is scheduled: its timer and retry lines are printed
    default_retry: int = 1  # the kind's, for a retry set nowhere
    default_delay_before_retry: int = TIMER_HZ  # the kind's (0: the checker's delay_loop)
    extra: list[str] = field(default_factory=list)


def effective_checker(ck: Checker, rs: EffRS, gs: GlobalState) -> EffChecker | None:
    """What check_parser.c keeps of checker ``ck``; None when keepalived drops it."""
    st = ck.settings
    e = EffChecker(kind=ck.kind, rs=rs, dest=rs.addr, dest_port=rs.port)
    kind = registry.get(ck.kind)

    def common(keyword: str) -> Setting | None:
        return kind.common(ck, keyword) if kind is not None else st.get(keyword)

    if kind is not None:
        e.has_co, e.timers = kind.connection, kind.scheduled
        e.default_retry = kind.default_retry
        dbr = kind.default_delay_before_retry
        e.default_delay_before_retry = 0 if dbr is None else round(dbr * TIMER_HZ)
    ip_s = st.get("connect_ip")
    port_s = st.get("connect_port")
    ip = first_word(ip_s)
    if ip:
        e.dest = norm_addr(ip)
        e.dest_port = 0  # connect_ip replaces the whole destination, port included
    port = read_uint(first_word(port_s), 1, 65535)
    if port is not None and not (ip and port_s is not None and ip_s is not None
                                 and is_before(port_s.span, ip_s.span)):
        e.dest_port = port
    b = first_word(st.get("bindto"))
    if b:
        e.bindto = norm_addr(b)
    bp = read_uint(first_word(st.get("bind_port")), 1, 65535)
    if bp is not None:
        e.bind_port = bp
    e.bind_if = first_word(st.get("bind_if"))
    fm = read_uint(first_word(st.get("fwmark")))
    if fm is not None:
        e.fwmark = fm
    t = read_timer(first_word(common("connect_timeout")))
    if t:
        e.connection_to = t
    r = read_uint(first_word(common("retry")))
    if r is not None:
        e.retry = r
    for kw in ("delay_before_retry", "warmup", "delay_loop"):
        tv = read_timer(first_word(common(kw)))
        if tv is not None and (tv or kw != "delay_loop"):
            setattr(e, kw, tv)
    alpha = common("alpha")
    if alpha is not None:
        bv = bool_setting(ck, alpha.keyword, default=-2)
        if bv != -2:
            e.alpha = bv
    e.log_all_failures = bool_setting(ck, "log_all_failures", default=0) == 1
    if kind is None:
        e.extra = [f"   Keepalive method = {ck.kind}"]
        return e
    extra = kind.dump(ck, gs)  # the kind's own lines (its ``dump_*_check``)
    if extra is None:  # keepalived dropped the checker while reading it
        return None
    e.extra = extra
    return e


def inherit(e: EffChecker, rs: EffRS) -> None:
    """Checker values not given take the real server's, else the kind's defaults
    (``validate_check_config``)."""
    if e.alpha == -1:
        e.alpha = rs.alpha
    if e.retry == UINT_MAX:
        e.retry = rs.retry if rs.retry != UINT_MAX else e.default_retry
    if e.connection_to == UINT_MAX:
        e.connection_to = rs.connection_to
    if e.delay_loop == ULONG_MAX:
        e.delay_loop = rs.delay_loop
    if e.warmup == ULONG_MAX:
        e.warmup = rs.warmup if rs.warmup != ULONG_MAX else e.delay_loop
    if e.delay_before_retry == ULONG_MAX:
        e.delay_before_retry = rs.delay_before_retry \
            if rs.delay_before_retry != ULONG_MAX else (e.default_delay_before_retry
                                                        or e.delay_loop)


def checker_entry_lines(vs_label: str, c: EffChecker) -> list[str]:
    """The checker's block in ``Health checkers`` (``vs -> rs`` and its values)."""
    rs = c.rs
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
        dest = f"[{c.dest}]:{c.dest_port}"
        a(f"     Dest = {dest}")
        if c.bindto:
            a(f"     Bind to = [{c.bindto}]:{c.bind_port}")
        if c.bind_if:
            a(f"     Bind i/f = {c.bind_if}")
        if c.fwmark:
            a(f"     Mark = {c.fwmark}")
        a(f"     Timeout = {c.connection_to / TIMER_HZ:f}")
    out.extend(c.extra)
    return out
