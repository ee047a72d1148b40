"""``kaconf lint --cluster`` findings from the what-if run (rules KA413, KA414, KA415).

Plugged in through the ``kaconf.cluster_checks`` entry point (see
:mod:`kaconf.lint.helpers.simulation`): :func:`findings` gets the nodes' lint contexts,
simulates the standard questions (:mod:`.whatif`) and reports the outcomes a reader
would not expect, each with the part of the timeline that shows it as notes:

* KA413: the VIP returns to a node whose instance has ``nopreempt`` when it comes
  back (keepalived ignores nopreempt with ``state MASTER`` or for an address owner);
* KA414: a node's crash leaves a VIP that other nodes configure without a holder for
  longer than their master-down interval (a sync group holding a member back, ...);
* KA415: a tracked interface or script with a weight that fails on the master lowers
  its priority but not below another node's: the VIP never moves (negative
  ``track_script`` weights are KA412's, found without simulating).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from kaconf.lint.helpers.cluster import node_label
from kaconf.lint.helpers.simulation import SimFinding

from .nodes import ConfigError, NodeConfig, node_config
from .result import SimResult
from .whatif import Answer, Question, WhatIfReport, what_if

if TYPE_CHECKING:
    from kaconf.lint.rule import Context

__all__ = ["findings"]

#: Slack on the master-down comparison: advert delays and float sums.
_SLACK = 0.01
#: At most this many timeline lines as evidence.
_MAX_NOTES = 12


def _names(nodes: Sequence[Context]) -> list[str]:
    names: list[str] = []
    for index, ctx in enumerate(nodes):
        name = node_label(ctx)
        names.append(name if name not in names else f"{name}#{index + 1}")
    return names


def findings(nodes: Sequence[Context]) -> list[SimFinding]:
    """Simulate the what-if questions on ``nodes`` and report the surprising outcomes."""
    if len(nodes) < 2:
        return []
    names = _names(nodes)
    try:
        configs = [node_config(name, ctx.config, i)
                   for i, (name, ctx) in enumerate(zip(names, nodes, strict=True))]
    except (ConfigError, ValueError):
        return []  # not something the daemon runs: the other rules say why
    report = what_if(configs)
    return list(_check(report, configs, nodes, names))


def _evidence(result: SimResult, report: WhatIfReport, vip: str,
              configs: Sequence[NodeConfig]) -> tuple[str, ...]:
    lines = [f"{t.time:.3f}s {t.node} {t.instance}: {t.from_} -> {t.to} ({t.cause})"
             for t in result.transitions if t.time >= report.t_event]
    if len(lines) > _MAX_NOTES:
        lines = lines[:_MAX_NOTES - 1] + [f"... {len(lines) - _MAX_NOTES + 1} more"]
    holders = "; ".join(
        f"{', '.join(iv.holders) or 'nobody'} {iv.start:.3f}-"
        + ("end" if iv.end is None else f"{iv.end:.3f}")
        for iv in result.vips.get(vip, []) if iv.end is None or iv.end > report.t_event)
    states = result.states_at(report.t_return - 1e-6)
    carriers = ", ".join(f"{n.name} {c.name} {states.get((n.name, c.name), 'STOP')}"
                         for n in configs for c in n.vrrp.instances
                         if any(str(v.address.ip) == vip for v in c.vips))
    return (f"simulated (kaconf simulate --what-if): event at {report.t_event:g}s, "
            f"node back at {report.t_return:g}s", *lines,
            f"just before the return: {carriers}", f"{vip} held by: {holders}")


def _instance_of(node: NodeConfig, vip: str) -> str | None:
    for cfg in node.vrrp.instances:
        if any(str(v.address.ip) == vip for v in (*cfg.vips, *cfg.excluded_vips)):
            return cfg.name
    return None


def _master_down(configs: Sequence[NodeConfig], vip: str, but: str) -> float | None:
    """The longest master-down interval of the other nodes' instances with ``vip``."""
    found: list[float] = []
    for node in configs:
        if node.name == but:
            continue
        for c in node.vrrp.instances:
            if any(str(v.address.ip) == vip for v in c.vips):
                skew = (256 - c.priority) / 256 * (c.advert_int if c.version == 3 else 1)
                found.append(c.down_timer_adverts * c.advert_int + skew)
    return max(found) if found else None


def _check(report: WhatIfReport, configs: Sequence[NodeConfig], nodes: Sequence[Context],
           names: list[str]) -> Iterator[SimFinding]:
    """Each rule's findings, once per rule, node and instance (the first question's)."""
    seen: set[tuple[str, int, str | None]] = set()
    for f in _all(report, configs, nodes):
        key = (f.code, f.node, f.instance)
        if key not in seen:
            seen.add(key)
            yield f


def _all(report: WhatIfReport, configs: Sequence[NodeConfig],
         nodes: Sequence[Context]) -> Iterator[SimFinding]:
    by_name = {c.name: i for i, c in enumerate(configs)}
    runs = {(q.node, q.what): (q, r) for q, r in report.runs}
    for a in report.answers:
        index = by_name[a.node]
        node = configs[index]
        inst = _instance_of(node, a.vip)
        down = _master_down(configs, a.vip, a.node)
        if inst is None or down is None:
            continue  # a VIP only this node configures: nobody could take it over
        q, result = runs[(a.node, a.question)]
        notes = _evidence(result, report, a.vip, configs)
        if q.kind in ("stop", "crash"):
            yield from _returns_despite_nopreempt(a, q, nodes[index], inst, index, notes)
        gap = sum(x.length for x in result.anomalies(report.t_event, report.t_return)
                  if x.vip == a.vip and x.kind == "none")
        if q.kind == "crash" and a.before == (a.node,) and gap > down + _SLACK:
            until = " (until it returns)" if not a.after else ""
            yield SimFinding(
                "KA414", index, inst,
                f"({inst}) when {a.node} crashes, {a.vip} has no holder for "
                f"{gap:.3f}s{until}, longer than the other nodes' master-down "
                f"interval ({down:.3f}s)", "check what keeps the other nodes from taking "
                "over: a sync group member that still hears its master, a FAULT state, "
                "different VRIDs or authentication", notes)
        if q.kind in ("link", "script"):
            yield from _weight_without_failover(a, q, node, result, report, inst, index, notes)


def _returns_despite_nopreempt(a: Answer, q: Question, ctx: Context, inst: str, index: int,
                               notes: tuple[str, ...]) -> Iterator[SimFinding]:
    model = next((i for i in ctx.config.vrrp_instances if i.name == inst), None)
    if model is None or not model.nopreempt:
        return
    if a.before == (a.node,) and a.moves and a.after_return == (a.node,):
        why = " (keepalived ignores nopreempt with state MASTER)" \
            if model.state == "MASTER" else ""
        yield SimFinding(
            "KA413", index, inst,
            f"({inst}) {a.vip} moves back to {a.node} when it returns after it {q.what}, "
            f"although the instance has nopreempt{why}",
            "use 'state BACKUP' on every node and nopreempt where the VIP should stay", notes)


def _subject(q: Question) -> str:
    if q.kind == "link":
        return f"interface {q.subject} goes down"
    return f"script {q.subject} fails"


def _weight_without_failover(a: Answer, q: Question, node: NodeConfig, result: SimResult,
                             report: WhatIfReport, inst: str, index: int,
                             notes: tuple[str, ...]) -> Iterator[SimFinding]:
    if a.before != (a.node,) or a.after != (a.node,):
        return
    cfg = next(c for c in node.vrrp.instances if c.name == inst)
    key = ("if:" if q.kind == "link" else "script:") + (q.subject or "")
    tracker = next((t for t in cfg.trackers if t.name == key), None)
    if tracker is None or tracker.weight == 0:
        return
    if q.kind == "script" and (tracker.weight < 0 or tracker.reverse):
        return  # KA412 reports it from the configuration alone
    drops = [p for p in result.priorities if p.node == a.node and p.instance == inst
             and p.time == report.t_event and p.to < p.from_]
    if not drops:
        return
    p = drops[0]
    yield SimFinding(
        "KA415", index, inst,
        f"({inst}) when {_subject(q)} on {a.node}, its priority drops {p.from_} -> {p.to} "
        f"but {a.vip} stays on {a.node}: "
        "no other node outranks it", "make the weight large enough to go below the "
        "best other node's priority, or use weight 0 (FAULT)", notes)
