"""Effective health-checker settings, resolved from the typed model as keepalived 2.2.7 does.

Why a separate, pure layer: the model (:mod:`kaconf.model.objects`) keeps ``None`` for "not
given", because the effective value often depends on other blocks.  The checker needs the
*effective* values, and keepalived's inheritance rules (``validate_check_config`` in
check_data.c) are easy to get subtly wrong, so they live here, in one place, with unit tests
(tests/unit/check/test_check_spec.py).  What differs between checker kinds (their defaults and
their own parameters) is declared by each kind's module in :mod:`kaconf.checkers.kinds`;
this module resolves the common settings and hands each checker to its kind's builder:

* ``delay_loop``: checker -> real_server -> virtual_server -> 60 s;
* ``connect_timeout``: checker -> real_server -> virtual_server -> 5 s;
* ``retry``: checker -> real_server -> virtual_server -> the kind's default (1; MISC_CHECK
  0, DNS_CHECK 3);
* ``delay_before_retry``: checker -> real_server -> virtual_server -> the kind's default
  (1 s; HTTP_GET/SSL_GET 3 s, DNS_CHECK its delay_loop);
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

from kaconf.checkers import registry
from kaconf.checkers.base import (
    DEFAULT_CONNECT_TIMEOUT,
    IPVS_WEIGHT_FAULT,
    IPVS_WEIGHT_LIMIT,
    BuildContext,
    CheckerSpec,
    ConnOpts,
)

# names callers imported from here before the per-kind modules existed (kaconf.checkers.kinds)
from kaconf.checkers.kinds.bfd_check import BfdParams
from kaconf.checkers.kinds.dns_check import DNS_TYPES, DnsParams
from kaconf.checkers.kinds.file_check import FileParams
from kaconf.checkers.kinds.http_get import (
    HTTP_DEFAULT_STATUS,
    HttpParams,
    UrlSpec,
    parse_status_codes,
)
from kaconf.checkers.kinds.misc_check import MiscParams
from kaconf.checkers.kinds.smtp_check import SMTP_DEFAULT_HELO, SmtpParams
from kaconf.checkers.kinds.udp_check import UdpParams, parse_hex
from kaconf.model.objects import Checker, Config, RealServer, VirtualServer

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT", "DNS_TYPES", "HTTP_DEFAULT_STATUS", "IPVS_WEIGHT_FAULT",
    "IPVS_WEIGHT_LIMIT", "SMTP_DEFAULT_HELO", "BfdParams", "CheckerSpec", "ConnOpts",
    "DnsParams", "FileParams", "HttpParams", "MiscParams", "RealServerSpec", "Resolved",
    "ServiceAddr", "SmtpParams", "SorryServerSpec", "UdpParams", "UrlSpec",
    "VirtualServerSpec", "parse_hex", "parse_status_codes", "real_weight", "resolve",
]

DEFAULT_DELAY_LOOP = 60.0
DEFAULT_SCHEDULER = "wlc"
DEFAULT_FORWARDING = "NAT"
DEFAULT_PERSISTENCE_TIMEOUT = 360

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
    for ck in rs.checkers:
        spec.checkers.extend(_resolve_checker(ck, rs, vs, spec, vspec, config, warnings))
    return spec


def _resolve_checker(ck: Checker, rs: RealServer, vs: VirtualServer, rspec: RealServerSpec,
                     vspec: VirtualServerSpec, config: Config, warnings: list[str]
                     ) -> list[CheckerSpec]:
    """The common settings of one checker, inherited, then its kind's own (its builder)."""
    kind = registry.get(ck.kind)
    what = f"{ck.kind} {rspec.label} of VS {vspec.label}"
    if kind is None:
        warnings.append(f"{what}: unknown checker kind - ignoring")
        return []

    def inherited(keyword: str) -> Any:
        return _first(kind.value(ck, keyword), _setting(rs, keyword), _setting(vs, keyword))

    rs_delay = _setting(rs, "delay_loop")
    ck_delay = kind.value(ck, "delay_loop")
    delay_loop = ck_delay if ck_delay is not None else (
        float(rs_delay) if rs_delay is not None else vspec.delay_loop)
    retry = _first(inherited("retry"), kind.default_retry)
    dbr_default = kind.default_delay_before_retry
    dbr = _first(inherited("delay_before_retry"),
                 delay_loop if dbr_default is None else dbr_default)
    ctx = BuildContext(
        kind=ck.kind, what=what, vs_label=vspec.label, rs=rs, vs=vs, config=config,
        rs_address=rspec.address, rs_port=rspec.port, vs_delay_loop=vspec.delay_loop,
        delay_loop=delay_loop, retry=retry, delay_before_retry=dbr,
        warmup=_first(inherited("warmup"), delay_loop),
        alpha=bool(_first(kind.value(ck, "alpha"), rspec.alpha)),
        timeout=float(_first(inherited("connect_timeout"), DEFAULT_CONNECT_TIMEOUT)),
        warnings=warnings)
    return kind.build(ck, ctx)


