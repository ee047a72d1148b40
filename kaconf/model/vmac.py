"""``use_vmac [NAME] [MAC]`` and ``use_ipvlan [NAME] [ADDRESS] [TYPE]`` as keepalived reads
them (pure), once, in the model.

Either order: a word with ':' is the MAC, anything else the name; more than two
words are ignored. Five octets mean "the VRID last" (the resolver fills it in,
:meth:`VmacOption.mac_for`). An invalid, multicast or RFC 5798 MAC, an invalid
name and a second name or MAC are ignored with keepalived's warning. What
depends on other instances (a name already taken, the generated name) is the
resolver's (:mod:`kaconf.effective.vmac`).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass

from kaconf.diagnostics import Span

RFC5798_PREFIX = (0x00, 0x00, 0x5E, 0x00)
DEV_NAME_RE = re.compile(r"^[^\s/:]{1,15}$")


def dev_name_valid(name: str) -> bool:
    """What the kernel accepts as an interface name (keepalived's dev_name_valid)."""
    return bool(DEV_NAME_RE.match(name)) and name not in (".", "..")


def mac_octets(text: str) -> tuple[tuple[int, ...] | None, str | None]:
    """A ``use_vmac`` MAC argument: (octets, None) or (None, keepalived's complaint).

    Five octets ("02:11:22:33:44" or with a trailing ':') are returned as five: the
    VRID is the sixth.
    """
    if re.search(r"[^0-9A-Fa-f:]", text):
        return None, f"VMAC invalid MAC address {text}"
    parts = (text[:-1] if text.endswith(":") and text.count(":") == 5 else text).split(":")
    if len(parts) not in (5, 6) or any(not p or len(p) > 2 for p in parts):
        return None, f"VMAC invalid MAC address {text} - ignored"
    octets = tuple(int(p, 16) for p in parts)
    if octets[0] & 0x01:
        return None, f"VMAC MAC address is multicast {text} - ignoring"
    if octets[:4] == RFC5798_PREFIX and octets[4] in (1, 2):
        return None, f"VMAC MAC address not allowed to be RFC5798 address ({text}) - ignoring"
    return octets, None


def mac_text(octets: Sequence[int], vrid: int) -> str:
    """The MAC as keepalived prints it; five octets take ``vrid`` as the sixth."""
    return ":".join(f"{o:02x}" for o in (*octets, vrid)[:6])


def parse_mac(text: str, vrid: int) -> tuple[str | None, str | None]:
    """A ``use_vmac`` MAC argument for VRID ``vrid``: (mac, None) or (None, complaint)."""
    octets, problem = mac_octets(text)
    return (None, problem) if octets is None else (mac_text(octets, vrid), None)


@dataclass(frozen=True, slots=True)
class VmacOption:
    """What a ``use_vmac [NAME] [MAC]`` line says; None for "not given".

    ``octets`` is the MAC as given (five octets: the VRID is the sixth);
    ``vrid_last`` says a five-octet MAC was written among the first two words
    (keepalived's VMAC_MAC_USE_VRID, set whenever the MAC is used).
    """

    name: str | None
    octets: tuple[int, ...] | None
    warnings: tuple[str, ...] = ()
    vrid_last: bool = False
    span: Span | None = None

    def mac_for(self, vrid: int) -> str | None:
        """The MAC the instance with VRID ``vrid`` uses, None when none was given."""
        return None if self.octets is None else mac_text(self.octets, vrid)


def parse_use_vmac(args: Sequence[str], owner: str = "",
                   span: Span | None = None) -> VmacOption:
    """The (up to two) arguments of ``use_vmac``: a word with ':' is a MAC, else the name."""
    name: str | None = None
    octets: tuple[int, ...] | None = None
    warnings: list[str] = []
    prefix = f"({owner}) " if owner else ""
    first = list(args)[:2]
    for word in first:
        if ":" in word:
            if octets is not None:
                warnings.append(f"{prefix}VMAC interface address already specified")
                continue
            octets, problem = mac_octets(word)
            if problem:
                warnings.append(prefix + problem)
        elif name is not None:
            warnings.append(f"{prefix}VMAC interface name already specified")
        elif not dev_name_valid(word):
            warnings.append(f"{prefix}VMAC interface name '{word}' too long or invalid "
                            "characters - ignoring")
        else:
            name = word
    vrid_last = any(":" in w and len(w.rstrip(":").split(":")) == 5 for w in first)
    return VmacOption(name, octets, tuple(warnings), vrid_last, span)


IPVLAN_TYPES = ("bridge", "private", "vepa")


def valid_ipaddress(text: str) -> bool:
    """keepalived's ``check_valid_ipaddress(text, allow_subnet_mask=true)``: an IPv4 or
    IPv6 address, optionally with a /prefix length (decimal, within the family's range)."""
    if ":" not in text and "." not in text:
        return False
    fam = 6 if ":" in text else 4
    base, slash, plen = text.partition("/")
    if slash and not (plen.isdigit() and int(plen) <= (128 if fam == 6 else 32)):
        return False
    try:
        return ipaddress.ip_address(base).version == fam
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class IpvlanOption:
    """What a ``use_ipvlan`` line says; None for "not given".

    ``address`` is the first word keepalived takes as the ipvlan's (and source) address;
    whether its family fits the instance is decided when the instance is complete
    (keepalived: "IPv4 ipvlan requires a source ip address").
    """

    name: str | None
    address: str | None
    type: str | None
    span: Span | None = None


def parse_use_ipvlan(args: Sequence[str], span: Span | None = None) -> IpvlanOption:
    """The arguments of ``use_ipvlan``: a type word, an address, else the name (first of
    each kept; keepalived ignores the later ones with a warning)."""
    name: str | None = None
    address: str | None = None
    kind: str | None = None
    for word in args:
        if word in IPVLAN_TYPES:
            kind = kind or word
        elif valid_ipaddress(word):
            address = address or word
        elif name is None and len(word) < 16:
            name = word
    return IpvlanOption(name, address, kind, span)
