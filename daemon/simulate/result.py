"""What a simulation found: transitions with their causes, VIP holders over time, anomalies.

The JSON form (:meth:`SimResult.to_json`, ``kaconf simulate --format json``) is stable
and documented in ``docs/simulate.md``; format 1:

* ``transitions``: every state change of every instance, in time order, with a human
  cause (``"master_down expired"``, ``"higher priority advert from B (150)"``...);
* ``vips``: for each virtual address (without prefix), consecutive holder intervals
  covering the whole run: ``start``, ``end`` (None for the last one: it lasts past the
  end of the run) and the node names holding it (empty: nobody);
* ``anomalies``: the intervals with no holder (``none``) or several (``multiple``),
  neighbouring intervals of the same kind merged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .scenario import Event

__all__ = ["Anomaly", "HolderInterval", "PriorityChange", "SimResult", "Transition", "round_time"]

FORMAT = 1


def round_time(value: float) -> float:
    """Times are reported to the microsecond (the queue's float sums are not exact)."""
    return round(value, 6)


@dataclass(frozen=True, slots=True)
class Transition:
    """An instance changed state (states as keepalived logs them: INIT, BACKUP...)."""

    time: float
    node: str
    instance: str
    from_: str
    to: str
    cause: str

    def to_dict(self) -> dict[str, Any]:
        return {"time": round_time(self.time), "node": self.node, "instance": self.instance,
                "from": self.from_, "to": self.to, "cause": self.cause}


@dataclass(frozen=True, slots=True)
class PriorityChange:
    """An instance's effective priority moved (tracking weights, ``priority`` events)."""

    time: float
    node: str
    instance: str
    from_: int
    to: int
    cause: str

    def to_dict(self) -> dict[str, Any]:
        return {"time": round_time(self.time), "node": self.node, "instance": self.instance,
                "from": self.from_, "to": self.to, "cause": self.cause}


@dataclass(slots=True)
class HolderInterval:
    """Who holds a VIP from ``start`` to ``end`` (None: past the end of the run)."""

    start: float
    end: float | None
    holders: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        end = None if self.end is None else round_time(self.end)
        return {"start": round_time(self.start), "end": end, "holders": list(self.holders)}


@dataclass(frozen=True, slots=True)
class Anomaly:
    """A stretch with no holder (``none``) or several (``multiple``) of one VIP."""

    vip: str
    kind: str
    start: float
    end: float
    holders: tuple[str, ...]

    @property
    def length(self) -> float:
        return self.end - self.start

    def to_dict(self) -> dict[str, Any]:
        return {"vip": self.vip, "kind": self.kind, "start": round_time(self.start),
                "end": round_time(self.end), "length": round_time(self.length),
                "holders": list(self.holders)}


@dataclass
class SimResult:
    """Everything one run produced; see the module docstring for the JSON form."""

    duration: float
    nodes: tuple[str, ...]
    events: tuple[Event, ...]
    transitions: list[Transition] = field(default_factory=list)
    priorities: list[PriorityChange] = field(default_factory=list)
    vips: dict[str, list[HolderInterval]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    # ---------------------------------------------------------------- queries

    def holders_at(self, vip: str, time: float) -> tuple[str, ...]:
        """Who holds ``vip`` at ``time`` (the interval starting at ``time`` counts)."""
        found: tuple[str, ...] = ()
        for iv in self.vips.get(vip, []):
            if iv.start <= time:
                found = iv.holders
            else:
                break
        return found

    def states_at(self, time: float) -> dict[tuple[str, str], str]:
        """(node, instance) -> state at ``time`` (after the transitions at ``time``)."""
        out: dict[tuple[str, str], str] = {}
        for tr in self.transitions:
            if tr.time > time:
                break
            out[(tr.node, tr.instance)] = tr.to
        return out

    def anomalies(self, start: float = 0.0, end: float | None = None) -> list[Anomaly]:
        """No-holder and multiple-holder stretches of every VIP overlapping [start, end]."""
        stop = self.duration if end is None else end
        out: list[Anomaly] = []
        for vip, intervals in self.vips.items():
            current: Anomaly | None = None
            for iv in intervals:
                lo = max(iv.start, start)
                hi = min(self.duration if iv.end is None else iv.end, stop)
                kind = "none" if not iv.holders else "multiple" if len(iv.holders) > 1 else ""
                if hi <= lo or not kind:
                    if current is not None and (hi > lo or iv.start >= stop):
                        out.append(current)
                        current = None
                    continue
                if current is not None and current.kind == kind and current.end == lo:
                    holders = tuple(sorted(set(current.holders) | set(iv.holders)))
                    current = Anomaly(vip, kind, current.start, hi, holders)
                else:
                    if current is not None:
                        out.append(current)
                    current = Anomaly(vip, kind, lo, hi, iv.holders)
            if current is not None:
                out.append(current)
        out.sort(key=lambda a: (a.start, a.vip))
        return out

    # ---------------------------------------------------------------- output

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "duration": round_time(self.duration),
            "nodes": list(self.nodes),
            "events": [e.to_dict() for e in self.events],
            "transitions": [t.to_dict() for t in self.transitions],
            "priorities": [p.to_dict() for p in self.priorities],
            "vips": {vip: [iv.to_dict() for iv in ivs] for vip, ivs in self.vips.items()},
            "anomalies": [a.to_dict() for a in self.anomalies()],
            "warnings": list(self.warnings),
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)
