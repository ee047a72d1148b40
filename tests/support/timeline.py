"""What a run of real keepalived nodes recorded, in the simulator's JSON shape.

tests/support/cluster.py records transitions (from keepalived's log) and address
changes (from ``ip monitor address``) with their times; this module turns them into the
simulator's result form (format 1: ``transitions``, ``vips`` holder intervals), so a
comparison (tests/support/simcompare.py) reads both sides alike. Pure; stdlib only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = ["AddressChange", "RealRun", "Step", "StepLike", "Transition", "holder_intervals"]


class StepLike(Protocol):
    """What the harness needs of one scenario event (the simulator's Event has these)."""

    @property
    def time(self) -> float: ...
    @property
    def node(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def args(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class Step:
    """One event (the harness's own, for the implicit starts at 0)."""

    time: float
    node: str
    action: str
    args: tuple[str, ...] = ()


@dataclass
class Transition:
    time: float
    node: str
    instance: str
    from_: str
    to: str
    cause: str

    def to_dict(self) -> dict[str, Any]:
        return {"time": round(self.time, 3), "node": self.node, "instance": self.instance,
                "from": self.from_, "to": self.to, "cause": self.cause}


@dataclass
class AddressChange:
    time: float
    node: str
    addr: str
    added: bool


def holder_intervals(changes: Iterable[AddressChange], vips: Iterable[str],
                     duration: float) -> dict[str, list[dict[str, Any]]]:
    """Each VIP's holder intervals over [0, duration]: ``{"start", "end", "holders"}``.

    Consecutive intervals with the same holders are merged; ``holders`` is the sorted
    list of node names that had the address (empty: nobody held it).
    """
    out: dict[str, list[dict[str, Any]]] = {}
    ordered = sorted(changes, key=lambda c: c.time)
    for vip in sorted(set(vips)):
        holders: set[str] = set()
        intervals: list[dict[str, Any]] = []
        start = 0.0
        for change in ordered:
            if change.addr != vip or change.time > duration:
                continue
            new = holders | {change.node} if change.added else holders - {change.node}
            if new == holders:
                continue
            if change.time > start:
                intervals.append({"start": round(start, 3), "end": round(change.time, 3),
                                  "holders": sorted(holders)})
            holders, start = new, change.time
        intervals.append({"start": round(start, 3), "end": round(duration, 3),
                          "holders": sorted(holders)})
        merged: list[dict[str, Any]] = []
        for iv in intervals:
            if merged and merged[-1]["holders"] == iv["holders"]:
                merged[-1]["end"] = iv["end"]
            else:
                merged.append(iv)
        out[vip] = merged
    return out


@dataclass
class RealRun:
    """What the real nodes did; :meth:`to_dict` has the simulator's JSON shape."""

    duration: float
    nodes: list[str]
    events: list[StepLike]
    transitions: list[Transition]
    changes: list[AddressChange]
    vip_addresses: set[str]
    logs: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def vips(self) -> dict[str, list[dict[str, Any]]]:
        return holder_intervals(self.changes, self.vip_addresses, self.duration)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": 1,
            "duration": self.duration,
            "nodes": list(self.nodes),
            "events": [{"time": e.time, "node": e.node, "action": e.action,
                        "args": list(e.args)} for e in self.events],
            "transitions": [t.to_dict() for t in self.transitions],
            "vips": self.vips(),
            "anomalies": [],
            "warnings": list(self.warnings),
        }
