"""The terminal view of ``--what-if``: one table, a row per question and VIP (rich)."""

from __future__ import annotations

from typing import IO

from rich.console import Console
from rich.table import Table

from .text import seconds
from .whatif import WhatIfReport

__all__ = ["print_report", "report_table"]


def _names(holders: tuple[str, ...]) -> str:
    return ", ".join(holders) if holders else "(none)"


def report_table(report: WhatIfReport) -> Table:
    table = Table(title=f"What if... (event at {report.t_event:g}s, node back at "
                        f"{report.t_return:g}s)", title_justify="left")
    for col in ("node", "if it", "VIP", "before", "after", "no holder (s)", "2+ holders (s)",
                "once back", "moves back"):
        table.add_column(col, no_wrap=col in ("node", "VIP", "before", "after", "once back"))
    for a in report.answers:
        back = "-" if a.moves_back is None else "yes" if a.moves_back else "no"
        style = "red" if a.several > 0.01 or not a.after else None
        table.add_row(a.node, a.question, a.vip, _names(a.before), _names(a.after),
                      seconds(a.no_holder), seconds(a.several), _names(a.after_return), back,
                      style=style)
    return table


def print_report(report: WhatIfReport, file: IO[str] | None = None) -> None:
    console = Console(file=file)
    if not console.is_terminal:
        console.width = max(console.width, 132)  # a file or a pipe: do not squeeze columns
    console.print(report_table(report))
