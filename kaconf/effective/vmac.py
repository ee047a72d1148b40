"""``use_vmac``: the names and MAC addresses keepalived gives VMAC interfaces (pure).

The model reads ``use_vmac [NAME] [MAC]`` (:mod:`kaconf.model.vmac`,
``VrrpInstance.vmac``); the resolver (vrrp_parse, vrrp_complete) then applies what
depends on the other instances: a name another instance already took is ignored and,
with no name, keepalived generates ``<prefix>.<VRID>``, numbering the prefix when the
name is in use. The daemon creates the interface with the resolved name and MAC.
"""

from __future__ import annotations

from collections.abc import Collection

IFNAMSIZ = 16


def virtual_mac(vrid: int, family: int) -> str:
    """The RFC 5798 §7.3 virtual router MAC address."""
    return f"00:00:5e:00:{2 if family == 6 else 1:02x}:{vrid:02x}"


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
