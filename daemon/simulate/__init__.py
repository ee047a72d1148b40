"""``kaconf simulate``: what a cluster of keepalived nodes does, from their configs alone.

The daemon's own state machines (:mod:`kaconfd.vrrp.fsm`, :mod:`kaconfd.vrrp.sync`,
driven through :mod:`kaconfd.vrrp.core` as the daemon drives them) run on a virtual
clock, fed by each node's configuration as ``kaconf run`` would resolve it; see
:mod:`.engine`. Public API::

    from kaconfd.simulate import simulate, load_scenario, parse_event, Scenario
    result = simulate({"A": Path("a.conf"), "B": Path("b.conf")},
                      Scenario(events=(parse_event("5 A stop"),)))
    result.to_json()

The names are imported on first use, so that ``kaconf --help`` (which imports the
command's module, :mod:`.cli`) does not load the resolver and the daemon's core.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .api import load_nodes, simulate, simulate_configs
    from .engine import Simulator, settle_time
    from .nodes import ConfigError, NodeConfig, load_node, node_config
    from .result import Anomaly, HolderInterval, PriorityChange, SimResult, Transition
    from .scenario import Event, Scenario, ScenarioError, load_scenario, parse_event
    from .whatif import WhatIfReport, what_if

_WHERE = {
    "load_nodes": "api", "simulate": "api", "simulate_configs": "api",
    "Simulator": "engine", "settle_time": "engine",
    "ConfigError": "nodes", "NodeConfig": "nodes", "load_node": "nodes",
    "node_config": "nodes",
    "Anomaly": "result", "HolderInterval": "result", "PriorityChange": "result",
    "SimResult": "result", "Transition": "result",
    "Event": "scenario", "Scenario": "scenario", "ScenarioError": "scenario",
    "load_scenario": "scenario", "parse_event": "scenario",
    "WhatIfReport": "whatif", "what_if": "whatif",
}
__all__ = [
    "Anomaly", "ConfigError", "Event", "HolderInterval", "NodeConfig", "PriorityChange",
    "Scenario", "ScenarioError", "SimResult", "Simulator", "Transition", "WhatIfReport",
    "load_node", "load_nodes", "load_scenario", "node_config", "parse_event", "settle_time",
    "simulate", "simulate_configs", "what_if",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
