"""Findings from a simulation of the cluster (``kaconf lint --cluster``, rules KA413-KA415).

Why a plug-in: the simulator runs the daemon's state machines (``kaconfd.simulate``),
and kaconf's library never imports kaconfd. The daemon plugs its checks in through
the ``kaconf.cluster_checks`` entry point group (:data:`PLUGIN_FALLBACKS` covers
installs whose metadata predates it); each is a callable taking the nodes' lint
contexts and returning :class:`SimFinding` objects. Without the daemon installed the
rules find nothing. The checks run once per lint (memoised on the first node's
context) and are loaded only when a rule asks, so plain ``kaconf lint`` never pays.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kaconf.diagnostics import Diagnostic
from kaconf.lint.helpers import tree

if TYPE_CHECKING:
    from kaconf.lint.rule import ClusterContext, Context, RuleMeta

__all__ = ["PLUGIN_FALLBACKS", "PLUGIN_GROUP", "SimFinding", "diagnostics", "findings",
           "load_checks"]

#: The entry-point group of cluster checks shipped outside kaconf.
PLUGIN_GROUP = "kaconf.cluster_checks"
#: name -> "module:attribute", used when the entry point is not in the metadata.
PLUGIN_FALLBACKS: dict[str, str] = {"simulate": "kaconfd.simulate.cluster_checks:findings"}


@dataclass(frozen=True)
class SimFinding:
    """One outcome a reader would not expect, with the timeline that shows it."""

    code: str
    #: index of the node (in ``ClusterContext.nodes``) the finding is about
    node: int
    #: the instance to point at (None: the file's start)
    instance: str | None
    message: str
    hint: str = ""
    notes: tuple[str, ...] = field(default=())


ClusterCheck = Callable[[Sequence["Context"]], list[SimFinding]]


def load_checks() -> list[ClusterCheck]:
    """Every installed cluster check (none when the daemon is not installed)."""
    from importlib.metadata import entry_points

    refs = {ep.name: ep.value for ep in entry_points(group=PLUGIN_GROUP)}
    for name, ref in PLUGIN_FALLBACKS.items():
        refs.setdefault(name, ref)
    out: list[ClusterCheck] = []
    for ref in refs.values():
        module, _, attr = ref.partition(":")
        try:
            out.append(getattr(importlib.import_module(module), attr))
        except (ImportError, AttributeError):
            continue  # kaconf without the daemon: nothing to simulate with
    return out


def _run(nodes: Sequence[Context]) -> list[SimFinding]:
    found: list[SimFinding] = []
    for check in load_checks():
        found.extend(check(nodes))
    return found


def findings(cctx: ClusterContext) -> list[SimFinding]:
    """Every plug-in's findings for this cluster, computed once per lint run."""
    if not cctx.nodes:
        return []
    nodes = list(cctx.nodes)
    return cctx.nodes[0].memo("simulation.findings", lambda _ctx: _run(nodes))


def diagnostics(cctx: ClusterContext, meta: RuleMeta) -> Iterator[Diagnostic]:
    """The findings of rule ``meta`` as diagnostics at their instance, notes attached."""
    for f in findings(cctx):
        if f.code != meta.code or not 0 <= f.node < len(cctx.nodes):
            continue
        ctx = cctx.nodes[f.node]
        inst = next((i for i in ctx.config.vrrp_instances if i.name == f.instance), None)
        span = None
        if inst is not None:
            node = tree.instance_node(ctx, inst)
            span = node.head_span if node is not None else inst.span
        d = ctx.diag(meta, f.message, span, f.hint)
        d.notes.extend(f.notes)
        yield d
