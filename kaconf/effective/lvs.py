"""The checker child's completion: check_parser.c and ``validate_check_config``, once.

keepalived's checker child reads the virtual servers, then completes them: default
scheduler ``wlc``, protocol UDP for an address service, forwarding NAT, a real server's
port from its virtual server's, ``weight``/``alpha``/``inhibit_on_failure``/``retry``/
``connect_timeout``/``delay_loop``/``warmup``/``delay_before_retry`` inherited virtual
server -> real server -> checker (then the kind's defaults), quorum lowered to the real
servers' weight sum and hysteresis below it, the sorry server's forwarding and port,
``smtp_alert`` from ``global_defs``, a duplicated real server dropped. :func:`build_lvs`
does all of it and returns an :class:`~kaconf.effective.lvs_types.LvsState` that
``kaconf dump`` prints and the daemon translates (facts from keepalived 2.2.7's sources).
Real servers and checkers as read are :mod:`kaconf.effective.lvs_servers`'.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from kaconf.checkers import registry
from kaconf.checkers.base import first_word as _w0
from kaconf.effective.globals import GlobalState
from kaconf.effective.lvs_servers import (
    inherit_checker,
    read_fwd,
    read_real_server,
    read_timer,
)
from kaconf.effective.lvs_types import (
    SVC_F_ONEPACKET,
    SVC_F_SCHED1,
    SVC_F_SCHED2,
    SVC_F_SCHED3,
    ULONG_MAX,
    LvsFwd,
    LvsGroup,
    LvsGroupEntry,
    LvsNote,
    LvsRealServer,
    LvsSorryServer,
    LvsState,
    LvsVirtualServer,
)
from kaconf.effective.scriptsec import violation_line
from kaconf.effective.values import (
    TIMER_HZ,
    UINT_MAX,
    bool_setting,
    is_before,
    norm_addr,
    read_uint,
    setting,
    words,
)
from kaconf.model.objects import Config, RealServer, Setting, VirtualServer

__all__ = ["SCHEDULERS", "build_lvs"]

#: the schedulers keepalived 2.2.7 accepts (``lvs_schedulers``)
SCHEDULERS = frozenset({"rr", "wrr", "lc", "wlc", "lblc", "sh", "mh", "dh", "fo", "ovf",
                        "lblcr", "sed", "nq", "twos"})
#: flag keyword -> (the scheduler it needs when read, "": any; its IPVS flag); ``hashed``
#: is accepted but sets nothing (lbflags_handler: "only applies to sh scheduler - ignoring")
_FLAGS: dict[str, tuple[str, int]] = {
    "ops": ("", SVC_F_ONEPACKET), "flag-1": ("", SVC_F_SCHED1), "flag-2": ("", SVC_F_SCHED2),
    "flag-3": ("", SVC_F_SCHED3), "sh-fallback": ("sh", SVC_F_SCHED1),
    "sh-port": ("sh", SVC_F_SCHED2), "mh-fallback": ("mh", SVC_F_SCHED1),
    "mh-port": ("mh", SVC_F_SCHED2),
}
#: IPVS_SVC_PERSISTENT_TIMEOUT: persistence_timeout without a value, or implied
PERSISTENT_TIMEOUT = 360


def build_lvs(cfg: Config, gs: GlobalState, *, checkers: bool = True) -> LvsState:
    """The checker child's LVS configuration for ``cfg`` (``gs``: its ``global_data``).

    ``checkers=False`` reads the virtual and real servers without their checkers and
    scripts: the same fix-up notes for a fraction of the cost (what lint needs, see
    :attr:`kaconf.effective.Effective.lvs_notes`), not a configuration to run or dump.
    """
    st = LvsState()
    st.ssl = _ssl(cfg)
    for name, vsg in cfg.virtual_server_groups.items():
        if vsg.entries:
            st.groups.append(_group(name, vsg.entries))
    groups = {g.name: g for g in st.groups}
    for vs in cfg.virtual_servers:
        if vs.real_server:  # "has no real servers - ignoring"
            st.virtual_servers.append(_vs(vs, gs, groups, st.notes, checkers))
    if st.virtual_servers and checkers:  # check_check_script_security, last of validation
        line = violation_line(gs.script_flags, gs.script_security, "check scripts")
        if line is not None:
            st.notes.append(LvsNote("script-security", line))
    return st


def _ssl(cfg: Config) -> dict[str, str] | None:
    ssl = next((o for o in cfg.other if o.keyword == "SSL"), None)
    tls = any(getattr(registry.get(ck.kind), "tls", False)
              for vs in cfg.virtual_servers for rs in vs.real_server for ck in rs.checkers)
    if ssl is None and not tls:
        return None
    out: dict[str, str] = {}
    if ssl is not None:
        for key in ("password", "ca", "certificate", "key"):
            w = words(ssl.settings.get(key))
            if w:
                out[key] = w[0]
    return out


# -- virtual server groups ----------------------------------------------------------


def _group(name: str, entries: list) -> LvsGroup:  # type: ignore[type-arg]
    g = LvsGroup(name)
    for e in entries:
        if e.kind == "fwmark":
            fam = 6 if " inet6" in f" {e.text} " else (4 if " inet " in f" {e.text} " else None)
            g.entries.append(LvsGroupEntry("fwmark", fwmark=e.fwmark or 0, family=fam))
            continue
        first = e.text.split()[0]
        port = e.port or 0
        try:
            if e.kind == "range":
                start, _, end = first.partition("-")
                if ":" in start:
                    end_addr = end if ":" in end else start.rsplit(":", 1)[0] + ":" + end
                else:
                    end_addr = start.rsplit(".", 1)[0] + "." + end if "." not in end else end
                ent = LvsGroupEntry("range", norm_addr(start), norm_addr(end_addr), port,
                                    family=6 if ":" in start else 4)
            elif e.kind == "subnet":
                net = ipaddress.ip_network(first, strict=False)
                ent = LvsGroupEntry("subnet", str(net[0]),
                                    str(net[-1]) if net.num_addresses > 1 else None, port,
                                    family=net.version)
            else:
                ent = LvsGroupEntry("addr", norm_addr(first), None, port,
                                    family=6 if ":" in first else 4)
        except ValueError:
            continue
        g.entries.append(ent)
    return g


# -- virtual servers ----------------------------------------------------------------


def _smtp_default(gs: GlobalState, last: int) -> int:
    """``smtp_alert`` not set: the checker's global one, the global one, else ``last``."""
    if gs.smtp_alert_checker != -1:
        return gs.smtp_alert_checker
    return gs.smtp_alert if gs.smtp_alert != -1 else last


def _vs(vs: VirtualServer, gs: GlobalState, groups: dict[str, LvsGroup], notes: list[LvsNote],
        checkers: bool = True) -> LvsVirtualServer:
    st = vs.settings
    e = LvsVirtualServer(model=vs, label="", group_name=vs.group, fwmark=vs.fwmark,
                         address=None if vs.address is None else str(vs.address),
                         port=vs.port or 0)
    e.group = groups.get(vs.group) if vs.group is not None else None
    pw = words(setting(vs, "protocol"))
    proto = pw[0].upper() if pw and pw[0].upper() in ("TCP", "UDP", "SCTP") else ""
    sched_s = setting(vs, "lb_algo", "lvs_sched")
    sw = words(sched_s)
    sched = sw[0] if sw and sw[0] in SCHEDULERS else ""
    e.fwd = read_fwd(words(setting(vs, "lb_kind", "lvs_method"))) or LvsFwd()
    e.delay_loop = read_timer(_w0(setting(vs, "delay_loop"))) or 60 * TIMER_HZ
    e.connection_to = read_timer(_w0(setting(vs, "connect_timeout"))) or 5 * TIMER_HZ
    e.retry = read_uint(_w0(setting(vs, "retry")), 1)
    e.delay_before_retry = read_timer(_w0(setting(vs, "delay_before_retry")))
    e.warmup = read_timer(_w0(setting(vs, "warmup")))
    quorum = read_uint(_w0(setting(vs, "quorum")), 1) or 1
    hysteresis = read_uint(_w0(setting(vs, "hysteresis"))) or 0
    pto = 0
    pts = setting(vs, "persistence_timeout")
    if pts is not None:
        ptw = words(pts)
        pto = PERSISTENT_TIMEOUT if not ptw else (read_uint(ptw[0], 1) or 0)
    e.persistence_granularity = _w0(setting(vs, "persistence_granularity"))
    if e.persistence_granularity and not pto:
        pto = PERSISTENT_TIMEOUT
    e.persistence_engine = _w0(setting(vs, "persistence_engine"))
    e.weight = read_uint(_w0(setting(vs, "weight")), 1) or 1
    e.alpha = st.get("alpha") is not None
    e.omega = st.get("omega") is not None
    e.inhibit = st.get("inhibit_on_failure") is not None
    e.ha_suspend = st.get("ha_suspend") is not None
    uses_fwmark = vs.fwmark is not None or (e.group is not None and bool(e.group.fwmarks))
    label0 = _fmt_vs(vs, "")

    def note(kind: str, text: str, rs: RealServer | None = None, keyword: str | None = None,
             **values: object) -> None:
        notes.append(LvsNote(kind, text, vs, rs, keyword, values))

    if e.ha_suspend and uses_fwmark:
        note("vs-ha-suspend-fwmark", f"Virtual server {label0}: cannot use ha_suspend with"
             " fwmarks - clearing ha_suspend", keyword="ha_suspend")
        e.ha_suspend = False
    flags = 0
    for kw, (needs, bit) in _FLAGS.items():
        fs = st.get(kw)
        # a scheduler flag counts only when its scheduler was set before it
        if fs is not None and (not needs or (sched == needs and sched_s is not None
                                             and is_before(sched_s.span, fs.span))):
            flags |= bit
    smtp = bool_setting(vs, "smtp_alert", default=-1)
    is_addr = vs.group is None and vs.fwmark is None
    if is_addr or (e.group is not None and e.group.addresses):
        if not proto:
            note("vs-no-proto", f"Virtual server {label0}: no protocol set - defaulting to UDP")
            proto = "UDP"
        if flags & SVC_F_ONEPACKET and proto != "UDP":
            note("vs-ops-not-udp", f"Virtual server {_fmt_vs(vs, proto)}: one packet scheduling"
                 " requires UDP - resetting", keyword="ops")
            flags &= ~SVC_F_ONEPACKET
        if not pto and is_addr and not vs.port:
            note("vs-zero-port", f"Virtual server {_fmt_vs(vs, proto)}: zero port only valid for"
                 " persistent services - setting")
            pto = PERSISTENT_TIMEOUT
    if not pto and e.group is not None and any(not g.port for g in e.group.addresses):
        note("vs-zero-port", f"Virtual server {_fmt_vs(vs, proto)}: zero port only valid for"
             " persistent services - setting")
        pto = PERSISTENT_TIMEOUT  # a group address without a port: the same rule
    if not (is_addr or (e.group is not None and e.group.addresses)):
        if proto and (vs.fwmark is not None or (e.group is not None and e.group.fwmarks)):
            note("vs-fwmark-protocol", f"Warning: Virtual server {_fmt_vs(vs, proto)}: protocol"
                 " specified for fwmark - protocol will be ignored", keyword="protocol")
        proto = ""  # a fwmark service has no protocol
    if not sched:
        note("vs-no-sched", f"Virtual server {_fmt_vs(vs, proto)}: no scheduler set, setting"
             " default 'wlc'")
    e.persistence_timeout = pto
    e.protocol = proto
    e.flags = flags
    e.sched = sched or "wlc"
    e.smtp_alert = smtp if smtp != -1 else _smtp_default(gs, 0)
    e.virtualhost = _w0(setting(vs, "virtualhost"))
    for kw in ("quorum_up", "quorum_down") if checkers else ():
        occ = vs.occurrences(kw) if kw in st else ()
        s = occ[0] if occ else None  # keepalived keeps the first script
        setattr(e, kw, gs.secure(gs.script(s)) if s is not None else None)
    e.label = (f"[{vs.group}]:0" if vs.group is not None else
               f"FWM {vs.fwmark}" if vs.fwmark is not None else
               f"[{vs.address}]:{(proto or 'none').lower()}:{vs.port or 0}")

    af = _given_af(vs)
    weight_sum = 0
    vs_label = vs.label  # once: printing the address is not free
    for rs in vs.real_server:
        ers = read_real_server(rs, vs_label, gs, notes, checkers)
        if ers is None:
            continue
        # rs_end_handler: a non-tunnelled real server sets the family or must match it
        if (ers.fwd.method or e.fwd.method) != "TUN":
            rs_af = 6 if ":" in ers.addr else 4
            if af is None:
                af = rs_af
            elif af != rs_af:
                note("rs-family", f"Address family of virtual server and real server {ers.addr}"
                     " don't match - skipping real server.", rs)
                continue
        # keepalived compares the real servers as written, before their ports are completed
        if any((x.addr, x.given_port) == (ers.addr, ers.given_port) for x in e.real_servers):
            note("rs-duplicate", f"VS {e.label}: real server"
                 f" {fmt_rs(ers.addr, proto, ers.given_port)} is duplicated - removing second rs",
                 rs)
            continue
        if not ers.fwd.method and not e.fwd.method:
            note("vs-no-fwd", f"Virtual server {e.label}: no forwarding method set, setting"
                 " default NAT")
        weight_sum += _complete_rs(ers, e, gs, is_addr)
        e.real_servers.append(ers)
    for ers in e.real_servers:
        for c in ers.checkers:
            inherit_checker(c, ers)
        ers.failed = sum(1 for c in ers.checkers if c.alpha == 1)
        ers.alive = ers.failed == 0
        ers.set = ers.alive or ers.inhibit == 1
    if quorum > weight_sum:
        note("vs-quorum", f"Warning - quorum {quorum} for {e.label} exceeds total weight of"
             f" real servers {weight_sum}, reducing quorum to {weight_sum}", keyword="quorum",
             quorum=quorum, total=weight_sum)
        quorum = weight_sum
    if hysteresis >= quorum:
        # unsigned in keepalived: a quorum of 0 (every weight 0) makes it UINT_MAX
        new = quorum - 1 if quorum else UINT_MAX
        note("vs-hysteresis", f"Virtual server {e.label}: hysteresis {hysteresis} >= quorum"
             f" {quorum}; setting hysteresis to {new}", keyword="hysteresis",
             hysteresis=hysteresis, quorum=quorum, new=new)
        hysteresis = new
    _port_notes(vs, e, note)
    e.quorum, e.hysteresis = quorum, hysteresis
    if not e.fwd.method:
        e.fwd.method = "NAT"
    e.sorry, e.af = _sorry(vs, e, is_addr, af, notes)
    live = sum(r.weight for r in e.real_servers if r.alive)
    e.quorum_state_up = live >= quorum + hysteresis
    return e


def _complete_rs(ers: LvsRealServer, e: LvsVirtualServer, gs: GlobalState, is_addr: bool
                 ) -> int:
    """Inherit the virtual server's values into ``ers``; returns its weight."""
    if not ers.fwd.method:
        if not e.fwd.method:
            e.fwd.method = "NAT"
        ers.fwd = e.fwd.copy()
    if ers.alpha == -1:
        ers.alpha = int(e.alpha)
    if ers.inhibit == -1:
        ers.inhibit = int(e.inhibit)
    if ers.retry == UINT_MAX:
        ers.retry = UINT_MAX if e.retry is None else e.retry
    if ers.connection_to == UINT_MAX:
        ers.connection_to = e.connection_to
    if ers.delay_loop == ULONG_MAX:
        ers.delay_loop = e.delay_loop
    if ers.warmup == ULONG_MAX:
        ers.warmup = ULONG_MAX if e.warmup is None else e.warmup
    if ers.delay_before_retry == ULONG_MAX:
        ers.delay_before_retry = ULONG_MAX if e.delay_before_retry is None \
            else e.delay_before_retry
    if ers.weight < 0:
        ers.weight = e.weight
    if ers.smtp_alert == -1:
        ers.smtp_alert = _smtp_default(gs, 1)  # 1: keepalived's backward compatibility
    if is_addr:
        if ers.fwd.method == "NAT" or not ers.port:
            ers.port = ers.port or e.port
        else:
            ers.port = e.port  # "ports don't match - resetting"
    elif e.fwmark is not None and ers.fwd.method != "NAT":
        ers.port = 0
    return ers.weight


def _fmt_vs(vs: VirtualServer, proto: str) -> str:
    """keepalived's FMT_VS with the protocol it holds at the time it logs."""
    if vs.group is not None:
        return f"[{vs.group}]:0"
    if vs.fwmark is not None:
        return f"FWM {vs.fwmark}"
    return f"[{vs.address}]:{(proto or 'none').lower()}:{vs.port or 0}"


def fmt_rs(addr: str, proto: str, port: int) -> str:
    """keepalived's FMT_RS: ``[addr]:proto:port``."""
    return f"[{addr}]:{(proto or 'none').lower()}:{port}"


def _port_notes(vs: VirtualServer, e: LvsVirtualServer, note: Callable[..., None]) -> None:
    """The real servers' ports against the service's, as keepalived checks them last.

    The ports themselves were completed in :func:`_complete_rs`; here only the lines
    keepalived logs, in its order.
    """
    g = e.group
    for ers in e.real_servers:
        if ers.fwd.method == "NAT" or not ers.given_port:
            continue
        rs_s = fmt_rs(ers.addr, e.protocol, ers.given_port)
        if g is not None:
            if g.fwmarks:
                note("rs-port-ignored", f"WARNING - fwmark virtual server {e.label}, real server"
                     f" {rs_s} has port specified - port will be ignored", ers.model)
        elif vs.fwmark is not None:
            note("rs-port-cleared", f"WARNING - fwmark virtual server {e.label}, real server"
                 f" {rs_s} has port specified - clearing", ers.model)
        elif ers.given_port != e.port:
            note("rs-port-reset", f"WARNING - virtual server {e.label} and real server {rs_s}"
                 " ports don't match - resetting", ers.model, port=e.port)
    if g is None:
        return
    for ge in g.addresses:
        for ers in e.real_servers:
            if ers.fwd.method != "NAT" and ers.given_port and ge.port != ers.given_port:
                span = f"{ge.start}-{ge.end}" if ge.end else ge.start
                note("rs-group-port", f"virtual server {e.label}:[{span},{ge.port}] and real"
                     f" server {fmt_rs(ers.addr, e.protocol, ers.given_port)} ports don't match",
                     ers.model, entry=f"{span},{ge.port}")


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _given_af(vs: VirtualServer) -> int | None:
    """The family the virtual server's address or ``ip_family`` gives (None: neither)."""
    if vs.address is not None:
        return vs.address.version
    fam_text = _w0(setting(vs, "ip_family"))
    if fam_text in ("inet", "inet6"):
        return 6 if fam_text == "inet6" else 4
    return None


def _after_sorry_server(vs: VirtualServer, keyword: str) -> Setting | None:
    """The last ``keyword`` line after the first sorry_server line, else None.

    keepalived's handlers of the sorry server's options act on the sorry server
    already read: before it they are ignored ("Ignoring sorry_server inhibit used
    before or without sorry_server").
    """
    first = vs.occurrences("sorry_server")
    if not first:
        return None
    start = first[0].span
    found = None
    for s in vs.occurrences(keyword):
        sp = s.span
        if sp.file != start.file or (sp.line, sp.col) > (start.line, start.col):
            found = s
    return found


def _sorry(vs: VirtualServer, e: LvsVirtualServer, is_addr: bool, af: int | None,
           notes: list[LvsNote]) -> tuple[LvsSorryServer | None, int | None]:
    """The sorry server, and the virtual server's family once it is known (vs_end_handler)."""
    ss = words(setting(vs, "sorry_server"))
    s: LvsSorryServer | None = None
    if ss and not _is_ip(ss[0]):
        notes.append(LvsNote("sorry-invalid", f"Invalid sorry server IP address {ss[0]} -"
                             " skipping", vs, keyword="sorry_server"))
    elif ss:
        port = (read_uint(ss[1], 0, 65535) or 0) if len(ss) > 1 else 0
        method = _after_sorry_server(vs, "sorry_server_lvs_method")
        fwd = read_fwd(words(method)) or e.fwd.copy()
        s = LvsSorryServer(norm_addr(ss[0]), port, fwd,
                           inhibit=_after_sorry_server(vs, "sorry_server_inhibit") is not None)
        s_af = 6 if ":" in s.addr else 4
        if fwd.method != "TUN":
            if af is None:
                af = s_af
            elif af != s_af:
                notes.append(LvsNote("sorry-family", "Address family of virtual server and"
                                     f" sorry server {s.addr} don't match - skipping sorry"
                                     " server.", vs, keyword="sorry_server"))
                s = None
    if af is None and vs.group is None:
        # a fwmark service with only tunnelled servers: theirs when they agree, else IPv4
        fams = {6 if ":" in a else 4 for a in ([s.addr] if s else [])
                + [r.addr for r in e.real_servers]}
        af = fams.pop() if len(fams) == 1 else 4
    if s is None:
        return None, af
    # keepalived compares the sorry server with the real servers as written
    match = next((r for r in e.real_servers if (r.addr, r.given_port) == (s.addr, s.port)),
                 None)
    if match is not None:  # the inhibit settings must match: the real server's wins
        s.duplicates_rs = True
        s.inhibit = bool(match.inhibit)
    if is_addr and s.fwd.method != "NAT":
        s.port = e.port  # "ports don't match - resetting"
    elif vs.fwmark is not None and s.fwd.method != "NAT":
        s.port = 0
    return s, af
