"""Who holds each virtual address, over time: the simulation's ledger of AddVips/RemoveVips.

A node holds a VIP while one of its instances that lists it has its VIPs set (between
the machine's :class:`~kaconfd.vrrp.events.AddVips` and :class:`RemoveVips`, or a
crash). The ledger keeps consecutive intervals with the set of holders; changes at the
same instant collapse (a handover done in one step leaves no empty interval).
"""

from __future__ import annotations

from .result import HolderInterval

__all__ = ["VipLedger"]


class VipLedger:
    """Holder intervals of every VIP, built from add/remove changes in time order."""

    def __init__(self) -> None:
        self.counts: dict[str, dict[str, int]] = {}
        self.history: dict[str, list[HolderInterval]] = {}

    def declare(self, vip: str) -> None:
        """A VIP some node may hold: nobody holds it from 0 on."""
        if vip not in self.history:
            self.counts[vip] = {}
            self.history[vip] = [HolderInterval(0.0, None, ())]

    def change(self, vip: str, node: str, add: bool, now: float) -> None:
        counts = self.counts[vip]
        counts[node] = counts.get(node, 0) + (1 if add else -1)
        holders = tuple(sorted(n for n, c in counts.items() if c > 0))
        ivs = self.history[vip]
        last = ivs[-1]
        if holders == last.holders:
            return
        if last.start == now:
            last.holders = holders
            if len(ivs) > 1 and ivs[-2].holders == holders:
                ivs.pop()
                ivs[-1].end = None
            return
        last.end = now
        ivs.append(HolderInterval(now, None, holders))

    def intervals(self, duration: float) -> dict[str, list[HolderInterval]]:
        """The intervals of every VIP (the last one open: ``end`` None)."""
        return {vip: list(ivs) for vip, ivs in sorted(self.history.items())}
