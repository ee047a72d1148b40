"""The simulation's entry points: load the nodes, run a scenario (see the package)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from .engine import Simulator
from .nodes import NodeConfig, load_node
from .result import SimResult
from .scenario import Scenario

__all__ = ["load_nodes", "simulate", "simulate_configs"]


def load_nodes(nodes: Mapping[str, Path | str],
               config_ids: Mapping[str, str | None] | None = None) -> list[NodeConfig]:
    """Read and resolve every node's file (ConfigError for the first that cannot run)."""
    ids = config_ids or {}
    return [load_node(name, Path(path), index, ids.get(name))
            for index, (name, path) in enumerate(nodes.items())]


def simulate_configs(configs: Sequence[NodeConfig], scenario: Scenario) -> SimResult:
    """Run ``scenario`` over already loaded nodes (what-if runs reuse them)."""
    return Simulator(configs, scenario).run()


def simulate(nodes: Mapping[str, Path | str], scenario: Scenario,
             config_ids: Mapping[str, str | None] | None = None) -> SimResult:
    """Simulate the cluster of ``nodes`` (name -> configuration file) through ``scenario``.

    Raises ConfigError for a file that cannot be read or run, ScenarioError for an
    event that names an unknown node, script, file or instance.
    """
    return simulate_configs(load_nodes(nodes, config_ids), scenario)
