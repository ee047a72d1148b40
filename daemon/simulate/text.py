"""The terminal view of a simulation: a timeline table, VIP holders, anomalies (rich).

Only ``kaconf simulate --format text`` imports this module, so rich stays off the
paths that do not print tables.
"""

from __future__ import annotations

from typing import IO

from rich.console import Console
from rich.table import Table

from .result import SimResult

__all__ = ["print_result", "seconds"]


def seconds(value: float) -> str:
    """Milliseconds are enough, except for the sub-millisecond advert delays."""
    return f"{value:.3f}" if value == 0 or abs(value) >= 0.01 else f"{value:.6f}".rstrip("0")


def _names(holders: tuple[str, ...] | list[str]) -> str:
    return ", ".join(holders) if holders else "(none)"


def timeline(result: SimResult) -> Table:
    """Events, transitions and priority changes, in time order."""
    table = Table(title="Timeline", title_justify="left")
    for col, justify in (("time (s)", "right"), ("node", "left"), ("instance", "left"),
                         ("what", "left"), ("cause", "left")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    rows: list[tuple[float, int, tuple[str, ...], str]] = []
    for ev in result.events:
        rows.append((ev.time, 0, (ev.node, "", "event: " + " ".join((ev.action, *ev.args)),
                                  ""), "dim"))
    for tr in result.transitions:
        style = "bold green" if tr.to == "MASTER" else "yellow" if tr.to == "FAULT" else ""
        rows.append((tr.time, 1, (tr.node, tr.instance, f"{tr.from_} -> {tr.to}", tr.cause),
                     style))
    for pc in result.priorities:
        rows.append((pc.time, 1, (pc.node, pc.instance, f"priority {pc.from_} -> {pc.to}",
                                  pc.cause), "cyan"))
    rows.sort(key=lambda r: (r[0], r[1]))
    for time, _, cells, style in rows:
        table.add_row(f"{time:.3f}", *cells, style=style or None)
    return table


def holders(result: SimResult) -> Table:
    table = Table(title="VIP holders", title_justify="left")
    for col in ("VIP", "from (s)", "to (s)", "holders"):
        table.add_column(col)
    for vip, intervals in result.vips.items():
        for iv in intervals:
            end = "end" if iv.end is None else f"{iv.end:.3f}"
            style = "red" if len(iv.holders) != 1 else None
            table.add_row(vip, f"{iv.start:.3f}", end, _names(iv.holders), style=style)
    return table


def anomalies(result: SimResult) -> Table | None:
    found = result.anomalies()
    if not found:
        return None
    table = Table(title="Anomalies", title_justify="left")
    for col in ("VIP", "kind", "from (s)", "to (s)", "length (s)", "holders"):
        table.add_column(col)
    for a in found:
        table.add_row(a.vip, "no holder" if a.kind == "none" else "several holders",
                      f"{a.start:.3f}", f"{a.end:.3f}", seconds(a.length), _names(a.holders),
                      style="red")
    return table


def print_result(result: SimResult, file: IO[str] | None = None) -> None:
    console = Console(file=file)
    if not console.is_terminal:
        console.width = max(console.width, 132)  # a file or a pipe: do not squeeze columns
    console.print(timeline(result))
    console.print(holders(result))
    table = anomalies(result)
    if table is not None:
        console.print(table)
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")
