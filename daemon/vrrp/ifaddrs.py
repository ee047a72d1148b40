"""Which address an instance advertises from, as keepalived follows it over netlink.

Why a module of its own: keepalived 2.2.7 (``netlink_if_address_filter``) keeps, per
interface and family, one *primary* address (the source of the instances using that
interface without ``unicast_src_ip``) and the interface's other addresses, and moves
the instances when they change. Those rules are pure bookkeeping, kept here apart from
the netlink socket (:meth:`kaconfd.netlink.Netlink.watch_links`) and from the runners
(:meth:`~.runner.InstanceRunner.set_source`) that act on them:

* the candidates are IPv4 addresses and IPv6 link-local ones (adverts come from the
  link-local address, RFC 5798), never an address the daemon adds itself: keepalived
  skips the VIPs and excluded VIPs of the instances on the interface, in any state;
* an address added while the interface has no primary becomes the primary, and every
  instance that had no source takes it and may leave FAULT (keepalived's
  ``try_up_instance``, as when a weight-0 tracked object recovers); added beside a
  primary it is only remembered;
* removing the primary promotes the *last* other address remembered (keepalived takes
  the tail of its list) and every instance on the interface silently advertises from it;
  with none left, the instances whose source it was lose it and go to FAULT
  (``down_instance``);
* removing another address only forgets it;
* an IPv6 address still in duplicate address detection ("tentative", even with DAD
  off until the kernel's work runs) counts only when the kernel announces it again
  as ready: kaconfd binds its sending socket to the source, which the kernel refuses
  for a tentative address (keepalived, which does not bind, takes it at once).

Like :mod:`.fsm`, pure: the child feeds it the addresses it dumps and the events it
hears, and gets back what changed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def candidate(ip: IPAddress) -> bool:
    """Whether ``ip`` can be an instance's source: IPv4, or IPv6 link-local."""
    return ip.version == 4 or ip.is_link_local


@dataclass(frozen=True, slots=True)
class PrimaryChange:
    """The primary address of (``index``, ``version``) went from ``old`` to ``new``."""

    index: int
    version: int
    old: IPAddress | None
    new: IPAddress | None


@dataclass(frozen=True, slots=True)
class SourceUser:
    """An instance that takes its source from an interface (no ``unicast_src_ip``)."""

    name: str
    index: int
    version: int
    #: its current source address; None while it has none (it is in FAULT)
    src: IPAddress | None


@dataclass(slots=True)
class _Addresses:
    primary: IPAddress | None = None
    others: list[IPAddress] = field(default_factory=list)


class InterfaceAddresses:
    """keepalived's primary and other addresses of every interface an instance uses.

    ``ours`` says whether an address is one the daemon adds (a VIP or excluded VIP):
    such an address is never a candidate.
    """

    def __init__(self, ours: Callable[[IPAddress], bool] = lambda ip: False) -> None:
        self.ours = ours
        self._known: dict[tuple[int, int], _Addresses] = {}

    def seed(self, index: int, version: int, addresses: Iterable[IPAddress]) -> None:
        """What a dump of the interface found, in kernel order (the first is primary).

        Only the first dump of an interface counts: from then on the events keep it
        current, and a later dump could be older than an event already applied.
        """
        if (index, version) in self._known:
            return
        found = _Addresses()
        for ip in addresses:
            if ip.version == version and candidate(ip) and not self.ours(ip):
                if found.primary is None:
                    found.primary = ip
                elif ip != found.primary and ip not in found.others:
                    found.others.append(ip)
        self._known[(index, version)] = found

    def knows(self, index: int, version: int) -> bool:
        """Whether the interface was seeded (its events are followed since)."""
        return (index, version) in self._known

    def primary(self, index: int, version: int) -> IPAddress | None:
        """The address instances on the interface advertise from (None: none yet)."""
        known = self._known.get((index, version))
        return known.primary if known is not None else None

    def forget(self, index: int) -> None:
        """The interface is gone or no instance uses it any more."""
        for key in [k for k in self._known if k[0] == index]:
            del self._known[key]

    def apply(self, index: int, ip: IPAddress, added: bool,
              tentative: bool = False) -> PrimaryChange | None:
        """An address event; the change of primary address it makes, if any."""
        known = self._known.get((index, ip.version))
        if known is None or not candidate(ip):
            return None  # no instance uses the interface, or not an address for adverts
        if added:
            if self.ours(ip) or tentative:
                return None
            if known.primary is None:
                known.primary = ip
                return PrimaryChange(index, ip.version, None, ip)
            if ip != known.primary and ip not in known.others:
                known.others.append(ip)  # a secondary promoted to primary is known already
            return None
        if ip == known.primary:
            known.primary = known.others.pop() if known.others else None
            return PrimaryChange(index, ip.version, ip, known.primary)
        if ip in known.others:
            known.others.remove(ip)
        return None


def new_sources(change: PrimaryChange, users: Iterable[SourceUser]
                ) -> list[tuple[str, IPAddress | None]]:
    """The instances whose source a change of primary moves, and their new source.

    A new primary on an interface that had none goes to the instances without a
    source; a primary replaced by another address moves every instance on the
    interface; a primary removed with nothing left takes the source from the
    instances that advertised from it.
    """
    out: list[tuple[str, IPAddress | None]] = []
    for user in users:
        if user.index != change.index or user.version != change.version:
            continue
        if change.old is None:
            if user.src is None and change.new is not None:
                out.append((user.name, change.new))
        elif change.new is not None:
            # keepalived only re-points instances that have a source (one without cannot
            # be on an interface that had a primary)
            if user.src is not None and user.src != change.new:
                out.append((user.name, change.new))
        elif user.src == change.old:
            out.append((user.name, None))
    return out
