"""Real servers and checkers as keepalived's checker child reads them (check_parser.c).

:func:`read_real_server` is what ``rs_handler`` and the checkers' handlers keep of a
``real_server`` block (its checkers included, with their own values only); the
virtual server's completion (:mod:`kaconf.effective.lvs`) then fills in what they
inherit, calling :func:`inherit_checker` for each checker (``validate_check_config``).
"""

from __future__ import annotations

import socket
from collections.abc import Callable

from kaconf.checkers import registry
from kaconf.checkers.base import first_word as _w0
from kaconf.effective.globals import GlobalState
from kaconf.effective.lvs_types import ULONG_MAX, LvsChecker, LvsFwd, LvsNote, LvsRealServer
from kaconf.effective.values import (
    TIMER_HZ,
    UINT_MAX,
    bool_setting,
    is_before,
    norm_addr,
    read_decimal,
    read_uint,
    words,
)
from kaconf.model.objects import Checker, RealServer, Setting

__all__ = ["fmt_server", "inherit_checker", "read_fwd", "read_real_server", "read_timer"]


def read_timer(text: str | None) -> int | None:
    """keepalived's ``read_timer``: seconds with up to 6 decimals, in microseconds."""
    return read_decimal(text, 6, 0, ULONG_MAX)


def read_fwd(words_: list[str]) -> LvsFwd | None:
    """A forwarding keyword's value; None when absent or not NAT/DR/TUN (ignored)."""
    if not words_ or words_[0] not in ("NAT", "DR", "TUN"):
        return None
    f = LvsFwd(words_[0])
    i = 1
    while i < len(words_):
        w = words_[i]
        if w == "type" and i + 1 < len(words_):
            f.tun_type = words_[i + 1]
            i += 2
        elif w == "port" and i + 1 < len(words_):
            f.tun_port = read_uint(words_[i + 1], 1, 65535) or 0
            i += 2
        elif w in ("nocsum", "csum", "remcsum"):
            f.csum = w
            i += 1
        else:
            i += 1
    return f


_AF_INET = socket.AF_INET
_ntop = socket.inet_ntop


def fmt_server(addr: str, port: int) -> str:
    """``addr:port`` (``[addr]:port`` for IPv6), for warnings."""
    return f"[{addr}]:{port}" if ":" in addr else f"{addr}:{port}"


def read_real_server(rs: RealServer, vs_label: str, gs: GlobalState, notes: list[LvsNote],
                     checkers: bool = True) -> LvsRealServer | None:
    """What keepalived keeps of ``rs`` and its checkers, before any inheritance."""
    if rs.address is None:
        return None
    a = rs.address  # IPv4 printed by inet_ntop: str() of an address is slow in bulk
    ers = LvsRealServer(model=rs, addr=_ntop(_AF_INET, a.packed) if a.version == 4 else str(a),
                        port=rs.port or 0,
                        given_port=rs.port or 0, weight=-1)
    st = rs.settings
    w = read_uint(_w0(st.get("weight")), 0, 2**31 - 1)
    if w is not None:
        ers.weight = w
    ers.fwd = read_fwd(words(st.get("lvs_method"))) or LvsFwd()
    for kw, attr in (("uthreshold", "u_threshold"), ("lthreshold", "l_threshold")):
        v = read_uint(_w0(st.get(kw)))
        if v is not None:
            setattr(ers, attr, v)
    for kw, attr in (("inhibit_on_failure", "inhibit"), ("alpha", "alpha"),
                     ("smtp_alert", "smtp_alert")):
        if st.get(kw) is not None:
            b = bool_setting(rs, kw, default=-2)
            if b != -2:
                setattr(ers, attr, b)
    v = read_uint(_w0(st.get("retry")), 1)
    if v is not None:
        ers.retry = v
    for kw, attr in (("connect_timeout", "connection_to"), ("delay_loop", "delay_loop"),
                     ("delay_before_retry", "delay_before_retry"), ("warmup", "warmup")):
        t = read_timer(_w0(st.get(kw)))
        if t is not None and (t or kw in ("delay_before_retry", "warmup")):
            setattr(ers, attr, t)
    if not checkers:  # the servers alone (see build_lvs)
        return ers
    for kw in ("notify_up", "notify_down"):
        occ = rs.occurrences(kw) if kw in st else ()
        s = occ[0] if occ else None  # keepalived keeps the first script
        setattr(ers, kw, gs.secure(gs.script(s)) if s is not None else None)
    ers.virtualhost = _w0(st.get("virtualhost"))
    for ck in rs.checkers:
        eck = _checker(ck, ers, gs, vs_label, notes)
        if eck is not None:
            ers.checkers.append(eck)
    return ers


def _checker(ck: Checker, rs: LvsRealServer, gs: GlobalState, vs_label: str,
             notes: list[LvsNote]) -> LvsChecker | None:
    """What check_parser.c keeps of checker ``ck``; None when keepalived drops it."""
    st = ck.settings
    kind = registry.get(ck.kind)
    e = LvsChecker(kind=ck.kind, model=ck, spec=kind, dest=rs.addr, dest_port=rs.port)

    def common(keyword: str) -> Setting | None:
        return kind.common(ck, keyword) if kind is not None else st.get(keyword)

    def common_word(keyword: str, read: Callable[[str | None], int | None]) -> int | None:
        # an alias given last with an unusable value leaves the keyword's value alone
        s = common(keyword)
        v = read(_w0(s))
        if v is None and s is not None and s.keyword != keyword:
            v = read(_w0(st.get(keyword)))
        return v

    if kind is not None:
        e.has_co, e.timers = kind.connection, kind.scheduled
        e.default_retry = kind.default_retry
        dbr = kind.default_delay_before_retry
        e.default_delay_before_retry = 0 if dbr is None else round(dbr * TIMER_HZ)
    ip_s, port_s = st.get("connect_ip"), st.get("connect_port")
    ip = _w0(ip_s)
    if ip:
        e.dest = norm_addr(ip)
        e.dest_port = 0  # connect_ip replaces the whole destination, port included
    port = read_uint(_w0(port_s), 1, 65535)
    if port is not None and not (ip and port_s is not None and ip_s is not None
                                 and is_before(port_s.span, ip_s.span)):
        e.dest_port = port
    if ck.kind == "SMTP_CHECK" and not e.dest_port:
        e.dest_port = rs.port  # smtp_check_end_handler: no port given, the real server's
    b = _w0(st.get("bindto"))
    if b:
        e.bindto = norm_addr(b)
    e.bind_port = read_uint(_w0(st.get("bind_port")), 1, 65535) or 0
    e.bind_if = _w0(st.get("bind_if"))
    e.fwmark = read_uint(_w0(st.get("fwmark"))) or 0
    e.connection_to = common_word("connect_timeout", read_timer) or UINT_MAX
    r = common_word("retry", read_uint)
    if r is not None:
        e.retry = r
    for kw in ("delay_before_retry", "warmup", "delay_loop"):
        tv = common_word(kw, read_timer)
        if tv is not None and (tv or kw != "delay_loop"):
            setattr(e, kw, tv)
    alpha = common("alpha")
    if alpha is not None:
        bv = bool_setting(ck, alpha.keyword, default=-2)
        if bv != -2:
            e.alpha = bv
    e.log_all_failures = bool_setting(ck, "log_all_failures", default=0) == 1
    if kind is None:
        e.kind_lines = [f"   Keepalive method = {ck.kind}"]
        return e
    lines = kind.dump(ck, gs)  # the kind's own lines (its ``dump_*_check``)
    if lines is None:  # keepalived dropped the checker while reading it
        notes.append(LvsNote("checker-dropped", f"{ck.kind} {fmt_server(rs.addr, rs.port)} of VS"
                             f" {vs_label}: not kept (keepalived drops this checker) - ignoring",
                             rs=rs.model))
        return None
    e.kind_lines = lines
    return e


def inherit_checker(e: LvsChecker, rs: LvsRealServer) -> None:
    """Checker values not given: the real server's, else the kind's defaults."""
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
