"""Failover bench: kaconf's daemon and keepalived 2.2.7 through the same VRRP scenarios.

Why a bench of its own: a VRRP daemon is judged by how fast the backup takes over, by
never letting two nodes answer for one address, and by what it costs while nothing
happens. keepalived is the reference, so one run measures both, on the same machine,
with the same configs, one after the other.

Set-up (tests/support/netns.py's :class:`Lab`): nodes A (priority 150) and B (100)
in their own network namespaces, ``eth0`` of each a veth whose peer is a port of a
bridge in a "switch" namespace. A cut cable is the bridge port going down, so A sees
its carrier go, like a pulled cable.

Timing without polling delays: a small watcher process in each node namespace listens
to rtnetlink (RTMGRP_IPV4_IFADDR | RTMGRP_LINK) and writes one line per address added
or removed and per carrier change of ``eth0``, stamped with ``CLOCK_MONOTONIC`` (the
same clock in every network namespace). Every figure is a difference of such stamps
(or of the bench's own ``time.monotonic()`` for a signal sent or a process started):

* **failover after a link cut** - A's carrier loss to the VIP added on B; median of
  ``--runs`` cuts (VRRPv2, ``advert_int 1``) and ``2 x --runs`` cuts (VRRPv3,
  ``advert_int 0.1``). B's watcher also taps eth0 for adverts, and each cut is made 0.2
  advert intervals after B heard one: a backup's timer runs from the last advert, so an
  unsynchronised cut would add up to one interval of noise to every run. After each cut
  the cable is restored and A (preempt) takes the VIP back before the next run;
* **graceful stop** - SIGTERM to the MASTER (A) to the VIP on B (A sends priority 0);
* **start-up to first MASTER** - the process started (alone on the segment) to the VIP
  on it; this includes the protocol's master-down wait (3 x advert_int + skew), which is
  the same for both, and the program's own start-up, which is not;
* **idle cost** - A MASTER and B BACKUP with 1, 50 and 200 instances (VRRPv2,
  ``advert_int 1``, one /32 VIP each): CPU of each node's whole process tree (parent and
  every descendant: time on a CPU from ``/proc/PID/schedstat``, in nanoseconds; utime +
  stime from ``/proc/PID/stat`` where schedstat is missing, whose 10 ms ticks are too
  coarse next to keepalived's 0.1-0.2 %: 3 ticks or 4 in 30 s decide a 2x ratio) over
  ``--cpu-seconds`` (default 30 s), starting 3 s after both
  nodes settled (start-up, including A's second gratuitous ARP burst, is over), and its
  memory (sum of VmRSS, and of PSS from ``smaps_rollup``, which does not count pages
  shared between a parent and its forked children twice);
* **double holders** - from the same events, every interval in which A and B both held
  a VIP. An overlap that starts within a transition window after a bench action (cut,
  restore, stop, start: master-down interval + 1.5 s) and lasts at most one advert
  interval + 0.5 s is a protocol transition (a preempting master adds its VIP before the
  old one has heard its advert); any other overlap is counted as a double holder.

Targets: failover medians no slower than keepalived's (5 % or 20 ms of slack, whichever
is larger: both wait for the same protocol timer), idle CPU at every size at most 2x
keepalived's (each node, plain ratio), PSS of each node's process tree at most
30 MB with one instance and 40 MB with 200 (issue 14; sizes in between: 40 MB), no
double holder outside a transition. With the idle figures comes a reference: the CPU
time of one wake-up of a bare asyncio loop that does nothing (``python_wake_us``), beside
keepalived's cost per advert heard on a BACKUP node: an idle node's cost is its wake-ups
times that price.

kaconf's modules are compiled to bytecode first (``compileall``, as a wheel install
has them): with ``PYTHONDONTWRITEBYTECODE`` an editable checkout would compile every
module in the daemon at each start, which costs start-up time and ~2 MB of heap.

    python bench/failover.py                      # as root; ~8-9 minutes
    python bench/failover.py --runs 3 --sizes 1,50 --cpu-seconds 5 --no-write
    python bench/failover.py --scenarios idle --sizes 200 --no-write   # idle cost only

The figures go to ``docs/performance.md`` between ``<!-- failover:begin -->`` and
``<!-- failover:end -->`` (other sections are left alone) and, raw, to
``bench/out/failover.json``; daemon and watcher logs stay in ``bench/out/failover/``.
Exit status: 0 targets met, 1 a target missed, 2 the bench could not run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import math
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.support.netns import Lab, LabError, Proc, kaconf_run  # noqa: E402

BEGIN = "<!-- failover:begin -->"
END = "<!-- failover:end -->"
OUT = REPO / "bench" / "out"
PRIO_A, PRIO_B = 150, 100
ADDR_A, ADDR_B = "10.1.10.117/24", "10.1.10.185/24"
CLK_TCK = os.sysconf("SC_CLK_TCK")
#: Link cuts happen this fraction of an advert interval after B heard A's advert.
PHASE = 0.2

#: Runs in each node namespace: one line per VIP/carrier event, CLOCK_MONOTONIC stamped.
WATCHER = r"""
import select, socket, struct, sys, time
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
s.bind((0, 0x1 | 0x10))  # RTMGRP_LINK | RTMGRP_IPV4_IFADDR
socks = [s]
if sys.argv[1:] == ["tap"]:  # also report VRRP adverts received on eth0
    tap = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0800))
    tap.bind(("eth0", 0x0800))
    socks.append(tap)
carrier = {}
print("ready", flush=True)


def netlink(data, now, lines):
    off = 0
    while off + 16 <= len(data):
        ln, typ = struct.unpack_from("=IH", data, off)
        if ln < 16:
            break
        body, end = off + 16, off + ln
        if typ in (20, 21):  # RTM_NEWADDR, RTM_DELADDR
            fam, plen = struct.unpack_from("=BB", data, body)
            a, addr = body + 8, None
            while fam == 2 and a + 4 <= end:
                rl, rt = struct.unpack_from("=HH", data, a)
                if rl < 4:
                    break
                if rt in (1, 2) and (addr is None or rt == 2):  # IFA_ADDRESS, IFA_LOCAL
                    addr = socket.inet_ntoa(data[a + 4:a + 8])
                a += (rl + 3) & ~3
            if addr:
                lines.append(f"{now:.6f} {'+' if typ == 20 else '-'} {addr}/{plen}")
        elif typ == 16:  # RTM_NEWLINK
            flags = struct.unpack_from("=BxHiII", data, body)[3]
            a, name = body + 16, ""
            while a + 4 <= end:
                rl, rt = struct.unpack_from("=HH", data, a)
                if rl < 4:
                    break
                if rt == 3:  # IFLA_IFNAME
                    name = data[a + 4:a + rl].split(b"\0")[0].decode()
                a += (rl + 3) & ~3
            up = bool(flags & 0x10000)  # IFF_LOWER_UP: the carrier
            if name == "eth0" and carrier.get(name) != up:
                carrier[name] = up
                lines.append(f"{now:.6f} link {name} {'up' if up else 'down'}")
        off += (ln + 3) & ~3


while True:
    ready, _, _ = select.select(socks, [], [])
    now, lines = time.monotonic(), []
    for sock in ready:
        if sock is s:
            try:
                netlink(s.recv(1 << 20), now, lines)
            except OSError as e:  # ENOBUFS: events were lost; the bench reports it
                lines.append(f"{now:.6f} lost {e.errno}")
            continue
        pkt, addr = sock.recvfrom(2048)
        if addr[2] == 4 or len(pkt) < 24 or pkt[9] != 112:  # outgoing, short, not VRRP
            continue
        ihl = (pkt[0] & 15) * 4
        lines.append(f"{now:.6f} advert {socket.inet_ntoa(pkt[12:16])} vrid "
                     f"{pkt[ihl + 1]} prio {pkt[ihl + 2]}")
    if lines:
        print("\n".join(lines), flush=True)
"""


# --------------------------------------------------------------------------- events


class Watch:
    """The watcher's output for one node, read incrementally."""

    def __init__(self, proc: Proc) -> None:
        self.proc = proc
        self.offset = 0
        self.partial = ""
        self.events: list[tuple[float, str, str]] = []  # (t, "+"|"-"|"link"|"lost", arg)

    def refresh(self) -> None:
        with open(self.proc.log_path, errors="replace") as fh:
            fh.seek(self.offset)
            chunk = fh.read()
            self.offset = fh.tell()
        text = self.partial + chunk
        lines = text.split("\n")
        self.partial = lines.pop()
        for line in lines:
            parts = line.split()
            if len(parts) >= 3 and parts[0][0].isdigit():
                self.events.append((float(parts[0]), parts[1], " ".join(parts[2:])))

    def events_after(self, after: float) -> list[tuple[float, str, str]]:
        self.refresh()
        return [e for e in self.events if e[0] >= after]

    def first(self, kind: str, arg: str, after: float) -> float | None:
        self.refresh()
        for t, k, a in self.events:
            if t >= after and k == kind and a == arg:
                return t
        return None

    def lost(self) -> int:
        self.refresh()
        return sum(1 for _, k, _ in self.events if k == "lost")


def hold_intervals(events: list[tuple[float, str, str]], end: float
                   ) -> dict[str, list[tuple[float, float]]]:
    """Per address, the [added, removed) intervals a node held it."""
    held: dict[str, float] = {}
    out: dict[str, list[tuple[float, float]]] = {}
    for t, kind, arg in events:
        if kind == "+" and arg not in held:
            held[arg] = t
        elif kind == "-" and arg in held:
            out.setdefault(arg, []).append((held.pop(arg), t))
    for arg, t in held.items():
        out.setdefault(arg, []).append((t, end))
    return out


@dataclass
class Overlaps:
    """Intervals in which both nodes held one VIP, split as explained in the docstring."""

    transitions: int = 0
    outside: int = 0
    max_transition: float = 0.0
    details: list[str] = field(default_factory=list)

    def add(self, other: Overlaps) -> None:
        self.transitions += other.transitions
        self.outside += other.outside
        self.max_transition = max(self.max_transition, other.max_transition)
        self.details += other.details


def overlaps(a: dict[str, list[tuple[float, float]]], b: dict[str, list[tuple[float, float]]],
             actions: list[tuple[float, str]], window: float, max_len: float) -> Overlaps:
    res = Overlaps()
    for vip, ivs in a.items():
        for s1, e1 in ivs:
            for s2, e2 in b.get(vip, []):
                start, stop = max(s1, s2), min(e1, e2)
                if stop <= start:
                    continue
                length = stop - start
                near = [label for t, label in actions if t <= start <= t + window]
                if near and length <= max_len:
                    res.transitions += 1
                    res.max_transition = max(res.max_transition, length)
                else:
                    res.outside += 1
                    res.details.append(f"{vip} both held for {length * 1000:.0f} ms"
                                       f" (after: {', '.join(near) or 'no action'})")
    return res


# --------------------------------------------------------------------------- processes


def _proc_table() -> dict[int, int]:
    """pid -> ppid for every process."""
    table: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        table[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    return table


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants."""
    table = _proc_table()
    children: dict[int, list[int]] = {}
    for pid, ppid in table.items():
        children.setdefault(ppid, []).append(pid)
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in table:
            out.append(pid)
            todo += children.get(pid, [])
    return out


def cpu_ticks(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])  # utime + stime


def cpu_seconds(pid: int) -> float | None:
    """CPU time ``pid`` has used: schedstat's nanoseconds on a CPU, else stat's ticks."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        ticks = cpu_ticks(pid)
        return None if ticks is None else ticks / CLK_TCK


def _status_kb(path: str, key: str) -> int:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _sockets(pid: int) -> int:
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return 0
    count = 0
    for fd in fds:
        try:
            count += os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:")
        except OSError:
            pass
    return count


@dataclass
class Cost:
    """One node's process tree over the measured window."""

    processes: int
    cpu_percent: float  # of one core
    rss_mb: float
    pss_mb: float
    sockets: int = 0  # open sockets in the tree: shows how packets fan out to readers


def measure_cost(roots: dict[str, int], seconds: float) -> dict[str, Cost]:
    """CPU of each root's tree over ``seconds`` (sampled together), memory at the end."""
    trees = {name: process_tree(pid) for name, pid in roots.items()}
    before = {pid: cpu_seconds(pid) for tree in trees.values() for pid in tree}
    t0 = time.monotonic()
    time.sleep(seconds)
    elapsed = time.monotonic() - t0
    out = {}
    for name, tree in trees.items():
        used = 0.0
        for pid in tree:
            b, a = before.get(pid), cpu_seconds(pid)
            if b is not None and a is not None:
                used += a - b
        rss = sum(_status_kb(f"/proc/{pid}/status", "VmRSS:") for pid in tree)
        pss = sum(_status_kb(f"/proc/{pid}/smaps_rollup", "Pss:") for pid in tree)
        out[name] = Cost(len(tree), 100.0 * used / elapsed, rss / 1024, pss / 1024,
                         sum(_sockets(pid) for pid in tree))
    return out


#: A Python process that does nothing but wake up once a second on asyncio's loop.
_BARE_LOOP = (
    "import asyncio\n"
    "def tick(loop): loop.call_later(1.0, tick, loop)\n"
    "async def main():\n"
    "    loop = asyncio.get_running_loop(); tick(loop); await asyncio.sleep(1e9)\n"
    "asyncio.run(main())\n")


def python_wake_us(seconds: float) -> float:
    """CPU time of one wake-up of a bare asyncio loop (no work), in microseconds.

    Why: the idle cost of a daemon is its wake-ups times their price, and on this kind
    of machine a Python wake-up's price is most of it (cold caches after a second of
    sleep), whatever the daemon does once awake. Measured in the same run as the
    daemons, beside keepalived's cost per advert on a BACKUP node.
    """
    proc = subprocess.Popen([sys.executable, "-c", _BARE_LOOP])
    try:
        time.sleep(2.0)
        cost = measure_cost({"bare": proc.pid}, seconds)["bare"]
    finally:
        proc.kill()
        proc.wait(10)
    return cost.cpu_percent * 1e4  # % of a core at one wake-up a second -> us each


# --------------------------------------------------------------------------- configs, impls


def vip(k: int) -> str:
    """Instance k's VIP (as ``ip addr`` prints it)."""
    return f"10.99.{k // 250}.{k % 250 + 1}/32"


def config(node: str, prio: int, n: int, version: int, adv: float) -> str:
    out = [f"global_defs {{\n  router_id {node}\n"
           + (f"  vrrp_version {version}\n" if version == 3 else "") + "}\n"]
    for k in range(1, n + 1):
        out.append(f"vrrp_instance VI_{k} {{\n  state BACKUP\n  interface eth0\n"
                   f"  virtual_router_id {k}\n  priority {prio}\n  advert_int {adv:g}\n"
                   f"  virtual_ipaddress {{\n    {vip(k)}\n  }}\n}}\n")
    return "".join(out)


def master_down(adv: float, prio: int, version: int) -> float:
    """RFC 3768/5798 Master_Down_Interval for a backup of priority ``prio``."""
    skew = (256 - prio) / 256 * (adv if version == 3 else 1.0)
    return 3 * adv + skew


@dataclass
class Impl:
    name: str
    argv: Callable[[Path, Path, str], list[str]]


def _keepalived_argv(conf: Path, wd: Path, tag: str) -> list[str]:
    return ["keepalived", "-n", "-l", "-f", str(conf), "-p", str(wd / f"{tag}.pid"),
            "-r", str(wd / f"{tag}-vrrp.pid"), "-c", str(wd / f"{tag}-checkers.pid")]


IMPLS = {
    "kaconf": Impl("kaconf", lambda conf, wd, tag: kaconf_run(conf, wd, tag)),
    "keepalived": Impl("keepalived", _keepalived_argv),
}


class BenchError(RuntimeError):
    """A scenario could not be set up (the bench, not a daemon, is at fault)."""


def poll(what: str, pred: Callable[[], T], timeout: float, step: float = 0.005) -> T:
    """Call ``pred`` every ``step`` s until it returns something true; TimeoutError after."""
    deadline = time.monotonic() + timeout
    while True:
        value = pred()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:g} s")
        time.sleep(step)


def _ready(proc: Proc) -> bool:
    return "ready" in proc.log()


class Pair:
    """Nodes A and B with watchers, running one implementation."""

    def __init__(self, impl: Impl, workdir: Path, n: int, version: int, adv: float) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.impl, self.n, self.version, self.adv = impl, n, version, adv
        self.workdir = workdir
        self.lab = Lab(workdir)
        self.actions: list[tuple[float, str]] = []
        self.watch: dict[str, Watch] = {}
        self.daemons: dict[str, Proc | None] = {"A": None, "B": None}
        self.confs: dict[str, Path] = {}
        self.starts = 0
        for node, addr, prio in (("A", ADDR_A, PRIO_A), ("B", ADDR_B, PRIO_B)):
            self.lab.add_node(node, addr)
            argv = [sys.executable, "-c", WATCHER] + (["tap"] if node == "B" and n == 1 else [])
            proc = self.lab.start(node, argv, f"watch-{node}")
            poll(f"watcher {node}", functools.partial(_ready, proc), 10, 0.02)
            self.watch[node] = Watch(proc)
            conf = workdir / f"{node}.conf"
            conf.write_text(config(node, prio, n, version, adv))
            self.confs[node] = conf

    # -- actions (each recorded: it opens a transition window)

    def act(self, label: str) -> float:
        t = time.monotonic()
        self.actions.append((t, label))
        return t

    def start(self, node: str) -> float:
        self.starts += 1
        tag = f"{self.impl.name}-{node}{self.starts}"
        t = self.act(f"start {node}")
        self.daemons[node] = self.lab.start(
            node, self.impl.argv(self.confs[node], self.workdir, tag), tag)
        return t

    def stop(self, node: str, timeout: float = 15.0, signalled: bool = False) -> float:
        """SIGTERM (unless ``signalled`` already) and wait; SIGKILL past ``timeout``."""
        proc = self.daemons[node]
        t = self.act(f"stop {node}")
        if proc is not None:
            if not signalled:
                proc.signal(signal.SIGTERM)
            try:
                proc.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
            self.daemons[node] = None
        return t

    def cut(self, node: str, up: bool) -> float:
        t = self.act(f"{'restore' if up else 'cut'} {node}")
        self.lab.set_link(node, up)
        seen = self.watch[node].first("link", f"eth0 {'up' if up else 'down'}", t)
        # The carrier event in the node itself is the moment of the cut; if it was
        # missed (never so far) the command's start is the best we know.
        return seen if seen is not None else t

    # -- observations

    def next_advert(self, timeout: float) -> float:
        """When B next receives an advert from A (B's watcher taps eth0 with one instance)."""
        after = time.monotonic()
        src = ADDR_A.split("/")[0]
        return poll("an advert from A at B", lambda: next(
            (t for t, k, a in self.watch["B"].events_after(after)
             if k == "advert" and a.startswith(src)), None), timeout, 0.002) or 0.0

    def vip_added(self, node: str, k: int, after: float, timeout: float) -> float:
        return poll(f"VIP {vip(k)} on {node}",
                    lambda: self.watch[node].first("+", vip(k), after), timeout) or 0.0

    def vip_removed(self, node: str, k: int, after: float, timeout: float) -> float:
        return poll(f"VIP {vip(k)} off {node}",
                    lambda: self.watch[node].first("-", vip(k), after), timeout) or 0.0

    def holds_all(self, node: str) -> bool:
        self.watch[node].refresh()
        held = hold_intervals(self.watch[node].events, float("inf"))
        return all(any(e == float("inf") for _, e in held.get(vip(k), []))
                   for k in range(1, self.n + 1))

    def backup_count(self, node: str) -> int:
        proc = self.daemons[node]
        return proc.log().count("Entering BACKUP STATE") if proc else 0

    def establish(self, timeout: float = 60.0) -> None:
        """A alone becomes MASTER of everything, then B joins as BACKUP."""
        self.start("A")
        poll("A to hold every VIP", lambda: self.holds_all("A"), timeout, 0.05)
        self.start("B")
        poll("B to enter BACKUP for every instance",
             lambda: self.backup_count("B") >= self.n, timeout, 0.05)
        time.sleep(max(3 * self.adv, 1.0))  # several adverts: B must stay BACKUP
        if not self.holds_all("A"):
            raise BenchError(f"{self.impl.name}: A lost a VIP while B joined")

    def double_holders(self) -> Overlaps:
        for w in self.watch.values():
            w.refresh()
        end = time.monotonic()
        a = hold_intervals(self.watch["A"].events, end)
        b = hold_intervals(self.watch["B"].events, end)
        window = master_down(self.adv, PRIO_B, self.version) + 1.5
        return overlaps(a, b, self.actions, window, self.adv + 0.5)

    def lost_events(self) -> int:
        return sum(w.lost() for w in self.watch.values())

    def close(self) -> None:
        self.lab.close()


@contextmanager
def pair(impl: Impl, workdir: Path, n: int, version: int, adv: float,
         totals: dict[str, Overlaps], notes: list[str]) -> Iterator[Pair]:
    """A Pair that is always torn down; its double holders go into ``totals``."""
    shutil.rmtree(workdir, ignore_errors=True)
    p = Pair(impl, workdir, n, version, adv)
    try:
        yield p
    finally:
        try:
            totals.setdefault(impl.name, Overlaps()).add(p.double_holders())
            if lost := p.lost_events():
                notes.append(f"{impl.name} {workdir.name}: watcher lost netlink events "
                             f"{lost} time(s)")
        finally:
            p.close()


# --------------------------------------------------------------------------- scenarios


@dataclass
class Series:
    """Repeated timings of one scenario for one implementation."""

    values: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    #: Link cuts: how long after B heard A's last advert the cut happened.
    phases: list[float] = field(default_factory=list)

    def median(self) -> float | None:
        return statistics.median(self.values) if self.values else None


class Budget:
    """The bench's overall time bound: scenarios shorten their loops when it runs out."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def left(self) -> float:
        return self.deadline - time.monotonic()


def scenario_cut(impl: Impl, runs: int, version: int, adv: float, budget: Budget,
                 totals: dict[str, Overlaps], notes: list[str]) -> Series:
    """Cut A's cable, time the VIP on B; restore it and let A (preempt) take it back."""
    series = Series()
    md = master_down(adv, PRIO_B, version)
    bound = md + 10.0
    work = OUT / "failover" / f"cut-v{version}-{impl.name}"
    with pair(impl, work, 1, version, adv, totals, notes) as p:
        p.establish()
        for i in range(runs):
            if budget.left() < 2 * bound:
                notes.append(f"{impl.name} cut v{version}: stopped after {i} run(s), "
                             "time budget spent")
                break
            try:
                # Cut at a fixed phase of A's advert cycle (PHASE x advert_int after B heard
                # one): otherwise each run's failover varies by up to one interval with
                # the moment of the cut, which would drown any difference between daemons.
                t_adv = p.next_advert(5 * adv + 2)
                time.sleep(max(0.0, t_adv + PHASE * adv - time.monotonic()))
                t_cut = p.cut("A", False)
                series.values.append(p.vip_added("B", 1, t_cut, bound) - t_cut)
                series.phases.append(t_cut - t_adv)
                t_back = p.cut("A", True)
                p.vip_added("A", 1, t_back, bound)
                p.vip_removed("B", 1, t_back, bound)
                time.sleep(max(3 * adv, 0.5))
            except TimeoutError as exc:
                series.failures.append(f"run {i + 1}: {exc}")
                p.lab.set_link("A", True)
                time.sleep(md + 1.0)
    return series


def scenario_stop_start(impl: Impl, runs: int, budget: Budget, totals: dict[str, Overlaps],
                        notes: list[str]) -> tuple[Series, Series]:
    """SIGTERM the MASTER (A): time the VIP on B. Then A alone: start to MASTER."""
    stop, start = Series(), Series()
    bound = master_down(1.0, PRIO_B, 2) + 10.0
    work = OUT / "failover" / f"stop-{impl.name}"
    with pair(impl, work, 1, 2, 1.0, totals, notes) as p:
        p.establish()
        for i in range(runs):
            if budget.left() < 3 * bound:
                notes.append(f"{impl.name} stop/start: stopped after {i} run(s), "
                             "time budget spent")
                break
            try:
                t_term = p.act("SIGTERM A")
                proc = p.daemons["A"]
                assert proc is not None
                proc.signal(signal.SIGTERM)
                stop.values.append(p.vip_added("B", 1, t_term, bound) - t_term)
                p.stop("A", signalled=True)
                t_b = p.stop("B")
                p.vip_removed("B", 1, t_b, bound)
                t_start = p.start("A")
                start.values.append(p.vip_added("A", 1, t_start, bound) - t_start)
                p.start("B")
                poll("B to enter BACKUP", lambda: p.backup_count("B") >= 1, bound, 0.02)
                time.sleep(1.5)
            except (TimeoutError, AssertionError) as exc:
                stop.failures.append(f"run {i + 1}: {exc}")
                p.stop("A")
                p.stop("B")
                p.establish()
    return stop, start


def scenario_idle(impl: Impl, n: int, seconds: float, totals: dict[str, Overlaps],
                  notes: list[str]) -> dict[str, Cost]:
    """A MASTER and B BACKUP of ``n`` instances: what each node's tree costs at rest."""
    work = OUT / "failover" / f"idle-{n}-{impl.name}"
    with pair(impl, work, n, 2, 1.0, totals, notes) as p:
        p.establish(timeout=60.0 + n * 0.2)
        # Start-up work over: A's second gratuitous ARP burst (garp_master_delay, 5 s
        # after MASTER) came before this (establish() waited >= 3 s after B started).
        time.sleep(3.0)
        roots = {node: proc.pid for node, proc in p.daemons.items() if proc is not None}
        cost = measure_cost(roots, seconds)
        if not p.holds_all("A"):
            notes.append(f"{impl.name} idle {n}: A lost a VIP during the measurement")
        return cost


# --------------------------------------------------------------------------- report


def _s(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.3f} s"


def _ratio(a: float | None, b: float | None) -> str:
    return "n/a" if a is None or b is None or b == 0 else f"{a / b:.2f}x"


def _series_cell(s: Series) -> str:
    if not s.values:
        return "not measured" + (f" ({len(s.failures)} failed)" if s.failures else "")
    extra = f"; {len(s.failures)} failed" if s.failures else ""
    return (f"{_s(s.median())} (n={len(s.values)}, {min(s.values):.3f}-"
            f"{max(s.values):.3f}{extra})")


def growth_notes(idle: dict[int, dict[str, dict[str, Cost]]]) -> list[str]:
    """How idle CPU grows between the two largest sizes, and what that points to.

    An exponent near 1 is a per-instance cost; near 2 means every instance pays for every
    other one, which is what one receive socket per instance does: each advert is copied
    to all N sockets and dropped in user space by N-1 of them.
    """
    sizes = sorted(idle)
    if len(sizes) < 2:
        return []
    lo, hi = sizes[-2], sizes[-1]
    out = []
    for name in ("kaconf", "keepalived"):
        for node, role in (("A", "MASTER"), ("B", "BACKUP")):
            a = idle[lo].get(name, {}).get(node)
            b = idle[hi].get(name, {}).get(node)
            if a is None or b is None or a.cpu_percent <= 0 or b.cpu_percent <= 0:
                continue
            exp = math.log(b.cpu_percent / a.cpu_percent) / math.log(hi / lo)
            text = (f"{name} {role}: idle CPU x{b.cpu_percent / a.cpu_percent:.1f} from {lo} to "
                    f"{hi} instances (growth exponent {exp:.1f}; 1 = linear, 2 = quadratic); "
                    f"{b.sockets} sockets open at {hi}")
            if name == "kaconf" and exp >= 1.6 and b.sockets >= 2 * hi:
                text += (": about one receive socket per instance, so every advert reaches "
                         "every instance's socket and is rejected in Python by all but one "
                         "(N instances: N x N deliveries per advert interval). keepalived "
                         "reads one socket per interface and finds the instance by VRID. "
                         "The fix belongs in daemon/vrrp/io.py + child.py: one shared "
                         "receive socket per interface and family with a VRID demux, or a "
                         "classic-BPF filter on the VRID per socket")
            out.append(text)
    return out


def pss_limit(n: int) -> float:
    """Issue 14's memory target for a node's process tree: 30 MB at 1 instance, else 40."""
    return 30.0 if n <= 1 else 40.0


def precompile() -> bool:
    """Compile kaconf's and the daemon's modules to bytecode, as a wheel install has them."""
    import compileall

    return all(compileall.compile_dir(str(REPO / d), quiet=1)
               for d in ("kaconf", "daemon", "grammars"))


def render(results: dict[str, object], args: argparse.Namespace) -> tuple[str, bool]:
    """The markdown section and whether every target was met."""
    R = results  # noqa: N806 - short alias for the table below
    series: dict[str, dict[str, Series]] = R["series"]  # type: ignore[assignment]
    idle: dict[int, dict[str, dict[str, Cost]]] = R["idle"]  # type: ignore[assignment]
    dbl: dict[str, Overlaps] = R["double"]  # type: ignore[assignment]
    notes: list[str] = R["notes"]  # type: ignore[assignment]
    verdicts: list[tuple[str, bool]] = []
    rows = []
    labels = {"cut_v2": "link cut -> VIP on B, VRRPv2 advert_int 1",
              "cut_v3": "link cut -> VIP on B, VRRPv3 advert_int 0.1",
              "stop": "graceful stop: SIGTERM to MASTER -> VIP on B",
              "start": "start-up (alone) -> first MASTER (VIP added)"}
    for key, label in labels.items():
        k, ka = series["kaconf"].get(key, Series()), series["keepalived"].get(key, Series())
        rows.append(f"| {label} | {_series_cell(k)} | {_series_cell(ka)} | "
                    f"{_ratio(k.median(), ka.median())} |")
        if key != "start" and k.median() is not None and ka.median() is not None:
            km, kam = k.median(), ka.median()
            assert km is not None and kam is not None
            verdicts.append((f"{label}: kaconf median no slower than keepalived's",
                             km <= kam + max(0.05 * kam, 0.020) and not k.failures))
    for n, costs in sorted(idle.items()):
        for node, role in (("A", "MASTER"), ("B", "BACKUP")):
            c = costs.get("kaconf", {}).get(node)
            ca = costs.get("keepalived", {}).get(node)
            if c is None or ca is None:
                rows.append(f"| idle, {n} instance(s), {role} node | "
                            f"{'not measured' if c is None else f'{c.cpu_percent:.2f} %'} | "
                            f"{'not measured' if ca is None else f'{ca.cpu_percent:.2f} %'}"
                            " | n/a |")
                continue
            rows.append(f"| idle CPU, {n} instance(s), {role} node ({c.processes} / "
                        f"{ca.processes} processes, {c.sockets} / {ca.sockets} sockets) | "
                        f"{c.cpu_percent:.3f} % | "
                        f"{ca.cpu_percent:.3f} % | {_ratio(c.cpu_percent, ca.cpu_percent)} |")
            rows.append(f"| memory, {n} instance(s), {role} node: RSS sum (PSS sum) | "
                        f"{c.rss_mb:.1f} MB ({c.pss_mb:.1f}) | {ca.rss_mb:.1f} MB "
                        f"({ca.pss_mb:.1f}) | {_ratio(c.pss_mb, ca.pss_mb)} (PSS) |")
            verdicts.append((f"idle CPU at {n} instance(s), {role}: <= 2x keepalived's",
                             c.cpu_percent <= 2 * ca.cpu_percent))
        for node, role in (("A", "MASTER"), ("B", "BACKUP")):
            c = costs.get("kaconf", {}).get(node)
            if c is not None:
                limit = pss_limit(n)
                verdicts.append((f"PSS at {n} instance(s), {role}: <= {limit:g} MB",
                                 c.pss_mb <= limit))
    floor = R.get("wake_floor")
    if isinstance(floor, dict) and "python_us" in floor:
        rows.append("| reference: one wake-up of an idle process (bare asyncio loop, a timer "
                    "each second, no work / keepalived BACKUP node at 1 instance, per advert) | "
                    f"{floor['python_us']:.0f} us | "
                    + (f"{floor['keepalived_us']:.0f} us" if floor.get("keepalived_us")
                       else "n/a") + " | "
                    + (_ratio(floor["python_us"], floor["keepalived_us"])
                       if floor.get("keepalived_us") else "n/a") + " |")
    notes = notes + growth_notes(idle)
    for name in ("kaconf", "keepalived"):
        o = dbl.get(name, Overlaps())
        cell = (f"{o.outside} outside a transition; {o.transitions} inside "
                f"(longest {o.max_transition * 1000:.1f} ms)")
        rows.append(f"| double holders, every scenario ({name}) | "
                    f"{cell if name == 'kaconf' else ''} | "
                    f"{cell if name == 'keepalived' else ''} | |")
    verdicts.append(("kaconf: no double holder outside a transition",
                     dbl.get("kaconf", Overlaps()).outside == 0))
    ok = all(v for _, v in verdicts)
    phases = [ph * 1000 for d in series.values() for key, sr in d.items()
              if key.startswith("cut") for ph in sr.phases]
    phase = (f"median {statistics.median(phases):.0f} ms, {min(phases):.0f}-"
             f"{max(phases):.0f} ms" if phases else "n/a")
    machine = (f"{os.cpu_count()} CPUs (nproc), Python {platform.python_version()}, "
               f"{R['keepalived_version']}, Linux {platform.release()}")
    lines = [
        BEGIN,
        "## Failover: `kaconf run` vs keepalived 2.2.7",
        "",
        "Written by `python bench/failover.py` (see its docstring for the method); the next "
        "run replaces this section.",
        "",
        "| | |",
        "|---|---|",
        f"| date | {R['date']} |",
        f"| machine | {machine} |",
        "| set-up | nodes A (priority 150) and B (100) in network namespaces on a bridge; "
        "times from rtnetlink events stamped in each namespace (no polling delay) |",
        f"| runs | {args.runs} link cuts (v2), {2 * args.runs} (v3), {args.runs} stop/start "
        f"cycles; idle CPU over {args.cpu_seconds:g} s; total bench time "
        f"{R['elapsed']:.0f} s |",
        "",
        "| measurement | kaconf | keepalived | kaconf / keepalived |",
        "|---|---|---|---|",
        *rows,
        "",
        "Timings are medians (n runs, min-max). Link cuts are made "
        f"{PHASE:g} advert intervals after B heard A's advert (measured: {phase}), so "
        "the expected failover is master-down interval (3 x advert_int + skew) minus that. "
        "CPU is % of one core for the node's whole process tree (schedstat time on a CPU); "
        "memory sums every "
        "process of the tree.",
        "",
        "| target | result |",
        "|---|---|",
        *(f"| {what} | {'PASS' if good else 'FAIL'} |" for what, good in verdicts),
        f"| overall | {'PASS' if ok else 'FAIL'} |",
    ]
    failures = [f"{impl} {key}: {msg}" for impl, d in series.items() for key, s in d.items()
                for msg in s.failures]
    details = [f"{name}: {d}" for name, o in dbl.items() for d in o.details]
    if notes or failures or details:
        lines += ["", "Notes:", ""] + [f"* {x}" for x in notes + failures + details]
    lines.append(END)
    return "\n".join(lines), ok


def write_section(doc: Path, text: str) -> None:
    """Replace only our section (other benches own the rest of the file)."""
    old = doc.read_text() if doc.exists() else "# Performance\n"
    if BEGIN in old and END in old:
        head, _, rest = old.partition(BEGIN)
        _, _, tail = rest.partition(END)
        new = head + text + tail
    else:
        new = old.rstrip("\n") + "\n\n" + text + "\n"
    doc.write_text(new)


def _jsonable(obj: object) -> object:
    if isinstance(obj, Series | Cost | Overlaps):
        return _jsonable(obj.__dict__)
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    return obj


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="link cuts / stop cycles (v3: 2x)")
    ap.add_argument("--sizes", default="1,50,200", help="instance counts for the idle cost")
    ap.add_argument("--cpu-seconds", type=float, default=30.0,
                    help="idle CPU window in seconds")
    ap.add_argument("--budget", type=float, default=720.0,
                    help="overall time bound in seconds; loops stop early past it")
    ap.add_argument("--only", choices=["kaconf", "keepalived"], default=None,
                    help="run one implementation only (trial runs)")
    ap.add_argument("--scenarios", default="cut,stop,idle",
                    help="comma-separated subset of cut (v2 and v3 link cuts), stop "
                         "(graceful stop and start-up) and idle (trial runs)")
    ap.add_argument("--doc", default=str(REPO / "docs" / "performance.md"))
    ap.add_argument("--no-write", action="store_true", help="print only, leave the doc alone")
    args = ap.parse_args(argv)
    if os.geteuid() != 0:
        print("failover bench: needs root (network namespaces)", file=sys.stderr)
        return 2
    if shutil.which("keepalived") is None and args.only != "kaconf":
        print("failover bench: keepalived is not installed", file=sys.stderr)
        return 2
    sizes = [int(x) for x in args.sizes.split(",") if x]
    scenarios = {x for x in args.scenarios.split(",") if x}
    if not scenarios <= {"cut", "stop", "idle"}:
        print("failover bench: scenarios are cut, stop and idle", file=sys.stderr)
        return 2
    if any(not 1 <= n <= 255 for n in sizes):
        print("failover bench: sizes must be 1..255 (one VRID each)", file=sys.stderr)
        return 2
    names = [args.only] if args.only else ["kaconf", "keepalived"]
    if not precompile():
        print("failover bench: compiling kaconf's modules failed; they compile at each "
              "start", file=sys.stderr)
    t0 = time.monotonic()
    budget = Budget(args.budget)
    series: dict[str, dict[str, Series]] = {"kaconf": {}, "keepalived": {}}
    idle: dict[int, dict[str, dict[str, Cost]]] = {}
    totals: dict[str, Overlaps] = {}
    notes: list[str] = []

    def step(label: str, fn: Callable[..., None], *fn_args: object) -> None:
        """One scenario; a daemon that never converges is a result, not a crash."""
        print(f"[{time.monotonic() - t0:5.0f}s] {label}", flush=True)
        try:
            fn(*fn_args)
        except (TimeoutError, BenchError) as exc:
            notes.append(f"{label}: did not complete: {exc}")

    def cuts(name: str) -> None:
        series[name]["cut_v2"] = scenario_cut(IMPLS[name], args.runs, 2, 1.0, budget,
                                              totals, notes)

    def cuts_v3(name: str) -> None:
        series[name]["cut_v3"] = scenario_cut(IMPLS[name], 2 * args.runs, 3, 0.1, budget,
                                              totals, notes)

    def stops(name: str) -> None:
        series[name]["stop"], series[name]["start"] = scenario_stop_start(
            IMPLS[name], args.runs, budget, totals, notes)

    wake_floor: dict[str, float] = {}

    def idle_cost(name: str, n: int) -> None:
        idle.setdefault(n, {})[name] = scenario_idle(IMPLS[name], n, args.cpu_seconds,
                                                     totals, notes)

    try:
        for name in names:
            if "cut" in scenarios:
                step(f"{name}: link cut, VRRPv2 advert_int 1", cuts, name)
                step(f"{name}: link cut, VRRPv3 advert_int 0.1", cuts_v3, name)
            if "stop" in scenarios:
                step(f"{name}: graceful stop and start-up", stops, name)
        for n in sizes if "idle" in scenarios else []:
            for name in names:
                if budget.left() < args.cpu_seconds + 30:
                    notes.append(f"{name} idle {n}: skipped, time budget spent")
                    continue
                step(f"{name}: idle, {n} instance(s)", idle_cost, name, n)
        if "idle" in scenarios:
            step("reference: a bare Python loop's wake-up", lambda: wake_floor.update(
                python_us=python_wake_us(args.cpu_seconds)))
            one = idle.get(1, {}).get("keepalived", {}).get("B")
            if one is not None:  # one advert a second: its cost per advert, in us
                wake_floor["keepalived_us"] = one.cpu_percent * 1e4
    except (LabError, OSError) as exc:
        print(f"failover bench: cannot run: {exc}", file=sys.stderr)
        return 2
    version = ["keepalived not installed"]
    if shutil.which("keepalived"):
        ver = subprocess.run(["keepalived", "--version"], capture_output=True, text=True,
                             timeout=10)
        version = (ver.stdout + ver.stderr).splitlines()
    results: dict[str, object] = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "keepalived_version": (version or ["keepalived ?"])[0].strip(),
        "elapsed": time.monotonic() - t0, "series": series, "idle": idle,
        "double": totals, "notes": notes, "wake_floor": wake_floor}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "failover.json").write_text(json.dumps(_jsonable(results), indent=1) + "\n")
    text, ok = render(results, args)
    print(text)
    if not args.no_write:
        write_section(Path(args.doc), text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
