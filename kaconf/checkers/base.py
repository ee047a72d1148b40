"""What a checker kind declares, and the pure values every kind shares.

:class:`CheckerKind` is the record a kind module exports as ``KIND``; the registry
(:mod:`kaconf.checkers.registry`) collects them. The other classes are the vocabulary of
its three functions:

* ``build(checker, ctx) -> [CheckerSpec]``: the kind's effective settings. :class:`BuildContext`
  carries what the common part already resolved (``delay_loop``, ``retry``, ... inherited
  from the real and virtual server, with the kind's defaults) and makes the specs;
* ``dump(checker, gs) -> lines | None``: the kind's own ``keepalived -d`` lines (its
  ``dump_*_check``), or None when keepalived drops the checker while reading it;
* ``probe(spec, ctx) -> CheckResult``: one check, as a coroutine; :class:`ProbeContext` gives
  it the daemon's logger and a per-checker memo kept between runs.

Nothing here does I/O or imports asyncio/socket/ssl: the daemon's sans-I/O pool
(:mod:`kaconfd.check.state`) imports it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from kaconf.effective.values import setting, words
from kaconf.model.objects import Checker, Config, RealServer, Setting, VirtualServer

if TYPE_CHECKING:
    import logging

    from kaconf.effective.globals import GlobalState

#: connect_timeout when neither the checker, its real server nor its virtual server sets one
DEFAULT_CONNECT_TIMEOUT = 5.0
#: keepalived's IPVS_WEIGHT_LIMIT (INT32_MAX): real_weight() clamps to [0, this].
IPVS_WEIGHT_LIMIT = 2**31 - 1
#: weights at or below this are a fault (IPVS_WEIGHT_FAULT = INT32_MIN).
IPVS_WEIGHT_FAULT = -(2**31)


class ConnOpts(NamedTuple):
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


@dataclass(slots=True)
class CheckerSpec:
    """One health checker with every effective setting (times in seconds).

    ``params`` is the kind's own parameter object (``HttpParams``, ...), made by its builder
    and read by its probe; the common code never looks inside it.
    """

    name: str  # for logs: "TCP_CHECK [10.0.0.2]:80 of VS 10.0.0.1:80"
    kind: str
    conn: ConnOpts | None
    delay_loop: float
    retry: int
    delay_before_retry: float
    warmup: float
    alpha: bool
    params: Any = None


class CheckResult(NamedTuple):
    """The verdict of one check.

    ``weight`` carries a weight for the kinds that set one (see ``CheckerKind.weight``):
    ``"dynamic"`` kinds give the real server weight asked for (None: the configured one),
    ``"offset"`` kinds the amount added to the real server's weight.
    """

    up: bool
    reason: str = ""
    weight: int | None = None


class CheckUnsupported(Exception):
    """This checker cannot run here (a kind without a probe, e.g. BFD_CHECK)."""


@dataclass(slots=True)
class ProbeContext:
    """What the daemon gives a probe besides its spec: its logger and a per-checker memo."""

    log: logging.Logger
    memo: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class BuildContext:
    """One checker's common settings, already resolved, and where it sits.

    The daemon's resolver fills it: ``delay_loop``, ``retry``, ``delay_before_retry``,
    ``warmup``, ``alpha`` and ``timeout`` (connect_timeout) are inherited checker -> real
    server -> virtual server -> the kind's default, and ``rs_address``/``rs_port`` are the
    checker's destination as the resolver decided it (the real server's address and port as
    written, or ``connect_ip``/``connect_port`` in keepalived's order). A kind's builder adds
    its own parameters and calls :meth:`spec`.
    """

    kind: str
    what: str  # "HTTP_GET 10.0.0.2:80 of VS 10.0.0.1:80", for warnings and logs
    vs_label: str
    rs: RealServer
    vs: VirtualServer
    config: Config
    rs_address: str
    rs_port: int
    vs_delay_loop: float
    delay_loop: float
    retry: int
    delay_before_retry: float
    warmup: float
    alpha: bool
    timeout: float
    warnings: list[str]
    #: the checker block being built (its destination is ``rs_address``/``rs_port``)
    checker: Checker | None = None

    def warn(self, text: str) -> None:
        """Report a problem with this checker (``what: text``)."""
        self.warnings.append(f"{self.what}: {text}")

    def conn(self, c: Checker) -> ConnOpts:
        """Connection options of ``c`` (the checker or one of its ``host`` blocks).

        The checker's own destination is the resolver's; a ``host`` block's is its own
        ``connect_ip``/``connect_port`` over the checker's.
        """
        own = c is self.checker
        return ConnOpts(
            host=self.rs_address if own or c.connect_ip is None else str(c.connect_ip),
            port=self.rs_port if own or c.connect_port is None else c.connect_port,
            timeout=float(c.connect_timeout) if c.connect_timeout is not None
            else self.timeout,
            bindto=str(c.bindto) if c.bindto is not None else None,
            bind_port=c.bind_port,
            bind_if=c.bind_if,
            fwmark=c.fwmark,
        )

    def spec(self, conn: ConnOpts | None, params: Any, name: str | None = None
             ) -> CheckerSpec:
        """A spec with the common settings, ``conn`` and the kind's ``params``."""
        return CheckerSpec(name=self.what if name is None else name, kind=self.kind,
                           conn=conn, delay_loop=float(self.delay_loop), retry=int(self.retry),
                           delay_before_retry=float(self.delay_before_retry),
                           warmup=float(self.warmup), alpha=self.alpha, params=params)


Builder = Callable[[Checker, BuildContext], list[CheckerSpec]]
Dumper = Callable[[Checker, "GlobalState"], "list[str] | None"]
Probe = Callable[[CheckerSpec, ProbeContext], Awaitable[CheckResult]]


@dataclass(eq=False)
class CheckerKind:
    """Everything that makes one checker kind different, as its module declares it.

    Treat it as immutable (a variant is ``dataclasses.replace(other.KIND, ...)``); it is not
    a frozen dataclass only because building one costs a millisecond at import, and every
    ``kaconf lint`` of a config with checkers imports all the kinds. For the same reason the
    small value types here and in the kind modules are NamedTuples.

    Defaults are keepalived 2.2.7's (check_api.c ``queue_checker`` and the kinds' handlers):

    * ``default_retry``: ``retry`` when neither checker, real server nor virtual server
      sets it;
    * ``default_delay_before_retry``: likewise, in seconds; None means the checker's
      ``delay_loop`` (DNS_CHECK);
    * ``connection``: the kind has connection options (``connect_ip`` ...) and the dump
      prints its ``Connection`` lines;
    * ``scheduled``: False for a kind driven by an event rather than keepalived's checker
      timers (FILE_CHECK follows its file): the dump prints no timers, ``alpha`` does not
      apply, and the daemon reads it once at start-up and then polls it;
    * ``weight``: how a result's weight counts: ``""`` not at all, ``"dynamic"`` the real
      server weight asked for (MISC_CHECK ``misc_dynamic``), ``"offset"`` added to the real
      server's weight and withdrawn on failure (FILE_CHECK);
    * ``unsupported``: why kaconfd cannot run this kind (it is then ignored and does not
      count), or None;
    * ``tls``: keepalived creates its SSL context for this kind (the dump's SSL section);
    * ``aliases``: this kind's own spellings of common checker keywords (old keyword ->
      common keyword); the last one given wins, as both set the same value in keepalived.
    """

    keyword: str
    model: type[Checker]
    build: Builder
    dump: Dumper
    probe: Probe | None = None
    default_retry: int = 1
    default_delay_before_retry: float | None = 1.0
    connection: bool = True
    scheduled: bool = True
    weight: Literal["", "dynamic", "offset"] = ""
    unsupported: str | None = None
    tls: bool = False
    aliases: Mapping[str, str] = field(default_factory=dict)

    def common(self, ck: Checker, keyword: str) -> Setting | None:
        """The last given of common keyword ``keyword`` and this kind's aliases of it."""
        names = [keyword] + [old for old, new in self.aliases.items() if new == keyword]
        return setting(ck, *names) if len(names) > 1 else ck.settings.get(keyword)

    def value(self, ck: Checker, keyword: str) -> Any:
        """The model value of common keyword ``keyword`` (None: not given), aliases included.

        An alias given last with an unusable value (already reported) changes nothing, as
        in keepalived, whose handler then leaves the value alone.
        """
        s = self.common(ck, keyword)
        if s is None or s.keyword == keyword or s.value is None:
            return getattr(ck, keyword)
        return s.value


def first_word(s: Setting | None) -> str | None:
    """The first argument of a keyword as written (None when absent or without one)."""
    if not isinstance(s, Setting):
        return None
    w = words(s)
    return w[0] if w else None
