"""What the dump needs to know about the machine keepalived would run on.

keepalived's ``-d`` output is not a pure function of the configuration: the
VRRP source address comes from the interface, a sync group is in FAULT when a
member's interface has no address, the router id defaults to the host name,
notify scripts are printed by their resolved path (``/bin/true`` becomes
``/usr/bin/true``) and dropped when they do not exist. :class:`Host` gathers
exactly those facts so the formatter stays deterministic: tests pass a
:meth:`Host.static` description of the reference machine, ``kaconf dump``
uses :meth:`Host.local` (cheap reads of ``/sys``, ``/proc`` and one ioctl; no
netlink library is imported here).
"""

from __future__ import annotations

import os
import socket
import stat
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from kaconf.effective.scriptsec import FileStat

#: keepalived's compiled-in default interface name (``DFLT_INT``).
DEFAULT_INTERFACE = "eth0"

_IFF_UP = 0x1
_IFF_LOOPBACK = 0x8
_IFF_RUNNING = 0x40
_IFF_MULTICAST = 0x1000
_SIOCGIFADDR = 0x8915
_SIOCGIFFLAGS = 0x8913


@dataclass
class Interface:
    """One network interface as keepalived sees it at start-up."""

    name: str
    ipv4: str | None = None
    ipv6: str | None = None
    up: bool = True
    multicast: bool = True
    loopback: bool = False
    ethernet: bool = True
    mtu: int = 1500
    index: int = 0


@dataclass
class Host:
    """Facts about the machine; every lookup has a safe answer for unknown items.

    ``resolve`` maps a script path to the path keepalived would execute (its
    ``realpath`` with the file name kept), or ``None`` when keepalived would
    drop the script as missing or not executable.
    """

    hostname: str | None = None
    """The canonical host name; ``None`` = look it up when first needed (local host)."""
    interfaces: dict[str, Interface] = field(default_factory=dict)
    users: dict[str, tuple[int, int]] = field(default_factory=dict)
    groups: dict[str, int] = field(default_factory=dict)
    uid: int = 0
    gid: int = 0
    process_user: str = "root"
    resolve: Callable[[str], str | None] | None = None
    files: Mapping[str, str] = field(default_factory=dict)
    system: bool = False
    """Fall back to the real user database and files (the local host)."""
    stats: Mapping[str, FileStat] | None = None
    """``lstat`` of paths, for the script permission checks; ``None`` on a static host
    means no permission facts (every script counts as safe)."""

    # -- constructors ---------------------------------------------------------

    @classmethod
    def static(cls, *, hostname: str, interfaces: list[Interface],
               users: Mapping[str, tuple[int, int]] | None = None,
               scripts: Mapping[str, str] | None = None,
               stats: Mapping[str, FileStat] | None = None) -> Host:
        """A fixed description (tests, or dumping for another machine).

        ``scripts`` maps configured paths to resolved ones; a path not listed
        is treated as missing, as keepalived treats a script it cannot find.
        ``stats`` is a fake file table (``lstat`` results, symlinks with their
        target) for the script permission checks; without it no check fails.
        """
        table = dict(scripts or {})
        user_table = {"root": (0, 0)}
        user_table.update(users or {})
        return cls(hostname=hostname, interfaces={i.name: i for i in interfaces},
                   users=user_table, groups={"root": 0}, resolve=table.get,
                   stats=stats)

    @classmethod
    def local(cls) -> Host:
        """The machine kaconf runs on, read cheaply (keepalived runs as root)."""
        return cls(hostname=None, interfaces=_local_interfaces(),
                   resolve=resolve_script_path, system=True)

    # -- lookups ----------------------------------------------------------------

    def name(self) -> str:
        """The host name keepalived uses for defaults (router id, SMTP HELO)."""
        if self.hostname is None:
            self.hostname = _local_name() if self.system else "[unknown]"
        return self.hostname

    def interface(self, name: str | None) -> Interface | None:
        """The interface called ``name``, or ``None`` when the host lacks it."""
        if name is None:
            return None
        return self.interfaces.get(name)

    def user_ids(self, name: str, group: str | None = None) -> tuple[int, int] | None:
        """uid:gid for ``name`` (and optional group), ``None`` if unknown."""
        ids = self.users.get(name)
        if ids is None and self.system:
            ids = _pw_lookup(name)
        if ids is None:
            return None
        if group is None:
            return ids
        gid = self.groups.get(group)
        if gid is None and self.system:
            gid = _gr_lookup(group)
        if gid is None:
            return None
        return ids[0], gid

    def script_path(self, path: str) -> str | None:
        """The path keepalived would print for ``path``, ``None`` if dropped."""
        stripped = path[1:].lstrip(" \t") if path.startswith("<") else ""
        if stripped.startswith("/"):
            return path  # "</file": a shell redirection that only tests a file
        if self.resolve is None:
            return path
        return self.resolve(path)

    @property
    def knows_files(self) -> bool:
        """Whether the host reports file permissions (the local host, or a fake table)."""
        return self.system or self.stats is not None

    def lstat(self, path: str) -> FileStat | None:
        """``lstat(path)`` as the script checks read it; ``None`` when missing."""
        if self.stats is not None:
            return self.stats.get(path)
        if not self.system:
            return None
        try:
            st = os.lstat(path)
        except OSError:
            return None
        return FileStat(st.st_mode, st.st_uid, st.st_gid)

    def stat(self, path: str) -> FileStat | None:
        """``stat(path)``: symlinks followed."""
        if self.stats is None:
            if not self.system:
                return None
            try:
                st = os.stat(path)
            except OSError:
                return None
            return FileStat(st.st_mode, st.st_uid, st.st_gid)
        real = self.realpath(path)
        return self.stats.get(real) if real is not None else None

    def realpath(self, path: str) -> str | None:
        """``realpath(path)`` (``None`` when a component is missing or loops)."""
        if self.stats is None:
            if not self.system:
                return None
            try:
                return os.path.realpath(path, strict=True)
            except OSError:
                return None
        return _table_realpath(self.stats, path)

    def file_status(self, path: str) -> int:
        """The value keepalived reads from a tracked file (0 when unknown)."""
        text = self.files.get(path)
        if text is None and self.system:
            try:
                with open(path, encoding="ascii", errors="replace") as f:
                    text = f.read(64)
            except OSError:
                text = None
        if not text:
            return 0
        try:
            return int(text.split()[0])
        except (ValueError, IndexError):
            return 0


def _table_realpath(table: Mapping[str, FileStat], path: str) -> str | None:
    """``realpath`` over a fake file table (symlinks carry their target)."""
    todo = [p for p in path.split("/") if p]
    out: list[str] = []
    hops = 0
    while todo:
        part = todo.pop(0)
        if part == ".":
            continue
        if part == "..":
            if out:
                out.pop()
            continue
        cur = "/" + "/".join([*out, part])
        st = table.get(cur)
        if st is None:
            return None
        if st.link is not None:
            hops += 1
            if hops > 40:
                return None
            target = [p for p in st.link.split("/") if p]
            if st.link.startswith("/"):
                out = []
            todo = target + todo
            continue
        out.append(part)
    return "/" + "/".join(out)


def resolve_script_path(path: str) -> str | None:
    """keepalived's script check: path search, realpath, keep the file name.

    keepalived replaces the command by its real path but keeps the original
    file name when both name the same file (some programs behave by name),
    and refuses scripts it cannot find or that are not executable.
    """
    if "/" not in path:
        found = None
        for d in os.environ.get("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
                                "/sbin:/bin").split(":"):
            cand = os.path.join(d or ".", path)
            if os.path.isfile(cand):
                found = cand
                break
        if found is None:
            return None
        path = found
    if not os.path.exists(path):
        return None
    real = os.path.realpath(path)
    new = real
    orig_name = path.rsplit("/", 1)[-1]
    real_dir, real_name = real.rsplit("/", 1)
    if real_name != orig_name:
        cand = f"{real_dir}/{orig_name}"
        try:
            a = os.stat(real)
            b = os.stat(cand)
            if (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino):
                new = cand
        except OSError:
            new = real
    try:
        st = os.stat(real)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode) or not st.st_mode & 0o111:
        return None
    return new


def _local_name() -> str:
    """keepalived's ``get_local_name``: the canonical name of the node name."""
    node = os.uname().nodename
    try:
        info = socket.getaddrinfo(node, None, flags=socket.AI_CANONNAME)
    except OSError:
        return "[unknown]"
    for entry in info:
        if entry[3]:
            return entry[3]
    return "[unknown]"


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="ascii") as f:
            return f.read().strip()
    except OSError:
        return None


def _ipv4_of(name: str) -> str | None:
    """The interface's primary IPv4 address via SIOCGIFADDR (no netlink)."""
    import fcntl  # lazy: only for the local host

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            req = struct.pack("256s", name.encode()[:15])
            res = fcntl.ioctl(s.fileno(), _SIOCGIFADDR, req)
    except OSError:
        return None
    return socket.inet_ntoa(res[20:24])


def if_flags(name: str) -> int | None:
    """The interface's flags as the kernel reports them to SIOCGIFFLAGS.

    keepalived reads interface state from netlink, whose flags carry IFF_RUNNING
    (the operational state); /sys/class/net/*/flags holds only the administrative
    flags and never IFF_RUNNING, so an interface would always look down there.
    """
    import fcntl  # lazy: only for the local host

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            req = struct.pack("16sh14x", name.encode()[:15], 0)
            res = fcntl.ioctl(s.fileno(), _SIOCGIFFLAGS, req)
    except OSError:
        return None
    return int(struct.unpack_from("H", res, 16)[0])


def _sysfs_flags(base: str) -> int:
    """Administrative flags from sysfs, with IFF_RUNNING taken from ``operstate``."""
    try:
        flags = int(_read(f"{base}/flags") or "0", 16)
    except ValueError:
        flags = 0
    if _read(f"{base}/operstate") in ("up", "unknown"):
        flags |= _IFF_RUNNING
    return flags


def _ipv6_link_locals() -> dict[str, str]:
    out: dict[str, str] = {}
    text = _read("/proc/net/if_inet6")
    if not text:
        return out
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 6:
            continue
        hexaddr, scope, name = parts[0], parts[3], parts[5]
        addr = socket.inet_ntop(socket.AF_INET6, bytes.fromhex(hexaddr))
        have = out.get(name)
        if have is None or (scope == "20" and not have.startswith("fe80")):
            out[name] = addr
    return out


def _local_interfaces() -> dict[str, Interface]:
    out: dict[str, Interface] = {}
    try:
        names = sorted(os.listdir("/sys/class/net"))
    except OSError:
        return out
    v6 = _ipv6_link_locals()
    for name in names:
        base = f"/sys/class/net/{name}"
        flags = if_flags(name)
        if flags is None:
            flags = _sysfs_flags(base)
        mtu_text = _read(f"{base}/mtu") or "1500"
        type_text = _read(f"{base}/type") or "1"
        index_text = _read(f"{base}/ifindex") or "0"
        out[name] = Interface(
            name=name,
            ipv4=_ipv4_of(name),
            ipv6=v6.get(name),
            up=(flags & (_IFF_UP | _IFF_RUNNING)) == (_IFF_UP | _IFF_RUNNING),
            multicast=bool(flags & _IFF_MULTICAST),
            loopback=bool(flags & _IFF_LOOPBACK),
            ethernet=type_text == "1",
            mtu=int(mtu_text) if mtu_text.isdigit() else 1500,
            index=int(index_text) if index_text.isdigit() else 0,
        )
    return out


def _pw_lookup(name: str) -> tuple[int, int] | None:
    try:
        import pwd

        p = pwd.getpwnam(name)
    except (KeyError, ImportError):
        return None
    return p.pw_uid, p.pw_gid


def _gr_lookup(name: str) -> int | None:
    try:
        import grp

        return grp.getgrnam(name).gr_gid
    except (KeyError, ImportError):
        return None
