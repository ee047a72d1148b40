"""``accept`` / ``no_accept``: nftables drop rules for the VIPs of a non-accepting MASTER.

Why: RFC 5798 §6.1 says a MASTER that does not own the addresses (priority < 255)
must not accept packets sent to them unless "accept mode" is on. keepalived 2.2.7
enforces that with a firewall: while such an instance is MASTER its VIPs and eVIPs are
in the set ``vips`` of table ``keepalived`` (global ``nftables [TABLE]``), whose
``in`` chain (hook input) drops ``daddr @vips`` and ``out`` chain (hook output) drops
``saddr @vips``, both at priority -1 (global ``nftables_priority``). For IPv6 neighbour
solicitations/advertisements still pass, or the VIP could not be resolved. The
elements go in before the addresses are added and out after they are removed.

Whether an instance accepts is the resolver's decision (keepalived's defaults: on for an
address owner, else off in strict mode and on otherwise; ``accept`` / ``no_accept``
override, except that VRRPv2 in strict mode cannot accept), carried in
``InstanceConfig.accept``; this module only installs the rules.

kaconfd drives the ``nft`` binary (no libnftnl binding); when it is missing the rules
are skipped with one log line. The rule text is built by pure functions, unit-tested.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import shutil
from collections.abc import Iterable

log = logging.getLogger("Keepalived_vrrp")

DEFAULT_TABLE = "keepalived"
DEFAULT_PRIORITY = -1
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _nft_family(family: int) -> str:
    return "ip" if family == 4 else "ip6"


def setup_script(family: int, table: str = DEFAULT_TABLE,
                 priority: int = DEFAULT_PRIORITY) -> str:
    """``nft -f`` text that (re)creates the table: an old one (from a crash) is dropped."""
    fam = _nft_family(family)
    addr_type = "ipv4_addr" if family == 4 else "ipv6_addr"
    nd = ("\t\ticmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept\n"
          if family == 6 else "")
    return (f"table {fam} {table} {{}}\n"
            f"delete table {fam} {table}\n"
            f"table {fam} {table} {{\n"
            f"\tset vips {{\n\t\ttype {addr_type}\n\t}}\n"
            f"\tchain in {{\n\t\ttype filter hook input priority {priority}; policy accept;\n"
            f"{nd}\t\t{fam} daddr @vips drop\n\t}}\n"
            f"\tchain out {{\n\t\ttype filter hook output priority {priority}; policy accept;\n"
            f"{nd}\t\t{fam} saddr @vips drop\n\t}}\n"
            "}\n")


def elements_script(family: int, addresses: Iterable[IPAddress], *, add: bool,
                    table: str = DEFAULT_TABLE) -> str:
    """``nft -f`` text adding/removing the VIPs of one family to/from the ``vips`` set."""
    addrs = sorted({a for a in addresses if a.version == family}, key=int)
    if not addrs:
        return ""
    verb = "add" if add else "delete"
    return (f"{verb} element {_nft_family(family)} {table} vips "
            f"{{ {', '.join(str(a) for a in addrs)} }}\n")


def teardown_script(family: int, table: str = DEFAULT_TABLE) -> str:
    return f"delete table {_nft_family(family)} {table}\n"


class NftFirewall:
    """Runs the scripts above with ``nft -f -``; one per VRRP child."""

    def __init__(self, table: str = DEFAULT_TABLE, priority: int = DEFAULT_PRIORITY) -> None:
        self.table = table
        self.priority = priority
        self.nft = shutil.which("nft")
        self._ready: set[int] = set()
        self._warned = False

    async def _run(self, script: str) -> bool:
        if self.nft is None:
            if not self._warned:
                log.warning("no_accept/strict mode needs nftables, but no nft command was found"
                            " - VIPs are not protected by drop rules")
                self._warned = True
            return False
        proc = await asyncio.create_subprocess_exec(
            self.nft, "-f", "-", stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        try:
            _, err = await asyncio.wait_for(proc.communicate(script.encode()), 10)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            log.error("nft timed out")
            return False
        if proc.returncode != 0:
            log.error("nft failed: %s", err.decode(errors="replace").strip())
            return False
        return True

    async def drop(self, addresses: Iterable[IPAddress], *, add: bool) -> None:
        """Add (becoming MASTER) or remove (leaving it) the drop rules for ``addresses``."""
        addrs = list(addresses)
        for family in (4, 6):
            text = elements_script(family, addrs, add=add, table=self.table)
            if not text:
                continue
            if family not in self._ready:
                if not add:
                    continue  # nothing was installed
                if not await self._run(setup_script(family, self.table, self.priority)):
                    continue
                self._ready.add(family)
            await self._run(text)

    async def close(self) -> None:
        """Drop the tables this child created."""
        for family in sorted(self._ready):
            await self._run(teardown_script(family, self.table))
        self._ready.clear()
