"""The proof of ``kaconf simulate``: every scenario of tests/fixtures/simulate run twice,
on real keepalived nodes (:mod:`tests.support.cluster`) and in the simulator, and compared
(:mod:`tests.support.simcompare`).

Shared by tests/netns/test_simulate_vs_keepalived.py (which asserts) and
tools/simulate_proof.py (which writes the figures into docs/simulate.md).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.support.cluster import RealCluster
from tests.support.paths import FIXTURES
from tests.support.simcompare import Comparison, Key, compare

if TYPE_CHECKING:
    from kaconfd.simulate.scenario import Scenario

#: One folder per scenario: NODE.conf files and scenario.yaml.
SCENARIOS = FIXTURES / "simulate"

#: Differences within the tolerance that still have a known cause (shown in the doc).
NOTES: dict[str, str] = {}

#: How long parallel runs wait for each other's set-up (seconds).
SETUP_TIMEOUT = 60.0
#: Seconds between the starts of parallel runs.
STAGGER = 0.3

#: Scenarios where the simulator is known to disagree with keepalived, and why (each is
#: a bug to fix; the test expects the disagreement, so fixing it makes the test say so).
#: scenarios where the simulator is known to differ from keepalived (none now: the
#: start-up delay and a master's priority change were fixed in the daemon's state machine)
KNOWN_GAPS: dict[str, str] = {}


@dataclass(frozen=True)
class ScenarioDir:
    """A proof scenario: a folder with ``scenario.yaml`` (the simulator's scenario file:
    ``duration``, ``events``, optionally ``nodes``) and one config per node (the node is
    the file's stem) unless the scenario names its nodes' files."""

    path: Path

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def scenario_file(self) -> Path:
        return self.path / "scenario.yaml"

    def nodes(self) -> dict[str, Path]:
        """The scenario's ``nodes`` (name -> file, e.g. the seed's own examples/), else
        every ``NAME.conf`` of the folder."""
        named = self.read().nodes
        if named:
            return dict(named)
        return {p.stem: p for p in sorted(self.path.glob("*.conf"))}

    def read(self) -> Scenario:
        """The scenario as the simulator reads it (one reader of scenario files)."""
        from kaconfd.simulate.scenario import load_scenario

        return load_scenario(self.scenario_file)


def scenario_dirs(root: Path) -> list[ScenarioDir]:
    return [ScenarioDir(p.parent) for p in sorted(root.glob("*/scenario.yaml"))]


def scenarios() -> list[ScenarioDir]:
    return scenario_dirs(SCENARIOS)


def advert_intervals(nodes: Mapping[str, Path]) -> dict[Key, float]:
    """(node, instance) -> advert interval in seconds, as the resolver completes it."""
    import kaconf
    from kaconf.effective.host import Host, Interface

    out: dict[Key, float] = {}
    for node, conf in nodes.items():
        host = Host.static(hostname=node, interfaces=[
            Interface(f"eth{k}", ipv4=f"10.1.{10 + k}.1", index=k + 2) for k in range(4)])
        vrrp = kaconf.resolve(kaconf.load(str(conf)), host).vrrp
        for inst in vrrp.instances if vrrp is not None else []:
            out[(node, inst.name)] = inst.adver_int / 1_000_000
    return out


def simulate(sd: ScenarioDir) -> dict[str, Any]:
    """The simulator's JSON for the scenario (same configs, same events)."""
    from kaconfd.simulate import simulate as run_simulation

    result = run_simulation(sd.nodes(), sd.read())
    data: dict[str, Any] = json.loads(result.to_json())
    return data


def run_real(sd: ScenarioDir, workdir: Path, ready: Callable[[], object] | None = None
             ) -> tuple[dict[str, Any], dict[str, str]]:
    """The measured JSON and each node's keepalived log (stamped lines). ``ready`` is
    called between building the namespaces and playing the scenario (parallel runs wait
    there for each other, so no run is timed while others are busy setting up)."""
    scenario = sd.read()
    if scenario.duration is None:
        raise ValueError(f"{sd.scenario_file}: a proof scenario needs a duration")
    with RealCluster(sd.nodes(), workdir, scenario.addresses) as cluster:
        if ready is not None:
            ready()
        run = cluster.run(scenario.events, scenario.duration)
    return run.to_dict(), run.logs


@dataclass
class Proof:
    """One scenario's outcome."""

    name: str
    real: dict[str, Any]
    sim: dict[str, Any] | None
    logs: dict[str, str] = field(default_factory=dict)
    comparison: Comparison | None = None
    error: str = ""
    #: 2 when the first measurement disagreed and this is the second (see prove_all)
    attempts: int = 1

    def report(self) -> str:
        """Everything needed to judge a disagreement: problems, both timelines, logs."""
        lines = [f"scenario {self.name}" + (" (measured twice)" if self.attempts > 1 else "")
                 + ":"]
        if self.error:
            lines.append(f"  simulator failed: {self.error}")
        if self.comparison is not None:
            lines += [f"  {p}" for p in self.comparison.problems]
        for label, result in (("keepalived", self.real), ("simulated", self.sim)):
            if result is not None:
                lines.append(f"  {label}:")
                lines += [f"    {line}" for line in timeline(result)]
        for node, log in self.logs.items():
            lines.append(f"  ----- keepalived log of {node}\n{log}")
        return "\n".join(lines)


def timeline(result: Mapping[str, Any]) -> list[str]:
    """A result as text: one line per transition, then each VIP's holders."""
    out = [f"{t['time']:8.3f} {t['node']}/{t['instance']} {t['from']}->{t['to']}"
           f" ({t['cause']})" for t in result["transitions"]]
    for vip, intervals in result["vips"].items():
        out.append(f"VIP {vip}: " + ", ".join(
            f"{iv['start']:.3f} {'+'.join(iv['holders']) or '-'}" for iv in intervals))
    return out


def prove(sd: ScenarioDir, workdir: Path, ready: Callable[[], object] | None = None
          ) -> Proof:
    real, logs = run_real(sd, workdir, ready)
    try:
        sim = simulate(sd)
    except Exception as exc:  # a simulator crash is a finding, reported with the timeline
        return Proof(sd.name, real, None, logs, error=f"{type(exc).__name__}: {exc}")
    return Proof(sd.name, real, sim, logs, compare(real, sim, advert_intervals(sd.nodes())))


def _prove_together(todo: Sequence[ScenarioDir], workdir: Path) -> list[Proof]:
    """``todo`` in parallel: each has its own namespaces and names; they are all built
    first, then played, each :data:`STAGGER` s after the previous one."""
    barrier = threading.Barrier(len(todo))

    def one(index: int, sd: ScenarioDir) -> Proof:
        def ready() -> None:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(SETUP_TIMEOUT)
            # Staggered: a few dozen keepalived processes launched in the same instant
            # on a small machine start up to ~0.1 s late, which shifts whole timelines.
            time.sleep(index * STAGGER)

        try:
            return prove(sd, workdir / sd.name, ready)
        except BaseException:
            barrier.abort()  # a run that failed to set up must not hold the others
            raise

    with ThreadPoolExecutor(max(1, len(todo))) as pool:
        futures = [pool.submit(one, i, sd) for i, sd in enumerate(todo)]
        return [f.result() for f in futures]


def _disagrees(proof: Proof) -> bool:
    return proof.comparison is not None and not proof.comparison.ok \
        and proof.name not in KNOWN_GAPS


def prove_all(workdir: Path, names: Sequence[str] = ()) -> list[Proof]:
    """Every scenario (or those named), in parallel (:func:`_prove_together`).

    A scenario that disagrees is measured once more (on its own, so on a quieter
    machine) and the second measurement is kept, with ``attempts`` 2: a real run on a
    busy machine can start a node 0.1 s late, a fair share of the 0.15 s allowed with
    advert_int 0.1. A simulator error is never a measurement problem and is not re-run.
    """
    todo = [sd for sd in scenarios() if not names or sd.name in names]
    proofs = {p.name: p for p in _prove_together(todo, workdir)}
    again = [sd for sd in todo if _disagrees(proofs[sd.name])]
    if again:
        for proof in _prove_together(again, workdir / "again"):
            proof.attempts = 2
            proofs[proof.name] = proof
    return [proofs[sd.name] for sd in todo]
