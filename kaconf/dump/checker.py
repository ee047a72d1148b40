"""The checker child's sections: ``dump_check_data`` in 2.2.7 (source only).

Never observed on the reference machine (the checker child exits before
dumping when the kernel has no IPVS), so the format follows the 2.2.7 sources:
``------< LVS Topology >------`` with the virtual server groups and virtual
servers (real servers nested), then ``------< Health checkers >------`` with
one block per checker. Values are the ones after ``validate_check_config``
(default scheduler ``wlc``, protocol UDP, forwarding NAT, quorum capped by the
real servers' weights, real-server and checker values inherited from their
parents) and before any checker has run.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from kaconf.effective.globals import GlobalState
from kaconf.effective.host import Host
from kaconf.effective.values import (
    TIMER_HZ,
    UINT_MAX,
    ScriptSpec,
    bool_setting,
    is_before,
    read_decimal,
    read_uint,
    script_words,
    setting,
    words,
)
from kaconf.model.objects import Checker, Config, RealServer, VirtualServer

ULONG_MAX = 2**64 - 1
#: IP_VS_VERSION_CODE of the reference build's kernel headers.
LVS_VERSION = "1.2.1"
_SCHEDULERS = {"rr", "wrr", "lc", "wlc", "lblc", "sh", "mh", "dh", "fo", "ovf", "lblcr", "sed",
               "nq", "twos"}
_PROTO = {"TCP": "TCP", "UDP": "UDP", "SCTP": "SCTP"}


def _dec(v: int) -> str:
    """keepalived's ``format_decimal(val, 6)``."""
    return f"{v // TIMER_HZ}.{v % TIMER_HZ:06d}"


def _timer(text: str | None) -> int | None:
    """keepalived's ``read_timer``: seconds with up to 6 decimals, in microseconds."""
    return read_decimal(text, 6, 0, ULONG_MAX)


def _addr(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return text


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
    extra: list[str] = field(default_factory=list)


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
        ssl_get = any(ck.kind == "SSL_GET" for vs in cfg.virtual_servers
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
                out.extend(self._checker_lines(label, ck))
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
                self._inherit(c, ers)
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
            eck = self._checker(ck, ers)
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

    # -- checkers ------------------------------------------------------------------

    def _checker(self, ck: Checker, rs: EffRS) -> EffChecker | None:
        st = ck.settings
        e = EffChecker(kind=ck.kind, rs=rs, dest=rs.addr, dest_port=rs.port)
        e.has_co = ck.kind not in ("MISC_CHECK", "FILE_CHECK", "BFD_CHECK")
        ip_s = st.get("connect_ip")
        port_s = st.get("connect_port")
        ip = _w0(ip_s)
        if ip:
            e.dest = _addr(ip)
            e.dest_port = 0  # connect_ip replaces the whole destination, port included
        port = read_uint(_w0(port_s), 1, 65535)
        if port is not None and not (ip and port_s is not None and ip_s is not None
                                     and is_before(port_s.span, ip_s.span)):
            e.dest_port = port
        b = _w0(st.get("bindto"))
        if b:
            e.bindto = _addr(b)
        bp = read_uint(_w0(st.get("bind_port")), 1, 65535)
        if bp is not None:
            e.bind_port = bp
        e.bind_if = _w0(st.get("bind_if"))
        fm = read_uint(_w0(st.get("fwmark")))
        if fm is not None:
            e.fwmark = fm
        t = _timer(_w0(st.get("connect_timeout")))
        if t:
            e.connection_to = t
        r = read_uint(_w0(st.get("retry")))
        if r is not None:
            e.retry = r
        for kw, attr in (("delay_before_retry", "delay_before_retry"), ("warmup", "warmup"),
                         ("delay_loop", "delay_loop")):
            tv = _timer(_w0(st.get(kw)))
            if tv is not None and (tv or kw != "delay_loop"):
                setattr(e, attr, tv)
        if st.get("alpha") is not None:
            bv = bool_setting(ck, "alpha", default=-2)
            if bv != -2:
                e.alpha = bv
        e.log_all_failures = bool_setting(ck, "log_all_failures", default=0) == 1
        e.extra = self._checker_extra(ck)
        if e.extra and e.extra[0] == "DROP":
            return None
        return e

    @staticmethod
    def _inherit(e: EffChecker, rs: EffRS) -> None:
        """Checker values not given take the real server's (``validate_check_config``)."""
        if e.alpha == -1:
            e.alpha = rs.alpha
        if e.retry == UINT_MAX:
            e.retry = rs.retry if rs.retry != UINT_MAX else 1
        if e.connection_to == UINT_MAX:
            e.connection_to = rs.connection_to
        if e.delay_loop == ULONG_MAX:
            e.delay_loop = rs.delay_loop
        if e.warmup == ULONG_MAX:
            e.warmup = rs.warmup if rs.warmup != ULONG_MAX else e.delay_loop
        if e.delay_before_retry == ULONG_MAX:
            e.delay_before_retry = rs.delay_before_retry \
                if rs.delay_before_retry != ULONG_MAX else TIMER_HZ

    def _checker_extra(self, ck: Checker) -> list[str]:
        """The checker type's own dump lines (``dump_*_check``)."""
        st = ck.settings
        kind = ck.kind
        if kind == "TCP_CHECK":
            return ["   Keepalive method = TCP_CHECK"]
        if kind == "PING_CHECK":
            return ["   Keepalive method = PING_CHECK"]
        if kind in ("HTTP_GET", "SSL_GET"):
            hp = _w0(st.get("http_protocol"))
            proto = {"1.1": "1.1", "1.0C": "1.0C", "1.0c": "1.0C"}.get(hp or "", "1.0")
            out = [f"   Keepalive method = {'HTTP' if kind == 'HTTP_GET' else 'SSL'}_GET, "
                   f"http protocol {proto}"]
            vh = _w0(st.get("virtualhost"))
            if vh:
                out.append(f"   Virtualhost = {vh}")
            out.append(f"   Enable SNI {'' if st.get('enable_sni') is not None else 'un'}set")
            out.append(f"   Fast recovery {'' if st.get('fast_recovery') is not None else 'un'}"
                       "set")
            for url in ck.url:
                if not url.path:
                    continue
                out.append(f"   Checked url = {url.path}")
                if url.digest:
                    out.append(f"     digest = {url.digest.lower()}")
                out.append("     HTTP Status Code(s)")
                out.extend(f"       {x}" for x in _status_ranges(url))
                if url.virtualhost:
                    out.append(f"     Virtual host = {url.virtualhost}")
            return out
        if kind == "MISC_CHECK":
            ms = st.get("misc_path")
            args = script_words(ms) if ms is not None else []
            if not args:
                return ["DROP"]
            ids = self.gs.run_ids(words(st.get("user")))
            if ids is None:
                return ["DROP"]
            spec = self.gs.secure(ScriptSpec(args, ids[0], ids[1]))
            if spec is None:
                return ["DROP"]
            to = read_uint(_w0(st.get("misc_timeout")), 0, UINT_MAX // TIMER_HZ) or 0
            return ["   Keepalive method = MISC_CHECK",
                    f"   script = {spec.cmd_str()}",
                    f"   timeout = {to}",
                    f"   dynamic = {'YES' if st.get('misc_dynamic') is not None else 'NO'}",
                    f"   uid:gid = {spec.uid}:{spec.gid}",
                    "   Last ran = 0.000000 (Thu Jan  1 00:00:00 1970.000000)",
                    "   Last status = 0"]
        if kind == "SMTP_CHECK":
            helo = _w0(st.get("helo_name")) or self.gs.local_name
            return ["   Keepalive method = SMTP_CHECK", f"   helo = {helo}"]
        if kind == "DNS_CHECK":
            return ["   Keepalive method = DNS_CHECK",
                    f"   Type = {(_w0(st.get('type')) or 'SOA').upper()}",
                    f"   Name = {_w0(st.get('name')) or '.'}"]
        if kind == "UDP_CHECK":
            out = ["   Keepalive method = UDP_CHECK"]
            payload = _w0(st.get("payload"))
            if payload:
                out.append(f"   Payload len = {len(payload) // 2}")
            else:
                out.append("   Payload specified = no")
            req = st.get("require_reply") is not None
            out.append(f"   Require reply = {'yes' if req else 'no'}")
            if req:
                out.append(f"     Min reply length = {read_uint(_w0(st.get('min_length'))) or 0}")
                out.append("     Max reply length = "
                           f"{read_uint(_w0(st.get('max_length'))) or 0}")
                out.append("     Reply data len = 0")
            return out
        if kind == "FILE_CHECK":
            return ["   Keepalive method = FILE_CHECK",
                    f"     Tracked file = {_w0(st.get('track_file')) or ''}",
                    "     Reloaded = No"]
        if kind == "BFD_CHECK":
            return ["   Keepalive method = BFD_CHECK", f"   Name = {_w0(st.get('name')) or ''}"]
        return [f"   Keepalive method = {kind}"]

    def _checker_lines(self, vs_label: str, c: EffChecker) -> list[str]:
        rs = c.rs
        proto = vs_label.split(":")[-2] if vs_label.count(":") >= 2 else "none"
        rs_label = f"[{rs.addr}]:{proto}:{rs.port}"
        out = [f" {vs_label} -> {rs_label}",
               "   Enabled = yes",
               f"   Up = {'no' if c.alpha == 1 else 'yes'}",
               "   Has run = no",
               "   Current weight = 0"]
        a = out.append
        if c.kind != "FILE_CHECK":
            a(f"   Alpha = {'yes' if c.alpha == 1 else 'no'}")
            a(f"   Delay loop = {c.delay_loop} us")
            a(f"   Warmup = {c.warmup} us")
            a(f"   Retries = {c.retry}")
            if c.retry:
                a(f"   Delay before retry = {c.delay_before_retry} us")
                a(f"   Retries iterations = {c.retry}")
            a(f"   Default delay before retry = {TIMER_HZ} us")
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


def _status_ranges(url: object) -> list[str]:
    codes: set[int] = set()
    sc = getattr(url, "status_code", None)
    items: list[str] = []
    if isinstance(sc, list):
        items = [str(x) for x in sc]
    elif sc is not None:
        items = str(sc).replace(",", " ").split()
    for it in items:
        lo_s, _, hi_s = it.partition("-")
        lo = read_uint(lo_s, 100, 599)
        hi = read_uint(hi_s, 100, 599) if hi_s else lo
        if lo is None or hi is None or hi < lo:
            continue
        codes.update(range(lo, hi + 1))
    if not codes:
        codes = set(range(200, 300))
    out: list[str] = []
    start = prev = None
    for c in sorted(codes) + [None]:  # type: ignore[list-item]
        if c is not None and prev is not None and c == prev + 1:
            prev = c
            continue
        if start is not None:
            out.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = c
    return out


def _w0(s: object) -> str | None:
    from kaconf.model.objects import Setting

    if not isinstance(s, Setting):
        return None
    w = words(s)
    return w[0] if w else None


def checker_lines(cfg: Config, gs: GlobalState, host: Host) -> list[str]:
    """The checker child's sections after its ``Global definitions``."""
    return CheckerBuilder(cfg, gs, host).lines()
