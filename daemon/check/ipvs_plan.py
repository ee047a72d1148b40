"""IPVS tables as values, and the exact operations that turn one table into another (pure).

Why "desired state + diff" rather than keepalived's imperative ``ipvs_cmd`` calls spread over
ipwrapper.c: the checker state (:mod:`kaconfd.check.state`) only has to say what the table
*should* be for a virtual server; this module decides, in one tested place, which
``add_service`` / ``edit_service`` / ``del_service`` / ``add_dest`` / ``edit_dest`` /
``del_dest`` operations get there.  The writer (:mod:`kaconfd.check.ipvs_writer`) applies them
verbatim, so unit tests can assert the exact operations of every state change
(tests/unit/check/test_check_ipvs_plan.py) without a kernel.

Order of operations (deterministic, so tests and logs are stable):

1. services only in ``current``: ``del_dest`` for each of their destinations, then
   ``del_service`` (keepalived's ``clear_service_vs`` removes real servers first);
2. then, for each service of ``desired`` in its order: ``add_service`` followed by an
   ``add_dest`` per destination, or, for a service in both: ``edit_service`` if a service
   attribute changed, then ``del_dest`` for destinations that went away, ``edit_dest`` for
   those whose weight, forwarding method or thresholds changed, ``add_dest`` for new ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from kaconfd.check.spec import ServiceAddr

#: Forwarding method names (lb_kind / lvs_method) -> IPVS connection flags.
FWD_METHODS: dict[str, int] = {"NAT": 0, "TUN": 2, "DR": 3}
FWD_NAMES: dict[int, str] = {0: "Masq", 1: "Local", 2: "Tunnel", 3: "Route"}

DestKey = tuple[str, int]


@dataclass(frozen=True, slots=True)
class Service:
    """One IPVS virtual service with every attribute the kernel stores."""

    addr: ServiceAddr
    scheduler: str = "wlc"
    flags: int = 0
    timeout: int = 0  # persistence timeout, seconds (0 = not persistent)
    netmask: str | None = None  # persistence granularity
    pe_name: str | None = None


@dataclass(frozen=True, slots=True)
class Dest:
    """One IPVS destination (real server or sorry server) of a service."""

    address: str
    port: int
    weight: int = 1
    forwarding: str = "NAT"
    u_threshold: int = 0
    l_threshold: int = 0

    @property
    def key(self) -> DestKey:
        return (self.address, self.port)


@dataclass(slots=True)
class Entry:
    """A service and its destinations, in insertion order."""

    service: Service
    dests: dict[DestKey, Dest] = field(default_factory=dict)


#: A whole table: service address -> entry, in insertion (configuration) order.
Table = dict[ServiceAddr, Entry]


@dataclass(frozen=True, slots=True)
class Op:
    """One IPVS operation: ``op`` names it, ``dest`` is None for service operations."""

    op: str  # add_service | edit_service | del_service | add_dest | edit_dest | del_dest
    service: Service
    dest: Dest | None = None

    def __str__(self) -> str:
        s = f"{self.op} {self.service.addr}"
        if self.dest is not None:
            host = f"[{self.dest.address}]" if ":" in self.dest.address else self.dest.address
            s += f" -> {host}:{self.dest.port} weight {self.dest.weight} {self.dest.forwarding}"
        return s


def make_entry(service: Service, dests: Iterable[Dest]) -> Entry:
    """An :class:`Entry` with ``dests`` keyed by (address, port); a later duplicate wins."""
    e = Entry(service)
    for d in dests:
        e.dests[d.key] = d
    return e


def _service_ops(cur: Entry | None, want: Entry | None) -> list[Op]:
    ops: list[Op] = []
    if want is None:
        assert cur is not None
        ops.extend(Op("del_dest", cur.service, d) for d in cur.dests.values())
        ops.append(Op("del_service", cur.service))
        return ops
    if cur is None:
        ops.append(Op("add_service", want.service))
        ops.extend(Op("add_dest", want.service, d) for d in want.dests.values())
        return ops
    if cur.service != want.service:
        ops.append(Op("edit_service", want.service))
    for key, d in cur.dests.items():
        if key not in want.dests:
            ops.append(Op("del_dest", want.service, d))
    for key, d in want.dests.items():
        old = cur.dests.get(key)
        if old is not None and old != d:
            ops.append(Op("edit_dest", want.service, d))
    for key, d in want.dests.items():
        if key not in cur.dests:
            ops.append(Op("add_dest", want.service, d))
    return ops


def plan(current: Table, desired: Table, scope: Iterable[ServiceAddr] | None = None
         ) -> list[Op]:
    """The operations that make ``current`` equal to ``desired``.

    With ``scope``, only those service addresses are compared (the others are left alone):
    the checker re-plans only the virtual servers whose state changed, so that one check
    result costs O(size of one virtual server), not O(whole table).
    """
    if scope is None:
        keys_gone = [k for k in current if k not in desired]
        keys_want = list(desired)
    else:
        wanted = list(dict.fromkeys(scope))
        keys_gone = [k for k in wanted if k in current and k not in desired]
        keys_want = [k for k in wanted if k in desired]
    ops: list[Op] = []
    for k in keys_gone:
        ops.extend(_service_ops(current[k], None))
    for k in keys_want:
        ops.extend(_service_ops(current.get(k), desired[k]))
    return ops


def apply(table: Table, ops: Iterable[Op]) -> None:
    """Apply ``ops`` to ``table`` in place, as the kernel would (the in-memory backend).

    Raises :class:`KeyError` / :class:`ValueError` for an operation the kernel would refuse
    (adding what exists, editing or deleting what does not), so the memory backend reports
    the same mistakes a real kernel would.
    """
    for op in ops:
        key = op.service.addr
        if op.op == "add_service":
            if key in table:
                raise ValueError(f"{op}: service exists")
            table[key] = Entry(op.service)
        elif op.op == "edit_service":
            table[key] = Entry(op.service, table[key].dests)
        elif op.op == "del_service":
            del table[key]
        else:
            assert op.dest is not None
            entry = table[key]
            dk = op.dest.key
            if op.op == "add_dest":
                if dk in entry.dests:
                    raise ValueError(f"{op}: destination exists")
                entry.dests[dk] = op.dest
            elif op.op == "edit_dest":
                if dk not in entry.dests:
                    raise KeyError(f"{op}: no such destination")
                entry.dests[dk] = op.dest
            elif op.op == "del_dest":
                del entry.dests[dk]
            else:
                raise ValueError(f"unknown IPVS operation {op.op}")


def copy_table(table: Table) -> Table:
    """A deep enough copy (entries and their dest dicts) to diff against later."""
    return {k: Entry(e.service, dict(e.dests)) for k, e in table.items()}


def render(table: Table, *, header: str | None = None) -> str:
    """The table as ``ipvsadm -Ln`` prints it (for the SIGUSR1 dump and logs)."""
    lines = [header or "IP Virtual Server (kaconfd)",
             "Prot LocalAddress:Port Scheduler Flags",
             "  -> RemoteAddress:Port           Forward Weight"]
    for entry in table.values():
        svc = entry.service
        a = svc.addr
        if a.fwmark:
            head = f"FWM  {a.fwmark}" + (" IPv6" if a.af == 6 else "")
        else:
            head = f"{a.protocol:<4} {a}"
        head += f" {svc.scheduler}"
        if svc.timeout:
            head += f" persistent {svc.timeout}"
            if svc.netmask:
                head += f" mask {svc.netmask}"
        if svc.pe_name:
            head += f" pe {svc.pe_name}"
        if svc.flags & ~0x0001:
            head += f" flags 0x{svc.flags:04x}"
        lines.append(head)
        for d in entry.dests.values():
            host = f"[{d.address}]" if ":" in d.address else d.address
            fwd = FWD_NAMES.get(FWD_METHODS.get(d.forwarding, 0), d.forwarding)
            lines.append(f"  -> {host + ':' + str(d.port):<28} {fwd:<7} {d.weight}")
    return "\n".join(lines) + "\n"


__all__ = ["Dest", "DestKey", "Entry", "FWD_METHODS", "Op", "Service", "Table", "apply",
           "copy_table", "make_entry", "plan", "render"]
