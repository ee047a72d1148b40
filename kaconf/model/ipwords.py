"""The words of route and rule lines as keepalived reads them: prefixes, tables, scopes.

keepalived parses route and rule lines with iproute2-like grammars into its own
structures (:mod:`kaconf.model.iproutes`, :mod:`kaconf.model.iprules`); these are
the pieces they share (and that the resolver's addresses use), kept in the model
layer because the model reads those lines once.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from kaconf.model.readers import read_uint

RT_TABLE_MAIN = 254
RTPROT_KEEPALIVED = 18
RULE_START_PRIORITY = 16384

SCOPES = {"global": 0, "universe": 0, "nowhere": 255, "host": 254, "link": 253, "site": 200}
SCOPE_NAMES = {0: "global", 255: "nowhere", 254: "host", 253: "link", 200: "site"}
TABLES = {"default": 253, "main": 254, "local": 255}
PROTOS = {"none": 0, "redirect": 1, "kernel": 2, "boot": 3, "static": 4, "gated": 8, "ra": 9,
          "mrt": 10, "zebra": 11, "bird": 12, "dnrouted": 13, "xorp": 14, "ntk": 15,
          "dhcp": 16, "keepalived": 18, "babel": 42}
RTN_TYPES = {"unicast": 1, "local": 2, "broadcast": 3, "brd": 3, "anycast": 4,
             "multicast": 5, "blackhole": 6, "unreachable": 7, "prohibit": 8, "throw": 9,
             "nat": 10, "xresolve": 11}
RTN_NAMES = {1: "unicast", 2: "local", 3: "broadcast", 4: "anycast", 5: "multicast",
             6: "blackhole", 7: "unreachable", 8: "prohibit", 9: "throw", 10: "nat",
             11: "xresolve"}


def rtn_type(word: str) -> int | None:
    """keepalived's ``find_rttables_rtntype``: a route type name or a number 0-255 (C
    ``strtoul`` base 0: 0x.. hex, 0.. octal)."""
    if word in RTN_TYPES:
        return RTN_TYPES[word]
    if re.fullmatch(r"0[xX][0-9a-fA-F]+", word):
        v = int(word, 16)
    elif re.fullmatch(r"0[0-7]*", word):
        v = int(word, 8)
    elif re.fullmatch(r"[1-9][0-9]*", word):
        v = int(word)
    else:
        return None
    return v if v <= 255 else None


def tracking_text(no_track: bool, track_group: str | None) -> str:
    """The `` no_track`` / `` track_group G`` tail every address, route and rule prints."""
    out = " no_track" if no_track else ""
    if track_group:
        out += f" track_group {track_group}"
    return out


def realms_value(text: str, strict: bool) -> int | None:
    """``FROM/TO`` or ``TO`` realms as one number; None when unusable.

    Routes (``strict``) reject a bad ``TO`` after the slash; rules ignore it.
    """
    a, _, b = text.partition("/")
    va = read_uint(a, 0, 0xFFFF)
    vb = read_uint(b, 0, 0xFFFF) if b else None
    if va is None or (strict and b and vb is None):
        return None
    return (va << 16 | vb) if vb is not None else va


def scope_name(v: int) -> str:
    return SCOPE_NAMES.get(v, str(v))


def scope_number(text: str) -> int | None:
    if text in SCOPES:
        return SCOPES[text]
    return read_uint(text, 0, 255)


@dataclass
class Prefix:
    """keepalived's ``ip_address_t`` used as a plain prefix (``ipaddresstos``)."""

    family: int
    addr: str
    plen: int

    @classmethod
    def parse(cls, text: str, allow_subnet: bool = True) -> Prefix | None:
        fam = 6 if ":" in text else 4
        full = 128 if fam == 6 else 32
        plen = full
        base = text
        if allow_subnet and "/" in text:
            base, _, pl = text.partition("/")
            v = read_uint(pl, 0, full)
            if v is not None:
                plen = v
        try:
            a = ipaddress.ip_address(base)
        except ValueError:
            return None
        if a.version != fam:
            return None
        return cls(fam, str(a), plen)

    def text(self) -> str:
        full = 128 if self.family == 6 else 32
        return self.addr if self.plen == full else f"{self.addr}/{self.plen}"


def table_number(text: str) -> int | None:
    if text in TABLES:
        return TABLES[text]
    return read_uint(text, 0, 0xFFFFFFFF)


def route_prefix(text: str) -> Prefix | None:
    if text in ("default", "any", "all"):
        return Prefix(0, "", 0)
    if text == "default6":
        return Prefix(6, "::", 0)
    return Prefix.parse(text)
