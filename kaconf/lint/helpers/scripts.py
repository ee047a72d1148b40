"""The scripts ``keepalived -t`` checks at start: which, where given, and how messages name them.

Pure config logic: whether a script file exists or whom it runs as depends on the
host and lives in :mod:`kaconf.lint.helpers.host`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kaconf.diagnostics import Span
from kaconf.lint.helpers.tree import setting_span
from kaconf.model.objects import Block, Config, Script

if TYPE_CHECKING:
    from kaconf.lint.rule import Context


@dataclass(frozen=True)
class ScriptUse:
    """A script keepalived would check at start: where it is and what runs it."""

    script: Script
    kind: str  # "vrrp_script", "notify", "check"
    owner: str
    keyword: str
    span: Span | None


def _keyword_scripts(block: Block, owner: str, keywords: Iterable[str]) -> list[ScriptUse]:
    """Notify-style scripts given in ``block`` under ``keywords`` (in that order)."""
    out: list[ScriptUse] = []
    settings = block.settings
    for kw in keywords:
        s = settings.get(kw)  # most blocks have none: skip them without a call per keyword
        if s is not None and isinstance(s.value, Script) and s.value.args:
            out.append(ScriptUse(s.value, "notify", owner, kw, s.span))
    return out


def vrrp_script_uses(cfg: Config) -> list[ScriptUse]:
    """Scripts the VRRP process checks (all vrrp_scripts, instance/group notifies)."""
    out: list[ScriptUse] = []
    for name, vs in cfg.vrrp_scripts.items():
        if vs.script is not None and vs.script.args:
            out.append(ScriptUse(vs.script, "vrrp_script", name, "script",
                                 setting_span(vs, "script")))
    notify_kws = ("notify_backup", "notify_master", "notify_fault", "notify_stop",
                  "notify_deleted", "notify", "notify_master_rx_lower_pri")
    for inst in cfg.vrrp_instances:
        out += _keyword_scripts(inst, inst.name, notify_kws)
    for sg in cfg.sync_groups:
        out += _keyword_scripts(sg, sg.name, notify_kws[:4] + ("notify",))
    out += _keyword_scripts(cfg.global_defs, "global_defs",
                            ("notify_fifo_script", "vrrp_notify_fifo_script"))
    return out


def global_script_uses(cfg: Config) -> list[ScriptUse]:
    """startup_script / shutdown_script: checked by the parent process, always."""
    return _keyword_scripts(cfg.global_defs, "global_defs", ("startup_script", "shutdown_script"))


def all_script_uses(ctx: Context) -> list[ScriptUse]:
    """Every script keepalived -t checks, each once (cached per context, read-only).

    The VRRP process checks its scripts only when there are vrrp instances, the checker
    process only when there are virtual servers (both check the global notify_fifo
    script); startup/shutdown scripts are always checked. Several rules look at every
    script, and finding them means visiting every real server, so it is done once.
    """
    return ctx.memo("all_script_uses", lambda c: _all_script_uses(c.config))


def _all_script_uses(cfg: Config) -> list[ScriptUse]:
    uses = global_script_uses(cfg)
    if cfg.vrrp_instances:
        uses += vrrp_script_uses(cfg)
    if cfg.virtual_servers:
        uses += check_script_uses(cfg)
    out: list[ScriptUse] = []
    seen: set[tuple[str, str]] = set()
    for x in uses:
        key = (x.owner, x.keyword) if x.owner == "global_defs" else (str(id(x.script)), "")
        if key not in seen:
            seen.add(key)
            out.append(x)
    return out


def check_script_uses(cfg: Config) -> list[ScriptUse]:
    """Scripts the checker process checks (MISC_CHECK, quorum and real-server notifies)."""
    out: list[ScriptUse] = []
    for vs in cfg.virtual_servers:
        found = _keyword_scripts(vs, "", ("quorum_up", "quorum_down"))
        for rs in vs.real_server:
            if rs.settings:
                found += _keyword_scripts(rs, "", ("notify_up", "notify_down"))
            for ck in rs.checkers:
                if ck.kind == "MISC_CHECK" and ck.misc_path is not None and ck.misc_path.args:
                    found.append(ScriptUse(ck.misc_path, "check", "", "misc_path",
                                           setting_span(ck, "misc_path")))
        if found:  # the owner is the VS label, formatted only for a VS that has scripts
            label = vs.label
            out += [dataclasses.replace(x, owner=label) for x in found]
    out += _keyword_scripts(cfg.global_defs, "global_defs",
                            ("notify_fifo_script", "lvs_notify_fifo_script"))
    return out


def executed_script_uses(ctx: Context) -> list[ScriptUse]:
    """:func:`all_script_uses` without the ``<file`` tests, which keepalived only opens."""
    return ctx.memo("executed_script_uses", lambda c: [
        x for x in all_script_uses(c) if not is_file_test(x.script)])


def script_what(use: ScriptUse, quote: bool = False) -> str:
    """How messages name a script: ``script P of vrrp_script N`` or ``KEYWORD script P (OWNER)``."""
    path = f"'{use.script.path}'" if quote else use.script.path
    if use.kind == "vrrp_script":
        return f"script {path} of vrrp_script {use.owner}"
    return f"{use.keyword} script {path} ({use.owner})"


def is_file_test(sc: Script) -> bool:
    """``</dev/tcp/...``-style scripts: keepalived only opens the file, never runs it."""
    raw = sc.raw.lstrip().lstrip('"').lstrip("'")
    return raw.startswith("<") and raw[1:].lstrip(" \t").startswith("/")
