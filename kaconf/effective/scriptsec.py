"""keepalived's script checks (``check_script_secure``): who may run a script, and whether.

keepalived 2.2.7 checks every script once at start-up, after resolving its
path. A script must be executable by the uid:gid it runs as, else it is
disabled. A script that would run with root's uid or gid (or a file that is
set-uid/set-gid root) must not be changeable by anyone but root: the file and
every directory on its path (``lstat``, symlinks not followed) must be owned by
root, and neither group-writable by a non-root group nor world-writable, a
directory with the sticky bit excepted. Such an unsafe script is disabled under
``enable_script_security``; without it keepalived only logs it, and warns once
that scripts run without script security.

The checks are pure: the file facts come from a :class:`PathFacts` (the
resolver's :class:`~kaconf.effective.host.Host`), so the rules are unit-tested
with a fake file table. :func:`run_as` turns the chosen ids into the
arguments that start a script with them (VRRP child and checker alike).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from typing import Any, Protocol

#: keepalived's SC_* flags (the values only matter within kaconf)
SC_ISSCRIPT = 0x01
SC_INHIBIT = 0x02
SC_NOTFOUND = 0x04
SC_EXECUTABLE = 0x08
SC_INSECURE = 0x10
SC_SYSTEM = 0x20


@dataclass(frozen=True)
class FileStat:
    """The part of a ``struct stat`` keepalived's checks read."""

    mode: int
    uid: int = 0
    gid: int = 0
    link: str | None = None
    """The symlink's target (fake file tables only; the local host reads the link)."""


class PathFacts(Protocol):
    """The file-system facts the checks need (a :class:`~kaconf.effective.host.Host`)."""

    def lstat(self, path: str) -> FileStat | None:
        """``lstat(path)``; ``None`` when it does not exist or cannot be reached."""

    def stat(self, path: str) -> FileStat | None:
        """``stat(path)`` (symlinks followed)."""

    def realpath(self, path: str) -> str | None:
        """``realpath(path)``; ``None`` when it cannot be resolved."""


@dataclass
class Verdict:
    """The outcome of checking one script: keepalived's flags and its log lines."""

    flags: int = 0
    messages: list[str] = field(default_factory=list)

    @property
    def runnable(self) -> bool:
        """keepalived keeps the script (``check_notify_script_secure``'s test)."""
        if self.flags & (SC_INHIBIT | SC_NOTFOUND):
            return False
        return bool(self.flags & (SC_EXECUTABLE | SC_SYSTEM))


def is_file_test(arg0: str) -> bool:
    """``</path``: a shell redirection that only tests a file; never executed or checked."""
    return arg0.startswith("<") and arg0[1:].lstrip(" \t").startswith("/")


def is_executable(st: FileStat, uid: int, gid: int) -> bool:
    """Whether ``uid:gid`` may execute the file (keepalived's ``is_executable``)."""
    m = st.mode
    if uid == 0:
        return bool(m & 0o111)
    if uid == st.uid:
        return bool(m & stat.S_IXUSR)
    if gid == st.gid:
        return bool(m & stat.S_IXGRP)
    return bool(m & stat.S_IXOTH)


def unsafe(st: FileStat) -> bool:
    """A path component that a non-root user could change (``check_security``'s test)."""
    if st.uid != 0:
        return True
    m = st.mode
    guarded = (stat.S_ISDIR(m) and not m & stat.S_ISVTX) or stat.S_ISREG(m)
    return guarded and bool((st.gid != 0 and m & stat.S_IWGRP) or m & stat.S_IWOTH)


def path_prefixes(path: str) -> list[str]:
    """``/a/b/c`` -> ``/``, ``/a``, ``/a/b``, ``/a/b/c`` (the order keepalived checks)."""
    out: list[str] = []
    pos = 0
    while True:
        slash = path.find("/", pos)
        if slash < 0:
            out.append(path)
            return out
        out.append(path[:slash] if slash else "/")
        pos = slash + 1
        if pos == len(path):
            return out


def check_path(path: str, security: bool, facts: PathFacts) -> Verdict:
    """Every component of ``path`` must be root-owned and not writable by others."""
    v = Verdict()
    parts = path_prefixes(path)
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        st = facts.lstat(part)
        if st is None:
            v.messages.append(f"check_script_secure could not find script '{path}' - disabling")
            v.flags |= SC_NOTFOUND
            return v
        m = st.mode
        if (not last and not stat.S_ISDIR(m)) or \
                (last and not stat.S_ISREG(m) and not stat.S_ISLNK(m)):
            v.messages.append(f"Wrong file type found in script path '{path}'.")
            v.flags |= SC_INHIBIT
            return v
        if unsafe(st):
            tail = " - disabling" if security else ""
            v.messages.append(f"Unsafe permissions found for script '{path}'{tail}.")
            v.flags |= SC_INSECURE | (SC_INHIBIT if security else 0)
            return v
    return v


def check_script(path: str, uid: int, gid: int, security: bool,
                 facts: PathFacts) -> Verdict:
    """keepalived's ``check_script_secure`` for a script already resolved to ``path``.

    ``path`` is the command as keepalived rewrote it (real directory, original
    file name); its real path is checked too when it differs.
    """
    if is_file_test(path):
        return Verdict(SC_SYSTEM)
    if uid != 0:
        # keepalived resolves the path with the script's ids: each directory must be
        # searchable by them
        for d in path_prefixes(path)[:-1]:
            dst = facts.stat(d)
            if dst is None or not is_executable(dst, uid, gid):
                return Verdict(SC_NOTFOUND, [f"Script {path} cannot be accessed - "
                                             "Permission denied"])
    real = facts.realpath(path) or path
    st = facts.stat(real)
    if st is None:
        return Verdict(SC_NOTFOUND, [f"Unable to access script `{path}` - disabling"])
    v = Verdict(SC_ISSCRIPT)
    protect = False
    if is_executable(st, uid, gid):
        v.flags |= SC_EXECUTABLE
        m = st.mode
        protect = uid == 0 or gid == 0 or \
            (st.uid == 0 and bool(m & stat.S_IXUSR) and bool(m & stat.S_ISUID)) or \
            (st.gid == 0 and bool(m & stat.S_IXGRP) and bool(m & stat.S_ISGID))
    else:
        v.messages.append(f"WARNING - script '{path}' is not executable for uid:gid "
                          f"{uid}:{gid} - disabling.")
    if not protect:
        return v
    for p in (path, real) if real != path else (path,):
        sub = check_path(p, security, facts)
        v.flags |= sub.flags
        v.messages.extend(sub.messages)
    return v


def not_found(arg0: str) -> Verdict:
    """The verdict for a command keepalived cannot find (path search or access failed)."""
    if "/" not in arg0:
        return Verdict(SC_NOTFOUND, [f"Cannot find script {arg0} in path - disabling"])
    return Verdict(SC_NOTFOUND, [f"Script {arg0} cannot be accessed - No such file or directory"])


def violation_line(flags: int, security: bool, what: str = "scripts") -> str | None:
    """keepalived's warning when scripts run without ``enable_script_security``.

    ``what`` is ``scripts`` for the VRRP child, ``check scripts`` for the checker.
    """
    if security or not flags & SC_ISSCRIPT:
        return None
    extra = " There are insecure scripts." if flags & SC_INSECURE else ""
    return (f"SECURITY VIOLATION - {what} are being executed but script_security "
            f"not enabled.{extra}")


def run_as(uid: int, gid: int) -> dict[str, Any]:
    """``subprocess``/``asyncio`` keyword arguments that run a script as ``uid:gid``.

    keepalived's ``set_script_env``: the group first, the supplementary groups
    reduced to that group, then the user (``subprocess`` applies ``extra_groups``,
    ``group`` and ``user`` in that order in the child). A daemon that is not root
    cannot change ids: then only a script for other ids is given them, so that it
    fails to start as keepalived's would.
    """
    euid, egid = os.geteuid(), os.getegid()
    kw: dict[str, Any] = {}
    if euid == 0:
        kw["extra_groups"] = [gid]
    if gid != egid:
        kw["group"] = gid
    if uid != euid:
        kw["user"] = uid
    return kw
