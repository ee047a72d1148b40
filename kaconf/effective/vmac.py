"""``use_vmac``: the names and MAC addresses keepalived gives VMAC interfaces (pure).

keepalived reads ``use_vmac [NAME] [MAC]`` (either order, a word with ':' is the MAC;
five octets mean "the VRID last"; an invalid, multicast or RFC 5798 MAC is ignored with
its warning; a name another instance already took is ignored) and, with no name,
generates ``<prefix>.<VRID>``, numbering the prefix when the name is in use. The
resolver (vrrp_parse, vrrp_complete) applies these rules once; the daemon creates the
interface with the resolved name and MAC.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

IFNAMSIZ = 16
RFC5798_PREFIX = (0x00, 0x00, 0x5E, 0x00)
DEV_NAME_RE = re.compile(r"^[^\s/:]{1,15}$")


def virtual_mac(vrid: int, family: int) -> str:
    """The RFC 5798 §7.3 virtual router MAC address."""
    return f"00:00:5e:00:{2 if family == 6 else 1:02x}:{vrid:02x}"


def dev_name_valid(name: str) -> bool:
    """What the kernel accepts as an interface name (keepalived's dev_name_valid)."""
    return bool(DEV_NAME_RE.match(name)) and name not in (".", "..")


def parse_mac(text: str, vrid: int) -> tuple[str | None, str | None]:
    """A ``use_vmac`` MAC argument: (mac, None) or (None, keepalived's complaint).

    Five octets ("02:11:22:33:44" or with a trailing ':') take the VRID as sixth.
    """
    if re.search(r"[^0-9A-Fa-f:]", text):
        return None, f"VMAC invalid MAC address {text}"
    parts = (text[:-1] if text.endswith(":") and text.count(":") == 5 else text).split(":")
    if len(parts) == 5:
        parts.append(f"{vrid:02x}")
    if len(parts) != 6 or any(not p or len(p) > 2 for p in parts):
        return None, f"VMAC invalid MAC address {text} - ignored"
    octets = [int(p, 16) for p in parts]
    if octets[0] & 0x01:
        return None, f"VMAC MAC address is multicast {text} - ignoring"
    if tuple(octets[:4]) == RFC5798_PREFIX and octets[4] in (1, 2):
        return None, f"VMAC MAC address not allowed to be RFC5798 address ({text}) - ignoring"
    return ":".join(f"{o:02x}" for o in octets), None


@dataclass(frozen=True, slots=True)
class VmacOption:
    """What a ``use_vmac [NAME] [MAC]`` line says; None for "not given"."""

    name: str | None
    mac: str | None
    warnings: tuple[str, ...] = ()


def parse_use_vmac(args: Sequence[str], vrid: int, owner: str = "") -> VmacOption:
    """The (up to two) arguments of ``use_vmac``: a word with ':' is a MAC, else the name."""
    name: str | None = None
    mac: str | None = None
    warnings: list[str] = []
    prefix = f"({owner}) " if owner else ""
    for word in list(args)[:2]:
        if ":" in word:
            if mac is not None:
                warnings.append(f"{prefix}VMAC interface address already specified")
                continue
            mac, problem = parse_mac(word, vrid)
            if problem:
                warnings.append(prefix + problem)
        elif name is not None:
            warnings.append(f"{prefix}VMAC interface name already specified")
        elif not dev_name_valid(word):
            warnings.append(f"{prefix}VMAC interface name '{word}' too long or invalid "
                            "characters - ignoring")
        else:
            name = word
    return VmacOption(name, mac, tuple(warnings))


def vmac_name_for(prefix: str, vrid: int, family: int, used: Collection[str]) -> str:
    """keepalived's generated VMAC name: ``<prefix>.<vrid>``, else numbered, skipping ``used``.

    Names are cut to fit IFNAMSIZ by shortening the prefix; IPv6 tries ``<prefix>6`` first.
    """
    def fit(tag: str) -> str:
        tail = f"{tag}.{vrid}"
        return prefix[:IFNAMSIZ - 1 - len(tail)] + tail

    name = fit("")
    num = 0
    while name in used:
        if family == 6:
            num = 6 if num == 0 else 1 if num == 6 else num + 1 + (num + 1 == 6)
        else:
            num += 1
        name = fit(str(num))
    return name
