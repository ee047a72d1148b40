"""The checker child's sections: ``dump_check_data`` in 2.2.7 (source only).

Never observed on the reference machine (the checker child exits before
dumping when the kernel has no IPVS), so the format follows the 2.2.7 sources:
``------< SSL definitions >------`` when keepalived creates an SSL context,
``------< LVS Topology >------`` with the virtual server groups and virtual
servers (real servers nested), then ``------< Health checkers >------`` with
one block per checker. Every value is the resolver's (:mod:`kaconf.effective.lvs`:
after ``validate_check_config``, before any checker has run); this module only
prints an :class:`~kaconf.effective.lvs_types.LvsState`. Each checker's entry is
:mod:`kaconf.checkers.dump`'s.
"""

from __future__ import annotations

from kaconf.checkers.dump import checker_entry_lines
from kaconf.effective.lvs_types import (
    SVC_F_HASHED,
    SVC_F_ONEPACKET,
    SVC_F_SCHED1,
    SVC_F_SCHED2,
    SVC_F_SCHED3,
    ULONG_MAX,
    LvsChecker,
    LvsFwd,
    LvsGroup,
    LvsRealServer,
    LvsState,
    LvsVirtualServer,
)
from kaconf.effective.values import TIMER_HZ, UINT_MAX, ScriptSpec

__all__ = ["LVS_VERSION", "checker_lines"]

#: IP_VS_VERSION_CODE of the reference build's kernel headers.
LVS_VERSION = "1.2.1"
_SSL_LABELS = {"password": "Password", "ca": "CA-file", "certificate": "Certificate file",
               "key": "Key file"}


def _dec(v: int) -> str:
    """keepalived's ``format_decimal(val, 6)``."""
    return f"{v // TIMER_HZ}.{v % TIMER_HZ:06d}"


def _onoff(v: bool) -> str:
    return "ON" if v else "OFF"


def _fwd_lines(f: LvsFwd, prefix: str) -> list[str]:
    fm = "forwarding method = "
    if f.method in ("NAT", "DR"):
        return [f"   {prefix}{fm}{f.method}"]
    if f.method == "TUN":
        tt = "TUN, type = "
        if f.tun_type == "ipip":
            return [f"   {prefix}{fm}{tt}IPIP"]
        cs = {"nocsum": ", no checksum", "csum": ", checksum",
              "remcsum": ", remote checksum"}.get(f.csum, "")
        if f.tun_type == "gue":
            return [f"   {fm}{tt}GUE, port = {f.tun_port}{cs}"]
        return [f"   {fm}{tt}GRE{cs}"]
    return [f"   {fm} 0x7"]


def checker_lines(lvs: LvsState) -> list[str]:
    """The checker child's sections after its ``Global definitions``."""
    out: list[str] = []
    if lvs.ssl is not None:
        out.append("------< SSL definitions >------")
        if not lvs.ssl:
            out.append(" Using autogen SSL context")
        for k, v in lvs.ssl.items():
            out.append(f" {_SSL_LABELS[k]} : {v}")
    checkers: list[tuple[str, LvsRealServer, LvsChecker]] = []
    if lvs.virtual_servers:
        out.append("------< LVS Topology >------")
        out.append(f" System is compiled with LVS v{LVS_VERSION}")
        for g in lvs.groups:
            out.extend(_group_lines(g))
        for vs in lvs.virtual_servers:
            out.extend(_vs_lines(vs))
            checkers.extend((vs.label, rs, ck) for rs in vs.real_servers for ck in rs.checkers)
    if checkers:
        out.append("------< Health checkers >------")
        for label, rs, ck in checkers:
            out.extend(checker_entry_lines(label, rs, ck))
    return out


def _group_lines(g: LvsGroup) -> list[str]:
    body: list[str] = []
    for e in g.addresses:
        if e.kind == "range" or e.end is not None:
            body.append(f"   VIP Range = {e.start}-{e.end}, VPORT = {e.port}")
        else:
            body.append(f"   VIP = {e.start}, VPORT = {e.port}")
        body.append("     Alive: 0 tcp, 0 udp, 0 sctp")
        body.append("     reloaded = False")
    for e in g.fwmarks:
        fam = {6: " IPv6", 4: " IPv4"}.get(e.family or 0, "")
        body += [f"   FWMARK = {e.fwmark}{fam}", "     Alive: 0 IPv4, 0 IPv6",
                 "     reloaded = False"]
    v4 = any(e.family == 4 for e in g.addresses)
    v6 = any(e.family == 6 for e in g.addresses)
    return [" ------< Virtual server group >------",
            f" Virtual Server Group = {g.name}, IPv4 = {'yes' if v4 else 'no'}, "
            f"IPv6 = {'yes' if v6 else 'no'}"] + body


def _script_line(label: str, sc: ScriptSpec | None) -> list[str]:
    return [] if sc is None else [f"{label} = {sc.cmd_str()}, uid:gid {sc.uid}:{sc.gid}"]


def _vs_lines(vs: LvsVirtualServer) -> list[str]:
    out = [" ------< Virtual server >------"]
    a = out.append
    if vs.group_name is not None:
        a(f" VS GROUP = {vs.label}")
    elif vs.fwmark is not None:
        a(f" VS FWMARK = {vs.fwmark}")
    else:
        a(f" VS VIP = {vs.address}, VPORT = {vs.port}")
    if vs.virtualhost:
        a(f"   VirtualHost = {vs.virtualhost}")
    if vs.af is not None:
        a(f"   Address family = inet{'6' if vs.af == 6 else ''}")
    elif vs.group is not None and {e.family for e in vs.group.addresses} == {4, 6}:
        a("   Address family = IPv4 & IPv6")
    else:
        a("   Address family = unknown")
    a(f"   connection timeout = {_dec(vs.connection_to)}")
    a(f"   delay_loop = {_dec(vs.delay_loop)}")
    a(f"   lvs_sched = {vs.sched}")
    fl = vs.flags

    def ed(bit: int) -> str:
        return "en" if fl & bit else "dis"

    a(f"   Hashed = {ed(SVC_F_HASHED)}abled")
    if vs.sched in ("sh", "mh"):
        a(f"   {vs.sched}-port = {ed(SVC_F_SCHED2)}abled")
        a(f"   {vs.sched}-fallback = {ed(SVC_F_SCHED1)}abled")
    else:
        for n, bit in (("flag-1", SVC_F_SCHED1), ("flag-2", SVC_F_SCHED2),
                       ("flag-3", SVC_F_SCHED3)):
            a(f"   {n} = {ed(bit)}abled")
    ops = bool(fl & SVC_F_ONEPACKET)
    a(f"   One packet scheduling = {'en' if ops else 'dis'}abled"
      f"{' (inactive due to not UDP)' if ops and vs.protocol != 'UDP' else ''}")
    if vs.persistence_timeout:
        a(f"   persistence timeout = {vs.persistence_timeout}")
    if vs.persistence_granularity:
        a(f"   persistence granularity = {vs.persistence_granularity}")
    a(f"   protocol = {vs.protocol or 'none'}")
    a(f"   alpha is {_onoff(vs.alpha)}")
    a(f"   omega is {_onoff(vs.omega)}")
    if vs.retry is not None:
        a(f"   Retry count = {vs.retry}")
    if vs.delay_before_retry is not None:
        a(f"   Retry delay = {_dec(vs.delay_before_retry)}")
    if vs.warmup is not None:
        a(f"   Warmup = {_dec(vs.warmup)}")
    a(f"   Inhibit on failure is {_onoff(vs.inhibit)}")
    a(f"   quorum = {vs.quorum}, hysteresis = {vs.hysteresis}")
    out += _script_line("   Quorum up notify script", vs.quorum_up)
    out += _script_line("   Quorum down notify script", vs.quorum_down)
    if vs.ha_suspend:
        a("   Using HA suspend")
    a(f"   Using smtp notification = {'yes' if vs.smtp_alert == 1 else 'no'}")
    out.extend(_fwd_lines(vs.fwd, "default "))
    s = vs.sorry
    if s is not None:
        a(f"   sorry server {'(duplicates rs) ' if s.duplicates_rs else ''}= "
          f"[{s.addr}]:{(vs.protocol or 'none').lower()}:{s.port}")
        out.extend(_fwd_lines(s.fwd, "  "))
        a(f"     Inhibit on failure is {_onoff(s.inhibit)}")
    a("   alive = 1")
    a(f"   quorum_state_up = {1 if vs.quorum_state_up else 0}")
    a("   reloaded = 0")
    for rs in vs.real_servers:
        out.extend(_rs_lines(rs))
    return out


def _rs_lines(r: LvsRealServer) -> list[str]:
    w = r.weight
    out = ["   ------< Real server >------",
           f"   RIP = {r.addr}, RPORT = {r.port}, WEIGHT = {w} EFF WEIGHT = {w}"]
    out.extend(_fwd_lines(r.fwd, ""))
    a = out.append
    a(f"   Alpha is {_onoff(r.alpha == 1)}")
    a(f"   connection timeout = {_dec(r.connection_to)}")
    a(f"   connection limit range = {r.l_threshold} -> {r.u_threshold}")
    a(f"   Delay loop = {_dec(r.delay_loop)}")
    if r.retry != UINT_MAX:
        a(f"   Retry count = {r.retry}")
    if r.delay_before_retry != ULONG_MAX:
        a(f"   Retry delay = {_dec(r.delay_before_retry)}")
    if r.warmup != ULONG_MAX:
        a(f"   Warmup = {_dec(r.warmup)}")
    a(f"   Inhibit on failure is {_onoff(r.inhibit == 1)}")
    out += _script_line("     RS up notify script", r.notify_up)
    out += _script_line("     RS down notify script", r.notify_down)
    if r.virtualhost:
        a(f"    VirtualHost = '{r.virtualhost}'")
    a(f"   Using smtp notification = {'yes' if r.smtp_alert == 1 else 'no'}")
    a(f"   initial weight = {w}")
    a(f"   effective weight = {w}")
    a("   previous effective_weight = 0")
    a(f"   alive = {1 if r.alive else 0}")
    a(f"   num failed checkers = {r.failed}")
    a(f"   RS set = {1 if r.set else 0}")
    a("   reloaded = 0")
    return out
