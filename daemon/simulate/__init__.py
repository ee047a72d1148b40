"""``kaconf simulate``: what a cluster of keepalived nodes does, from their configs alone.

The daemon's own state machines (:mod:`kaconfd.vrrp.fsm`, :mod:`kaconfd.vrrp.sync`,
driven through :mod:`kaconfd.vrrp.core` as the daemon drives them) run on a virtual
clock, fed by each node's configuration as ``kaconf run`` would resolve it; see
:mod:`.engine`. Public API::

    from kaconfd.simulate import simulate, load_scenario, parse_event, Scenario
    result = simulate({"A": Path("a.conf"), "B": Path("b.conf")},
                      Scenario(events=(parse_event("5 A stop"),)))
    result.to_json()
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from .engine import Simulator, settle_time
from .nodes import ConfigError, NodeConfig, load_node, node_config
from .result import Anomaly, HolderInterval, PriorityChange, SimResult, Transition
from .scenario import Event, Scenario, ScenarioError, load_scenario, parse_event

__all__ = [
    "Anomaly", "ConfigError", "Event", "HolderInterval", "NodeConfig", "PriorityChange",
    "Scenario", "ScenarioError", "SimResult", "Transition", "load_nodes", "load_scenario",
    "node_config", "parse_event", "settle_time", "simulate", "simulate_configs",
]


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
