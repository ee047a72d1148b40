"""Addresses as keepalived stores and prints them.

keepalived re-parses every ``virtual_ipaddress``/``static_ipaddress`` line
and prints its internal structure back (``format_ipaddress``), so the dump
shows defaults the config never wrote (``scope global``). :class:`Address`
holds that internal form. Route and rule lines are read in the model
(:mod:`kaconf.model.iproutes`, :mod:`kaconf.model.iprules`).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import replace
from typing import TYPE_CHECKING

from kaconf.effective.record import Record
from kaconf.effective.record import field as record_field
from kaconf.effective.values import read_uint
from kaconf.model.ipwords import (
    RULE_START_PRIORITY,
    scope_name,
    scope_number,
    tracking_text,
)
from kaconf.model.objects import VirtualAddress

if TYPE_CHECKING:
    from kaconf.model.iprules import RuleInfo

INFINITY_LIFE_TIME = 0xFFFFFFFF
_AF_INET = socket.AF_INET
_ntop = socket.inet_ntop


class Address(Record):
    """One VIP/eVIP/static address after keepalived's parsing."""

    family: int
    addr: str
    plen: int
    dev: str | None = None
    brd: str | None = None
    scope: int = 0
    label: str | None = None
    peer: str | None = None
    flags: list[str] = record_field(default_factory=list)
    no_track: bool = False
    track_group: str | None = None
    use_vmac: bool = False
    preferred_lft: int = INFINITY_LIFE_TIME
    ifname: str | None = None
    base_ifname: str | None = None
    set: bool = False

    def text(self) -> str:
        """keepalived's ``format_ipaddress``."""
        full = 128 if self.family == 6 else 32
        out = self.addr if self.plen == full else f"{self.addr}/{self.plen}"
        if self.family == 4 and self.brd:
            out += f" brd {self.brd}"
        out += f" dev {self.ifname or '(null)'}"
        if self.base_ifname:
            out += f"@{self.base_ifname}"
        if self.use_vmac:
            out += " use_vmac"
        out += f" scope {scope_name(self.scope)}"
        if self.label:
            out += f" label {self.label}"
        if self.peer:
            out += f" peer {self.peer}/{self.plen}"
        for f in ("home", "-nodad", "mngtmpaddr", "noprefixroute", "autojoin"):
            if f in self.flags:
                out += f" {f}"
        out += tracking_text(self.no_track, self.track_group)
        if self.family == 6:
            if self.preferred_lft == 0:
                out += " deprecated"
            elif self.preferred_lft == INFINITY_LIFE_TIME:
                out += " preferred_lft forever"
            else:
                out += f" preferred_lft {self.preferred_lft}"
        if self.set:
            out += " set"
        return out


def address_from_model(va: VirtualAddress, static: bool = False) -> Address | None:
    """keepalived's ``alloc_ipaddress`` applied to a parsed address line.

    ``None`` when keepalived drops the line (bad address, over-long label,
    broadcast on IPv6).
    """
    iface = va.address
    if iface is None:
        return None
    fam = iface.version
    plen = iface.network.prefixlen
    # IPv4 text from the C library (the same dotted quad, several times faster)
    a = Address(fam, _ntop(_AF_INET, iface.packed) if fam == 4 else str(iface.ip), plen,
                va.dev)
    if va.scope is not None:
        sc = scope_number(va.scope)
        if sc is not None:
            a.scope = sc
    if va.label is not None:
        if len(va.label) >= 16:
            return None
        a.label = va.label
    if va.brd is not None:
        if fam == 6:
            return None
        if va.brd in ("+", "-"):
            if plen <= 30:
                net = ipaddress.IPv4Network(f"{a.addr}/{plen}", strict=False)
                a.brd = str(net.broadcast_address if va.brd == "+" else net.network_address)
        else:
            try:
                a.brd = str(ipaddress.IPv4Address(va.brd))
            except ValueError:
                return None
    if va.peer is not None:
        try:
            p = ipaddress.ip_address(va.peer)
        except ValueError:
            p = None
        if p is not None and p.version == fam:
            a.peer = str(p)
            a.plen = 128 if fam == 6 else 32
            if va.brd is not None:
                a.brd = None
    for f in va.filled("flags"):
        if f == "no_track":
            a.no_track = True
        elif f == "use_vmac" and not static:
            a.use_vmac = True
        elif f in ("home", "-nodad", "mngtmpaddr", "noprefixroute", "autojoin"):
            a.flags.append(f)
    if static and va.track_group:
        a.track_group = va.track_group
    if fam == 6:
        a.scope = 0
        a.label = None
        lft: int | None = None
        if va.preferred_lft is not None:
            lft = INFINITY_LIFE_TIME if va.preferred_lft == "forever" else \
                read_uint(va.preferred_lft)
        if lft is None:
            lft = 0 if a.plen == 128 else INFINITY_LIFE_TIME
        a.preferred_lft = lft
    return a




class RulePriorities:
    """keepalived's per-family counters for rules given without a preference.

    keepalived numbers such rules (16384 and down) in the order it parses them,
    static and virtual alike, so the resolver numbers the model's rules in that order.
    """

    def __init__(self) -> None:
        self.next = {4: RULE_START_PRIORITY, 6: RULE_START_PRIORITY}

    def take(self, family: int) -> int:
        v = self.next[family]
        self.next[family] = v - 1
        return v

    def numbered(self, rule: RuleInfo) -> RuleInfo:
        """``rule`` with its preference: the given one, else the next number."""
        if rule.priority is not None:
            return rule
        return replace(rule, priority=self.take(rule.family))
