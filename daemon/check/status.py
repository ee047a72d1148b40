"""What the checker child tells ``kaconf status`` and the metrics: every virtual and real
server, each checker's last result, and a check-latency histogram.

The same object answers the control socket's ``status`` command (the ``checker`` part of
``kaconf status --json``, documented in docs/operations.md) and feeds the parent's
Prometheus endpoint, so the two never disagree. :class:`Latency` is a fixed-bucket
histogram kept per checker by the scheduler (an add and a bisect per check: nothing
next to a probe), in the layout Prometheus histograms have.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kaconfd.check.scheduler import Scheduler
    from kaconfd.check.state import CheckerState

#: Upper bounds (seconds) of the check-latency buckets: a probe takes from a millisecond
#: (TCP on a LAN) to its connect_timeout (5 s by default) and more with retries.
LATENCY_BUCKETS: tuple[float, ...] = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                      0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


@dataclass
class Latency:
    """Check durations: cumulative counts per bucket of :data:`LATENCY_BUCKETS`, sum, count."""

    counts: list[int] = field(default_factory=lambda: [0] * len(LATENCY_BUCKETS))
    total: float = 0.0
    count: int = 0

    def observe(self, seconds: float) -> None:
        index = bisect.bisect_left(LATENCY_BUCKETS, seconds)
        if index < len(self.counts):
            self.counts[index] += 1
        self.total += seconds
        self.count += 1

    def as_dict(self) -> dict[str, Any]:
        """Cumulative bucket counts (Prometheus' ``le``), the ``+Inf`` one being ``count``."""
        running, cumulative = 0, []
        for n in self.counts:
            running += n
            cumulative.append(running)
        return {"buckets": list(LATENCY_BUCKETS), "counts": cumulative, "sum": self.total,
                "count": self.count}


@dataclass
class CheckRecord:
    """The scheduler's notes on one checker, beside its pure state."""

    last_time: float | None = None  # wall clock (time.time()) of the last result
    last_duration: float | None = None
    last_up: bool | None = None
    latency: Latency = field(default_factory=Latency)


def checker_entry(cs: CheckerState, rec: CheckRecord | None) -> dict[str, Any]:
    """One checker of ``kaconf status --json``."""
    rec = rec or CheckRecord()
    state = "unsupported" if not cs.enabled else ("init" if not cs.has_run else
                                                  ("up" if cs.is_up else "down"))
    return {"name": cs.spec.name, "kind": cs.spec.kind, "state": state,
            "last_result": None if rec.last_up is None else ("up" if rec.last_up else "down"),
            "last_reason": cs.last_reason, "last_check": rec.last_time,
            "last_duration": rec.last_duration, "latency": rec.latency.as_dict()}


def checker_status(sched: Scheduler | None) -> dict[str, Any]:
    """The checker child's part of ``kaconf status --json`` (stable: docs/operations.md)."""
    import os

    out: dict[str, Any] = {"pid": os.getpid(), "virtual_servers": []}
    if sched is None:
        return out
    for vs in sched.pool.virtual_servers:
        spec = vs.spec
        out["virtual_servers"].append({
            "name": spec.label,
            "quorum": spec.quorum, "hysteresis": spec.hysteresis,
            "quorum_up": vs.quorum_up, "weight_sum": vs.weight_sum(),
            "sorry_server": spec.sorry.label if spec.sorry is not None else None,
            "sorry_active": vs.sorry_active,
            "real_servers": [{
                "name": rs.spec.label, "alive": rs.alive, "weight": rs.ipvs_weight,
                "checkers": [checker_entry(cs, sched.records.get(id(cs)))
                             for cs in rs.checkers],
            } for rs in vs.real_servers],
        })
    return out
