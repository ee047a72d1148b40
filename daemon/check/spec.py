"""The checker child's run-time specs: a translation of the resolver's LVS state.

keepalived's completion of the virtual servers (``validate_check_config``: defaults,
inheritance, quorum and ports) is computed once, by :mod:`kaconf.effective.lvs`, for
``kaconf dump`` and for this daemon alike; this module only translates that
:class:`~kaconf.effective.lvs_types.LvsState` into the specs the scheduler runs (times in
seconds, IPVS flags and services) and hands each resolved checker to its kind's builder
(:mod:`kaconf.checkers.kinds`), which adds the kind's own parameters. The values it
receives, as keepalived completes them:

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
  clears the port of non-NAT real servers; a checker connects to the resolver's destination
  (:attr:`~kaconf.effective.lvs_types.LvsChecker.dest`: its real server as written, as
  keepalived copies the address before completing the port, or ``connect_ip``/
  ``connect_port``); a kind's extra connections (SMTP_CHECK ``host`` blocks) default to it.

Nothing here does I/O (but :func:`resolve` without a state reads this host's facts, as the
resolver does); problems are returned as warning strings for the caller to log.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

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
from kaconf.effective.lvs_types import (
    SVC_F_HASHED,
    SVC_F_ONEPACKET,
    SVC_F_PERSISTENT,
    SVC_F_SCHED1,
    SVC_F_SCHED2,
    SVC_F_SCHED3,
    seconds,
)

from ..alerts import SmtpSettings, smtp_settings
from ..command import Command

if TYPE_CHECKING:
    from kaconf.effective.host import Host
    from kaconf.effective.lvs_types import (
        LvsChecker,
        LvsGroup,
        LvsRealServer,
        LvsState,
        LvsVirtualServer,
    )
    from kaconf.effective.values import ScriptSpec
    from kaconf.model.objects import Config

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT", "DNS_TYPES", "HTTP_DEFAULT_STATUS", "IPVS_WEIGHT_FAULT",
    "IPVS_WEIGHT_LIMIT", "SMTP_DEFAULT_HELO", "BfdParams", "CheckerSpec", "ConnOpts",
    "DnsParams", "FileParams", "HttpParams", "MiscParams", "RealServerSpec", "Resolved",
    "SVC_F_HASHED", "SVC_F_ONEPACKET", "SVC_F_PERSISTENT", "SVC_F_SCHED1", "SVC_F_SCHED2",
    "SVC_F_SCHED3", "ServiceAddr", "SmtpParams", "SorryServerSpec", "UdpParams", "UrlSpec",
    "VirtualServerSpec", "parse_hex", "parse_status_codes", "real_weight", "resolve",
]

# the dataclasses' field defaults (every spec made here gets the resolver's values)
DEFAULT_DELAY_LOOP = 60.0
DEFAULT_SCHEDULER = "wlc"
DEFAULT_FORWARDING = "NAT"


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
    notify_up: Command | None = None
    notify_down: Command | None = None
    checkers: list[CheckerSpec] = field(default_factory=list)
    #: the IPVS destination port is each service's own (0 for a fwmark one), not
    #: ``port``: keepalived's rule for a non-NAT server of a virtual_server_group
    service_port: bool = False
    #: ``smtp_alert`` (own or inherited): mail its checkers' up/down transitions
    smtp_alert: bool = False
    #: keepalived's FMT_RS ("[addr]:proto:port"), the name its alert mails give it
    mail_label: str = ""

    def dest_port(self, service: ServiceAddr) -> int:
        """The destination port IPVS gets for this server under ``service``."""
        return (0 if service.fwmark else service.port) if self.service_port else self.port

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
    service_port: bool = False

    def dest_port(self, service: ServiceAddr) -> int:
        """The destination port IPVS gets for this server under ``service``."""
        return (0 if service.fwmark else service.port) if self.service_port else self.port

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
    quorum_up: Command | None = None
    quorum_down: Command | None = None
    omega: bool = False
    sorry: SorryServerSpec | None = None
    real_servers: list[RealServerSpec] = field(default_factory=list)
    #: keepalived's FMT_VS ("[addr]:proto:port", "FWM n", "[group]:port") for alert mails
    mail_label: str = ""
    #: ``smtp_alert`` (own or inherited): mail quorum changes
    smtp_alert: bool = False


@dataclass(slots=True)
class Resolved:
    """Everything the checker child runs, plus the warnings resolving it produced."""

    virtual_servers: list[VirtualServerSpec]
    warnings: list[str] = field(default_factory=list)
    #: where alert mails go (None: none are sent) and ``no_checker_emails``
    smtp: SmtpSettings | None = None
    no_checker_emails: bool = False


# -- translation ---------------------------------------------------------------------


def real_weight(weight: int) -> int:
    """The weight IPVS gets for an effective weight (keepalived's ``real_weight``)."""
    return max(0, min(IPVS_WEIGHT_LIMIT, weight))


def _script(s: ScriptSpec | None) -> Command | None:
    return Command(tuple(s.args), s.uid, s.gid) if s is not None and s.args else None


def resolve(config: Config, lvs: LvsState | None = None, host: Host | None = None
            ) -> Resolved:
    """The specs of every virtual server of ``config``.

    ``lvs`` is the resolver's state (``kaconf.resolve(config).lvs``); without it, it is
    computed here for ``host`` (default: this machine).
    """
    from kaconf.effective.globals import GlobalState
    from kaconf.effective.host import Host as _Host

    host = host if host is not None else _Host.local()
    gs = GlobalState(config, host)
    if lvs is None:
        from kaconf.effective.lvs import build_lvs

        lvs = build_lvs(config, gs)
    out = Resolved([], list(lvs.warnings), smtp=smtp_settings(gs),
                   no_checker_emails=bool(gs.no_checker_emails))
    for vs in lvs.virtual_servers:
        spec = _vs_spec(vs, config, out.warnings)
        if spec is not None:
            out.virtual_servers.append(spec)
    return out


def _services(vs: LvsVirtualServer, warnings: list[str]) -> list[ServiceAddr]:
    if vs.fwmark is not None:
        return [ServiceAddr(vs.af or 4, "", None, 0, vs.fwmark)]
    if vs.group_name is not None:
        if vs.group is None:
            warnings.append(f"virtual_server group {vs.group_name}: no such"
                            " virtual_server_group - ignoring the virtual server")
            return []
        return _group_services(vs.group, vs.protocol, vs.af, warnings)
    if vs.address is None:
        return []
    af = ipaddress.ip_address(vs.address).version
    return [ServiceAddr(af, vs.protocol, vs.address, vs.port)]


def _group_services(g: LvsGroup, proto: str, af: int | None, warnings: list[str]
                    ) -> list[ServiceAddr]:
    """One service per address of the group's entries (at most MAX_GROUP_EXPANSION each).

    A fwmark entry's family: its own, else the virtual server's, else IPv4 (ipvswrapper.c).
    """
    out: list[ServiceAddr] = []
    for e in g.entries:
        if e.kind == "fwmark":
            out.append(ServiceAddr(e.family or af or 4, "", None, 0, e.fwmark))
            continue
        first = ipaddress.ip_address(e.start)
        count = 1 if e.end is None else int(ipaddress.ip_address(e.end)) - int(first) + 1
        if count > MAX_GROUP_EXPANSION:
            warnings.append(f"virtual_server_group entry {e.start}-{e.end}: only the first "
                            f"{MAX_GROUP_EXPANSION} addresses are used")
        for i in range(max(1, min(count, MAX_GROUP_EXPANSION))):
            out.append(ServiceAddr(first.version, proto, str(first + i), e.port))
    return out


def _vs_spec(vs: LvsVirtualServer, config: Config, warnings: list[str]
             ) -> VirtualServerSpec | None:
    services = _services(vs, warnings)
    if not services:
        return None
    flags = vs.flags
    if vs.persistence_timeout:
        flags |= SVC_F_PERSISTENT
    spec = VirtualServerSpec(
        label=vs.model.label, mail_label=vs.label, smtp_alert=vs.smtp_alert == 1,
        services=services, scheduler=vs.sched,
        forwarding=vs.fwd.method, flags=flags, persistence_timeout=vs.persistence_timeout,
        netmask=vs.persistence_granularity if vs.persistence_timeout else None,
        pe_name=vs.persistence_engine, delay_loop=seconds(vs.delay_loop), quorum=vs.quorum,
        hysteresis=vs.hysteresis, quorum_up=_script(vs.quorum_up),
        quorum_down=_script(vs.quorum_down), omega=vs.omega)
    if vs.sorry is not None:
        s = vs.sorry
        spec.sorry = SorryServerSpec(s.addr, s.port, s.fwd.method, s.inhibit, s.weight,
                                     service_port=vs.group is not None and s.fwd.method != "NAT")
    for rs in vs.real_servers:
        spec.real_servers.append(_rs_spec(rs, vs, spec, config, warnings))
    return spec


def _rs_spec(rs: LvsRealServer, vs: LvsVirtualServer, vspec: VirtualServerSpec,
             config: Config, warnings: list[str]) -> RealServerSpec:
    from kaconf.effective.lvs import fmt_rs  # imports socket: not for the pure checker state

    # a group's non-NAT real server goes to each entry's port (ipvs_group_cmd)
    spec = RealServerSpec(
        address=rs.addr, port=rs.port,
        service_port=vs.group is not None and rs.fwd.method != "NAT",
        weight=rs.weight, inhibit=rs.inhibit == 1,
        alpha=rs.alpha == 1, forwarding=rs.fwd.method, u_threshold=rs.u_threshold,
        l_threshold=rs.l_threshold, notify_up=_script(rs.notify_up),
        notify_down=_script(rs.notify_down), smtp_alert=rs.smtp_alert == 1,
        mail_label=fmt_rs(rs.addr, vs.protocol, rs.port))
    for ck in rs.checkers:
        spec.checkers.extend(_checker_specs(ck, rs, vs, spec, vspec, config, warnings))
    return spec


def _checker_specs(ck: LvsChecker, rs: LvsRealServer, vs: LvsVirtualServer,
                   rspec: RealServerSpec, vspec: VirtualServerSpec, config: Config,
                   warnings: list[str]) -> list[CheckerSpec]:
    """A resolved checker's specs: its kind's builder adds the kind's own parameters."""
    what = f"{ck.kind} {rspec.label} of VS {vspec.label}"
    if ck.spec is None:
        warnings.append(f"{what}: unknown checker kind - ignoring")
        return []
    ctx = BuildContext(
        kind=ck.kind, what=what, vs_label=vspec.label, rs=rs.model, vs=vs.model,
        config=config, rs_address=ck.dest, rs_port=ck.dest_port,
        vs_delay_loop=seconds(vs.delay_loop), delay_loop=seconds(ck.delay_loop),
        retry=ck.retry, delay_before_retry=seconds(ck.delay_before_retry),
        warmup=seconds(ck.warmup), alpha=ck.alpha == 1,
        timeout=seconds(ck.connection_to), warnings=warnings, checker=ck.model)
    return ck.spec.build(ck.model, ctx)
