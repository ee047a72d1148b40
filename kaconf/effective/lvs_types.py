"""The checker child's resolved LVS topology: what keepalived holds after ``validate_check_config``.

These records are the output of :mod:`kaconf.effective.lvs`. Both readers use them as they are:
``kaconf dump`` prints them (:mod:`kaconf.dump.checker`) and the daemon translates them into
its run-time specs (:mod:`kaconfd.check.spec`), so neither has a default or an inheritance
rule of its own. Times are keepalived's: integers in microseconds (``TIMER_HZ`` per second);
``UINT_MAX``/``ULONG_MAX`` mean "not set" where keepalived keeps them so (a virtual or real
server's retry, retry delay and warmup), as its dump prints only the values that are set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kaconf.effective.values import TIMER_HZ, UINT_MAX, ScriptSpec

if TYPE_CHECKING:
    from kaconf.checkers.base import CheckerKind
    from kaconf.model.objects import Checker, RealServer, VirtualServer

__all__ = [
    "SVC_F_HASHED", "SVC_F_ONEPACKET", "SVC_F_PERSISTENT", "SVC_F_SCHED1", "SVC_F_SCHED2",
    "SVC_F_SCHED3", "ULONG_MAX", "LvsChecker", "LvsFwd", "LvsGroup", "LvsGroupEntry",
    "LvsNote", "LvsRealServer", "LvsSorryServer", "LvsState", "LvsVirtualServer", "seconds",
]

ULONG_MAX = 2**64 - 1

#: IPVS service flags (linux ip_vs.h); SH/MH_FALLBACK is SCHED1, SH/MH_PORT SCHED2
SVC_F_PERSISTENT = 0x0001
SVC_F_HASHED = 0x0002
SVC_F_ONEPACKET = 0x0004
SVC_F_SCHED1 = 0x0008
SVC_F_SCHED2 = 0x0010
SVC_F_SCHED3 = 0x0020


def seconds(us: int) -> float:
    """A keepalived time (microseconds) in seconds."""
    return us / TIMER_HZ


@dataclass
class LvsFwd:
    """A forwarding method (``lb_kind``/``lvs_method``): NAT, DR or TUN with its tunnel."""

    method: str = ""  # NAT / DR / TUN; "" only while unresolved
    tun_type: str = "ipip"
    tun_port: int = 0
    csum: str = "nocsum"

    def copy(self) -> LvsFwd:
        return LvsFwd(self.method, self.tun_type, self.tun_port, self.csum)


@dataclass
class LvsGroupEntry:
    """One ``virtual_server_group`` line: an address, a range, a subnet or a fwmark.

    ``start``/``end`` are the first and last address (``end`` None for one address);
    ``family`` is the entry's address family (4/6), or for a fwmark the family given with
    it (None: none given).
    """

    kind: str  # "addr" | "range" | "subnet" | "fwmark"
    start: str = ""
    end: str | None = None
    port: int = 0
    fwmark: int = 0
    family: int | None = None


@dataclass
class LvsGroup:
    """A ``virtual_server_group`` with at least one entry."""

    name: str
    entries: list[LvsGroupEntry] = field(default_factory=list)

    @property
    def addresses(self) -> list[LvsGroupEntry]:
        return [e for e in self.entries if e.kind != "fwmark"]

    @property
    def fwmarks(self) -> list[LvsGroupEntry]:
        return [e for e in self.entries if e.kind == "fwmark"]


@dataclass
class LvsChecker:
    """A checker after keepalived read it and ``validate_check_config`` completed it.

    ``dest``/``dest_port`` are its connection destination: the real server as written
    (keepalived copies it when it reads the checker, before the real server's port is
    completed), replaced by ``connect_ip``/``connect_port``. ``kind_lines`` are the kind's
    own ``keepalived -d`` lines (its module's ``dump``).
    """

    kind: str
    model: Checker
    spec: CheckerKind | None  # None: a kind kaconf does not know
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
    timers: bool = True  # the kind is scheduled (keepalived's checker timers apply)
    default_retry: int = 1
    default_delay_before_retry: int = TIMER_HZ  # 0: the checker's delay_loop
    kind_lines: list[str] = field(default_factory=list)


@dataclass
class LvsRealServer:
    """A real server after ``validate_check_config``.

    ``port`` is keepalived's (completed from the virtual server's for an address virtual
    server, cleared for a non-NAT real server of a fwmark one); ``given_port`` the one
    written. ``alpha``, ``inhibit`` and ``smtp_alert`` are 0/1 once resolved.
    """

    model: RealServer
    addr: str
    port: int
    given_port: int = 0
    weight: int = 1
    fwd: LvsFwd = field(default_factory=LvsFwd)
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
    checkers: list[LvsChecker] = field(default_factory=list)


@dataclass
class LvsSorryServer:
    """A virtual server's ``sorry_server``: destination, forwarding, inhibit, weight (1)."""

    addr: str
    port: int
    fwd: LvsFwd
    inhibit: bool = False
    duplicates_rs: bool = False
    weight: int = 1


@dataclass
class LvsVirtualServer:
    """A virtual server with real servers, after ``validate_check_config``.

    ``protocol`` is "" for a fwmark service; ``flags`` the IPVS service flags the flag
    keywords set (``SVC_F_*``; ``ops`` dropped for a TCP/SCTP address service; the
    persistence flag is not among them); ``retry``/``delay_before_retry``/``warmup`` None when not
    given (the real servers and checkers then fall back to their own defaults).
    """

    model: VirtualServer
    label: str  # keepalived's FMT_VS in the dump: "[addr]:proto:port", "FWM n", "[group]:0"
    group: LvsGroup | None = None
    group_name: str | None = None
    fwmark: int | None = None
    address: str | None = None
    port: int = 0
    virtualhost: str | None = None
    af: int | None = 4  # 4 / 6; None: a group whose family nothing decides
    connection_to: int = 5 * TIMER_HZ
    delay_loop: int = 60 * TIMER_HZ
    sched: str = "wlc"
    flags: int = 0
    persistence_timeout: int = 0
    persistence_granularity: str | None = None
    persistence_engine: str | None = None
    protocol: str = ""
    alpha: bool = False
    omega: bool = False
    retry: int | None = None
    delay_before_retry: int | None = None
    warmup: int | None = None
    inhibit: bool = False
    weight: int = 1
    quorum: int = 1
    hysteresis: int = 0
    quorum_up: ScriptSpec | None = None
    quorum_down: ScriptSpec | None = None
    ha_suspend: bool = False
    smtp_alert: int = 0
    fwd: LvsFwd = field(default_factory=LvsFwd)
    sorry: LvsSorryServer | None = None
    quorum_state_up: bool = True
    real_servers: list[LvsRealServer] = field(default_factory=list)


@dataclass(frozen=True)
class LvsNote:
    """One fix-up keepalived makes (and logs) while completing the LVS configuration.

    ``text`` is keepalived's log line (the daemon logs it as it is); ``kind`` a stable
    name lint rules select notes by; ``vs``/``rs``/``keyword`` what it is about, so a
    rule can point at the line. A rule never re-derives the condition: the resolver
    decided it once, here.
    """

    kind: str
    text: str
    vs: VirtualServer | None = None
    rs: RealServer | None = None
    keyword: str | None = None
    #: the values the fix-up used or chose (e.g. ``{"quorum": 5, "total": 3}``)
    values: dict[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.text


@dataclass
class LvsState:
    """The checker child's LVS configuration: groups, virtual servers, their checkers.

    ``virtual_servers`` holds only those keepalived keeps (with at least one real server);
    ``ssl`` the SSL section's values when keepalived creates an SSL context (an ``SSL``
    block or an SSL_GET checker), else None; ``notes`` the fix-ups keepalived reports while
    completing them (the daemon logs them, lint rules report them).
    """

    groups: list[LvsGroup] = field(default_factory=list)
    virtual_servers: list[LvsVirtualServer] = field(default_factory=list)
    ssl: dict[str, str] | None = None
    notes: list[LvsNote] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        """keepalived's log lines for :attr:`notes`, in order."""
        return [n.text for n in self.notes]

    def notes_of(self, *kinds: str) -> list[LvsNote]:
        """The notes of the given kinds, in order."""
        return [n for n in self.notes if n.kind in kinds]

    def checkers(self) -> list[tuple[LvsVirtualServer, LvsRealServer, LvsChecker]]:
        """Every checker with its virtual and real server, in configuration order."""
        return [(vs, rs, ck) for vs in self.virtual_servers for rs in vs.real_servers
                for ck in rs.checkers]
