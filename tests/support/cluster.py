"""Real keepalived nodes on one LAN of namespaces, driven by a scenario, recorded over time.

``kaconf simulate`` predicts what a cluster of keepalived nodes does when events happen
(a node stops, crashes, loses a link, a check script fails ...). The only honest proof of
such a prediction is the real thing: this module runs real ``keepalived`` 2.2.7 nodes,
one per network namespace, their interfaces joined by bridges in a "switch" namespace
(one bridge per interface name, multicast snooping off, as a LAN), plays the scenario's
events at their times and records what happened in the simulator's JSON shape
(``transitions`` and ``vips``) so the two can be compared line by line.

How each event is played (the real counterpart of the simulator's action):

* ``start``: launch ``keepalived -n -l -D -G -f CONF`` with private pid files in the
  node's namespace (a node that crashed is "rebooted" first: leftover VIPs removed); a
  node whose first event is not ``start`` is launched at 0 (the simulator's rule).
* ``stop``: SIGTERM (keepalived sends its priority-0 adverts and removes its VIPs).
* ``crash``: SIGKILL of the process group we created (keepalived and its children, by
  the pid we were handed), then the addresses it had added are removed at once: a
  crashed machine holds nothing (removing them says so more directly than taking its
  links down, and leaves the links as the scenario set them).
* ``link down|up IFACE``: ``ip link set IFACE down|up`` inside the node's namespace.
* ``script NAME fail|ok``: the config's check script tests a flag file; the harness
  creates (fail) or removes (ok) ``SIMPROOF_DIR/NAME.fail``. In the configs keepalived
  runs, the word ``SIMPROOF_DIR`` is replaced by a directory private to the node.
* ``track file NAME value N``: writes N into ``SIMPROOF_DIR/NAME`` (the config's
  ``vrrp_track_file NAME { file SIMPROOF_DIR/NAME }``).
* ``* partition A,B C`` / ``* heal``: each listed side (here A with B, and C; the nodes
  not listed form one more side) gets bridges of its own, the nodes' switch ports move
  there (links stay up) / every port goes back to the LAN's bridge.
* ``priority INSTANCE N``: not played (keepalived has no run-time priority change short
  of a reload); a scenario using it cannot be proven here.

What is recorded, with times in seconds since the scenario started (monotonic clock):
every ``(INSTANCE) Entering STATE`` line of each keepalived, stamped when the line is
read from its stdout (keepalived writes the console log unbuffered), and every address
added or deleted in each node's namespace, from ``ip -o monitor address`` (one process
per node, event-driven rather than polled). A VIP's holders at a time are the nodes that
had it configured then. One transition has no line: keepalived 2.2.7 says nothing when
a script an instance tracks without weight fails on its very first run (the instance goes
from INIT to FAULT silently, and logs ``Entering BACKUP STATE`` when the script
recovers); the recorder infers it from ``VRRP_Script(NAME) failed`` while the instance
has no state yet. A ``start`` of a node that runs, or a ``stop`` or ``crash`` of one
that does not, is skipped with a warning, as the simulator does.

Stdlib only. Every wait is bounded, namespaces are deleted in ``close`` (also when a run
failed half-way), and every process is killed by the pid we were handed (or the process
group we created for it), never by name.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from tests.support.cluster_layout import NodeLayout, node_layout, weightless_scripts
from tests.support.netns import Lab, sh, wait_for
from tests.support.oracle import keepalived_available
from tests.support.timeline import AddressChange, RealRun, Step, StepLike, Transition

__all__ = ["PLACEHOLDER", "RealCluster", "keepalived_available"]

#: The word replaced in the configs keepalived runs by the node's private directory.
PLACEHOLDER = "SIMPROOF_DIR"

#: ``(VI_1) Entering MASTER STATE``, ``(VI_1) Entering BACKUP STATE (init)``, and at start
#: with a link down ``(VI_1): entering FAULT state (interface eth0 down)`` followed by
#: ``(VI_1) entering FAULT state`` (one transition: a repeated state is not one).
TRANSITION_RE = re.compile(
    r"\((?P<inst>[^()\s]+)\):? [Ee]ntering (?P<state>[A-Za-z]+) (?:STATE|state)"
    r"(?: \((?P<why>[^)]*)\))?")
#: Lines about an instance that explain its next transition (kept as the ``cause``).
CAUSE_RE = re.compile(
    r"\((?P<inst>[^()\s]+)\) (?P<text>Receive advertisement timeout|"
    r"(?:Master|Backup) received .*|.*higher priority.*|.*lower priority.*|"
    r".*preempt.*|Changing effective priority.*|.*[Ff]ault.*|.*script.*)$")
#: A tracked script's failure; see :func:`~tests.support.cluster_layout.weightless_scripts`.
SCRIPT_FAILED_RE = re.compile(r"VRRP_Script\((?P<script>[^()\s]+)\) failed")
#: ``ip -o monitor address`` lines: ``[Deleted ]2: eth0    inet 10.1.10.240/24 ...``.
ADDRESS_RE = re.compile(
    r"^(?P<deleted>Deleted )?\d+:\s+(?P<dev>\S+)\s+inet6?\s+(?P<addr>[0-9a-fA-F.:]+)/\d+")
#: keepalived's console prefix (``Wed Dec  2 08:13:38 2026: ``).
LOG_PREFIX_RE = re.compile(r"^[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} [0-9]{4}: ")

#: How long a stopped keepalived may take to exit before the next start kills it.
EXIT_TIMEOUT = 8.0


# --------------------------------------------------------------------------- the cluster


class _Node:
    """One node: its namespace, its keepalived (when running) and its address monitor."""

    def __init__(self, cluster: RealCluster, layout: NodeLayout, ns: str) -> None:
        self.cluster = cluster
        self.layout = layout
        self.name = layout.name
        self.ns = ns
        self.dir = cluster.workdir / layout.name
        self.dir.mkdir(parents=True, exist_ok=True)
        self.conf = self.dir / layout.conf.name
        text = layout.conf.read_text()
        self.conf.write_text(text.replace(PLACEHOLDER, str(self.dir)))
        self.weightless = weightless_scripts(text)
        self.base = {ipaddress.ip_interface(a).ip.compressed
                     for a in layout.interfaces.values()}
        self.proc: subprocess.Popen[bytes] | None = None
        self.runs = 0
        self.log_lines: list[str] = []
        self.states: dict[str, str] = {}
        self.crashed = False
        #: stopped or crashed by the scenario (the process may still be exiting)
        self.ending = False
        self.monitor: subprocess.Popen[bytes] | None = None

    # -- keepalived

    def start(self) -> None:
        self._reap()
        if self.crashed:
            self._reboot()
        self.runs += 1
        self.ending = False
        self.cluster.forget(self.name)
        tag = f"{self.name}-{self.runs}"
        argv = ["ip", "netns", "exec", self.ns, "keepalived", "-n", "-l", "-D", "-G",
                "-f", str(self.conf), "-p", str(self.dir / f"{tag}.pid"),
                "-r", str(self.dir / f"{tag}-vrrp.pid"),
                "-c", str(self.dir / f"{tag}-checkers.pid")]
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True,
                                cwd=self.dir)
        self.proc = proc
        threading.Thread(target=self._read_log, args=(proc,), daemon=True).start()

    def _read_log(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        causes: dict[str, str] = {}
        for raw in proc.stdout:
            now = self.cluster.now()
            line = LOG_PREFIX_RE.sub("", raw.decode("utf-8", "replace").rstrip("\n"))
            self.log_lines.append(f"{now:8.3f} {line}")
            m = TRANSITION_RE.search(line)
            if m:
                inst, state = m.group("inst"), m.group("state").upper()
                cause = m.group("why") or causes.get(inst, "")
                self.cluster.transition(now, self.name, inst, state, cause)
                continue
            m = SCRIPT_FAILED_RE.search(line)
            if m:
                for inst in self.weightless.get(m.group("script"), []):
                    self.cluster.silent_fault(now, self.name, inst,
                                              f"script {m.group('script')} failed")
            m = CAUSE_RE.search(line)
            if m:
                causes[m.group("inst")] = m.group("text")

    def running(self) -> bool:
        """keepalived runs and was not stopped or killed (a stopped one may still be
        shutting down: it counts as gone, as in the simulator)."""
        return self.proc is not None and self.proc.poll() is None and not self.ending

    def signal(self, sig: int) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, sig)

    def crash(self) -> None:
        """SIGKILL keepalived and its children (the group we created), drop its VIPs."""
        self.ending = True
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.crashed = True
        self._flush_vips()

    def _reboot(self) -> None:
        """What a rebooted machine has lost: the addresses keepalived had added (links
        keep the state the scenario gave them, as in the simulator)."""
        self._flush_vips()
        self.crashed = False

    def _flush_vips(self) -> None:
        out = sh("ip", "-n", self.ns, "-o", "addr", "show", check=False)
        for line in out.splitlines():
            m = re.match(r"\d+:\s+(\S+)\s+inet6?\s+(\S+)", line)
            if not m or m.group(1) == "lo":
                continue
            ip = ipaddress.ip_interface(m.group(2)).ip
            if ip.compressed in self.base or ip.is_link_local:
                continue
            sh("ip", "-n", self.ns, "addr", "del", m.group(2), "dev", m.group(1).split("@")[0],
               check=False)

    def _reap(self, timeout: float = EXIT_TIMEOUT) -> None:
        """Wait for the previous keepalived to exit; kill its group if it overruns."""
        if self.proc is None:
            return
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(5)

    def finish(self) -> None:
        """SIGTERM, bounded wait, then SIGKILL of the group (end of the scenario)."""
        if self.proc is None:
            return
        self.signal(signal.SIGTERM)
        self._reap()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    # -- addresses

    def watch_addresses(self) -> None:
        """``ip -o monitor address`` in the namespace, read by a thread; ready when a canary
        address on ``lo`` has been seen (so no change after this returns is missed)."""
        popen = subprocess.Popen(["ip", "-n", self.ns, "-o", "monitor", "address"],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, start_new_session=True)
        self.monitor = popen
        seen = threading.Event()
        threading.Thread(target=self._read_monitor, args=(popen, seen), daemon=True).start()
        canary = "127.255.255.254/32"

        def probe() -> bool:
            sh("ip", "-n", self.ns, "addr", "add", canary, "dev", "lo", check=False)
            sh("ip", "-n", self.ns, "addr", "del", canary, "dev", "lo", check=False)
            return seen.wait(0.3)

        wait_for(f"the address monitor of {self.name}", probe, 10)

    def _read_monitor(self, popen: subprocess.Popen[bytes], seen: threading.Event) -> None:
        assert popen.stdout is not None
        for raw in popen.stdout:
            now = self.cluster.now()
            m = ADDRESS_RE.match(raw.decode("utf-8", "replace"))
            if not m:
                continue
            if m.group("dev") == "lo":
                seen.set()
                continue
            ip = ipaddress.ip_address(m.group("addr"))
            if ip.compressed in self.base or ip.is_link_local:
                continue
            self.cluster.address(now, self.name, ip.compressed, not m.group("deleted"))


class RealCluster:
    """Real keepalived nodes for ``nodes`` (name -> config); see the module docstring.

    Use as a context manager; :meth:`run` plays one scenario (once per cluster).
    """

    def __init__(self, nodes: Mapping[str, Path], workdir: Path,
                 addresses: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self.workdir = Path(workdir)
        self.layouts = node_layout(nodes, addresses)
        self.lab: Lab | None = None
        self.nodes: dict[str, _Node] = {}
        self.t0 = time.monotonic()
        self._lock = threading.Lock()
        self.transitions: list[Transition] = []
        self.changes: list[AddressChange] = []
        self.bridges: dict[str, str] = {}
        self.side_bridges: set[str] = set()
        #: steps that could not be played as written (the simulator warns alike)
        self.warnings: list[str] = []

    # -- set-up

    def __enter__(self) -> RealCluster:
        self.lab = Lab(self.workdir)
        try:
            self._build(self.lab)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _build(self, lab: Lab) -> None:
        """A bridge per interface name (br0 is the lab's), a namespace per node with a
        veth per interface on its bridge, the node's address, and its address monitor."""
        for k, ifname in enumerate(self.interfaces):
            bridge = "br0" if k == 0 else f"br{k}"
            if k:
                lab.ns_sh(lab.switch, "ip", "link", "add", bridge, "type", "bridge",
                          "mcast_snooping", "0")
                lab.ns_sh(lab.switch, "ip", "link", "set", bridge, "up")
            self.bridges[ifname] = bridge
        for n, lay in enumerate(self.layouts):
            ns = f"kasp{n}{lab.tag}"
            sh("ip", "netns", "add", ns)
            lab.nodes[lay.name] = ns
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            for ifname, addr in lay.interfaces.items():
                port = self.port(n, ifname)
                sh("ip", "-n", lab.switch, "link", "add", port, "type", "veth",
                   "peer", "name", ifname, "netns", ns)
                sh("ip", "-n", lab.switch, "link", "set", port, "master",
                   self.bridges[ifname], "up")
                # No DAD: IPv6 link-local and VIPs usable at once (VRRPv3 over IPv6).
                sh("ip", "netns", "exec", ns, "sysctl", "-qw",
                   f"net.ipv6.conf.{ifname}.accept_dad=0")
                sh("ip", "-n", ns, "addr", "add", addr, "dev", ifname)
                sh("ip", "-n", ns, "link", "set", ifname, "up")
            node = _Node(self, lay, ns)
            self.nodes[lay.name] = node
            node.watch_addresses()

    @property
    def interfaces(self) -> list[str]:
        """Every interface name, in order of first use (every node has all of them)."""
        return list(dict.fromkeys(i for lay in self.layouts for i in lay.interfaces))

    def port(self, n: int, ifname: str) -> str:
        """The switch-side name of node number ``n``'s ``ifname``."""
        return f"p{n}i{self.interfaces.index(ifname)}"

    def close(self) -> None:
        for node in self.nodes.values():
            with contextlib.suppress(Exception):
                node.finish()
            monitor = node.monitor
            if monitor is not None:
                with contextlib.suppress(ProcessLookupError):
                    monitor.kill()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    monitor.wait(5)
        if self.lab is not None:
            self.lab.close()

    # -- recording (called from reader threads)

    def now(self) -> float:
        return time.monotonic() - self.t0

    def transition(self, now: float, node: str, instance: str, state: str,
                   cause: str) -> None:
        with self._lock:
            states = self.nodes[node].states
            if states.get(instance) == state:
                return
            self.transitions.append(Transition(now, node, instance,
                                               states.get(instance, "INIT"), state, cause))
            states[instance] = state

    def silent_fault(self, now: float, node: str, instance: str, cause: str) -> None:
        """An instance still in INIT whose weightless script failed is in FAULT, though
        keepalived logs no line for it (see the module docstring)."""
        with self._lock:
            if instance in self.nodes[node].states:
                return
        self.transition(now, node, instance, "FAULT", f"{cause} (keepalived logs no line)")

    def forget(self, node: str) -> None:
        """A new keepalived process begins from INIT whatever the previous one reached."""
        with self._lock:
            self.nodes[node].states.clear()

    def address(self, now: float, node: str, addr: str, added: bool) -> None:
        with self._lock:
            self.changes.append(AddressChange(now, node, addr, added))

    # -- playing a scenario

    def run(self, steps: Sequence[StepLike], duration: float,
            vip_addresses: Iterable[str] = ()) -> RealRun:
        """Play ``steps`` at their times, record until ``duration``, then stop every
        keepalived; returns what was recorded. A node whose first step is not ``start``
        starts at 0 (the simulator's rule)."""
        first: dict[str, str] = {}
        for step in sorted(steps, key=lambda s: s.time):
            first.setdefault(step.node, step.action)
        plan: list[StepLike] = [Step(0.0, n, "start") for n in self.nodes
                                if first.get(n) != "start"]
        plan += sorted(steps, key=lambda s: s.time)
        plan.sort(key=lambda s: s.time)
        self.t0 = time.monotonic()
        for step in plan:
            delay = step.time - self.now()
            if delay > 0:
                time.sleep(delay)
            self.play(step)
        rest = duration - self.now()
        if rest > 0:
            time.sleep(rest)
        with self._lock:
            transitions = [t for t in self.transitions if t.time <= duration]
            changes = [c for c in self.changes if c.time <= duration]
        for node in self.nodes.values():
            node.finish()
        return RealRun(duration, list(self.nodes), list(steps), transitions, changes,
                       set(vip_addresses) | {c.addr for c in changes},
                       {n: "\n".join(node.log_lines) for n, node in self.nodes.items()},
                       list(self.warnings))

    def play(self, step: StepLike) -> None:
        action, args = step.action, list(step.args)
        if action in ("partition", "heal"):
            self._partition(args if action == "partition" else [])
            return
        node = self.nodes[step.node]
        if action == "start":
            if node.running():
                self.warnings.append(f"{step.time:g} {node.name} start: already running")
                return
            node.start()
        elif action in ("stop", "crash") and not node.running():
            self.warnings.append(f"{step.time:g} {node.name} {action}: not running")
        elif action == "stop":
            node.ending = True
            node.signal(signal.SIGTERM)
        elif action == "crash":
            node.crash()
        elif action == "link" and len(args) == 2:
            sh("ip", "-n", node.ns, "link", "set", args[1], args[0])
        elif action == "script" and len(args) == 2:
            flag = node.dir / f"{args[0]}.fail"
            if args[1] == "fail":
                flag.write_text("")
            else:
                flag.unlink(missing_ok=True)
        elif action == "track" and len(args) == 4 and args[0] == "file":
            (node.dir / args[1]).write_text(f"{args[3]}\n")
        else:
            raise ValueError(f"cannot play {action} {' '.join(args)} on real keepalived")

    def _partition(self, sides: Sequence[str]) -> None:
        """``partition A,B C``: A and B on one side, C on another, the nodes not named on
        a third; each side gets a bridge of its own per interface (ports move bridges,
        links stay up). No sides (``heal``): every port back on the LAN's bridge."""
        assert self.lab is not None
        side = {name: k for k, part in enumerate(sides, start=1)
                for name in part.split(",") if name}
        for n, lay in enumerate(self.layouts):
            for ifname in lay.interfaces:
                bridge = self.bridges[ifname]
                k = side.get(lay.name, 0)
                if k:
                    bridge = f"{bridge}s{k}"
                    if bridge not in self.side_bridges:
                        self.lab.ns_sh(self.lab.switch, "ip", "link", "add", bridge, "type",
                                       "bridge", "mcast_snooping", "0")
                        self.lab.ns_sh(self.lab.switch, "ip", "link", "set", bridge, "up")
                        self.side_bridges.add(bridge)
                self.lab.ns_sh(self.lab.switch, "ip", "link", "set", self.port(n, ifname),
                               "master", bridge)
