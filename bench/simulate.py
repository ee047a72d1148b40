"""Simulation bench: how long ``kaconf simulate`` takes on the issue's two workloads.

Targets (issue 15, item 7):

* a what-if run of the seed pair (``kaconf simulate --what-if examples/serverA.conf
  examples/serverB.conf``, the whole command in a fresh process: start-up, reading and
  resolving both files, every question, the table) in under 1 s;
* a 10-node cluster, 50 instances each (VRIDs 1..50 on eth0, priorities rotated so
  that every node is master of 5 instances), through 10 simulated minutes with crashes,
  restarts, link flaps and a partition, in under 10 s (in process: reading and
  resolving the 10 files, then the run).

No root, no keepalived: the simulator is pure. The generated configs go to
``bench/out/simulate/`` (git-ignored).

    python bench/simulate.py              # prints the figures, writes docs/performance.md
    python bench/simulate.py --no-write

The figures go to ``docs/performance.md`` between ``<!-- simulate:begin -->`` and
``<!-- simulate:end -->``. Exit status: 0 targets met, 1 a target missed.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out" / "simulate"
DOC = REPO / "docs" / "performance.md"
BEGIN, END = "<!-- simulate:begin -->", "<!-- simulate:end -->"

NODES = 10
INSTANCES = 50
DURATION = 600.0
WHAT_IF_TARGET = 1.0
CLUSTER_TARGET = 10.0


def node_config(index: int) -> str:
    """Node ``index`` of the bench cluster: 50 instances, master of 5 of them."""
    out = [f"global_defs {{\n    router_id node{index}\n}}\n"]
    for i in range(INSTANCES):
        rank = (i - index * (INSTANCES // NODES)) % INSTANCES
        prio = 250 - (rank // (INSTANCES // NODES)) * 20 - index
        out.append(
            f"vrrp_instance VI_{i + 1} {{\n    state BACKUP\n    interface eth0\n"
            f"    virtual_router_id {i + 1}\n    priority {max(1, prio)}\n    advert_int 1\n"
            f"    virtual_ipaddress {{\n        10.{i // 250}.{i % 250}.1/24\n    }}\n}}\n")
    return "".join(out)


def events() -> list[str]:
    """Crashes, restarts, link flaps and a partition spread over the ten minutes."""
    ev: list[str] = []
    for n in range(NODES):
        t = 30 + n * 50
        ev += [f"{t} node{n} crash", f"{t + 20} node{n} start",
               f"{t + 35} node{n} link down eth0", f"{t + 40} node{n} link up eth0"]
    ev += ["300 * partition node0,node1,node2", "330 * heal"]
    return ev


def bench_what_if(runs: int) -> float:
    """Median wall time of the whole what-if command in a fresh interpreter."""
    cmd = [sys.executable, "-c", "import sys; from kaconf.cli import main; "
           "sys.exit(main(sys.argv[1:]))", "simulate", "--what-if",
           str(REPO / "examples" / "serverA.conf"), str(REPO / "examples" / "serverB.conf")]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_cluster(runs: int) -> tuple[float, float, int, int]:
    """Median seconds (load + run, run alone), transitions and adverts of the big run."""
    sys.path.insert(0, str(REPO))
    from kaconfd.simulate import Scenario, load_nodes, parse_event
    from kaconfd.simulate.engine import Simulator

    OUT.mkdir(parents=True, exist_ok=True)
    paths = {}
    for n in range(NODES):
        p = OUT / f"node{n}.conf"
        p.write_text(node_config(n))
        paths[f"node{n}"] = p
    scenario = Scenario(events=tuple(parse_event(e) for e in events()), duration=DURATION)
    totals, runs_only = [], []
    transitions = queued = 0
    for _ in range(runs):
        start = time.perf_counter()
        configs = load_nodes(paths)
        loaded = time.perf_counter()
        sim = Simulator(configs, scenario)
        result = sim.run()
        end = time.perf_counter()
        totals.append(end - start)
        runs_only.append(end - loaded)
        transitions, queued = len(result.transitions), sim.seq
    return statistics.median(totals), statistics.median(runs_only), transitions, queued


def section(what_if: float, total: float, run: float, transitions: int, queued: int) -> str:
    ok1 = "met" if what_if < WHAT_IF_TARGET else "MISSED"
    ok2 = "met" if total < CLUSTER_TARGET else "MISSED"
    return "\n".join([
        BEGIN,
        "## kaconf simulate (bench/simulate.py)",
        "",
        f"Measured on {platform.machine()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs (medians).",
        "",
        "| workload | time | target | |",
        "|---|---|---|---|",
        f"| `kaconf simulate --what-if` seed pair (whole command) | {what_if:.3f} s "
        f"| < {WHAT_IF_TARGET:g} s | {ok1} |",
        f"| {NODES} nodes x {INSTANCES} instances, {DURATION / 60:g} simulated minutes "
        f"(load + run) | {total:.2f} s | < {CLUSTER_TARGET:g} s | {ok2} |",
        f"| the same, run only ({transitions} transitions, {queued} queued events) "
        f"| {run:.2f} s | | |",
        END,
    ])


def write_doc(text: str, doc: Path = DOC) -> None:
    old = doc.read_text() if doc.exists() else ""
    if BEGIN in old and END in old:
        head, rest = old.split(BEGIN, 1)
        new = head + text + rest.split(END, 1)[1]
    else:
        new = old.rstrip("\n") + "\n\n" + text + "\n"
    doc.write_text(new)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-write", action="store_true", help="do not update docs/performance.md")
    args = ap.parse_args(argv)
    what_if = bench_what_if(args.runs)
    total, run, transitions, queued = bench_cluster(args.runs)
    text = section(what_if, total, run, transitions, queued)
    print(text)
    if not args.no_write:
        write_doc(text)
    return 0 if what_if < WHAT_IF_TARGET and total < CLUSTER_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
