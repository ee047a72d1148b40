"""Comparing the nodes of a cluster (the KA4xx rules): naming nodes, pairing instances."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

from kaconf.model.objects import VrrpInstance

if TYPE_CHECKING:
    from kaconf.lint.rule import Context


def node_label(ctx: Context) -> str:
    """A short name for a node in messages: its router_id, else its file name."""
    rid = ctx.config.global_defs.router_id
    if rid:
        return str(rid)
    name = ctx.path or (ctx.config.files[0] if ctx.config.files else "?")
    return os.path.basename(name)


#: one node's instance: the node's context and the instance
Member = tuple["Context", VrrpInstance]


def peers_by_instance(nodes: list[Context]) -> dict[str, list[Member]]:
    """Instances of the same name across the nodes of a cluster, in node order."""
    out: dict[str, list[Member]] = {}
    for ctx in nodes:
        for inst in ctx.config.vrrp_instances:
            out.setdefault(inst.name, []).append((ctx, inst))
    return out


def shared_instances(nodes: list[Context]) -> Iterator[tuple[str, list[Member]]]:
    """:func:`peers_by_instance` without the instances only one node defines."""
    for name, members in peers_by_instance(nodes).items():
        if len(members) >= 2:
            yield name, members


def against_first(nodes: list[Context]) -> Iterator[tuple[str, Member, Member]]:
    """Each node's instance with the first node's of the same name: (name, first, other).

    Cluster rules that want every node to agree compare the others with the first
    node of an instance (in node order), so each disagreement is reported once.
    """
    for name, members in peers_by_instance(nodes).items():
        for other in members[1:]:
            yield name, members[0], other


def vip_set(inst: VrrpInstance) -> frozenset[str]:
    """The VIPs as normalised text (address/prefix), for comparing nodes."""
    return frozenset(str(v.address) for v in inst.virtual_ipaddress if v.address is not None)
