"""``use_vmac``: a private-mode macvlan per instance carrying the RFC 5798 virtual MAC.

Why: with a VMAC the VIPs move between routers together with their MAC address
(00:00:5e:00:01:<VRID> for IPv4, 00:00:5e:00:02:<VRID> for IPv6), so neighbours'
ARP/ND caches never go stale on failover. keepalived 2.2.7 semantics, as implemented:

* the interface is called as given on the ``use_vmac`` line, else ``<prefix>.<VRID>``
  (prefix ``vmac_prefix`` or ``vrrp``); a name another instance already uses is
  skipped for ``<prefix>1.<VRID>``, ``<prefix>2.<VRID>``... (IPv6 tries ``<prefix>6``
  first). A MAC on the line replaces the default; five octets mean "VRID last";
* it is a macvlan in ``private`` mode on the instance's interface, created at start
  (an old macvlan of that name with another MAC is replaced, one with the right MAC,
  left by a restarted child, is kept with its VIPs) and deleted at stop;
* VIPs without ``dev`` go on it, so gratuitous ARPs carry the virtual MAC; adverts are
  sent from it too, unless ``vmac_xmit_base`` (forced for unicast) sends them from the
  base interface; adverts are still received on the base interface;
* IPv4: the VMAC gets arp_ignore=1, accept_local=1, rp_filter=0, promote_secondaries=1,
  and IPv6 off (no eVIPs of the other family are supported here); the base interface
  gets arp_ignore=1 and arp_filter=1 (so it does not answer ARP for the VIPs with its
  own MAC), restored when its last VMAC is removed;
* no kernel link-local address is generated on the VMAC (addr_gen_mode none); an IPv6
  instance that sends from the VMAC gets the base interface's link-local address on it.

The pure parts (names, MACs, option parsing) are the resolver's
(:mod:`kaconf.effective.vmac`); this module creates and removes the interfaces.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..netlink import Link, Netlink

log = logging.getLogger("Keepalived_vrrp")

#: sysctls keepalived sets on an IPv4 VMAC (vmac_sysctl in vrrp_if_config.c).
VMAC_SYSCTLS: dict[str, int] = {"arp_ignore": 1, "accept_local": 1, "rp_filter": 0,
                                "promote_secondaries": 1}
#: sysctls set on the base interface while it carries an IPv4 VMAC; restored afterwards.
BASE_SYSCTLS: dict[str, int] = {"arp_ignore": 1, "arp_filter": 1}
SYSCTL_ROOT = Path("/proc/sys/net")


# --------------------------------------------------------------------------- runtime


def _sysctl_path(family: int, ifname: str, key: str) -> Path:
    return SYSCTL_ROOT / ("ipv4" if family == 4 else "ipv6") / "conf" / ifname / key


def read_sysctl(family: int, ifname: str, key: str) -> int | None:
    try:
        return int(_sysctl_path(family, ifname, key).read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def write_sysctl(family: int, ifname: str, key: str, value: int) -> bool:
    try:
        _sysctl_path(family, ifname, key).write_text(f"{value}\n")
    except OSError as exc:
        log.info("setting %s on %s failed: %s", key, ifname, exc)
        return False
    return True


class BaseArpConfig:
    """arp_ignore/arp_filter of base interfaces, saved by the first VMAC and restored by the last.

    Several instances can put VMACs on one interface: counting users keeps the first
    removal from restoring settings the others still rely on.
    """

    def __init__(self) -> None:
        self._saved: dict[str, tuple[int, dict[str, int]]] = {}

    def acquire(self, base: str) -> None:
        users, saved = self._saved.get(base, (0, {}))
        if users == 0:
            saved = {}
            for key, value in BASE_SYSCTLS.items():
                old = read_sysctl(4, base, key)
                if old is not None and old != value and write_sysctl(4, base, key, value):
                    saved[key] = old
        self._saved[base] = (users + 1, saved)

    def release(self, base: str) -> None:
        users, saved = self._saved.get(base, (0, {}))
        if users <= 1:
            self._saved.pop(base, None)
            for key, old in saved.items():
                write_sysctl(4, base, key, old)
        else:
            self._saved[base] = (users - 1, saved)


BASE_ARP = BaseArpConfig()


async def create_vmac(nl: Netlink, *, name: str, mac: str, base: Link, family: int) -> Link | None:
    """Create (or replace) the VMAC ``name`` on ``base``, set it up; None (logged) on failure."""
    old = await nl.link(name)
    if old is not None and await nl.link_kind(old.index) != "macvlan":
        log.error("VMAC %s conflicts with existing interface", name)
        return None
    # A VMAC left by a restarted child keeps its VIPs, so a resumed MASTER finds them.
    if old is None or old.mac.lower() != mac:
        if old is not None:
            log.info("Removing old VMAC interface %s due to conflicting interface", name)
            await nl.remove_link(old.index)
        try:
            await nl.add_macvlan(name, base.index, mac)
        except Exception as exc:
            log.error("Unable to create VMAC interface %s: %s", name, exc)
            return None
    link = await nl.link(name)
    if link is None:
        return None
    # Before the link is up, so the kernel never assigns an EUI-64 link-local address.
    write_sysctl(6, name, "addr_gen_mode", 1)
    if family == 4:
        for key, value in VMAC_SYSCTLS.items():
            write_sysctl(4, name, key, value)
        BASE_ARP.acquire(base.name)
        write_sysctl(6, name, "disable_ipv6", 1)
    await nl.set_link_up(link.index)
    log.info("Success creating VMAC interface %s", name)
    return link


async def remove_vmac(nl: Netlink, *, name: str, base: str, family: int) -> None:
    """Delete the VMAC (its VIPs go with it) and give the base interface its ARP settings back."""
    link = await nl.link(name)
    if link is not None:
        try:
            await nl.remove_link(link.index)
        except Exception as exc:
            log.info("Error removing VMAC interface %s: %s", name, exc)
    if family == 4:
        BASE_ARP.release(base)
