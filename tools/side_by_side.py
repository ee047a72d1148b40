"""Run keepalived and ``kaconf run`` side by side on many configs and compare where they end.

``kaconf run`` is meant to end in the state keepalived 2.2.7 ends in for the same file:
the same instance states (MASTER/BACKUP/FAULT) and the same addresses added. This tool
measures that. For each config (tools/side_by_side_configs.py: the corpus's VRRP configs,
the seed pair, hand-written variants and a seeded set of generated "published-style"
files) it builds two identical network namespaces with the interfaces the config names
(veth pairs, up unless the case says down, addresses as the case says), starts
``keepalived -n -l -D -P`` in one and ``kaconf run -n -l -P`` in the other (private pid
files), waits until each has settled (3 x advert_int + 2 s after its first state line, at
most 8 s), records each instance's last ``(NAME) Entering X STATE`` line and the addresses
added or removed on every interface, and stops both (SIGTERM by pid, then SIGKILL of the
process group we created). Each node is alone in its namespace, so the outcome is
deterministic. A few two-node cases put the seed pair on one bridge, one node running
keepalived and the other kaconf, then swapped, and compare with two keepalived nodes.

``python3 tools/side_by_side.py`` runs the whole set and writes the counts and every
difference into docs/agreement.md between the ``side-by-side`` markers.
tests/integration/test_side_by_side.py runs a fixed subset.

Stdlib only; every wait is bounded; namespaces are deleted in ``finally`` blocks and every
process is killed by the pid we were handed (or the process group we created), never by name.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from side_by_side_configs import (  # noqa: E402
    EXAMPLES,
    ROOT,
    Case,
    corpus_cases,
    generated_cases,
    seed_cases,
    seed_variants,
)

DOC = ROOT / "docs" / "agreement.md"
BEGIN, END = "<!-- side-by-side:begin -->", "<!-- side-by-side:end -->"
CMD_TIMEOUT = 15.0
#: How long a daemon may take to print its first state line.
START_TIMEOUT = 8.0
STATE_RE = re.compile(r"\((\S+?)\):? entering (\w+) state", re.I)
_counter = itertools.count()


class SetupError(RuntimeError):
    """A namespace command failed."""


def sh(*argv: str, check: bool = True) -> str:
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=CMD_TIMEOUT)
    if check and proc.returncode != 0:
        raise SetupError(f"{' '.join(argv)}: {proc.stderr.strip()}")
    return proc.stdout


def keepalived_path() -> str | None:
    """keepalived's path, or None when it is not installed."""
    return shutil.which("keepalived") or next(
        (p for p in ("/usr/sbin/keepalived", "/sbin/keepalived") if os.path.exists(p)), None)


# --------------------------------------------------------------------------- namespaces


class Netns:
    """A namespace we created; :meth:`close` kills what runs in it and deletes it."""

    def __init__(self, label: str) -> None:
        self.name = f"kasbs{os.getpid()}x{next(_counter)}{label}"
        sh("ip", "netns", "add", self.name)
        try:
            self.ip("link", "set", "lo", "up")
        except BaseException:
            self.close()
            raise

    def ip(self, *argv: str) -> str:
        return sh("ip", "-n", self.name, *argv)

    def close(self) -> None:
        # Only processes inside the namespace we created: our daemons and their children.
        out = sh("ip", "netns", "pids", self.name, check=False)
        for pid in out.split():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pid), signal.SIGKILL)
        sh("ip", "netns", "del", self.name, check=False)


def build_node(case: Case, label: str) -> Netns:
    """A namespace with the case's interfaces as veth pairs (NAME / pNAME, both inside)."""
    ns = Netns(label)
    try:
        for i, ifname in enumerate(case.interfaces):
            peer = f"sbp{i}"
            ns.ip("link", "add", ifname, "type", "veth", "peer", "name", peer)
            ns.ip("link", "set", peer, "up")
            sh("ip", "netns", "exec", ns.name, "sysctl", "-qw",
               f"net.ipv6.conf.{ifname.replace('.', '/')}.accept_dad=0", check=False)
        for ifname, addr in case.addresses:
            if ifname in case.interfaces:
                ns.ip("addr", "add", addr, "dev", ifname)
        for ifname in case.interfaces:
            if ifname not in case.down:
                ns.ip("link", "set", ifname, "up")
    except BaseException:
        ns.close()
        raise
    return ns


def addresses(ns: str) -> set[str]:
    """``dev address/prefix`` of every address in the namespace but IPv6 link-local ones
    (the kernel makes those from random veth MACs) and the peers' (``sbp*``)."""
    out = sh("ip", "-n", ns, "-o", "addr", "show", check=False)
    found = set()
    for line in out.splitlines():
        m = re.match(r"\d+:\s+(\S+)\s+inet6?\s+(\S+)", line)
        if not m or m.group(2).startswith("fe80:") or m.group(1).startswith("sbp"):
            continue
        found.add(f"{m.group(1).split('@')[0]} {m.group(2)}")
    return found


# --------------------------------------------------------------------------- daemons


@dataclass
class Daemon:
    """A daemon started in a namespace, in its own session, output to a log file."""

    popen: subprocess.Popen[bytes]
    log_path: Path
    started: float = field(default_factory=time.monotonic)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self) -> None:
        """SIGTERM by pid, bounded wait, then SIGKILL of the process group we created."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.popen.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(8)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(5)


def argv_for(daemon: str, conf: Path, work: Path, tag: str) -> list[str]:
    """keepalived's or kaconf's command line, VRRP only, with private pid (and data) files."""
    pids = ["-p", str(work / f"{tag}.pid"), "-r", str(work / f"{tag}-vrrp.pid"),
            "-c", str(work / f"{tag}-checkers.pid")]
    if daemon == "keepalived":
        # keepalived 2.2.7 writes its SIGUSR1 data to /tmp/keepalived.data (no option moves
        # it): in a mount namespace of its own, ``work`` (which holds the config and the pid
        # files) is bind-mounted on /tmp, so the data file lands in ``work``.
        inside = [f"/tmp/{Path(a).name}" if a.startswith(str(work)) else a for a in pids]
        return ["unshare", "-m", "--propagation", "private", "sh", "-c",
                'mount --bind "$0" /tmp && exec "$@"', str(work),
                keepalived_path() or "keepalived", "-n", "-l", "-D", "-P",
                "-f", f"/tmp/{conf.name}", *inside]
    return [sys.executable, "-m", "kaconf.cli", "run", "-n", "-l", "-P", "-f", str(conf),
            *pids, "--data-file", str(work / f"{tag}.data"), "--control", str(work / f"{tag}.ctl")]


def start(ns: str, daemon: str, conf: Path, work: Path, tag: str) -> Daemon:
    if conf.parent != work:
        (work / conf.name).write_bytes(conf.read_bytes())
        conf = work / conf.name
    log_path = work / f"{tag}.log"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    with open(log_path, "wb") as out:
        popen = subprocess.Popen(["ip", "netns", "exec", ns, *argv_for(daemon, conf, work, tag)],
                                 stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                 start_new_session=True, cwd=conf.parent, env=env)
    return Daemon(popen, log_path)


def states(log: str) -> dict[str, str]:
    """Each instance's last ``(NAME) Entering X STATE``."""
    found: dict[str, str] = {}
    for m in STATE_RE.finditer(log):
        found[m.group(1)] = m.group(2).upper()
    return found


def data_file(daemon: str, proc: Daemon, work: Path, tag: str) -> Path:
    return work / ("keepalived.data" if daemon == "keepalived" else f"{tag}.data")


def data_states(path: Path, proc: Daemon) -> dict[str, str] | None:
    """SIGUSR1 to the parent, then each ``VRRP Instance = X``'s ``State = Y`` from the data
    file (bounded wait); None when no data file came. Authoritative where the log is
    silent (keepalived enters FAULT for a failed track script at start without a line)."""
    with contextlib.suppress(FileNotFoundError, PermissionError, OSError):
        path.unlink()
    if not proc.alive():
        return None
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.popen.pid, signal.SIGUSR1)
    deadline = time.monotonic() + 4
    text, previous = "", None
    while time.monotonic() < deadline:
        time.sleep(0.25)
        try:
            text = path.read_text(errors="replace")
        except OSError:
            continue
        if text and text == previous:  # written and no longer growing
            break
        previous = text
    if not text:
        return None
    found: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        m = re.match(r"\s*VRRP Instance = (\S+)", line)
        if m:
            current = m.group(1)
            continue
        m = re.match(r"\s*State = (\S+)$", line)
        if m and current is not None and current not in found:
            found[current] = m.group(1)
    return found


def wait_settled(daemon: Daemon, settle: float) -> None:
    """Until ``settle`` s after the first state line (bounded if none ever comes)."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and daemon.alive() and not STATE_RE.search(daemon.log()):
        time.sleep(0.1)
    end = time.monotonic() + settle
    while time.monotonic() < end and daemon.alive():
        time.sleep(0.1)


@dataclass(frozen=True)
class Outcome:
    """Where one daemon ended: instance states and addresses added/removed."""

    states: tuple[tuple[str, str], ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]
    ran: bool = True

    def describe(self) -> str:
        if not self.ran:
            return "did not run"
        st = ", ".join(f"{k}={v}" for k, v in self.states) or "no instance"
        adds = " ".join(self.added) or "-"
        text = f"{st}; added: {adds}"
        if self.removed:
            text += f"; removed: {' '.join(self.removed)}"
        return text


def run_single(case: Case, daemon: str, work: Path) -> tuple[Outcome, str]:
    """Run ``case`` under ``daemon`` alone in a fresh namespace; (outcome, log)."""
    conf_dir = work / daemon
    conf_dir.mkdir(parents=True, exist_ok=True)
    conf = conf_dir / case.filename
    conf.write_text(case.text)
    ns = build_node(case, daemon[:2])
    proc: Daemon | None = None
    try:
        before = addresses(ns.name)
        proc = start(ns.name, daemon, conf, conf_dir, "d")
        wait_settled(proc, case.settle)
        ran = proc.alive()
        after = addresses(ns.name)
        found = data_states(data_file(daemon, proc, conf_dir, "d"), proc)
        log = proc.log()
        logged = states(log)
        if found is None:
            found = logged
        outcome = Outcome(tuple(sorted(found.items())), tuple(sorted(after - before)),
                          tuple(sorted(before - after)), ran)
        return outcome, log
    finally:
        if proc is not None:
            proc.stop()
        ns.close()


@dataclass(frozen=True)
class Result:
    name: str
    keepalived: Outcome
    kaconf: Outcome
    #: the end of keepalived's log when it did not run the config (why it refused)
    keepalived_log: str = ""

    @property
    def same_states(self) -> bool:
        return self.keepalived.states == self.kaconf.states

    @property
    def same_addresses(self) -> bool:
        return (self.keepalived.added, self.keepalived.removed) == (
            self.kaconf.added, self.kaconf.removed)


def compare(case: Case, work: Path) -> tuple[Result, dict[str, str]]:
    """Both daemons on ``case``, each in its own namespace, at the same time."""
    with ThreadPoolExecutor(2) as pool:
        ka = pool.submit(run_single, case, "keepalived", work / "ka")
        kc = pool.submit(run_single, case, "kaconf", work / "kc")
        (ka_out, ka_log), (kc_out, kc_log) = ka.result(), kc.result()
    refusal = "" if ka_out.ran else ka_log[-3000:]
    return (Result(case.name, ka_out, kc_out, refusal),
            {"keepalived": ka_log, "kaconf": kc_log})


def first_fatal(log: str) -> str:
    """The line of keepalived's log that says why it stopped (the one before 'Stopped')."""
    lines = [re.sub(r"^\w{3} \w{3} [ 0-9]{2} [0-9:]{8} [0-9]{4}: ", "", line).strip()
             for line in log.splitlines()]
    for i, line in enumerate(lines):
        if line.startswith("Stopped"):
            return lines[i - 1] if i else line
    return "exited"


# --------------------------------------------------------------------------- two nodes

PAIR_ADDRESSES = {"A": "10.1.10.117/24", "B": "10.1.10.185/24"}


@contextlib.contextmanager
def bridge_pair() -> Iterator[dict[str, str]]:
    """Namespaces for nodes A and B whose eth0 are ports of one bridge; always deleted."""
    made: list[Netns] = []
    try:
        switch = Netns("sw")
        made.append(switch)
        switch.ip("link", "add", "br0", "type", "bridge", "mcast_snooping", "0")
        switch.ip("link", "set", "br0", "up")
        nodes: dict[str, str] = {}
        for node, addr in PAIR_ADDRESSES.items():
            ns = Netns(node)
            made.append(ns)
            switch.ip("link", "add", f"p{node}", "type", "veth", "peer", "name", "eth0",
                      "netns", ns.name)
            switch.ip("link", "set", f"p{node}", "master", "br0", "up")
            ns.ip("addr", "add", addr, "dev", "eth0")
            ns.ip("link", "set", "eth0", "up")
            nodes[node] = ns.name
        yield nodes
    finally:
        for ns in reversed(made):
            ns.close()


def run_pair(first: str, daemons: dict[str, str], work: Path) -> dict[str, Outcome]:
    """serverA on A and serverB on B: ``first`` starts alone and becomes MASTER, then the
    other joins; each node's outcome after the joiner settled."""
    work.mkdir(parents=True, exist_ok=True)
    second = "B" if first == "A" else "A"
    confs = {"A": EXAMPLES / "serverA.conf", "B": EXAMPLES / "serverB.conf"}
    procs: dict[str, Daemon] = {}
    with bridge_pair() as nodes:
        try:
            before = {n: addresses(ns) for n, ns in nodes.items()}
            procs[first] = start(nodes[first], daemons[first], confs[first], work, first)
            deadline = time.monotonic() + 10
            while (time.monotonic() < deadline and procs[first].alive()
                   and "MASTER" not in states(procs[first].log()).values()):
                time.sleep(0.1)
            procs[second] = start(nodes[second], daemons[second], confs[second], work, second)
            wait_settled(procs[second], 5.0)
            out = {}
            for n, ns in nodes.items():
                after = addresses(ns)
                out[n] = Outcome(tuple(sorted(states(procs[n].log()).items())),
                                 tuple(sorted(after - before[n])),
                                 tuple(sorted(before[n] - after)), procs[n].alive())
            return out
        finally:
            for proc in procs.values():
                proc.stop()


@dataclass(frozen=True)
class PairResult:
    name: str
    reference: dict[str, Outcome]
    mixed: dict[str, Outcome]

    @property
    def same(self) -> bool:
        return self.reference == self.mixed


def pair_results(work: Path, firsts: Sequence[str] = ("A", "B")) -> list[PairResult]:
    """For A-first and B-first: two keepalived nodes, then A keepalived/B kaconf, swapped."""
    results = []
    for first in firsts:
        ref = run_pair(first, {"A": "keepalived", "B": "keepalived"}, work / f"{first}-ref")
        for kaconf_node in ("B", "A"):
            daemons = {n: "kaconf" if n == kaconf_node else "keepalived" for n in "AB"}
            mixed = run_pair(first, daemons, work / f"{first}-kc{kaconf_node}")
            name = (f"seed pair, {first} first, {kaconf_node} runs kaconf "
                    f"({'A' if kaconf_node == 'B' else 'B'} keepalived)")
            results.append(PairResult(name, ref, mixed))
    return results


# --------------------------------------------------------------------------- report


def all_cases(seed: int, count: int) -> tuple[list[Case], list[tuple[str, str]]]:
    corpus, skipped = corpus_cases()
    return [*seed_cases(), *seed_variants(), *corpus, *generated_cases(seed, count)], skipped


def render(results: Sequence[Result], pairs: Sequence[PairResult],
           skipped: Sequence[tuple[str, str]], seed: int, count: int) -> str:
    ran = [r for r in results if r.keepalived.ran]
    refused = [r for r in results if not r.keepalived.ran]
    same_states = sum(r.same_states for r in ran)
    same_addrs = sum(r.same_addresses for r in ran)
    lines = [
        f"Single node (each daemon alone in its namespace): {len(ran)} configs run "
        f"(corpus VRRP configs, the seed pair and {len(seed_variants())} variants of it, "
        f"{count} generated with seed {seed}).",
        "",
        f"- same instance states: {same_states}/{len(ran)}",
        f"- same addresses added/removed: {same_addrs}/{len(ran)}",
        f"- two-node cases (seed pair on one bridge, one node kaconf): "
        f"{sum(p.same for p in pairs)}/{len(pairs)} same as two keepalived nodes",
        "",
    ]
    diffs = [r for r in ran if not (r.same_states and r.same_addresses)]
    lines.append(f"Differences ({len(diffs) + sum(not p.same for p in pairs)}):")
    lines.append("")
    for r in diffs:
        lines.append(f"- `{r.name}`: keepalived: {r.keepalived.describe()} / "
                     f"kaconf: {r.kaconf.describe()}")
    for p in pairs:
        if not p.same:
            ref = " ".join(f"{n}: {o.describe()}" for n, o in sorted(p.reference.items()))
            mix = " ".join(f"{n}: {o.describe()}" for n, o in sorted(p.mixed.items()))
            lines.append(f"- `{p.name}`: two keepalived: {ref} / mixed: {mix}")
    if not diffs and all(p.same for p in pairs):
        lines.append("- none")
    lines.append("")
    lines.append(f"keepalived refused to run ({len(refused)}; not counted; kaconf "
                 f"ran {sum(r.kaconf.ran for r in refused)} of them):")
    lines.append("")
    for r in refused:
        lines.append(f"- `{r.name}`: {first_fatal(r.keepalived_log)}; kaconf: "
                     f"{r.kaconf.describe()}")
    lines.append("")
    lines.append(f"Not run ({len(skipped)}): " + "; ".join(
        f"`{name}` ({why})" for name, why in skipped))
    return "\n".join(lines) + "\n"


def write_section(text: str, doc: Path = DOC) -> None:
    """Replace the side-by-side section of ``doc`` (appended with its markers if absent)."""
    old = doc.read_text() if doc.exists() else ""
    block = f"{BEGIN}\n\n{text}\n{END}"
    if BEGIN in old and END in old:
        head, rest = old.split(BEGIN, 1)
        new = head + block + rest.split(END, 1)[1]
    else:
        new = old.rstrip("\n") + "\n\n## keepalived and kaconf run side by side\n\n" \
            + "Written by `python3 tools/side_by_side.py` (root, keepalived 2.2.7).\n\n" \
            + block + "\n"
    doc.write_text(new)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--count", type=int, default=40, help="generated configs")
    parser.add_argument("--only", help="run only cases whose name contains this")
    parser.add_argument("--no-write", action="store_true", help="print, do not write the doc")
    parser.add_argument("--no-pairs", action="store_true", help="skip the two-node cases")
    parser.add_argument("--keep-logs", type=Path, help="copy each differing case's logs here")
    args = parser.parse_args(argv)
    if keepalived_path() is None or os.geteuid() != 0:
        print("needs root and keepalived", file=sys.stderr)
        return 2
    cases, skipped = all_cases(args.seed, args.count)
    if args.only:
        cases = [c for c in cases if args.only in c.name]
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="kaconf-sbs-") as tmp:
        for i, case in enumerate(cases):
            result, logs = compare(case, Path(tmp) / f"c{i}")
            results.append(result)
            ok = result.same_states and result.same_addresses
            verdict = "same" if ok else "DIFF" if result.keepalived.ran else "REFUSED"
            print(f"[{i + 1}/{len(cases)}] {verdict} {case.name}"
                  + ("" if ok else f"\n   keepalived: {result.keepalived.describe()}"
                     f"\n   kaconf:     {result.kaconf.describe()}"), flush=True)
            if not ok and args.keep_logs:
                dest = args.keep_logs / re.sub(r"[^\w.-]+", "_", case.name)
                dest.mkdir(parents=True, exist_ok=True)
                (dest / "keepalived.conf").write_text(case.text)
                for who, log in logs.items():
                    (dest / f"{who}.log").write_text(log)
        pairs = [] if args.no_pairs else pair_results(Path(tmp) / "pairs")
    for p in pairs:
        print(f"{'same' if p.same else 'DIFF'} {p.name}")
    text = render(results, pairs, skipped, args.seed, args.count)
    if args.no_write:
        print(text)
    else:
        write_section(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
