"""``kaconf status``'s text view: the status object (docs/operations.md) drawn with rich.

Kept apart from :mod:`kaconfd.statuscli` so that rich is imported only when a table is
drawn (``--json`` never imports it), and pure: :func:`render` turns one status object
into a renderable; only :func:`watch` touches the terminal.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from kaconf.exitstatus import ExitStatus

STATE_STYLES = {"MASTER": "bold green", "BACKUP": "cyan", "FAULT": "bold red",
                "INIT": "yellow", "STOP": "dim"}


def ago(then: float | None, now: float) -> str:
    """``12s ago`` / ``3m04s ago`` / ``2h05m ago`` / ``-``."""
    if then is None:
        return "-"
    secs = max(0, int(now - then))
    if secs < 60:
        return f"{secs}s ago"
    if secs < 3600:
        return f"{secs // 60}m{secs % 60:02d}s ago"
    if secs < 86400:
        return f"{secs // 3600}h{secs % 3600 // 60:02d}m ago"
    return f"{secs // 86400}d{secs % 86400 // 3600:02d}h ago"


def _tracking(inst: dict[str, Any]) -> Text:
    out = Text()
    for item in inst["tracked_interfaces"]:
        up = item["up"]
        out.append(f"if {item['name']} ", style="")
        out.append("up" if up else ("down" if up is False else "?"),
                   style="green" if up else "red")
        out.append("\n")
    for item in inst["tracked_scripts"]:
        state = item.get("state", "unknown")
        out.append(f"script {item['name']} ")
        out.append(state, style="green" if state == "up" else
                   ("red" if state == "down" else "yellow"))
        out.append("\n")
    for item in inst["tracked_files"]:
        out.append(f"file {item['name']} = {item.get('value')}\n")
    out.rstrip()
    return out


def vrrp_table(vrrp: dict[str, Any], now: float) -> Table:
    table = Table(title="VRRP instances", title_justify="left", expand=False)
    for column in ("instance", "state", "prio", "master", "last transition", "VIPs",
                   "tracking"):
        table.add_column(column)
    for inst in vrrp["instances"]:
        state = inst["state"]
        prio = str(inst["priority"])
        if inst["effective_priority"] != inst["priority"]:
            prio += f" -> {inst['effective_priority']}"
        vips = "\n".join(inst["vips"] + [f"{v} (excluded)" for v in inst["excluded_vips"]])
        vips_text = Text(vips, style="bold" if inst["vips_held"] else "dim")
        if inst["vips_held"]:
            vips_text.append("\n(held)", style="green")
        table.add_row(
            f"{inst['name']}\n{inst['interface']} vrid {inst['vrid']}"
            + (f"\ngroup {inst['sync_group']}" if inst.get("sync_group") else ""),
            Text(state, style=STATE_STYLES.get(state, "")), prio, inst["master"] or "-",
            f"{ago(inst['last_transition'], now)}\n{inst['last_transition_reason']}",
            vips_text, _tracking(inst))
    return table


def groups_table(vrrp: dict[str, Any]) -> Table:
    table = Table(title="Sync groups", title_justify="left")
    table.add_column("group")
    table.add_column("state")
    table.add_column("members")
    for group in vrrp["sync_groups"]:
        table.add_row(group["name"], Text(group["state"],
                                          style=STATE_STYLES.get(group["state"], "")),
                      ", ".join(group["members"]))
    return table


def checker_table(checker: dict[str, Any], now: float) -> Table:
    table = Table(title="Virtual servers", title_justify="left")
    for column in ("virtual / real server", "alive", "weight", "checker", "last check"):
        table.add_column(column)
    for vs in checker["virtual_servers"]:
        quorum = "quorum up" if vs["quorum_up"] else "quorum DOWN"
        sorry = ", sorry server active" if vs["sorry_active"] else ""
        table.add_row(Text(vs["name"], style="bold"),
                      Text(quorum + sorry, style="green" if vs["quorum_up"] else "red"),
                      f"{vs['weight_sum']}/{vs['quorum']}", "", "")
        for rs in vs["real_servers"]:
            checks = rs["checkers"] or [None]
            for index, ck in enumerate(checks):
                first = index == 0
                table.add_row(
                    f"  {rs['name']}" if first else "",
                    Text("alive" if rs["alive"] else "dead",
                         style="green" if rs["alive"] else "red") if first else "",
                    str(rs["weight"]) if first else "",
                    f"{ck['kind']} {ck['state']}" if ck else "-",
                    f"{ago(ck['last_check'], now)} {ck['last_reason']}" if ck else "")
    return table


def render(status: dict[str, Any]) -> RenderableType:
    """The whole view of one status object."""
    now = float(status.get("time") or time.time())
    daemon = status["daemon"]
    head = Text()
    head.append(f"kaconfd pid {daemon['pid']}", style="bold")
    head.append(f"  {daemon['config']}  up {ago(daemon['started'], now)[:-4]}"
                f"  reloads {daemon['reloads']}\n")
    for child in daemon["children"]:
        head.append(f"  {child['role']} child pid {child['pid']}  restarts "
                    f"{child['restarts']}  ")
        head.append("answering" if child["answering"] else "NOT ANSWERING",
                    style="green" if child["answering"] else "bold red")
        head.append("\n")
    parts: list[RenderableType] = [head]
    vrrp = status.get("vrrp")
    if vrrp is not None:
        parts.append(vrrp_table(vrrp, now))
        if vrrp["sync_groups"]:
            parts.append(groups_table(vrrp))
    checker = status.get("checker")
    if checker is not None:
        parts.append(checker_table(checker, now))
    return Group(*parts)


def watch(fetch: Callable[[], dict[str, Any]], interval: float) -> int:
    """Redraw :func:`render` of ``fetch()`` every ``interval`` s until Ctrl-C."""
    from rich.live import Live

    def frame() -> RenderableType:
        try:
            return render(fetch())
        except OSError as exc:
            return Text(f"kaconf status: the daemon does not answer: {exc}", style="bold red")

    try:
        with Live(frame(), auto_refresh=False, screen=False) as live:
            while True:
                time.sleep(max(0.1, interval))
                live.update(frame(), refresh=True)
    except KeyboardInterrupt:
        pass
    return ExitStatus.OK
