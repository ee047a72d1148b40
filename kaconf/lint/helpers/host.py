"""What depends on the machine kaconf runs on: interfaces, script files, users.

``keepalived -t`` checks these on the host it runs on; kaconf often lints elsewhere,
so the few rules that look at the host go through here (``PATH`` searches, file
tests, the user database, the ``KACONF_INTERFACES`` environment variable), kept
apart from the pure config logic.
"""

from __future__ import annotations

import os
import shutil
import socket
from typing import TYPE_CHECKING

from kaconf.lint.helpers.scripts import ScriptUse, is_file_test
from kaconf.model.objects import Config, Script

if TYPE_CHECKING:
    from kaconf.lint.rule import Context


def host_interfaces(ctx: Context) -> frozenset[str] | None:
    """Interface names of the host the config is meant for, or None when unknown.

    ``keepalived -t`` checks interfaces on the machine it runs on. kaconf usually
    lints on another machine, so this check is opt-in: a ``interfaces`` attribute
    on the context (if the engine provides one) or ``KACONF_INTERFACES`` (a comma
    separated list, or ``auto`` for this machine's interfaces).
    """
    given = getattr(ctx, "interfaces", None)
    if given is not None:
        return frozenset(given) | {"lo"}
    env = os.environ.get("KACONF_INTERFACES")
    if env is None or env.strip() == "":
        return None
    if env.strip().lower() == "auto":
        try:
            return frozenset(name for _, name in socket.if_nameindex())
        except OSError:
            return None
    # every Linux host has a loopback, whatever the list says
    return frozenset(x.strip() for x in env.split(",") if x.strip()) | {"lo"}


def resolve_script(sc: Script) -> str | None:
    """The file keepalived would run for ``sc`` on this machine (PATH search for bare names)."""
    path = sc.path
    if not path:
        return None
    if "/" not in path:
        return shutil.which(path)
    return path if os.path.exists(path) else None


def script_found(sc: Script) -> bool:
    """keepalived finds the script file (so it counts it as a script to secure)."""
    if is_file_test(sc):
        return False
    found = resolve_script(sc)
    return found is not None and os.path.isfile(found)


def script_run_user(cfg: Config, use: ScriptUse) -> str:
    """The user keepalived runs a script as: its own user, else script_user, else the default.

    Notify lines take ``"cmd args" [user [group]]``: words after the (quoted) command are
    the user and group. With script security and no script_user the default is
    keepalived_script when that user exists, else root.
    """
    import pwd
    import shlex

    if use.kind == "vrrp_script":
        vs = cfg.vrrp_scripts.get(use.owner)
        if vs is not None and vs.user:
            return vs.user
    else:
        try:
            words = shlex.split(use.script.raw)
        except ValueError:
            words = use.script.raw.split()
        if len(words) > 1:
            return words[1]
    g = cfg.global_defs
    if g.script_user:
        return str(g.script_user)
    if g.enable_script_security:
        try:
            pwd.getpwnam("keepalived_script")
            return "keepalived_script"
        except KeyError:
            return "root"
    return "root"
