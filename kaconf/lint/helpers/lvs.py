"""Virtual servers, real servers and groups as keepalived's checker process reads them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from kaconf.diagnostics import Span
from kaconf.lint.helpers.tree import head
from kaconf.model.objects import Config, RealServer, VirtualServer

if TYPE_CHECKING:
    from kaconf.lint.rule import Context


class RealServers(NamedTuple):
    """A virtual server's real servers as keepalived's duplicate removal leaves them."""

    #: the first real server of each address and port, in order (what keepalived keeps)
    kept: list[RealServer]
    #: the later ones with an address and port already seen (what it removes), in order
    removed: list[RealServer]


def real_servers(ctx: Context, vs: VirtualServer) -> RealServers:
    """``vs``'s real servers split by keepalived's duplicate test (address, port or 0).

    Several rules count or compare the real servers keepalived keeps; hashing 8,000
    addresses (:mod:`ipaddress` hashes in Python) once per context instead of once
    per rule is what this saves. A real server without an address is kept, compared
    only with the others without one.
    """
    found = ctx.memo("real_servers", _all_real_servers).get(id(vs))
    return found if found is not None else _split_real_servers(vs)


def _all_real_servers(ctx: Context) -> dict[int, RealServers]:
    return {id(vs): _split_real_servers(vs) for vs in ctx.config.virtual_servers}


def _split_real_servers(vs: VirtualServer) -> RealServers:
    kept: list[RealServer] = []
    removed: list[RealServer] = []
    seen: set[tuple[object, int]] = set()
    for rs in vs.real_server:
        size = len(seen)
        seen.add((rs.address, rs.port or 0))  # equal addresses print alike
        (kept if len(seen) > size else removed).append(rs)
    return RealServers(kept, removed)


def vs_by_address(cfg: Config, vs: Any) -> bool:
    """keepalived's "specified by address" test: an address VS, or a group with addresses."""
    if vs.fwmark is not None:
        return False
    if vs.group is not None:
        vsg = cfg.virtual_server_groups.get(vs.group)
        return vsg is not None and any(e.kind != "fwmark" for e in vsg.entries)
    return True


def vs_fwmark_only(cfg: Config, vs: Any) -> bool:
    """A fwmark VS, or a group made only of fwmark entries."""
    if vs.fwmark is not None:
        return True
    if vs.group is not None:
        vsg = cfg.virtual_server_groups.get(vs.group)
        return vsg is not None and bool(vsg.entries) and all(
            e.kind == "fwmark" for e in vsg.entries)
    return False


def rs_method(vs: Any, rs: Any) -> str:
    """Forwarding method of a real server: its own, else the VS's, else NAT (the default)."""
    m = rs.get("lvs_method") or vs.lb_kind
    return str(m) if m else "NAT"


def rs_weight(vs: Any, rs: Any) -> int:
    """Weight of a real server: its own, else the virtual server's ``weight``, else 1."""
    if rs.weight is not None:
        return int(rs.weight)
    w = vs.get("weight")
    return int(w) if isinstance(w, int) else 1


def vs_head(vs: Any) -> Span | None:
    return head(vs.span)


def vs_name(vs: Any) -> str:
    """How messages name a virtual server: ``addr:port``, ``FWM n`` or ``GROUP name``."""
    if vs.fwmark is not None:
        return f"FWM {vs.fwmark}"
    if vs.group is not None:
        return f"GROUP {vs.group}"
    addr = f"[{vs.address}]" if getattr(vs.address, "version", 4) == 6 else str(vs.address)
    return f"{addr}:{vs.port or 0}"


def vsg_entry_valid(entry: Any) -> bool:
    """keepalived keeps a group entry: ranges must end above their start."""
    if entry.kind != "range":
        return True
    addr = entry.text.split()[0]
    start, _, end = addr.partition("-")
    sep = ":" if ":" in start else "."
    last = start.rsplit(sep, 1)[-1]
    try:
        base = 16 if sep == ":" else 10
        return int(end, base) > int(last or "0", base)
    except ValueError:
        return False
