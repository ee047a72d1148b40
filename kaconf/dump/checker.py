"""The checker child's sections: ``dump_check_data`` in 2.2.7 (source only).

Never observed on the reference machine (the checker child exits before
dumping when the kernel has no IPVS), so the format follows the 2.2.7 sources:
``------< LVS Topology >------`` with the virtual server groups and virtual
servers (real servers nested), then ``------< Health checkers >------`` with
one block per checker. Values are the ones after ``validate_check_config``
(default scheduler ``wlc``, protocol UDP, forwarding NAT, quorum capped by the
real servers' weights, real-server and checker values inherited from their
parents) and before any checker has run. This module prints the topology; each checker's
entry is :mod:`kaconf.checkers.dump` (common lines) and its kind module's ``dump``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from kaconf.checkers import registry
from kaconf.checkers.base import first_word as _w0
from kaconf.checkers.dump import ULONG_MAX, EffChecker, checker_entry_lines, effective_checker
from kaconf.checkers.dump import inherit as _inherit
from kaconf.checkers.dump import norm_addr as _addr
from kaconf.checkers.dump import read_timer as _timer
from kaconf.effective.globals import GlobalState
from kaconf.effective.host import Host
from kaconf.effective.values import (
    TIMER_HZ,
    UINT_MAX,
    ScriptSpec,
    bool_setting,
    read_uint,
    setting,
    words,
)
from kaconf.model.objects import Checker, Config, RealServer, VirtualServer

#: IP_VS_VERSION_CODE of the reference build's kernel headers.
LVS_VERSION = "1.2.1"
_SCHEDULERS = {"rr", "wrr", "lc", "wlc", "lblc", "sh", "mh", "dh", "fo", "ovf", "lblcr", "sed",
               "nq", "twos"}
_PROTO = {"TCP": "TCP", "UDP": "UDP", "SCTP": "SCTP"}


def _dec(v: int) -> str:
    """keepalived's ``format_decimal(val, 6)``."""
    return f"{v // TIMER_HZ}.{v % TIMER_HZ:06d}"


@dataclass
class Fwd:
    method: str = ""  # NAT / DR / TUN
    tun_type: str = "ipip"
    tun_port: int = 0
    csum: str = "nocsum"

    def lines(self, prefix: str) -> list[str]:
        fm = "forwarding method = "
        if self.method in ("NAT", "DR"):
            return [f"   {prefix}{fm}{self.method}"]
        if self.method == "TUN":
            tt = "TUN, type = "
            if self.tun_type == "ipip":
                return [f"   {prefix}{fm}{tt}IPIP"]
            cs = {"nocsum": ", no checksum", "csum": ", checksum",
                  "remcsum": ", remote checksum"}.get(self.csum, "")
            if self.tun_type == "gue":
                return [f"   {fm}{tt}GUE, port = {self.tun_port}{cs}"]
            return [f"   {fm}{tt}GRE{cs}"]
        return [f"   {fm} 0x7"]


def _fwd(words_: list[str]) -> Fwd | None:
    if not words_ or words_[0] not in ("NAT", "DR", "TUN"):
        return None
    f = Fwd(words_[0])
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


@dataclass
class EffRS:
    addr: str
    port: int
    weight: int | None = None
    fwd: Fwd | None = None
    alpha: int = -1
    inhibit: int = -1
    connection_to: int = UINT_MAX
    delay_loop: int = ULONG_MAX
    warmup: int = ULONG_MAX
    retry: int = UINT_MAX
    delay_before_retry: int = ULONG_MAX
    l_threshold: int = 0
    u_threshold: int = 0
    notify_up: ScriptSpec | None = None
    notify_down: ScriptSpec | None = None
    virtualhost: str | None = None
    smtp_alert: int = -1
    alive: bool = True
    set: bool = True
    failed: int = 0
    checkers: list[EffChecker] = field(default_factory=list)


class CheckerBuilder:
    """Replays check_parser.c and ``validate_check_config`` on the model."""

    def __init__(self, cfg: Config, gs: GlobalState, host: Host) -> None:
        self.cfg = cfg
        self.gs = gs
        self.host = host

    def vs_label(self, vs: VirtualServer, proto: str) -> str:
        if vs.group is not None:
            return f"[{vs.group}]:0"
        if vs.fwmark is not None:
            return f"FWM {vs.fwmark}"
        return f"[{vs.address}]:{proto.lower()}:{vs.port or 0}"

    def lines(self) -> list[str]:
        cfg = self.cfg
        out: list[str] = []
        ssl = next((o for o in cfg.other if o.keyword == "SSL"), None)
        ssl_get = any(_needs_ssl(ck) for vs in cfg.virtual_servers
                      for rs in vs.real_server for ck in rs.checkers)
        if ssl is not None or ssl_get:
            # an SSL_GET checker makes keepalived create a default SSL context
            out.append("------< SSL definitions >------")
            parts = [(k, words(ssl.settings.get(k)) if ssl is not None else [])
                     for k in ("password", "ca", "certificate", "key")]
            if not any(w for _, w in parts):
                out.append(" Using autogen SSL context")
            for k, w in parts:
                if w:
                    label = {"password": "Password", "ca": "CA-file",
                             "certificate": "Certificate file", "key": "Key file"}[k]
                    out.append(f" {label} : {w[0]}")
        vss = [vs for vs in cfg.virtual_servers if vs.real_server]
        checkers: list[tuple[str, EffChecker]] = []
        if vss:
            out.append("------< LVS Topology >------")
            out.append(f" System is compiled with LVS v{LVS_VERSION}")
            for name, vsg in cfg.virtual_server_groups.items():
                if not vsg.entries:
                    continue
                out.extend(self._vsg_lines(name, vsg))
            for vs in vss:
                lines, chks = self._vs(vs)
                out.extend(lines)
                checkers.extend(chks)
        if checkers:
            out.append("------< Health checkers >------")
            for label, ck in checkers:
                out.extend(checker_entry_lines(label, ck))
        return out

    # -- virtual server groups --------------------------------------------------------

    def _vsg_lines(self, name: str, vsg: object) -> list[str]:
        entries = getattr(vsg, "entries", [])
        v4 = v6 = False
        body: list[str] = []
        fw: list[str] = []
        for e in entries:
            if e.kind == "fwmark":
                fam = ""
                if " inet6" in f" {e.text} ":
                    fam = " IPv6"
                elif " inet " in f" {e.text} ":
                    fam = " IPv4"
                fw.append(f"   FWMARK = {e.fwmark}{fam}")
                fw.append("     Alive: 0 IPv4, 0 IPv6")
                fw.append("     reloaded = False")
                continue
            first = e.text.split()[0]
            port = e.port or 0
            if e.kind == "range":
                start, _, end = first.partition("-")
                is6 = ":" in start
                if is6:
                    end_addr = end if ":" in end else start.rsplit(":", 1)[0] + ":" + end
                else:
                    end_addr = start.rsplit(".", 1)[0] + "." + end if "." not in end else end
                body.append(f"   VIP Range = {_addr(start)}-{_addr(end_addr)}, VPORT = {port}")
            elif e.kind == "subnet":
                net = ipaddress.ip_network(first, strict=False)
                is6 = net.version == 6
                if net.num_addresses > 1:
                    body.append(f"   VIP Range = {net[0]}-{net[-1]}, VPORT = {port}")
                else:
                    body.append(f"   VIP = {net[0]}, VPORT = {port}")
            else:
                is6 = ":" in first
                body.append(f"   VIP = {_addr(first)}, VPORT = {port}")
            v4 = v4 or not is6
            v6 = v6 or is6
            body.append("     Alive: 0 tcp, 0 udp, 0 sctp")
            body.append("     reloaded = False")
        head = [" ------< Virtual server group >------",
                f" Virtual Server Group = {name}, IPv4 = {'yes' if v4 else 'no'}, "
                f"IPv6 = {'yes' if v6 else 'no'}"]
        return head + body + fw

    # -- virtual servers -----------------------------------------------------------

    def _vs(self, vs: VirtualServer) -> tuple[list[str], list[tuple[str, EffChecker]]]:
        gs = self.gs
        st = vs.settings
        proto = ""
        pw = words(setting(vs, "protocol"))
        if pw and pw[0].upper() in _PROTO:
            proto = _PROTO[pw[0].upper()]
        sched = ""
        sw = words(setting(vs, "lb_algo", "lvs_sched"))
        if sw and sw[0] in _SCHEDULERS:
            sched = sw[0]
        fwd = _fwd(words(setting(vs, "lb_kind", "lvs_method"))) or Fwd()
        delay_loop = _timer(_w0(setting(vs, "delay_loop"))) or 60 * TIMER_HZ
        connection_to = _timer(_w0(setting(vs, "connect_timeout"))) or 5 * TIMER_HZ
        retry = read_uint(_w0(setting(vs, "retry")), 1) or UINT_MAX
        dbr = _timer(_w0(setting(vs, "delay_before_retry")))
        warmup = _timer(_w0(setting(vs, "warmup")))
        quorum = read_uint(_w0(setting(vs, "quorum")), 1) or 1
        hysteresis = read_uint(_w0(setting(vs, "hysteresis"))) or 0
        pto = 0
        pts = setting(vs, "persistence_timeout")
        if pts is not None:
            ptw = words(pts)
            pto = 360 if not ptw else (read_uint(ptw[0], 1) or 0)
        pgr = _w0(setting(vs, "persistence_granularity"))
        if pgr and not pto:
            pto = 360
        vs_weight = read_uint(_w0(setting(vs, "weight")), 1) or 1
        alpha = st.get("alpha") is not None
        omega = st.get("omega") is not None
        inhibit = st.get("inhibit_on_failure") is not None
        ha_suspend = st.get("ha_suspend") is not None
        flags = {k for k in ("hashed", "ops", "flag-1", "flag-2", "flag-3", "sh-port",
                             "sh-fallback", "mh-port", "mh-fallback") if k in st}
        smtp = bool_setting(vs, "smtp_alert", default=-1)
        is_addr = vs.group is None and vs.fwmark is None
        if is_addr or (vs.group is not None and any(
                e.kind != "fwmark" for e in getattr(
                    self.cfg.virtual_server_groups.get(vs.group), "entries", []))):
            if not proto:
                proto = "UDP"
            if "ops" in flags and proto != "UDP":
                flags.discard("ops")
            if not pto and is_addr and not vs.port:
                pto = 360
        elif proto:
            proto = ""
        if not sched:
            sched = "wlc"
        if smtp == -1:
            smtp = gs.smtp_alert_checker if gs.smtp_alert_checker != -1 else (
                gs.smtp_alert if gs.smtp_alert != -1 else 0)
        rss: list[EffRS] = []
        weight_sum = 0
        for rs in vs.real_server:
            ers = self._rs(rs, vs)
            if ers is None:
                continue
            if any((x.addr, x.port) == (ers.addr, ers.port) for x in rss):
                continue
            if ers.fwd is None:
                if not fwd.method:
                    fwd.method = "NAT"
                ers.fwd = Fwd(fwd.method, fwd.tun_type, fwd.tun_port, fwd.csum)
            if ers.alpha == -1:
                ers.alpha = int(alpha)
            if ers.inhibit == -1:
                ers.inhibit = int(inhibit)
            if ers.retry == UINT_MAX:
                ers.retry = retry
            if ers.connection_to == UINT_MAX:
                ers.connection_to = connection_to
            if ers.delay_loop == ULONG_MAX:
                ers.delay_loop = delay_loop
            if ers.warmup == ULONG_MAX:
                ers.warmup = ULONG_MAX if warmup is None else warmup
            if ers.delay_before_retry == ULONG_MAX:
                ers.delay_before_retry = ULONG_MAX if dbr is None else dbr
            if ers.weight is None:
                ers.weight = vs_weight
            if ers.smtp_alert == -1:
                ers.smtp_alert = gs.smtp_alert_checker if gs.smtp_alert_checker != -1 else (
                    gs.smtp_alert if gs.smtp_alert != -1 else 1)
            weight_sum += ers.weight
            if is_addr:
                if ers.fwd.method == "NAT" or not ers.port:
                    ers.port = ers.port or (vs.port or 0)
                else:
                    ers.port = vs.port or 0
            elif vs.fwmark is not None and ers.fwd.method != "NAT":
                ers.port = 0
            rss.append(ers)
        for ers in rss:
            for c in ers.checkers:
                _inherit(c, ers)
            ers.failed = sum(1 for c in ers.checkers if c.alpha == 1)
            ers.alive = ers.failed == 0
            ers.set = ers.alive or ers.inhibit == 1
        if quorum > weight_sum:
            quorum = weight_sum
        if hysteresis >= quorum:
            hysteresis = max(quorum - 1, 0)
        if not fwd.method:
            fwd.method = "NAT"
        label = self.vs_label(vs, proto or "none")
        out = [" ------< Virtual server >------"]
        a = out.append
        if vs.group is not None:
            a(f" VS GROUP = {label}")
        elif vs.fwmark is not None:
            a(f" VS FWMARK = {vs.fwmark}")
        else:
            a(f" VS VIP = {vs.address}, VPORT = {vs.port or 0}")
        vh = _w0(setting(vs, "virtualhost"))
        if vh:
            a(f"   VirtualHost = {vh}")
        af = self._af(vs, rss)
        a(f"   Address family = {af}")
        a(f"   connection timeout = {_dec(connection_to)}")
        a(f"   delay_loop = {_dec(delay_loop)}")
        a(f"   lvs_sched = {sched}")
        a(f"   Hashed = {'en' if 'hashed' in flags else 'dis'}abled")
        if sched in ("sh", "mh"):
            a(f"   {sched}-port = {'en' if f'{sched}-port' in flags else 'dis'}abled")
            a(f"   {sched}-fallback = {'en' if f'{sched}-fallback' in flags else 'dis'}abled")
        else:
            for n in ("flag-1", "flag-2", "flag-3"):
                a(f"   {n} = {'en' if n in flags else 'dis'}abled")
        ops = "ops" in flags
        a(f"   One packet scheduling = {'en' if ops else 'dis'}abled"
          f"{' (inactive due to not UDP)' if ops and proto != 'UDP' else ''}")
        if pto:
            a(f"   persistence timeout = {pto}")
        if pgr:
            a(f"   persistence granularity = {pgr}")
        a(f"   protocol = {proto or 'none'}")
        a(f"   alpha is {'ON' if alpha else 'OFF'}")
        a(f"   omega is {'ON' if omega else 'OFF'}")
        if retry != UINT_MAX:
            a(f"   Retry count = {retry}")
        if dbr is not None:
            a(f"   Retry delay = {_dec(dbr)}")
        if warmup is not None:
            a(f"   Warmup = {_dec(warmup)}")
        a(f"   Inhibit on failure is {'ON' if inhibit else 'OFF'}")
        a(f"   quorum = {quorum}, hysteresis = {hysteresis}")
        for kw, lab in (("quorum_up", "Quorum up"), ("quorum_down", "Quorum down")):
            sc = gs.secure(gs.script(st.get(kw))) if st.get(kw) is not None else None
            if sc is not None:
                a(f"   {lab} notify script = {sc.cmd_str()}, uid:gid {sc.uid}:{sc.gid}")
        if ha_suspend and vs.fwmark is None:
            a("   Using HA suspend")
        a(f"   Using smtp notification = {'yes' if smtp == 1 else 'no'}")
        out.extend(fwd.lines("default "))
        ss = words(setting(vs, "sorry_server"))
        if ss:
            s_port = read_uint(ss[1], 0, 65535) if len(ss) > 1 else 0
            s_fwd = _fwd(words(setting(vs, "sorry_server_lvs_method"))) or \
                Fwd(fwd.method, fwd.tun_type, fwd.tun_port, fwd.csum)
            if is_addr and s_fwd.method != "NAT":
                s_port = vs.port or 0
            elif vs.fwmark is not None and s_fwd.method != "NAT":
                s_port = 0
            s_inhibit = st.get("sorry_server_inhibit") is not None
            dup = any((r.addr, r.port) == (_addr(ss[0]), s_port or 0) for r in rss)
            if dup:
                match = next(r for r in rss if (r.addr, r.port) == (_addr(ss[0]), s_port or 0))
                s_inhibit = bool(match.inhibit)
            a(f"   sorry server {'(duplicates rs) ' if dup else ''}= "
              f"[{_addr(ss[0])}]:{(proto or 'none').lower()}:{s_port or 0}")
            out.extend(s_fwd.lines("  "))
            a(f"     Inhibit on failure is {'ON' if s_inhibit else 'OFF'}")
        live = sum(r.weight or 0 for r in rss if r.alive)
        a("   alive = 1")
        a(f"   quorum_state_up = {1 if live >= quorum + hysteresis else 0}")
        a("   reloaded = 0")
        checkers: list[tuple[str, EffChecker]] = []
        for ers in rss:
            out.extend(self._rs_lines(ers))
            for ck in ers.checkers:
                checkers.append((label, ck))
        return out, checkers

    def _af(self, vs: VirtualServer, rss: list[EffRS]) -> str:
        fam = None
        fam_text = _w0(setting(vs, "ip_family"))
        if vs.address is not None:
            fam = vs.address.version
        elif fam_text in ("inet", "inet6"):
            fam = 6 if fam_text == "inet6" else 4
        elif rss:
            fam = 6 if ":" in rss[0].addr else 4
        if fam is None and vs.group is not None:
            return "unknown"
        return "inet" if fam in (None, 4) else "inet6"

    # -- real servers ----------------------------------------------------------------

    def _rs(self, rs: RealServer, vs: VirtualServer) -> EffRS | None:
        gs = self.gs
        if rs.address is None:
            return None
        ers = EffRS(addr=str(rs.address), port=rs.port or 0)
        st = rs.settings
        w = read_uint(_w0(st.get("weight")), 0, 2**31 - 1)
        if w is not None:
            ers.weight = w
        ers.fwd = _fwd(words(st.get("lvs_method")))
        for kw, attr in (("uthreshold", "u_threshold"), ("lthreshold", "l_threshold")):
            v = read_uint(_w0(st.get(kw)))
            if v is not None:
                setattr(ers, attr, v)
        if st.get("inhibit_on_failure") is not None:
            b = bool_setting(rs, "inhibit_on_failure", default=-2)
            if b != -2:
                ers.inhibit = b
        if st.get("alpha") is not None:
            b = bool_setting(rs, "alpha", default=-2)
            if b != -2:
                ers.alpha = b
        if st.get("smtp_alert") is not None:
            b = bool_setting(rs, "smtp_alert", default=-2)
            if b != -2:
                ers.smtp_alert = b
        v = read_uint(_w0(st.get("retry")), 1)
        if v is not None:
            ers.retry = v
        for kw, attr in (("connect_timeout", "connection_to"), ("delay_loop", "delay_loop"),
                         ("delay_before_retry", "delay_before_retry"), ("warmup", "warmup")):
            t = _timer(_w0(st.get(kw)))
            if t is not None and (t or kw in ("delay_before_retry", "warmup")):
                setattr(ers, attr, t)
        ers.notify_up = gs.secure(gs.script(st.get("notify_up"))) \
            if st.get("notify_up") is not None else None
        ers.notify_down = gs.secure(gs.script(st.get("notify_down"))) \
            if st.get("notify_down") is not None else None
        ers.virtualhost = _w0(st.get("virtualhost"))
        for ck in rs.checkers:
            eck = effective_checker(ck, ers, self.gs)
            if eck is not None:
                ers.checkers.append(eck)
        return ers

    def _rs_lines(self, r: EffRS) -> list[str]:
        weight = r.weight or 0
        out = ["   ------< Real server >------",
               f"   RIP = {r.addr}, RPORT = {r.port}, WEIGHT = {weight} EFF WEIGHT = {weight}"]
        assert r.fwd is not None
        out.extend(r.fwd.lines(""))
        a = out.append
        a(f"   Alpha is {'ON' if r.alpha == 1 else 'OFF'}")
        a(f"   connection timeout = {_dec(r.connection_to)}")
        a(f"   connection limit range = {r.l_threshold} -> {r.u_threshold}")
        a(f"   Delay loop = {_dec(r.delay_loop)}")
        if r.retry != UINT_MAX:
            a(f"   Retry count = {r.retry}")
        if r.delay_before_retry != ULONG_MAX:
            a(f"   Retry delay = {_dec(r.delay_before_retry)}")
        if r.warmup != ULONG_MAX:
            a(f"   Warmup = {_dec(r.warmup)}")
        a(f"   Inhibit on failure is {'ON' if r.inhibit == 1 else 'OFF'}")
        if r.notify_up:
            a(f"     RS up notify script = {r.notify_up.cmd_str()}, uid:gid "
              f"{r.notify_up.uid}:{r.notify_up.gid}")
        if r.notify_down:
            a(f"     RS down notify script = {r.notify_down.cmd_str()}, uid:gid "
              f"{r.notify_down.uid}:{r.notify_down.gid}")
        if r.virtualhost:
            a(f"    VirtualHost = '{r.virtualhost}'")
        a(f"   Using smtp notification = {'yes' if r.smtp_alert == 1 else 'no'}")
        a(f"   initial weight = {weight}")
        a(f"   effective weight = {weight}")
        a("   previous effective_weight = 0")
        a(f"   alive = {1 if r.alive else 0}")
        a(f"   num failed checkers = {r.failed}")
        a(f"   RS set = {1 if r.set else 0}")
        a("   reloaded = 0")
        return out


def _needs_ssl(ck: Checker) -> bool:
    kind = registry.get(ck.kind)
    return kind is not None and kind.tls


def checker_lines(cfg: Config, gs: GlobalState, host: Host) -> list[str]:
    """The checker child's sections after its ``Global definitions``."""
    return CheckerBuilder(cfg, gs, host).lines()
