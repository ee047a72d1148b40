"""``virtual_rules`` / ``static_rules`` lines as keepalived reads and prints them
(``alloc_rule`` / ``format_iprule``); the model reads each line once
(:attr:`kaconf.model.objects.Rule.info`)."""

from __future__ import annotations

from dataclasses import dataclass

from kaconf.model.ipwords import (
    RTPROT_KEEPALIVED,
    Prefix,
    realms_value,
    route_prefix,
    table_number,
    tracking_text,
)
from kaconf.model.readers import read_int, read_uint


@dataclass
class RuleInfo:
    """keepalived's ``ip_rule_t`` (the commonly used members)."""

    family: int = 4
    from_addr: Prefix | None = None
    to_addr: Prefix | None = None
    invert: bool = False
    priority: int | None = None
    tos: int = 0
    fwmark: int | None = None
    fwmask: int | None = None
    iif: str | None = None
    oif: str | None = None
    protocol: int | None = None
    action: str = ""
    table: int = 0
    goto: int = 0
    realms: int = 0
    suppress_prefix_len: int = -1
    no_track: bool = False
    track_group: str | None = None

    def text(self) -> str:
        """keepalived's ``format_iprule``."""
        out = ""
        if not self.to_addr and not self.from_addr and self.family == 6:
            out += "inet6 "
        if self.invert:
            out += "not "
        out += f"from {self.from_addr.text()}" if self.from_addr else "from all"
        if self.to_addr:
            out += f" to {self.to_addr.text()}"
        if self.priority is not None:
            out += f" priority {self.priority}"
        out += f" tos 0x{self.tos:x}"
        if self.fwmark is not None:
            out += f" fwmark 0x{self.fwmark:x}"
            if self.fwmask is not None and self.fwmask != 0xFFFFFFFF:
                out += f"/0x{self.fwmask:x}"
        if self.iif:
            out += f" iif {self.iif}"
        if self.oif:
            out += f" oif {self.oif}"
        if self.suppress_prefix_len != -1:
            out += f" suppress_prefixlen {self.suppress_prefix_len}"
        if self.protocol is not None:
            out += f" protocol {self.protocol}"
        if self.realms:
            out += f" realms {self.realms >> 16}/{self.realms & 0xFFFF}"
        if self.action == "table":
            out += f" lookup {self.table}"
        elif self.action == "goto":
            out += f" goto {self.goto}"
        elif self.action == "nop":
            out += " nop"
        else:
            out += f" type {self.action}"
        out += tracking_text(self.no_track, self.track_group)
        return out


def rule_from_words(words: list[str], static: bool = False) -> RuleInfo | None:
    """keepalived's ``alloc_rule``; ``None`` when it rejects the line.

    A rule given without a preference keeps ``priority`` None: keepalived numbers
    those in parse order across the whole file, which is the resolver's business
    (:class:`kaconf.effective.iplines.RulePriorities`).
    """
    r = RuleInfo()
    fam = 0
    n = len(words)
    i = 0
    table_option = False

    def nxt(k: int) -> str:
        return words[k] if k < n else ""

    while i < n:
        w = words[i]
        if w in ("inet", "inet6"):
            f = 6 if w == "inet6" else 4
            if fam and fam != f:
                return None
            fam = f
            i += 1
            continue
        if w in ("from", "to"):
            p = route_prefix(nxt(i + 1))
            if p is None:
                return None
            if p.family:
                if fam and fam != p.family:
                    return None
                fam = p.family
            if w == "from":
                r.from_addr = p
            else:
                r.to_addr = p
            i += 2
        elif w in ("table", "lookup"):
            v = table_number(nxt(i + 1))
            if not v or r.action:
                return None
            r.table = v
            r.action = "table"
            i += 2
        elif w == "not":
            r.invert = True
            i += 1
        elif w in ("preference", "order", "priority"):
            t = nxt(i + 1)
            try:
                v = int(t, 0)
            except ValueError:
                return None
            if v < 0 or v > 0xFFFFFFFF:
                return None
            r.priority = v
            i += 2
        elif w in ("tos", "dsfield"):
            t = nxt(i + 1)
            try:
                v = int(t, 16) if t.startswith("0x") else int(t)
            except ValueError:
                return None
            r.tos = v & 0xFF
            i += 2
        elif w == "fwmark":
            t = nxt(i + 1)
            mark, slash, mask = t.partition("/")
            try:
                r.fwmark = int(mark, 0)
                if slash:
                    r.fwmask = int(mask, 0)
            except ValueError:
                return None
            i += 2
        elif w == "realms":
            v = realms_value(nxt(i + 1), strict=False)
            if v is None:
                return None
            r.realms = v
            table_option = True
            if fam and fam != 4:
                return None
            fam = 4
            i += 2
        elif w in ("suppress_prefixlength", "sup_pl"):
            v = read_int(nxt(i + 1), 0, 2**31 - 1)
            if v is None:
                return None
            r.suppress_prefix_len = v
            table_option = True
            i += 2
        elif w in ("dev", "iif"):
            r.iif = nxt(i + 1)
            i += 2
        elif w == "oif":
            r.oif = nxt(i + 1)
            i += 2
        elif w == "protocol":
            v = read_uint(nxt(i + 1), 0, 255)
            if v is not None:
                r.protocol = v
            i += 2
        elif w in ("suppress_ifgroup", "sup_group", "tunnel-id", "uidrange", "ipproto",
                   "sport", "dport"):
            i += 2
        elif w == "l3mdev":
            if r.action:
                return None
            r.action = "table"
            i += 1
        elif w == "no_track":
            r.no_track = True
            i += 1
        elif static and w == "track_group":
            r.track_group = nxt(i + 1)
            i += 2
        else:
            if w == "type":
                i += 1
                w = nxt(i)
            if w == "goto":
                v = read_uint(nxt(i + 1))
                if v is None:
                    return None
                r.goto = v
                action = "goto"
                i += 1
            elif w == "nop":
                action = "nop"
            elif w in ("blackhole", "unreachable", "prohibit"):
                action = w
            else:
                return None
            if r.action:
                return None
            r.action = action
            i += 1
    if r.action == "goto" and (r.priority is None or r.priority >= r.goto):
        return None
    if not r.action:
        return None
    if r.action != "table" and table_option:
        return None
    if not r.no_track:
        r.protocol = RTPROT_KEEPALIVED
    if r.track_group and not r.iif:
        r.track_group = None
    r.family = fam or 4
    for p in (r.from_addr, r.to_addr):
        if p is not None and p.family == 0:
            p.family = r.family
            p.addr = "::" if r.family == 6 else "0.0.0.0"
    return r
