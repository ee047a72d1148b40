"""``virtual_rules`` / ``static_rules`` lines as keepalived reads and prints them
(``alloc_rule`` / ``format_iprule``); the model reads each line once
(:attr:`kaconf.model.objects.Rule.reading`), with why keepalived drops a line."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from kaconf.model.iproutes import LineRejected, reject
from kaconf.model.ipwords import (
    RTPROT_KEEPALIVED,
    Prefix,
    realms_value,
    route_prefix,
    rtn_type,
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


@dataclass(frozen=True, slots=True)
class RuleReading:
    """keepalived's reading of one rule line: what it keeps and why it drops it.

    ``info`` is None when keepalived drops the line and ``reason`` says why (short,
    keepalived's words). ``bad_address`` is the (``from``/``to``, value) keepalived could
    not read as an address, when that is the reason. ``missing_interface``: the
    ``dev``/``iif``/``oif`` keepalived did not find on the host (read with the host's
    interfaces only), when that is the reason. A kept rule without a preference has
    ``info.priority`` None (keepalived then says "Rule has no preference specified").
    ``given`` is what the line says, as written, for the options the model shows
    (``from``, ``to``, ``table``, ``preference``, ``no_track``), as far as keepalived read it.
    """

    info: RuleInfo | None
    reason: str = ""
    bad_address: tuple[str, str] | None = None
    missing_interface: str | None = None
    given: dict[str, str] = field(default_factory=dict)


def rule_from_words(words: list[str], static: bool = False) -> RuleInfo | None:
    """keepalived's ``alloc_rule``; ``None`` when it rejects the line.

    A rule given without a preference keeps ``priority`` None: keepalived numbers
    those in parse order across the whole file, which is the resolver's business
    (:class:`kaconf.effective.iplines.RulePriorities`).
    """
    return rule_reading(words, static).info


class _BadAddress(LineRejected):
    def __init__(self, key: str, value: str) -> None:
        super().__init__(f"invalid rule {key} address {value}")
        self.where = (key, value)


class _MissingInterface(LineRejected):
    def __init__(self, name: str) -> None:
        super().__init__(f"interface {name} for rule doesn't exist")
        self.name = name


def rule_reading(words: list[str], static: bool = False,
                 interfaces: Collection[str] | None = None) -> RuleReading:
    """keepalived's ``alloc_rule`` of ``words``, with why it drops the line, if it does.

    ``interfaces``: the host's interface names when known (keepalived drops the rule at
    the first ``dev``/``iif``/``oif`` it cannot find); without them all are present.
    """
    given: dict[str, str] = {}
    try:
        return RuleReading(_read_rule(words, static, interfaces, given), given=given)
    except _BadAddress as exc:
        return RuleReading(None, str(exc), exc.where, given=given)
    except _MissingInterface as exc:
        return RuleReading(None, str(exc), missing_interface=exc.name, given=given)
    except LineRejected as exc:
        return RuleReading(None, str(exc), given=given)


def _read_rule(words: list[str], static: bool, interfaces: Collection[str] | None,
               given: dict[str, str]) -> RuleInfo:
    r = RuleInfo()
    fam = 0
    n = len(words)
    i = 0
    table_option = False
    mixed = "rule specification has mixed IPv4 and IPv6"
    one_action = "cannot specify more than one action for a rule"

    def nxt(k: int) -> str:
        return words[k] if k < n else ""

    while i < n:
        w = words[i]
        if w in ("inet", "inet6"):
            f = 6 if w == "inet6" else 4
            if fam and fam != f:
                reject(f"{w} specified for IPv{6 if w == 'inet' else 4} rule")
            fam = f
            i += 2  # keepalived steps over the word after inet/inet6 as well
            continue
        if w in ("from", "to"):
            given[w] = nxt(i + 1)
            p = route_prefix(nxt(i + 1))
            if p is None:
                raise _BadAddress(w, nxt(i + 1))
            if not fam:
                fam = p.family
            elif p.family != fam:  # "all" after an address too
                reject(mixed)
            if w == "from":
                r.from_addr = p
            else:
                r.to_addr = p
            i += 2
        elif w in ("table", "lookup"):
            given["table"] = nxt(i + 1)
            v = table_number(nxt(i + 1))
            if v is None:
                reject(f"routing table {nxt(i + 1)} not found for rule")
            if not v:
                reject("table 0 is not valid")
            if r.action:
                reject(one_action)
            r.table = v
            r.action = "table"
            i += 2
        elif w == "not":
            r.invert = True
            i += 1
        elif w in ("preference", "order", "priority"):
            t = nxt(i + 1)
            given["preference"] = t
            try:
                v = int(t, 0)
            except ValueError:
                v = -1
            if v < 0 or v > 0xFFFFFFFF:
                reject(f"invalid rule preference {t} specified")
            r.priority = v
            i += 2
        elif w in ("tos", "dsfield"):
            t = nxt(i + 1)
            try:
                v = int(t, 16) if t.startswith("0x") else int(t)
            except ValueError:
                reject(f"TOS value {t} is invalid")
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
                reject(f"invalid rule fwmark {t} specified")
            i += 2
        elif w == "realms":
            v = realms_value(nxt(i + 1), strict=False)
            if v is None:
                reject(f"invalid realms {nxt(i + 1)} for rule")
            r.realms = v
            table_option = True
            if fam and fam != 4:
                reject("realms is only valid for IPv4")
            fam = 4
            i += 2
        elif w in ("suppress_prefixlength", "sup_pl"):
            v = read_int(nxt(i + 1), 0, 2**31 - 1)
            if v is None:
                reject(f"invalid suppress_prefixlength {nxt(i + 1)} specified")
            r.suppress_prefix_len = v
            table_option = True
            i += 2
        elif w in ("dev", "iif", "oif"):
            if interfaces is not None and nxt(i + 1) not in interfaces:
                raise _MissingInterface(nxt(i + 1))
            if w == "oif":
                r.oif = nxt(i + 1)
            else:
                r.iif = nxt(i + 1)
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
                reject("cannot specify l3mdev with other action")
            r.action = "table"
            i += 1
        elif w == "no_track":
            r.no_track = True
            given["no_track"] = w
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
                    reject(f"invalid target {nxt(i + 1)} specified")
                r.goto = v
                action = "goto"
                i += 1
            elif w == "nop":
                action = "nop"
            elif rtn_type(w) is not None:
                action = {6: "blackhole", 7: "unreachable", 8: "prohibit"}.get(
                    rtn_type(w) or 0, "")
                if not action:
                    reject(f"invalid rule action {w}")
            else:
                reject(f"unknown rule option {w}")
            if r.action:
                reject(one_action)
            r.action = action
            i += 1
    if r.action == "goto" and r.priority is None:
        reject(f"invalid rule - goto target {r.goto} specified without preference")
    if r.action == "goto" and r.priority is not None and r.priority >= r.goto:
        reject(f"invalid rule - preference {r.priority} >= goto target {r.goto}")
    if not r.action:
        reject("no action specified for rule")
    if r.action != "table" and table_option:
        reject("suppressor/realm specified for non table action")
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
