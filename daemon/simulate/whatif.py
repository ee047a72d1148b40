"""``kaconf simulate --what-if``: the standard questions, asked of every node.

For each node: it stops (gracefully), it crashes, each interface it tracks goes down,
each script it tracks fails; and in each case it comes back. Every question is one
simulation of the whole cluster: all nodes start at 0, the cluster settles, the event
happens at ``t_event``, the node returns at ``t_return``, the run ends at ``end`` (the
settle time of :func:`~.engine.settle_time` apart). The answer, per VIP the node
configures: who held it before, who holds it after, how long nobody (or several
nodes) held it from the event to the end of the run (the return included), who holds
it once the node is back, and whether it moved back.

The seed document's own test is the ``stop`` row of serverA: the VIP stays on serverB
after serverA returns (``moves back: no``), because serverA has ``nopreempt``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .engine import Simulator, settle_time
from .nodes import NodeConfig
from .result import SimResult, round_time
from .scenario import Event, Scenario

__all__ = ["Answer", "Question", "WhatIfReport", "questions", "what_if"]


@dataclass(frozen=True)
class Question:
    """One what-if: ``kind`` (stop, crash, link, script) of ``node``, then its return."""

    node: str
    kind: str
    what: str
    event: tuple[str, ...]
    back: tuple[str, ...]
    #: the tracked interface or script (None for stop / crash)
    subject: str | None = None


@dataclass(frozen=True)
class Answer:
    """The outcome of one question for one VIP."""

    node: str
    question: str
    vip: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    no_holder: float
    several: float
    after_return: tuple[str, ...]

    @property
    def moves(self) -> bool:
        return self.after != self.before

    @property
    def moves_back(self) -> bool | None:
        """Whether the VIP went back to where it was when the node returned (None: it
        never moved)."""
        if not self.moves:
            return None
        return self.after_return == self.before

    def to_dict(self) -> dict[str, Any]:
        return {"node": self.node, "question": self.question, "vip": self.vip,
                "before": list(self.before), "after": list(self.after),
                "no_holder": round_time(self.no_holder),
                "several_holders": round_time(self.several),
                "after_return": list(self.after_return), "moves_back": self.moves_back}


@dataclass
class WhatIfReport:
    """Every answer, plus the runs they come from (the timelines, as evidence)."""

    t_event: float
    t_return: float
    end: float
    answers: list[Answer] = field(default_factory=list)
    runs: list[tuple[Question, SimResult]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"format": 1, "t_event": self.t_event, "t_return": self.t_return,
                "duration": self.end, "answers": [a.to_dict() for a in self.answers]}

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)


def questions(node: NodeConfig) -> list[Question]:
    """The standard questions for ``node``, in a stable order."""
    n = node.name
    out = [Question(n, "stop", "stops", ("stop",), ("start",)),
           Question(n, "crash", "crashes", ("crash",), ("start",))]
    interfaces: dict[str, None] = {}
    scripts: dict[str, None] = {}
    for cfg in node.vrrp.instances:
        interfaces.update(dict.fromkeys(cfg.tracked_interfaces))
        scripts.update(dict.fromkeys(cfg.tracked_scripts))
    for iface in interfaces:
        out.append(Question(n, "link", f"link {iface} down", ("link", "down", iface),
                            ("link", "up", iface), iface))
    for script in scripts:
        out.append(Question(n, "script", f"script {script} fails", ("script", script, "fail"),
                            ("script", script, "ok"), script))
    return out


def _holders_before(result: SimResult, vip: str, t: float) -> tuple[str, ...]:
    """Holders just before ``t`` (an interval starting at ``t`` does not count)."""
    found: tuple[str, ...] = ()
    for iv in result.vips.get(vip, []):
        if iv.start < t:
            found = iv.holders
        else:
            break
    return found


def _length(result: SimResult, vip: str, kind: str, start: float, end: float) -> float:
    return sum(a.length for a in result.anomalies(start, end) if a.vip == vip and a.kind == kind)


def what_if(configs: Sequence[NodeConfig], base: Scenario | None = None) -> WhatIfReport:
    """Ask :func:`questions` of every node (``base``: delay, jitter, seed to use)."""
    base = base or Scenario()
    settle = settle_time(configs)
    t_event, t_return, end = settle, 2 * settle, 3 * settle
    report = WhatIfReport(t_event, t_return, end)
    for node in configs:
        vips = list(dict.fromkeys(str(v.address.ip) for c in node.vrrp.instances
                                  for v in (*c.vips, *c.excluded_vips)))
        for q in questions(node):
            scenario = dataclasses.replace(
                base, duration=end, events=(Event(t_event, q.node, q.event[0], q.event[1:]),
                                            Event(t_return, q.node, q.back[0], q.back[1:])))
            result = Simulator(configs, scenario).run()
            report.runs.append((q, result))
            for vip in vips:
                report.answers.append(Answer(
                    q.node, q.what, vip, _holders_before(result, vip, t_event),
                    _holders_before(result, vip, t_return),
                    _length(result, vip, "none", t_event, end),
                    _length(result, vip, "multiple", t_event, end),
                    result.holders_at(vip, end)))
    return report
