"""``use_ipvlan [NAME] [ADDRESS[/PREFIX]] [bridge|private|vepa]``, as keepalived reads it (pure).

keepalived 2.2.7 puts the instance on an L2-mode ipvlan interface of its ``interface``:
adverts are sent and received there, from the ipvlan's own address, which also becomes
the instance's source address when none is configured. The VIPs stay on the base
interface (only ``use_vmac`` moves them). The name, when not given, is generated as for
a VMAC (``vrrp.<VRID>``); an IPv4 instance without an address is a configuration fault.
Words may come in any order: ``bridge``/``private``/``vepa`` (the first one counts), a
valid address (the first one counts), anything else the name (the first one counts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kaconf.effective.iplines import Prefix
from kaconf.effective.vmac import dev_name_valid

#: IFLA_IPVLAN_FLAGS values of the types (0: bridge)
IPVLAN_TYPES = {"bridge": 0, "private": 1, "vepa": 2}


@dataclass(frozen=True, slots=True)
class IpvlanOption:
    """What a ``use_ipvlan`` line says; None for "not given"."""

    name: str | None = None
    address: Prefix | None = None
    type: str = "bridge"
    warnings: tuple[str, ...] = ()


def parse_use_ipvlan(args: Sequence[str], owner: str = "") -> IpvlanOption:
    """The arguments of ``use_ipvlan`` (see the module docstring)."""
    name: str | None = None
    address: Prefix | None = None
    kind: str | None = None
    warnings: list[str] = []
    prefix = f"({owner}) " if owner else ""
    for word in args:
        if word in IPVLAN_TYPES:
            if kind is not None:
                warnings.append(f"{prefix}ipvlan type already specified - ignoring '{word}'")
            else:
                kind = word
            continue
        addr = Prefix.parse(word)
        if addr is not None:
            if address is not None:
                warnings.append(f"{prefix}ipvlan address already specified - ignoring "
                                f"'{word}'")
            else:
                address = addr
            continue
        if name is not None:
            warnings.append(f"{prefix}IPVLAN interface already specified - ignoring '{word}'")
        elif not dev_name_valid(word):
            warnings.append(f"{prefix}IPVLAN interface name '{word}' too long - ignoring")
        else:
            name = word
    return IpvlanOption(name, address, kind or "bridge", tuple(warnings))
