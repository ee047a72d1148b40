"""Virtual servers, real servers and groups as keepalived's checker process reads them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kaconf.diagnostics import Span
from kaconf.lint.helpers.tree import head

if TYPE_CHECKING:
    from kaconf.effective.lvs_types import LvsNote
    from kaconf.lint.rule import Context


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


def notes(ctx: Context, *kinds: str) -> list[LvsNote]:
    """The resolver's LVS fix-ups of ``kinds`` (keepalived's log lines), in its order.

    Rules report these instead of re-deriving keepalived's conditions: the resolver
    (:mod:`kaconf.effective.lvs`) decided each one once, for dump, lint and the daemon.
    """
    return [n for n in ctx.effective.lvs_notes if n.kind in kinds]


def note_span(note: LvsNote) -> Span | None:
    """Where a note points: its keyword's line, else its real server's, else its service's."""
    if note.keyword is not None and note.vs is not None:
        s = note.vs.settings.get(note.keyword)
        if s is not None:
            return s.span
    if note.rs is not None:
        return head(note.rs.span)
    return head(note.vs.span) if note.vs is not None else None
