"""Network-namespace lab for the daemon's netns tests (tests/netns; stdlib only).

A :class:`Lab` is a set of node namespaces, each with an ``eth0`` that is one end of a
veth pair whose other end is a port of bridge ``br0`` in a separate "switch"
namespace. This kernel has no ``dummy`` driver, and a bridge (with multicast snooping
off, so 224.0.0.18 and ff02::12 are flooded) behaves like the operator's LAN.

Everything is bounded and cleaned up: every command has a timeout, every process the
lab starts is started in its own session and killed through its process group (the
id we were handed, never a name), and :meth:`Lab.close` deletes the namespaces even
when a test failed half-way.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

_counter = itertools.count()
CMD_TIMEOUT = 10.0


class LabError(RuntimeError):
    """The lab could not be set up (a command failed)."""


def sh(*argv: str, timeout: float = CMD_TIMEOUT, check: bool = True) -> str:
    """Run a command with a timeout; return stdout; raise LabError on failure."""
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise LabError(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc.stdout


@functools.cache
def netns_usable() -> str | None:
    """None when namespaces can be used here, else the reason to skip."""
    if os.geteuid() != 0:
        return "needs root to create network namespaces"
    name = f"kaprobe{os.getpid()}"
    try:
        sh("ip", "netns", "add", name)
    except (LabError, OSError, subprocess.TimeoutExpired) as exc:
        return f"'ip netns' does not work here: {exc}"
    with contextlib.suppress(Exception):
        sh("ip", "netns", "del", name)
    return None


def _netns_marks() -> list[pytest.MarkDecorator]:
    reason = netns_usable()
    return [pytest.mark.netns, pytest.mark.skipif(reason is not None, reason=reason or "")]


#: ``pytestmark = NETNS`` in a test module: marked ``netns``, skipped (with the reason)
#: unless we are root and ``ip netns`` works.
NETNS = _netns_marks()


def wait_for(what: str, predicate: Callable[[], bool], timeout: float,
             interval: float = 0.1) -> None:
    """Poll ``predicate`` until true; AssertionError naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(interval)


@dataclass
class Proc:
    """A process started in a namespace, with its output in a file."""

    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def alive(self) -> bool:
        return self.popen.poll() is None

    def signal(self, sig: int) -> None:
        if self.alive():
            os.kill(self.pid, sig)

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM, wait, then SIGKILL the whole process group; returns the exit status."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        self.kill()
        return self.popen.returncode

    def kill(self) -> None:
        """SIGKILL the process group we created for this process (children included)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(5)


@dataclass
class Lab:
    """Node namespaces on one bridge; see the module docstring."""

    workdir: Path
    tag: str = field(default_factory=lambda: f"{os.getpid()}x{next(_counter)}")
    switch: str = ""
    nodes: dict[str, str] = field(default_factory=dict)
    procs: list[Proc] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.switch = f"kasw{self.tag}"
        sh("ip", "netns", "add", self.switch)
        self.ns_sh(self.switch, "ip", "link", "add", "br0", "type", "bridge",
                   "mcast_snooping", "0")
        self.ns_sh(self.switch, "ip", "link", "set", "br0", "up")

    def ns_sh(self, ns: str, *argv: str, check: bool = True) -> str:
        return sh("ip", "netns", "exec", ns, *argv, check=check)

    def add_node(self, node: str, *addresses: str) -> str:
        """Namespace for ``node`` with eth0 on the bridge and ``addresses`` on eth0."""
        ns = f"ka{node}{self.tag}"
        sh("ip", "netns", "add", ns)
        self.nodes[node] = ns
        port = f"p{node}"
        sh("ip", "-n", self.switch, "link", "add", port, "type", "veth",
           "peer", "name", "eth0", "netns", ns)
        sh("ip", "-n", self.switch, "link", "set", port, "master", "br0", "up")
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        # No DAD: an address must be usable at once, as on a long-running host.
        self.ns_sh(ns, "sysctl", "-qw", "net.ipv6.conf.eth0.accept_dad=0")
        for addr in addresses:
            sh("ip", "-n", ns, "addr", "add", addr, "dev", "eth0")
        sh("ip", "-n", ns, "link", "set", "eth0", "up")
        return ns

    def set_link(self, node: str, up: bool) -> None:
        """Cut or restore ``node``'s cable (its bridge port), as unplugging would."""
        sh("ip", "-n", self.switch, "link", "set", f"p{node}", "up" if up else "down")

    def isolate(self, node: str, on: bool) -> None:
        """Set or clear the ``isolated`` flag of ``node``'s bridge port.

        Unlike :meth:`set_link` the carrier stays up (no FAULT), but no frame passes
        between two isolated ports: isolating every node splits the LAN into islands.
        """
        self.ns_sh(self.switch, "bridge", "link", "set", "dev", f"p{node}",
                   "isolated", "on" if on else "off")

    def addresses(self, node: str, dev: str = "eth0") -> list[str]:
        out = sh("ip", "-n", self.nodes[node], "-o", "addr", "show", "dev", dev)
        return re.findall(r"inet6? (\S+)", out)

    def has_address(self, node: str, addr: str) -> bool:
        return addr in self.addresses(node)

    def start(self, node: str, argv: Sequence[str], name: str) -> Proc:
        """Start ``argv`` in ``node``'s namespace, in a new session, output to a log file."""
        log_path = self.workdir / f"{name}.log"
        out = open(log_path, "wb")  # noqa: SIM115 - owned by the Popen until it exits
        try:
            popen = subprocess.Popen(["ip", "netns", "exec", self.nodes[node], *argv],
                                     stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                     start_new_session=True)
        finally:
            out.close()
        proc = Proc(name, popen, log_path)
        self.procs.append(proc)
        return proc

    def close(self) -> None:
        """Kill every process started here (by pid) and delete every namespace."""
        for proc in self.procs:
            proc.kill()
        for ns in [*self.nodes.values(), self.switch]:
            # Processes started by hand inside (e.g. by a failing test) must not survive.
            out = sh("ip", "netns", "pids", ns, check=False)
            for pid in out.split():
                with contextlib.suppress(ProcessLookupError, ValueError):
                    os.kill(int(pid), signal.SIGKILL)
            sh("ip", "netns", "del", ns, check=False)


def kaconf_run(conf: Path, workdir: Path, name: str, *extra: str) -> list[str]:
    """argv of ``kaconf run`` in the foreground with logs on the console and private pid
    files and control socket (``workdir/<name>.ctl``, for ``kaconf status --control``)."""
    return [sys.executable, "-m", "kaconf.cli", "run", "-n", "-l", "-f", str(conf),
            "-p", str(workdir / f"{name}.pid"), "-r", str(workdir / f"{name}-vrrp.pid"),
            "-c", str(workdir / f"{name}-checkers.pid"),
            "--data-file", str(workdir / f"{name}.data"),
            "--control", str(workdir / f"{name}.ctl"), *extra]


# --------------------------------------------------------------------------- wire capture


class FrameCapture:
    """Ethernet frames seen on a device in a node's namespace, for a bounded time.

    The AF_PACKET socket is opened by a helper process inside the namespace (a socket
    belongs to the namespace of the process that creates it); it prints each frame as
    hex, and the test decodes the frames it cares about. ``ethertype`` is what the socket
    binds to (0x0003, ETH_P_ALL, also sees frames a macvlan takes before ETH_P_IP would).
    """

    SCRIPT = r"""
import socket, sys, time
proto = int(sys.argv[2], 0)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(proto))
s.bind((sys.argv[1], proto))
s.settimeout(0.2)
print("ready", flush=True)
end = time.monotonic() + float(sys.argv[3])
while time.monotonic() < end:
    try:
        frame = s.recv(2048)
    except TimeoutError:
        continue
    print(frame.hex(), flush=True)
"""

    def __init__(self, lab: Lab, node: str, seconds: float, *, ethertype: int,
                 dev: str = "eth0", name: str | None = None) -> None:
        label = name or f"cap-{node}-{next(_counter)}"
        self.proc = lab.start(node, [sys.executable, "-c", self.SCRIPT, dev, hex(ethertype),
                                     str(seconds)], label)
        wait_for("frame capture to start", lambda: "ready" in self.proc.log(), 10)

    def frames(self) -> list[bytes]:
        """Every frame captured so far (lines that are not a frame are skipped)."""
        out = []
        for line in self.proc.log().splitlines():
            try:
                out.append(bytes.fromhex(line))
            except ValueError:
                continue
        return [f for f in out if len(f) >= 14]

    def vrrp_adverts(self) -> list[tuple[bytes, bytes, bytes]]:
        """(source MAC, source IPv4 address, VRRP message) of each IPv4 VRRP frame."""
        found = []
        for f in self.frames():
            ip = f[14:]
            if f[12:14] == b"\x08\x00" and len(ip) >= 20 and ip[9] == 112:
                found.append((f[6:12], ip[12:16], ip[(ip[0] & 0x0F) * 4:]))
        return found


class ArpCapture(FrameCapture):
    """Gratuitous ARPs seen on an interface."""

    def __init__(self, lab: Lab, node: str, seconds: float, dev: str = "eth0") -> None:
        super().__init__(lab, node, seconds, ethertype=0x0806, dev=dev,
                         name=f"arpcap-{node}-{next(_counter)}")

    def gratuitous_for(self, ip: str) -> int:
        """How many gratuitous ARPs (sender IP == target IP == ``ip``) were captured."""
        want = socket.inet_aton(ip)
        return sum(1 for f in self.frames() if len(f) >= 42
                   and struct.unpack("!6x H 6x 4s 6x 4s", f[14:42])[1:] == (want, want))

