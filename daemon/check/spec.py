"""Effective health-checker settings, resolved from the typed model as keepalived 2.2.7 does.

Why a separate, pure layer: the model (:mod:`kaconf.model.objects`) keeps ``None`` for "not
given", because the effective value often depends on other blocks.  The checker needs the
*effective* values, and keepalived's inheritance rules (``validate_check_config`` in
check_data.c, the per-checker defaults in check_http.c / check_misc.c / check_dns.c) are easy
to get subtly wrong, so they live here, in one place, with unit tests
(tests/unit/test_check_spec.py):

* ``delay_loop``: checker -> real_server -> virtual_server -> 60 s;
* ``connect_timeout``: checker -> real_server -> virtual_server -> 5 s;
* ``retry``: checker -> real_server -> virtual_server -> 1 (MISC_CHECK 0, DNS_CHECK 3);
* ``delay_before_retry``: checker -> real_server -> virtual_server -> 1 s (HTTP_GET/SSL_GET
  3 s, DNS_CHECK its delay_loop);
* ``warmup``: checker -> real_server -> virtual_server -> the checker's delay_loop;
* ``alpha``: checker -> real_server -> virtual_server -> off; ``inhibit_on_failure`` and
  ``weight``: real_server -> virtual_server (weight default 1);
* ``quorum`` (default 1) is lowered to the sum of the real servers' weights and
  ``hysteresis`` (default 0) to ``quorum - 1``, with a warning, as keepalived does;
* a real server without a port takes the virtual server's (address-based VS); a fwmark VS
  clears the port of non-NAT real servers.

Nothing here does I/O; problems are returned as warning strings for the caller to log.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from kaconf.model.objects import (
    BfdCheck,
    Checker,
    Config,
    DnsCheck,
    FileCheck,
    HttpGet,
    MiscCheck,
    RealServer,
    SmtpCheck,
    UdpCheck,
    VirtualServer,
)

DEFAULT_DELAY_LOOP = 60.0
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_SCHEDULER = "wlc"
DEFAULT_FORWARDING = "NAT"
DEFAULT_PERSISTENCE_TIMEOUT = 360
SMTP_DEFAULT_HELO = "smtpchecker.keepalived.org"
HTTP_DEFAULT_STATUS = frozenset(range(200, 300))
#: keepalived's IPVS_WEIGHT_LIMIT (INT32_MAX): real_weight() clamps to [0, this].
IPVS_WEIGHT_LIMIT = 2**31 - 1
#: track_file values at or below this are a fault (IPVS_WEIGHT_FAULT = INT32_MIN).
IPVS_WEIGHT_FAULT = -(2**31)

#: DNS_CHECK ``type`` keyword -> RR type number (check_dns.c DNS_TYPE table).
DNS_TYPES: dict[str, int] = {
    "A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "MX": 15, "TXT": 16, "AAAA": 28,
    "RRSIG": 46, "DNSKEY": 48,
}

#: IPVS service flags set by the virtual_server keywords of the same name.
SVC_F_PERSISTENT = 0x0001
SVC_F_HASHED = 0x0002
SVC_F_ONEPACKET = 0x0004
SVC_F_SCHED1 = 0x0008
SVC_F_SCHED2 = 0x0010
SVC_F_SCHED3 = 0x0020
_FLAG_KEYWORDS: dict[str, int] = {
    "ops": SVC_F_ONEPACKET,
    "flag-1": SVC_F_SCHED1, "flag-2": SVC_F_SCHED2, "flag-3": SVC_F_SCHED3,
    "sh-fallback": SVC_F_SCHED1, "sh-port": SVC_F_SCHED2,
    "mh-fallback": SVC_F_SCHED1, "mh-port": SVC_F_SCHED2,
}

#: Largest number of addresses a virtual_server_group range/subnet is expanded to.
MAX_GROUP_EXPANSION = 256


@dataclass(frozen=True, slots=True)
class ConnOpts:
    """Where and how a checker connects (keepalived's ``conn_opts_t``)."""

    host: str
    port: int
    timeout: float
    bindto: str | None = None
    bind_port: int | None = None
    bind_if: str | None = None
    fwmark: int | None = None

    @property
    def family(self) -> int:
        """4 or 6: the address family of :attr:`host`."""
        return ipaddress.ip_address(self.host).version

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


@dataclass(frozen=True, slots=True)
class UrlSpec:
    """One ``url`` block of HTTP_GET/SSL_GET with its defaults applied."""

    path: str
    digest: str | None = None  # lower-case hex MD5 of the body
    status_codes: frozenset[int] = HTTP_DEFAULT_STATUS
    virtualhost: str | None = None  # the Host header for this url (already inherited)
    sni_name: str | None = None  # server_name for TLS, when enable_sni


@dataclass(frozen=True, slots=True)
class HttpParams:
    urls: tuple[UrlSpec, ...]
    tls: bool = False
    http_protocol: str = "1.0"  # 1.0 | 1.1 | 1.0C


@dataclass(frozen=True, slots=True)
class MiscParams:
    args: tuple[str, ...]
    timeout: float
    dynamic: bool = False
    user: str | None = None


@dataclass(frozen=True, slots=True)
class SmtpParams:
    helo_name: str = SMTP_DEFAULT_HELO


@dataclass(frozen=True, slots=True)
class DnsParams:
    qtype: int = DNS_TYPES["SOA"]
    name: str = ""


@dataclass(frozen=True, slots=True)
class UdpParams:
    payload: bytes | None = None
    require_reply: bool = False
    reply_data: bytes | None = None
    reply_mask: bytes | None = None  # bits set = "don't care" (the X nibbles)
    min_reply_length: int = 0
    max_reply_length: int = 255


@dataclass(frozen=True, slots=True)
class FileParams:
    path: str
    weight: int = 1
    reverse: bool = False


@dataclass(frozen=True, slots=True)
class BfdParams:
    name: str


Params = (HttpParams | MiscParams | SmtpParams | DnsParams | UdpParams | FileParams | BfdParams
          | None)


@dataclass(slots=True)
class CheckerSpec:
    """One health checker with every effective setting (times in seconds)."""

    name: str  # for logs: "TCP_CHECK [10.0.0.2]:80 of VS 10.0.0.1:80"
    kind: str
    conn: ConnOpts | None
    delay_loop: float
    retry: int
    delay_before_retry: float
    warmup: float
    alpha: bool
    params: Params = None


@dataclass(slots=True)
class RealServerSpec:
    """A real server: its IPVS destination fields, notify scripts and checkers."""

    address: str
    port: int
    weight: int
    inhibit: bool
    alpha: bool
    forwarding: str = DEFAULT_FORWARDING
    u_threshold: int = 0
    l_threshold: int = 0
    notify_up: tuple[str, ...] | None = None
    notify_down: tuple[str, ...] | None = None
    checkers: list[CheckerSpec] = field(default_factory=list)

    @property
    def label(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{host}:{self.port}"


@dataclass(frozen=True, slots=True)
class ServiceAddr:
    """What identifies one IPVS service: (af, protocol, address, port) or (af, fwmark)."""

    af: int  # 4 or 6
    protocol: str  # TCP | UDP | SCTP; "" for a fwmark service
    address: str | None
    port: int
    fwmark: int = 0

    def __str__(self) -> str:
        if self.fwmark:
            return f"FWM {self.fwmark}" + (" IPv6" if self.af == 6 else "")
        host = f"[{self.address}]" if self.af == 6 else str(self.address)
        return f"{host}:{self.port}"


@dataclass(slots=True)
class SorryServerSpec:
    address: str
    port: int
    forwarding: str
    inhibit: bool = False
    weight: int = 1

    @property
    def label(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{host}:{self.port}"


@dataclass(slots=True)
class VirtualServerSpec:
    """A virtual server: its IPVS service(s), quorum settings and real servers."""

    label: str
    services: list[ServiceAddr]
    scheduler: str = DEFAULT_SCHEDULER
    forwarding: str = DEFAULT_FORWARDING
    flags: int = 0
    persistence_timeout: int = 0
    netmask: str | None = None  # persistence_granularity as given
    pe_name: str | None = None
    delay_loop: float = DEFAULT_DELAY_LOOP
    quorum: int = 1
    hysteresis: int = 0
    quorum_up: tuple[str, ...] | None = None
    quorum_down: tuple[str, ...] | None = None
    omega: bool = False
    sorry: SorryServerSpec | None = None
    real_servers: list[RealServerSpec] = field(default_factory=list)


@dataclass(slots=True)
class Resolved:
    """Everything the checker child runs, plus the warnings resolving it produced."""

    virtual_servers: list[VirtualServerSpec]
    warnings: list[str] = field(default_factory=list)


# -- helpers -------------------------------------------------------------------------


def _setting(block: Any, keyword: str) -> Any:
    s = block.settings.get(keyword)
    return None if s is None else s.value


def _args(block: Any, keyword: str) -> list[str] | None:
    s = block.settings.get(keyword)
    return None if s is None else list(s.args)


def _first(*values: Any) -> Any:
    for v in values:
        if v is not None:
            return v
    return None


def parse_hex(text: str, allow_mask: bool = False) -> tuple[bytes, bytes | None] | None:
    """keepalived's ``read_hex_str``: hex digits, spaces separate octets, ``X`` = wildcard.

    Returns (data, mask) with mask bits set where the reply may differ (None when no
    wildcard was used), or None for invalid text.  A lone digit between spaces is one octet.
    """
    data = bytearray()
    mask = bytearray()
    used_mask = False
    i = 0
    n = len(text)

    def nibble(c: str) -> int | None:
        if c in "0123456789abcdefABCDEF":
            return int(c, 16)
        if allow_mask and c in "xX":
            return -1
        return None

    while True:
        while i < n and text[i] in " \t":
            i += 1
        if i >= n:
            break
        v = nibble(text[i])
        i += 1
        if v is None:
            return None
        m = 0
        if v == -1:
            v, m, used_mask = 0, 0x0F, True
        if i < n and text[i] != " ":
            v2 = nibble(text[i])
            i += 1
            if v2 is None:
                return None
            m2 = 0
            if v2 == -1:
                v2, m2, used_mask = 0, 0x0F, True
            v = (v << 4) | v2
            m = (m << 4) | m2
        data.append(v)
        mask.append(m)
    if not data:
        return None
    return bytes(data), (bytes(mask) if used_mask else None)


def parse_status_codes(words: list[str]) -> tuple[frozenset[int], list[str]]:
    """``status_code 200 301-302``: codes and ranges in 100..599; bad words are reported."""
    codes: set[int] = set()
    bad: list[str] = []
    for w in words:
        lo_s, sep, hi_s = w.partition("-")
        try:
            lo = int(lo_s, 10)
            hi = int(hi_s, 10) if sep else lo
        except ValueError:
            bad.append(w)
            continue
        if not (100 <= lo <= 599 and 100 <= hi <= 599 and lo <= hi):
            bad.append(w)
            continue
        codes.update(range(lo, hi + 1))
    return frozenset(codes), bad


def real_weight(weight: int) -> int:
    """The weight IPVS gets for an effective weight (keepalived's ``real_weight``)."""
    return max(0, min(IPVS_WEIGHT_LIMIT, weight))


def _script(s: Any) -> tuple[str, ...] | None:
    if s is None or not getattr(s, "args", None):
        return None
    return tuple(s.args)


def _fmt_host(addr: str) -> str:
    return f"[{addr}]" if ":" in addr else addr


# -- resolution ----------------------------------------------------------------------


def resolve(config: Config) -> Resolved:
    """Resolve every virtual_server of ``config`` into runnable specs."""
    out = Resolved([])
    for vs in config.virtual_servers:
        spec = _resolve_vs(vs, config, out.warnings)
        if spec is not None:
            out.virtual_servers.append(spec)
    return out


def _services(vs: VirtualServer, config: Config, warnings: list[str]) -> list[ServiceAddr]:
    proto = (vs.protocol or "").upper()
    if vs.fwmark is not None:
        return [ServiceAddr(4, "", None, 0, vs.fwmark)]
    if vs.group is not None:
        grp = config.virtual_server_groups.get(vs.group)
        if grp is None:
            warnings.append(f"virtual_server group {vs.group}: no such virtual_server_group"
                            " - ignoring the virtual server")
            return []
        proto = proto or "UDP"
        out: list[ServiceAddr] = []
        for e in grp.entries:
            if e.kind == "fwmark" and e.fwmark is not None:
                af = 6 if "inet6" in e.text.split() else 4
                out.append(ServiceAddr(af, "", None, 0, e.fwmark))
                continue
            port = e.port or 0
            for addr in _expand_entry(e.kind, e.text.split()[0], warnings):
                out.append(ServiceAddr(addr.version, proto, str(addr), port))
        return out
    if vs.address is None:
        return []
    if not proto:
        warnings.append(f"Virtual server {vs.label}: no protocol set - defaulting to UDP")
        proto = "UDP"
    return [ServiceAddr(vs.address.version, proto, str(vs.address), vs.port or 0)]


def _expand_entry(kind: str, text: str, warnings: list[str]
                  ) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """An address, ``a.b.c.d-e`` range (last octet / hextet) or subnet, as addresses."""
    try:
        if kind == "subnet":
            net = ipaddress.ip_network(text, strict=False)
            addrs = [net.network_address + i for i in range(min(net.num_addresses,
                                                                 MAX_GROUP_EXPANSION))]
            if net.num_addresses > MAX_GROUP_EXPANSION:
                warnings.append(f"virtual_server_group entry {text}: only the first "
                                f"{MAX_GROUP_EXPANSION} addresses are used")
            return addrs
        if kind == "range":
            base_s, end_s = text.split("-", 1)
            base = ipaddress.ip_address(base_s)
            if base.version == 4:
                last = int(str(base).rsplit(".", 1)[1])
                end = int(end_s, 10)
            else:
                last = int(base.exploded.rsplit(":", 1)[1], 16)
                end = int(end_s, 16)
            count = max(0, end - last) + 1
            return [base + i for i in range(min(count, MAX_GROUP_EXPANSION))]
        return [ipaddress.ip_address(text)]
    except ValueError:
        warnings.append(f"virtual_server_group entry {text}: invalid - ignoring")
        return []


def _resolve_vs(vs: VirtualServer, config: Config, warnings: list[str]
                ) -> VirtualServerSpec | None:
    services = _services(vs, config, warnings)
    if not services:
        return None
    spec = VirtualServerSpec(label=vs.label, services=services)
    spec.scheduler = vs.lb_algo or DEFAULT_SCHEDULER
    spec.forwarding = vs.lb_kind or DEFAULT_FORWARDING
    flags = 0
    for kw, bit in _FLAG_KEYWORDS.items():
        if vs.given(kw):
            flags |= bit
    hashed = _setting(vs, "hashed")
    if isinstance(hashed, str) and hashed in _FLAG_KEYWORDS:
        flags |= _FLAG_KEYWORDS[hashed]
    pt = vs.persistence_timeout
    if pt is True:  # keyword without a value
        pt = DEFAULT_PERSISTENCE_TIMEOUT
    if isinstance(pt, int) and pt > 0:
        spec.persistence_timeout = pt
        flags |= SVC_F_PERSISTENT
        gran = _args(vs, "persistence_granularity")
        if gran:
            spec.netmask = gran[0]
    spec.flags = flags
    pe = _setting(vs, "persistence_engine")
    spec.pe_name = pe if isinstance(pe, str) else None
    spec.delay_loop = vs.delay_loop if vs.delay_loop is not None else DEFAULT_DELAY_LOOP
    spec.quorum_up = _script(vs.quorum_up)
    spec.quorum_down = _script(vs.quorum_down)
    spec.omega = bool(vs.omega)
    vs_weight = _setting(vs, "weight")
    vs_weight = vs_weight if isinstance(vs_weight, int) else 1
    vs_port = vs.port or (services[0].port if vs.group is not None else 0)

    if vs.sorry_server:
        words = [str(w) for w in vs.sorry_server]
        try:
            addr = str(ipaddress.ip_address(words[0]))
            port = int(words[1]) if len(words) > 1 else 0
        except ValueError:
            warnings.append(f"Virtual server {vs.label}: invalid sorry_server"
                            f" {' '.join(words)} - ignoring")
        else:
            fwd = _setting(vs, "sorry_server_lvs_method") or spec.forwarding
            if fwd != "NAT":  # keepalived adjusts only a non-NAT sorry server's port
                port = _dest_port(port, vs_port, fwd, vs.fwmark is not None)
            spec.sorry = SorryServerSpec(addr, port, str(fwd),
                                         inhibit=vs.given("sorry_server_inhibit"))

    weight_sum = 0
    for rs in vs.real_server:
        rspec = _resolve_rs(rs, vs, spec, vs_weight, vs_port, config, warnings)
        if rspec is None:
            continue
        if any(r.address == rspec.address and r.port == rspec.port
               for r in spec.real_servers):
            warnings.append(f"VS {spec.label}: real server {rspec.label} is duplicated"
                            " - removing second rs")
            continue
        spec.real_servers.append(rspec)
        weight_sum += rspec.weight

    quorum = vs.quorum if vs.quorum is not None else 1
    if quorum > weight_sum:
        warnings.append(f"Warning - quorum {quorum} for {spec.label} exceeds total weight of"
                        f" real servers {weight_sum}, reducing quorum to {weight_sum}")
        quorum = weight_sum
    hysteresis = vs.hysteresis if vs.hysteresis is not None else 0
    if hysteresis >= quorum and hysteresis > 0:
        new = max(quorum - 1, 0)
        warnings.append(f"Virtual server {spec.label}: hysteresis {hysteresis} >= quorum"
                        f" {quorum}; setting hysteresis to {new}")
        hysteresis = new
    spec.quorum = quorum
    spec.hysteresis = hysteresis
    return spec


def _dest_port(port: int, vs_port: int, fwd: str, fwmark_vs: bool) -> int:
    if fwd == "NAT":
        return port or (0 if fwmark_vs else vs_port)
    if fwmark_vs:
        return 0
    return vs_port or port


def _resolve_rs(rs: RealServer, vs: VirtualServer, vspec: VirtualServerSpec, vs_weight: int,
                vs_port: int, config: Config, warnings: list[str]) -> RealServerSpec | None:
    if rs.address is None:
        return None
    fwd = str(_setting(rs, "lvs_method") or vspec.forwarding)
    port = _dest_port(rs.port or 0, vs_port, fwd, vs.fwmark is not None)
    if fwd != "NAT" and vs.fwmark is None and rs.port and vs_port and rs.port != vs_port:
        warnings.append(f"WARNING - virtual server {vspec.label} and real server "
                        f"{_fmt_host(str(rs.address))}:{rs.port} ports don't match - resetting")
    alpha = _first(_setting(rs, "alpha"), vs.alpha)
    spec = RealServerSpec(
        address=str(rs.address),
        port=port,
        weight=rs.weight if rs.weight is not None else vs_weight,
        inhibit=bool(_first(rs.inhibit_on_failure, vs.inhibit_on_failure)),
        alpha=bool(alpha),
        forwarding=fwd,
        u_threshold=int(_setting(rs, "uthreshold") or 0),
        l_threshold=int(_setting(rs, "lthreshold") or 0),
        notify_up=_script(rs.notify_up),
        notify_down=_script(rs.notify_down),
    )
    inherit = _Inherit(rs, vs, spec, vspec)
    for ck in rs.checkers:
        spec.checkers.extend(_resolve_checker(ck, inherit, config, warnings))
    return spec


@dataclass(slots=True)
class _Inherit:
    """The real server / virtual server values a checker falls back to."""

    rs: RealServer
    vs: VirtualServer
    rspec: RealServerSpec
    vspec: VirtualServerSpec

    def get(self, keyword: str) -> Any:
        return _first(_setting(self.rs, keyword), _setting(self.vs, keyword))

    @property
    def delay_loop(self) -> float:
        v = _setting(self.rs, "delay_loop")
        return float(v) if v is not None else self.vspec.delay_loop

    @property
    def virtualhost(self) -> str | None:
        return _setting(self.rs, "virtualhost")


_DEFAULT_RETRY = {"MISC_CHECK": 0, "DNS_CHECK": 3, "FILE_CHECK": 0, "BFD_CHECK": 0}


def _resolve_checker(ck: Checker, inh: _Inherit, config: Config, warnings: list[str]
                     ) -> list[CheckerSpec]:
    kind = ck.kind
    rs = inh.rspec
    what = f"{kind} {rs.label} of VS {inh.vspec.label}"
    delay_loop = ck.delay_loop if ck.delay_loop is not None else inh.delay_loop
    retry = _first(ck.retry, inh.get("retry"), _DEFAULT_RETRY.get(kind, 1))
    dbr_default = 3.0 if kind in ("HTTP_GET", "SSL_GET") else (
        delay_loop if kind == "DNS_CHECK" else 1.0)
    dbr = _first(ck.delay_before_retry, inh.get("delay_before_retry"), dbr_default)
    warmup = _first(ck.warmup, inh.get("warmup"), delay_loop)
    alpha = bool(_first(ck.alpha, rs.alpha))
    timeout = float(_first(ck.connect_timeout, inh.get("connect_timeout"),
                           DEFAULT_CONNECT_TIMEOUT))

    def conn_of(c: Checker) -> ConnOpts:
        return ConnOpts(
            host=str(c.connect_ip) if c.connect_ip is not None else rs.address,
            port=c.connect_port if c.connect_port is not None else rs.port,
            timeout=float(c.connect_timeout) if c.connect_timeout is not None else timeout,
            bindto=str(c.bindto) if c.bindto is not None else None,
            bind_port=c.bind_port,
            bind_if=c.bind_if,
            fwmark=c.fwmark,
        )

    def make(conn: ConnOpts | None, params: Params, name: str = what) -> CheckerSpec:
        return CheckerSpec(name=name, kind=kind, conn=conn, delay_loop=float(delay_loop),
                           retry=int(retry), delay_before_retry=float(dbr),
                           warmup=float(warmup), alpha=alpha, params=params)

    if kind == "TCP_CHECK" or kind == "PING_CHECK":
        return [make(conn_of(ck), None)]
    if isinstance(ck, HttpGet):
        return _http(ck, inh, make, conn_of(ck), what, warnings)
    if isinstance(ck, MiscCheck):
        if ck.misc_path is None or not ck.misc_path.args:
            warnings.append(f"{what}: misc_path missing - ignoring the checker")
            return []
        to = ck.misc_timeout if ck.misc_timeout else inh.vspec.delay_loop
        return [make(None, MiscParams(tuple(ck.misc_path.args), float(to),
                                      bool(ck.misc_dynamic), ck.user))]
    if isinstance(ck, SmtpCheck):
        params = SmtpParams(ck.helo_name or SMTP_DEFAULT_HELO)
        own = any(ck.given(k) for k in ("connect_ip", "connect_port", "bindto", "bind_port",
                                         "bind_if", "fwmark", "connect_timeout"))
        out = []
        if own or not ck.hosts:
            out.append(make(conn_of(ck), params))
        for h in ck.hosts:
            c = conn_of(h)
            out.append(make(c, params, f"{kind} {c} of VS {inh.vspec.label}"))
        return out
    if isinstance(ck, DnsCheck):
        qtype = DNS_TYPES.get((ck.type or "SOA").upper())
        if qtype is None:
            warnings.append(f"{what}: unknown DNS check type {ck.type} - using SOA")
            qtype = DNS_TYPES["SOA"]
        return [make(conn_of(ck), DnsParams(qtype, ck.name or ""))]
    if isinstance(ck, UdpCheck):
        return [make(conn_of(ck), _udp(ck, what, warnings))]
    if isinstance(ck, FileCheck):
        return _file(ck, config, make, what, warnings)
    if isinstance(ck, BfdCheck):
        return [make(None, BfdParams(ck.name or ""))]
    warnings.append(f"{what}: unknown checker kind - ignoring")
    return []


def _http(ck: HttpGet, inh: _Inherit, make: Any, conn: ConnOpts, what: str,
          warnings: list[str]) -> list[CheckerSpec]:
    tls = ck.kind == "SSL_GET"
    urls: list[UrlSpec] = []
    vs_vhost = _setting(inh.vs, "virtualhost")
    for u in ck.url:
        if not u.path:
            warnings.append(f"{what}: url without path - ignoring the url")
            continue
        codes = HTTP_DEFAULT_STATUS
        if u.status_code:
            codes, bad = parse_status_codes([str(w) for w in u.status_code])
            for b in bad:
                warnings.append(f"{what}: Invalid HTTP_GET status code '{b}'")
            if not codes:
                codes = HTTP_DEFAULT_STATUS
        digest = None
        if u.digest:
            d = str(u.digest).lower()
            if len(d) == 32 and all(c in "0123456789abcdef" for c in d):
                digest = d
            else:
                warnings.append(f"{what}: digest '{u.digest}' is not 32 hex digits - ignoring")
        vhost = _first(u.virtualhost, ck.virtualhost, inh.virtualhost, vs_vhost)
        sni = None
        if ck.enable_sni:
            sni = _first(ck.sni_name, u.virtualhost, ck.virtualhost, vs_vhost)
        urls.append(UrlSpec(u.path, digest, codes, vhost, sni))
    if not urls:
        warnings.append(f"{what}: no url - ignoring the checker")
        return []
    proto = ck.http_protocol or "1.0"
    return [make(conn, HttpParams(tuple(urls), tls, str(proto).upper()))]


def _udp(ck: UdpCheck, what: str, warnings: list[str]) -> UdpParams:
    payload = None
    words = _args(ck, "payload")
    if words:
        parsed = parse_hex(" ".join(words))
        if parsed is None:
            warnings.append(f"{what}: Invalid hex string for UDP_CHECK payload")
        else:
            payload = parsed[0]
    require = ck.given("require_reply")
    reply = mask = None
    rwords = _args(ck, "require_reply")
    if rwords:
        parsed = parse_hex(" ".join(rwords), allow_mask=True)
        if parsed is None:
            warnings.append(f"{what}: Invalid hex string for UDP_CHECK reply")
        else:
            reply, mask = parsed
    mn = ck.min_reply_length if ck.min_reply_length is not None else 0
    mx = ck.max_reply_length if ck.max_reply_length is not None else 255
    if mn > mx:
        warnings.append(f"{what}: UDP_CHECK min_reply length {mn} > max_reply_length {mx}"
                        " - will always fail")
    return UdpParams(payload, require, reply, mask, mn, mx)


def _file(ck: FileCheck, config: Config, make: Any, what: str, warnings: list[str]
          ) -> list[CheckerSpec]:
    tf = config.track_files.get(ck.track_file or "")
    if tf is None or not tf.file:
        warnings.append(f"{what}: track_file {ck.track_file} not found - ignoring the checker")
        return []
    if ck.weight is not None:
        weight = ck.weight
        reverse = "reverse" in (_args(ck, "weight") or [])[1:]
    else:
        weight = tf.weight if tf.weight is not None else 1
        reverse = "reverse" in (_args(tf, "weight") or [])[1:]
    return [make(None, FileParams(tf.file, int(weight), reverse))]
