"""``use_ipvlan``: the instance's L2-mode ipvlan interface, made and removed by the child.

keepalived 2.2.7 (the resolver has read the line, see :mod:`kaconf.model.vmac`):

* the ipvlan is created on the instance's interface in L2 mode with the type given
  (``bridge``, ``private``, ``vepa``), set up, and given its address; an ipvlan of that
  name left by a restarted child is reused; it is deleted at stop;
* IPv6 is turned off on it for an IPv4 instance;
* adverts are sent and received on it, from its address; the VIPs stay on the base
  interface (only ``use_vmac`` moves them).

pyroute2 0.9 cannot set IFLA_IPVLAN_FLAGS, so a ``private`` or ``vepa`` ipvlan is made
with ``ip link add ... type ipvlan mode l2 TYPE`` (iproute2) instead.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from .vmac import write_sysctl

if TYPE_CHECKING:
    from ..netlink import IPInterface, Link, Netlink

log = logging.getLogger("Keepalived_vrrp")

#: Seconds an ``ip link add`` may take.
IP_TIMEOUT = 5.0


def ip_link_argv(name: str, base: str, kind: str) -> list[str]:
    """``ip link add`` for an ipvlan of a ``private``/``vepa`` type (see the docstring)."""
    return ["ip", "link", "add", name, "link", base, "type", "ipvlan", "mode", "l2", kind]


async def _ip_link_add(name: str, base: str, kind: str) -> None:
    proc = await asyncio.create_subprocess_exec(
        *ip_link_argv(name, base, kind), stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    try:
        _, err = await asyncio.wait_for(proc.communicate(), IP_TIMEOUT)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise OSError(f"ip link add {name} timed out") from None
    if proc.returncode:
        raise OSError(err.decode(errors="replace").strip() or f"exit {proc.returncode}")


async def create_ipvlan(nl: Netlink, *, instance: str, name: str, base: Link, kind: str,
                        family: int, address: IPInterface | None) -> Link | None:
    """The instance's ipvlan, created (or reused), up, with its address; None if it failed."""
    old = await nl.link(name)
    if old is not None and await nl.link_kind(old.index) != "ipvlan":
        log.error("(%s) interface %s already exists and is not an ipvlan", instance, name)
        return None
    if old is None:
        try:
            if kind == "bridge":
                await nl.add_ipvlan(name, base.index)
            else:
                await _ip_link_add(name, base.name, kind)
        except Exception as exc:
            log.error("(%s): Unable to create ipvlan interface %s: %s", instance, name, exc)
            return None
        log.info("(%s): Success creating ipvlan interface %s", instance, name)
    link = await nl.link(name)
    if link is None:
        return None
    write_sysctl(6, name, "disable_ipv6", 1 if family == 4 else 0)
    await nl.set_link_up(link.index)
    if address is not None:
        try:
            await nl.add_address(link.index, address)
        except Exception as exc:
            log.info("%s: Failed to add interface address to %s: %s", instance, name, exc)
    return link


async def remove_ipvlan(nl: Netlink, name: str) -> None:
    """Delete the ipvlan (its address goes with it)."""
    link = await nl.link(name)
    if link is not None:
        try:
            await nl.remove_link(link.index)
        except Exception as exc:
            log.info("Error removing ipvlan interface %s: %s", name, exc)
