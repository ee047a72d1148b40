"""The address-bearing statements of an instance, which fix its address family.

keepalived takes an instance's family from the first address-bearing statement
(VIPs, unicast peers, src/dst addresses, ``native_ipv6``) and rejects later ones of
the other family. The order comes from the raw tree, so this module reads it:
:func:`family_items` lists the statements, so KA221 can point at the ones the resolver
skipped (``ctx.resolved(inst).family_skipped``); the family itself is the resolver's.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from kaconf.diagnostics import Span
from kaconf.lint.helpers.tree import (
    children,
    instance_node,
    statement_names,
    statements,
)
from kaconf.model.addr import parse_ip
from kaconf.model.objects import VrrpInstance

if TYPE_CHECKING:
    from kaconf.lint.rule import Context
    from kaconf.tree import Node


_AF_INET = socket.AF_INET


_inet_pton = socket.inet_pton


def family_of_text(text: str) -> int | None:
    """4 or 6 for an address keepalived accepts (``inet_pton``, like :func:`parse_ip`)."""
    addr = text.split("/", 1)[0]
    if ":" in addr:
        try:
            return parse_ip(addr).version
        except ValueError:
            return None
    try:  # no need to build an IPv4Address: inet_pton accepting it is the whole test
        _inet_pton(_AF_INET, addr)
    except (OSError, ValueError):
        return None
    return 4


class FamilyItem(NamedTuple):
    """One statement that fixes or must match the instance's address family."""

    what: str
    text: str
    family: int
    node: Node

    @property
    def span(self) -> Span:
        """The line of the statement (built only for the items a rule reports)."""
        return self.node.head_span


#: statements whose (first) address fixes the instance family, in keepalived's order
_ADDRESS_BLOCKS = ("virtual_ipaddress", "unicast_peer")


_ADDRESS_LINES = ("unicast_src_ip", "mcast_src_ip", "mcast_dst_ip")


def family_items(ctx: Context, inst: VrrpInstance) -> list[FamilyItem]:
    """Address-bearing statements in source order (VIPs, peers, src/dst addresses).

    keepalived takes the instance family from the first of these and rejects
    later ones of the other family, so order matters and comes from the tree.
    Cached per context: KA221 wants them all, the family only the first.
    """
    cache: dict[int, list[FamilyItem]] = ctx.memo("family_items", _new_dict)
    items = cache.get(id(inst))
    if items is None:
        items = cache[id(inst)] = list(_iter_family_items(ctx, inst))
    return items


def _new_dict(_ctx: Context) -> dict[Any, Any]:
    return {}


def _iter_family_items(ctx: Context, inst: VrrpInstance) -> Iterator[FamilyItem]:
    node = instance_node(ctx, inst)
    if node is None:
        return
    stmts = statements(ctx, node)
    for i, kw in enumerate(statement_names(ctx, node)):
        if kw in _ADDRESS_BLOCKS:
            c = stmts[i]
            if c.children is None:
                continue
            for item in children(c):
                text = item.name
                fam = family_of_text(text)
                if fam is not None:
                    yield FamilyItem(kw, text, fam, item)
        elif kw in _ADDRESS_LINES:
            c = stmts[i]
            if c.args:
                fam = family_of_text(c.args[0].text)
                if fam is not None:
                    yield FamilyItem(kw, c.args[0].text, fam, c)
        elif kw == "native_ipv6":
            yield FamilyItem(kw, "", 6, stmts[i])
