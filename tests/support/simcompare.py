"""Compare a simulated cluster timeline with one measured on real keepalived nodes.

Both sides are the simulator's JSON shape (``transitions`` and ``vips``). The claim
under test (issue 15): the same sequence of transitions for every node and instance,
the same sequence of VIP holders, and every transition within one advert interval of
its instance + 50 ms of the measured time.

Two measurement artefacts are removed before comparing, on both sides alike:

* holder intervals shorter than :data:`MIN_INTERVAL`: when a master hands over, the new
  master adds the VIP and the old one deletes it a millisecond later (or the other way
  round), so the real addresses show a 1 ms interval with two holders (or none) that
  no one could observe; the simulator, with instant delivery, has them of length 0;
* transitions to states keepalived never logs (a stopped or crashed node's instances
  stop without an ``Entering ... STATE`` line): only :data:`LOGGED_STATES` are compared.

Pure: no I/O, so unit tests cover it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: Holder intervals shorter than this (seconds) are measurement artefacts; see above.
MIN_INTERVAL = 0.025
#: The time allowed on top of one advert interval.
SLACK = 0.05
#: States keepalived announces with ``(NAME) Entering X STATE``.
LOGGED_STATES = frozenset({"BACKUP", "MASTER", "FAULT"})


@dataclass
class Comparison:
    """The outcome for one scenario: figures for the doc, and every disagreement."""

    transitions: int = 0
    matched: int = 0
    max_diff: float = 0.0
    vip_changes: int = 0
    vip_matched: int = 0
    vip_max_diff: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


Key = tuple[str, str]


def transition_sequences(result: Mapping[str, Any]) -> dict[Key, list[tuple[float, str, str]]]:
    """(node, instance) -> [(time, from, to)] in time order, logged states only."""
    out: dict[Key, list[tuple[float, str, str]]] = {}
    for t in sorted(result["transitions"], key=lambda t: float(t["time"])):
        if t["to"] not in LOGGED_STATES:
            continue
        out.setdefault((t["node"], t["instance"]), []).append(
            (float(t["time"]), str(t["from"]), str(t["to"])))
    return out


def holder_sequence(intervals: Sequence[Mapping[str, Any]],
                    min_interval: float = MIN_INTERVAL) -> list[tuple[float, tuple[str, ...]]]:
    """[(start, holders)] with artefact intervals dropped and equal neighbours merged
    (an ``end`` of None is the simulator's "lasts past the end of the run")."""
    kept = [iv for iv in intervals if iv["end"] is None
            or float(iv["end"]) - float(iv["start"]) >= min_interval]
    out: list[tuple[float, tuple[str, ...]]] = []
    for iv in kept:
        holders = tuple(sorted(iv["holders"]))
        if out and out[-1][1] == holders:
            continue
        out.append((float(iv["start"]) if out else 0.0, holders))
    return out


def _vip_key(addr: str) -> str:
    return addr.split("/", 1)[0]


def compare(real: Mapping[str, Any], sim: Mapping[str, Any],
            advert: Mapping[Key, float], slack: float = SLACK) -> Comparison:
    """Compare ``sim`` with ``real``; ``advert`` is each (node, instance)'s interval (s).

    The tolerance of a VIP holder change is the largest advert interval of the scenario
    plus ``slack``: a VIP belongs to one instance per node, but the JSON does not say which.
    """
    out = Comparison()
    got, want = transition_sequences(sim), transition_sequences(real)
    for key in sorted(set(got) | set(want)):
        node, inst = key
        w, g = want.get(key, []), got.get(key, [])
        out.transitions += len(w)
        tolerance = advert.get(key, 1.0) + slack
        for i in range(max(len(w), len(g))):
            if i >= len(w):
                out.problems.append(f"{node}/{inst}: extra transition {_fmt(g[i])} "
                                    f"(keepalived: none)")
                break
            if i >= len(g):
                out.problems.append(f"{node}/{inst}: missing transition {_fmt(w[i])}")
                break
            if w[i][2] != g[i][2]:
                out.problems.append(f"{node}/{inst}: transition {i + 1}: keepalived "
                                    f"{_fmt(w[i])}, simulated {_fmt(g[i])}")
                break
            diff = abs(w[i][0] - g[i][0])
            out.max_diff = max(out.max_diff, diff)
            if diff > tolerance:
                out.problems.append(f"{node}/{inst}: {_fmt(w[i])} simulated at "
                                    f"{g[i][0]:.3f} s ({diff:.3f} s off, allowed "
                                    f"{tolerance:.3f} s)")
            else:
                out.matched += 1
    vip_tolerance = max(advert.values(), default=1.0) + slack
    real_vips = {_vip_key(k): v for k, v in real["vips"].items()}
    sim_vips = {_vip_key(k): v for k, v in sim["vips"].items()}
    for vip in sorted(set(real_vips) | set(sim_vips)):
        w_seq = holder_sequence(real_vips.get(vip, []))
        g_seq = holder_sequence(sim_vips.get(vip, []))
        out.vip_changes += len(w_seq)
        if [h for _, h in w_seq] != [h for _, h in g_seq]:
            out.problems.append(f"VIP {vip}: keepalived holders {_holders(w_seq)}, "
                                f"simulated {_holders(g_seq)}")
            continue
        for (wt, holders), (gt, _) in zip(w_seq, g_seq, strict=True):
            diff = abs(wt - gt)
            out.vip_max_diff = max(out.vip_max_diff, diff)
            if diff > vip_tolerance:
                out.problems.append(f"VIP {vip}: holders {list(holders)} from {wt:.3f} s, "
                                    f"simulated from {gt:.3f} s ({diff:.3f} s off)")
            else:
                out.vip_matched += 1
    return out


def _fmt(t: tuple[float, str, str]) -> str:
    return f"{t[1]}->{t[2]} at {t[0]:.3f} s"


def _holders(seq: Sequence[tuple[float, tuple[str, ...]]]) -> str:
    return " ".join(f"{start:.3f}:{'+'.join(h) or '-'}" for start, h in seq)
