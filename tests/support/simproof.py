"""The proof of ``kaconf simulate``: every scenario of tests/fixtures/simulate run twice,
on real keepalived nodes (:mod:`tests.support.cluster`) and in the simulator, and compared
(:mod:`tests.support.simcompare`).

Shared by tests/netns/test_simulate_vs_keepalived.py (which asserts) and
tools/simulate_proof.py (which writes the figures into docs/simulate.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.cluster import RealCluster, ScenarioDir, scenario_dirs
from tests.support.paths import FIXTURES
from tests.support.simcompare import Comparison, Key, compare

#: One folder per scenario: NODE.conf files and scenario.yaml.
SCENARIOS = FIXTURES / "simulate"


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


def run_real(sd: ScenarioDir, workdir: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """The measured JSON and each node's keepalived log (stamped lines)."""
    scenario = sd.read()
    if scenario.duration is None:
        raise ValueError(f"{sd.scenario_file}: a proof scenario needs a duration")
    with RealCluster(sd.nodes(), workdir, scenario.addresses) as cluster:
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

    def report(self) -> str:
        """Everything needed to judge a disagreement: problems, both timelines, logs."""
        lines = [f"scenario {self.name}:"]
        if self.error:
            lines.append(f"  simulator failed: {self.error}")
        if self.comparison is not None:
            lines += [f"  {p}" for p in self.comparison.problems]
        lines.append("  keepalived: " + json.dumps(_timeline(self.real)))
        if self.sim is not None:
            lines.append("  simulated:  " + json.dumps(_timeline(self.sim)))
        for node, log in self.logs.items():
            lines.append(f"  ----- {node}\n{log}")
        return "\n".join(lines)


def _timeline(result: Mapping[str, Any]) -> dict[str, Any]:
    return {"transitions": [f"{t['time']:.3f} {t['node']}/{t['instance']} "
                            f"{t['from']}->{t['to']}" for t in result["transitions"]],
            "vips": result["vips"]}


def prove(sd: ScenarioDir, workdir: Path) -> Proof:
    real, logs = run_real(sd, workdir)
    try:
        sim = simulate(sd)
    except Exception as exc:  # a simulator crash is a finding, reported with the timeline
        return Proof(sd.name, real, None, logs, error=f"{type(exc).__name__}: {exc}")
    return Proof(sd.name, real, sim, logs, compare(real, sim, advert_intervals(sd.nodes())))


def prove_all(workdir: Path, parallel: int = 8) -> list[Proof]:
    """Every scenario, ``parallel`` at a time (each has its own namespaces and names)."""
    todo = scenarios()
    with ThreadPoolExecutor(max(1, parallel)) as pool:
        futures = [pool.submit(prove, sd, workdir / sd.name) for sd in todo]
        return [f.result() for f in futures]
