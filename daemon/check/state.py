"""The checker pool, sans-I/O: check results in, actions and the desired IPVS table out.

Why sans-I/O (like :mod:`kaconfd.vrrp.fsm`): every decision keepalived makes about a real
server (retries, alpha, liveness with several checkers, dynamic weights, quorum with
hysteresis, sorry server, inhibit_on_failure, omega) is here, and none of it reads a clock,
opens a socket or starts a process; it imports neither asyncio, ssl nor socket (checked
by tests/unit/check/test_check_state.py).  Unit tests feed results and assert the actions;
:mod:`kaconfd.check.scheduler` does the I/O.  What differs between checker kinds comes from
their declarations (:class:`kaconf.checkers.base.CheckerKind`), never from their names.

Semantics follow keepalived 2.2.7 (check_api.c, check_data.c, ipwrapper.c):

* a checker starts up, or down with ``alpha``; at start-up one failure is enough to declare
  it down (keepalived starts ``retry_it`` at ``retry``); after a success, a failure is retried
  ``retry`` times, ``delay_before_retry`` apart, before the checker is declared down; a
  checker that is down is re-checked every ``delay_loop``;
* a real server is alive while none of its checkers is down; each alive/dead transition runs
  ``notify_up`` / ``notify_down`` once.  With ``alpha`` the first failing check also runs
  ``notify_down`` (keepalived announces the initial "down" then); kaconfd does that once per
  real server, not once per checker;
* weights: a ``"dynamic"`` kind sets the real server's weight (MISC_CHECK ``misc_dynamic``:
  exit code - 2), an ``"offset"`` kind adds to it (FILE_CHECK: value x weight); IPVS gets the
  weight clamped to [0, 2^31-1];
* quorum: the sum of the IPVS weights of the alive real servers.  Quorum is gained when it
  reaches ``quorum + hysteresis`` and lost when it falls below ``quorum - hysteresis`` (or
  to 0); each change runs ``quorum_up`` / ``quorum_down`` once.  At start-up ``quorum_up``
  runs if the initial pool has quorum, ``quorum_down`` if it has not and a ``sorry_server``
  is configured (keepalived's "Starting with quorum up/down");
* sorry server: while quorum is lost it replaces the real servers in the service (they are
  removed, or set to weight 0 with ``inhibit_on_failure``);
* ``inhibit_on_failure``: a dead real server stays in the service with weight 0;
* ``omega``: on shutdown, ``notify_down`` runs for the alive real servers and
  ``quorum_down`` for a virtual server with quorum.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from kaconfd.check.ipvs_plan import Dest, Entry, Service, Table
from kaconfd.check.spec import (
    CheckerSpec,
    RealServerSpec,
    ServiceAddr,
    SorryServerSpec,
    VirtualServerSpec,
    real_weight,
)

from kaconf.checkers import registry
from kaconf.checkers.base import CheckerKind, CheckResult

from ..command import Command


@dataclass(frozen=True, slots=True)
class Notify:
    """Run a notify/quorum script (as keepalived splits it, with its uid:gid); ``why`` is
    for logs."""

    command: Command
    why: str


@dataclass(frozen=True, slots=True)
class Log:
    text: str


@dataclass(frozen=True, slots=True)
class Mail:
    """A checker changed state on a real server with ``smtp_alert`` (keepalived's
    ``smtp_alert(SMTP_MSG_RS, ...)``); ``rs_changed``: the server's own state changed with it
    (``no_checker_emails`` mails only those)."""

    kind: str
    up: bool
    rs: str
    vs: str
    rs_alive: bool
    rs_changed: bool


@dataclass(frozen=True, slots=True)
class VsMail:
    """A virtual server with ``smtp_alert`` gained or lost its quorum (``SMTP_MSG_VS``);
    ``body`` is keepalived's."""

    vs: str
    up: bool
    body: str


Action = Notify | Log | Mail | VsMail


@dataclass(eq=False)
class CheckerState:
    spec: CheckerSpec
    rs: RealServerState
    is_up: bool = True
    has_run: bool = False
    retry_it: int = 0
    cur_weight: int = 0  # this checker's contribution to the real server's weight
    enabled: bool = True  # False: never run and never counted (an unsupported kind)
    last_reason: str = ""
    #: what the checker's kind declares (None: a kind the registry does not know, in tests)
    kind: CheckerKind | None = None


@dataclass(eq=False)
class RealServerState:
    spec: RealServerSpec
    vs: VirtualServerState
    effective_weight: int = 0
    alive: bool = False
    failed: int = 0  # number of checkers that are down
    announced: bool = False  # the alpha start-up notify ran
    checkers: list[CheckerState] = field(default_factory=list)

    @property
    def ipvs_weight(self) -> int:
        return real_weight(self.effective_weight)


@dataclass(eq=False)
class VirtualServerState:
    spec: VirtualServerSpec
    quorum_up: bool = False
    sorry_active: bool = False
    adopted: bool = False  # state carried over a reload (Pool.adopt)
    real_servers: list[RealServerState] = field(default_factory=list)

    def weight_sum(self) -> int:
        """keepalived's ``weigh_live_realservers``."""
        return sum(rs.ipvs_weight for rs in self.real_servers if rs.alive)


class Pool:
    """Every virtual server, real server and checker of one configuration, and their state.

    ``dirty`` collects the virtual servers whose desired IPVS table may have changed since
    the caller last looked (:meth:`take_dirty`).
    """

    def __init__(self, virtual_servers: Iterable[VirtualServerSpec]) -> None:
        self.virtual_servers: list[VirtualServerState] = []
        self.checkers: list[CheckerState] = []
        self.dirty: dict[int, VirtualServerState] = {}
        self.stopped = False
        for vspec in virtual_servers:
            vs = VirtualServerState(vspec)
            for rspec in vspec.real_servers:
                rs = RealServerState(rspec, vs, effective_weight=rspec.weight)
                for cspec in rspec.checkers:
                    kind = registry.get(cspec.kind)
                    cs = CheckerState(cspec, rs, kind=kind)
                    if kind is not None and kind.unsupported is not None:
                        cs.enabled = False
                    elif cspec.alpha and (kind is None or kind.scheduled):
                        cs.is_up = False
                        rs.failed += 1
                    cs.retry_it = cspec.retry
                    rs.checkers.append(cs)
                    self.checkers.append(cs)
                vs.real_servers.append(rs)
            self.virtual_servers.append(vs)

    # -- reload ------------------------------------------------------------------------

    def adopt(self, old: Pool) -> None:
        """Carry state over a reload (keepalived's ``migrate_checkers``).

        A checker keeps its up/down state when the same virtual server (label), real server
        (address:port) and checker (kind and position) exist in both configurations; a
        virtual server keeps its quorum and sorry-server state.  So a reload neither
        re-adds a failed real server nor re-runs notify / quorum scripts.  Call before
        :meth:`start`.
        """
        prev: dict[tuple[str, str, str, int], CheckerState] = {}
        for ovs in old.virtual_servers:
            for ors in ovs.real_servers:
                for i, ocs in enumerate(ors.checkers):
                    prev[(ovs.spec.label, ors.spec.label, ocs.spec.kind, i)] = ocs
        old_vs = {vs.spec.label: vs for vs in old.virtual_servers}
        for vs in self.virtual_servers:
            was = old_vs.get(vs.spec.label)
            if was is None:
                continue
            vs.adopted = True
            vs.quorum_up = was.quorum_up
            vs.sorry_active = was.sorry_active and vs.spec.sorry is not None
            for rs in vs.real_servers:
                for i, cs in enumerate(rs.checkers):
                    o = prev.get((vs.spec.label, rs.spec.label, cs.spec.kind, i))
                    if o is None or not o.enabled or not cs.enabled:
                        continue
                    if cs.is_up != o.is_up:
                        rs.failed += -1 if o.is_up else 1
                        cs.is_up = o.is_up
                    cs.has_run = o.has_run
                    cs.retry_it = 0 if o.has_run else cs.retry_it
                    cs.last_reason = o.last_reason
                    if o.cur_weight:
                        cs.cur_weight = o.cur_weight
                        rs.effective_weight += o.cur_weight
                    rs.announced = rs.announced or o.rs.announced

    # -- start / stop ------------------------------------------------------------------

    def start(self, initial: dict[int, CheckResult] | None = None) -> list[Action]:
        """Bring the pool up (keepalived's ``init_services``).

        ``initial`` maps ``id(checker_state)`` to a first reading for checkers that have a
        state before their first run (FILE_CHECK reads its file at start-up).
        """
        actions: list[Action] = []
        initial = initial or {}
        for cs in self.checkers:
            res = initial.get(id(cs))
            if res is None:
                continue
            cs.has_run = True
            cs.last_reason = res.reason
            if res.up:
                self._set_weight(cs, res.weight or 0, actions, update_quorum=False)
            elif cs.is_up:
                cs.is_up = False
                cs.rs.failed += 1
        for vs in self.virtual_servers:
            if not vs.adopted:
                vs.quorum_up = 0 >= vs.spec.quorum + vs.spec.hysteresis
            for rs in vs.real_servers:
                if rs.failed == 0:
                    rs.alive = True
            # after a reload only a real change of quorum is announced
            self._update_quorum(vs, actions, init=not vs.adopted)
            self.dirty[id(vs)] = vs
        return actions

    def stop(self) -> list[Action]:
        """Shut down: omega notifies; afterwards :meth:`desired` is empty."""
        actions: list[Action] = []
        self.stopped = True
        for vs in self.virtual_servers:
            for rs in vs.real_servers:
                if rs.alive:
                    rs.alive = False
                    if vs.spec.omega and rs.spec.notify_down:
                        actions.append(Notify(rs.spec.notify_down,
                                              f"shutting down {rs.spec.label}"))
            if vs.quorum_up:
                vs.quorum_up = False
                if vs.spec.omega and vs.spec.quorum_down:
                    actions.append(Notify(vs.spec.quorum_down,
                                          f"shutting down VS {vs.spec.label}"))
            self.dirty[id(vs)] = vs
        return actions

    # -- results -----------------------------------------------------------------------

    def result(self, cs: CheckerState, res: CheckResult) -> tuple[float, list[Action]]:
        """Account one check result; returns (seconds until the next check, actions)."""
        actions: list[Action] = []
        spec = cs.spec
        cs.last_reason = res.reason
        if not cs.enabled or self.stopped:
            return spec.delay_loop, actions
        weight = cs.kind.weight if cs.kind is not None else ""
        if res.up:
            if weight == "dynamic":
                new = res.weight - cs.rs.spec.weight if res.weight is not None else 0
                self._set_weight(cs, new, actions)
            elif weight == "offset":
                self._set_weight(cs, res.weight or 0, actions)
            cs.retry_it = 0
            if not cs.is_up or not cs.has_run:
                if not cs.is_up:
                    actions.append(Log(f"{spec.name}: {res.reason}"))
                self._verdict(cs, True, actions)
            cs.has_run = True
            return spec.delay_loop, actions
        if (cs.is_up or not cs.has_run) and cs.retry_it < spec.retry:
            cs.retry_it += 1
            if cs.has_run:
                actions.append(Log(f"{spec.name}: {res.reason} - retry {cs.retry_it}"
                                   f"/{spec.retry}"))
            cs.has_run = True
            return spec.delay_before_retry, actions
        cs.retry_it = 0
        if cs.is_up or not cs.has_run:
            if cs.is_up:
                after = f" after {spec.retry} retries" if spec.retry and cs.has_run else ""
                actions.append(Log(f"{spec.name}: {res.reason}{after}"))
            self._verdict(cs, False, actions)
            if weight == "offset":
                self._set_weight(cs, 0, actions)
        cs.has_run = True
        return spec.delay_loop, actions

    def _verdict(self, cs: CheckerState, alive: bool, actions: list[Action]) -> None:
        """keepalived's ``update_svr_checker_state``."""
        rs = cs.rs
        if cs.is_up == alive:
            if not cs.has_run:
                if (cs.spec.alpha or not alive) and not rs.announced:
                    rs.announced = True
                    self._rs_notify(rs, actions)
                cs.has_run = True
            return
        cs.has_run = True
        was_alive = rs.alive
        if alive:
            if rs.failed <= 1:
                self._rs_state(rs, True, actions)
        elif rs.failed == 0:
            self._rs_state(rs, False, actions)
        cs.is_up = alive
        if not alive:
            rs.failed += 1
        elif rs.failed:
            rs.failed -= 1
        if rs.spec.smtp_alert:
            actions.append(Mail(cs.spec.kind, alive, rs.spec.mail_label or rs.spec.label,
                                rs.vs.spec.mail_label or rs.vs.spec.label, rs.alive,
                                rs.alive != was_alive))

    def _rs_notify(self, rs: RealServerState, actions: list[Action]) -> None:
        script = rs.spec.notify_up if rs.alive else rs.spec.notify_down
        if script:
            state = "UP" if rs.alive else "DOWN"
            actions.append(Notify(script, f"real server {rs.spec.label} of VS "
                                  f"{rs.vs.spec.label} {state}"))

    def _rs_state(self, rs: RealServerState, alive: bool, actions: list[Action]) -> None:
        """keepalived's ``perform_svr_state``: the real server goes in or out of the pool."""
        if rs.alive == alive:
            return
        vs = rs.vs
        if rs.spec.inhibit:
            verb, prep = ("Enabling" if alive else "Disabling"), "of"
        else:
            verb, prep = ("Adding" if alive else "Removing"), ("to" if alive else "from")
        actions.append(Log(f"{verb} service {rs.spec.label} {prep} VS {vs.spec.label}"))
        rs.alive = alive
        rs.announced = True
        self._rs_notify(rs, actions)
        self.dirty[id(vs)] = vs
        self._update_quorum(vs, actions, init=False)

    def _set_weight(self, cs: CheckerState, new: int, actions: list[Action],
                    update_quorum: bool = True) -> None:
        """A checker's weight contribution changed (keepalived's ``update_svr_wgt``)."""
        if new == cs.cur_weight:
            return
        rs = cs.rs
        old = rs.ipvs_weight
        rs.effective_weight += new - cs.cur_weight
        cs.cur_weight = new
        if rs.ipvs_weight != old:
            actions.append(Log(f"Changing weight from {old} to {rs.ipvs_weight} for "
                               f"{'' if rs.alive else 'in'}active service {rs.spec.label}"
                               f" of VS {rs.vs.spec.label}"))
            self.dirty[id(rs.vs)] = rs.vs
            if update_quorum:
                self._update_quorum(rs.vs, actions, init=False)

    def _update_quorum(self, vs: VirtualServerState, actions: list[Action], init: bool
                       ) -> None:
        """keepalived's ``update_quorum_state``, with hysteresis and the sorry server."""
        spec = vs.spec
        ws = vs.weight_sum()
        threshold = spec.quorum + (-1 if vs.quorum_up else 1) * spec.hysteresis
        if not vs.quorum_up and ws >= threshold:
            vs.quorum_up = True
            actions.append(Log(f"Gained quorum {spec.quorum}+{spec.hysteresis}={threshold}"
                               f" <= {ws} for VS {spec.label}"))
            if spec.sorry is not None and vs.sorry_active:
                actions.append(Log(f"{'Disabling' if spec.sorry.inhibit else 'Removing'}"
                                   f" sorry server {spec.sorry.label} from VS {spec.label}"))
                vs.sorry_active = False
            self.dirty[id(vs)] = vs
            if spec.quorum_up:
                actions.append(Notify(spec.quorum_up, f"VS {spec.label} quorum up"))
            self._vs_mail(vs, "Starting with quorum up" if init else "Gained quorum",
                          threshold, ws, actions)
        elif (vs.quorum_up and (ws == 0 or ws < threshold)) or (
                init and not vs.quorum_up and spec.sorry is not None and not vs.sorry_active):
            vs.quorum_up = False
            what = "Starting with quorum down" if init else "Lost quorum"
            actions.append(Log(f"{what} {spec.quorum}-{spec.hysteresis}={threshold} > {ws}"
                               f" for VS {spec.label}"))
            if spec.sorry is not None and not vs.sorry_active:
                actions.append(Log(f"{'Enabling' if spec.sorry.inhibit else 'Adding'} sorry"
                                   f" server {spec.sorry.label} to VS {spec.label}"))
                vs.sorry_active = True
            self.dirty[id(vs)] = vs
            if spec.quorum_down:
                actions.append(Notify(spec.quorum_down, f"VS {spec.label} quorum down"))
            self._vs_mail(vs, "Starting with quorum down" if init else "Lost quorum",
                          threshold, ws, actions)

    @staticmethod
    def _vs_mail(vs: VirtualServerState, what: str, threshold: int, ws: int,
                 actions: list[Action]) -> None:
        """keepalived's quorum mail (``do_vs_notifies``), always written with ``+``."""
        spec = vs.spec
        if spec.smtp_alert:
            actions.append(VsMail(spec.mail_label or spec.label, vs.quorum_up,
                                  f"=> {what} {spec.quorum}+{spec.hysteresis}={threshold}"
                                  f" <= {ws} <="))

    # -- IPVS --------------------------------------------------------------------------

    def take_dirty(self) -> list[VirtualServerState]:
        """The virtual servers whose table may have changed since the last call."""
        out = list(self.dirty.values())
        self.dirty.clear()
        return out

    def desired(self, vs: VirtualServerState) -> Table:
        """What the IPVS table should hold for ``vs`` now (empty once stopped)."""
        table: Table = {}
        if self.stopped:
            return table
        spec = vs.spec
        servers: list[tuple[RealServerSpec | SorryServerSpec, int]] = []
        for rs in vs.real_servers:
            if rs.alive and not vs.sorry_active:
                servers.append((rs.spec, rs.ipvs_weight))
            elif rs.spec.inhibit:
                servers.append((rs.spec, 0))
        s = spec.sorry
        if s is not None and (vs.sorry_active or s.inhibit):
            servers.append((s, s.weight if vs.sorry_active else 0))
        for addr in spec.services:
            entry = Entry(service_of(spec, addr))
            for srv, weight in servers:
                d = Dest(srv.address, srv.dest_port(addr), weight, srv.forwarding,
                         *((srv.u_threshold, srv.l_threshold)
                           if isinstance(srv, RealServerSpec) else ()))
                entry.dests[d.key] = d
            table[addr] = entry
        return table

    def desired_all(self) -> Table:
        """The whole desired table (all virtual servers)."""
        table: Table = {}
        for vs in self.virtual_servers:
            table.update(self.desired(vs))
        return table


def service_of(spec: VirtualServerSpec, addr: ServiceAddr) -> Service:
    """The IPVS service record of one service address of a virtual server."""
    return Service(addr, spec.scheduler, spec.flags, spec.persistence_timeout, spec.netmask,
                   spec.pe_name)
