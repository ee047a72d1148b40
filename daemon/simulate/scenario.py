"""Scenarios: what happens to a cluster, and when (``--event`` lines and YAML files).

An event is ``TIME NODE ACTION ARGS...``: ``3 serverA stop``, ``10.5 serverB link down
eth0``, ``4 * partition serverA,serverB``. Times are seconds from the scenario's start
(``1.5``, ``1.5s`` or ``1500ms``). The actions and their arguments are checked here, so
a typo fails before anything runs; whether the node, instance, interface or script
exists is checked by the simulator, which knows the configurations.

A scenario file (YAML) holds the same events plus options::

    duration: 30        # seconds simulated (default: last event + settle time)
    delay: 0.0005       # advert delivery delay, seconds
    jitter: 0.0001      # +- uniform jitter on each delivery (seeded)
    seed: 1
    nodes: {serverA: serverA.conf, serverB: serverB.conf}   # relative to the file
    addresses: {serverA: {eth0: 10.0.0.1}}                  # primary addresses
    events:
      - "3 serverA stop"
      - {time: 8, node: serverA, action: start}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["ACTIONS", "DEFAULT_DELAY", "Event", "Scenario", "ScenarioError", "load_scenario",
           "parse_event", "parse_time"]

#: Advert delivery delay on the simulated LAN, seconds.
DEFAULT_DELAY = 0.0005


class ScenarioError(ValueError):
    """An event or scenario file that cannot be understood; the message says why."""


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happens: at ``time`` (s), to ``node`` (``*``: the network)."""

    time: float
    node: str
    action: str
    args: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"time": self.time, "node": self.node, "action": self.action,
                "args": list(self.args)}

    def __str__(self) -> str:
        return " ".join((f"{self.time:g}", self.node, self.action, *self.args))


def _check_start(args: Sequence[str]) -> None:
    if args:
        raise ScenarioError("takes no arguments")


def _check_link(args: Sequence[str]) -> None:
    if len(args) != 2 or args[0] not in ("down", "up"):
        raise ScenarioError("usage: link down|up IFACE")


def _check_script(args: Sequence[str]) -> None:
    if len(args) != 2 or args[1] not in ("fail", "ok"):
        raise ScenarioError("usage: script NAME fail|ok")


def _check_track(args: Sequence[str]) -> None:
    if len(args) != 4 or args[0] != "file" or args[2] != "value":
        raise ScenarioError("usage: track file NAME value N")
    _int(args[3])


def _check_partition(args: Sequence[str]) -> None:
    if not args or any(not part.strip(",") for part in args):
        raise ScenarioError("usage: partition NODE,NODE [NODE,...]")


def _check_priority(args: Sequence[str]) -> None:
    if len(args) != 2:
        raise ScenarioError("usage: priority INSTANCE N")
    if not 1 <= _int(args[1]) <= 255:
        raise ScenarioError("priority must be 1..255")


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ScenarioError(f"{text!r} is not an integer") from None


#: Action -> argument check; network actions take ``*`` as their node.
ACTIONS = {
    "start": _check_start, "stop": _check_start, "crash": _check_start,
    "link": _check_link, "script": _check_script, "track": _check_track,
    "partition": _check_partition, "heal": _check_start, "priority": _check_priority,
}
NETWORK_ACTIONS = ("partition", "heal")


def parse_time(text: str | float | int) -> float:
    """Seconds from ``3``, ``3.5``, ``3.5s`` or ``3500ms``."""
    if isinstance(text, int | float):
        value = float(text)
    else:
        t = text.strip()
        scale = 1.0
        if t.endswith("ms"):
            t, scale = t[:-2], 0.001
        elif t.endswith("s"):
            t = t[:-1]
        try:
            value = float(t) * scale
        except ValueError:
            raise ScenarioError(f"{text!r} is not a time (seconds, or 500ms)") from None
    if value < 0 or value != value or value == float("inf"):
        raise ScenarioError(f"{text!r}: a time must be a finite number >= 0")
    return value


def make_event(time: str | float, node: str, action: str, args: Sequence[str]) -> Event:
    """An :class:`Event` from its parts, checked."""
    check = ACTIONS.get(action)
    if check is None:
        raise ScenarioError(f"unknown action {action!r} (one of {', '.join(ACTIONS)})")
    args = tuple(str(a) for a in args)
    try:
        check(args)
    except ScenarioError as exc:
        raise ScenarioError(f"{action}: {exc}") from None
    if (node == "*") != (action in NETWORK_ACTIONS):
        raise ScenarioError(f"{action}: " + ("takes * as its node" if action in NETWORK_ACTIONS
                                             else "needs a node name, not *"))
    return Event(parse_time(time), node, action, args)


def parse_event(text: str) -> Event:
    """``"TIME NODE ACTION ARGS..."`` -> :class:`Event`; ScenarioError if malformed."""
    words = text.split()
    if len(words) < 3:
        raise ScenarioError(f"{text!r}: expected 'TIME NODE ACTION [ARGS]'")
    try:
        return make_event(words[0], words[1], words[2], words[3:])
    except ScenarioError as exc:
        raise ScenarioError(f"{text!r}: {exc}") from None


@dataclass(frozen=True)
class Scenario:
    """Events and options of one simulation run."""

    events: tuple[Event, ...] = ()
    #: Seconds simulated; None: the last event plus a settle time (see the simulator).
    duration: float | None = None
    delay: float = DEFAULT_DELAY
    jitter: float = 0.0
    seed: int = 0
    #: Node name -> configuration file (scenario files may name their nodes).
    nodes: Mapping[str, Path] = field(default_factory=dict)
    #: Node -> interface -> primary address (the default is made up per node).
    addresses: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def _event_from(item: object) -> Event:
    if isinstance(item, str):
        return parse_event(item)
    if isinstance(item, int | float):
        raise ScenarioError(f"{item!r}: an event is a string or a mapping")
    if isinstance(item, Mapping):
        unknown = set(item) - {"time", "node", "action", "args"}
        if unknown or not {"time", "action"} <= set(item):
            raise ScenarioError(f"{dict(item)!r}: an event mapping has time, node, action "
                                "and optional args")
        args = item.get("args", ())
        if isinstance(args, str):
            args = args.split()
        return make_event(item["time"], str(item.get("node", "*")), str(item["action"]),
                          [str(a) for a in args])
    raise ScenarioError(f"{item!r}: an event is a string or a mapping")


def scenario_from_dict(data: Mapping[str, Any], base: Path | None = None) -> Scenario:
    """A :class:`Scenario` from a parsed YAML document (``base``: where paths are from)."""
    known = {"duration", "delay", "jitter", "seed", "nodes", "events", "addresses"}
    unknown = set(data) - known
    if unknown:
        raise ScenarioError(f"unknown scenario keys: {', '.join(sorted(unknown))}")
    events = data.get("events") or []
    if not isinstance(events, list):
        raise ScenarioError("events: a list of events")
    nodes_raw = data.get("nodes") or {}
    if not isinstance(nodes_raw, Mapping):
        raise ScenarioError("nodes: a mapping name -> configuration file")
    nodes = {str(k): (base / str(v) if base is not None else Path(str(v)))
             for k, v in nodes_raw.items()}
    addresses = data.get("addresses") or {}
    if not isinstance(addresses, Mapping) or not all(isinstance(v, Mapping)
                                                     for v in addresses.values()):
        raise ScenarioError("addresses: a mapping node -> {interface: address}")
    duration = data.get("duration")
    try:
        return Scenario(
            events=tuple(_event_from(e) for e in events),
            duration=None if duration is None else parse_time(duration),
            delay=parse_time(data.get("delay", DEFAULT_DELAY)),
            jitter=parse_time(data.get("jitter", 0.0)), seed=int(data.get("seed", 0)),
            nodes=nodes,
            addresses={str(n): {str(i): str(a) for i, a in m.items()}
                       for n, m in addresses.items()})
    except (TypeError, ValueError) as exc:
        raise ScenarioError(str(exc)) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read a YAML scenario file; ScenarioError (with the file name) if it is malformed."""
    import yaml

    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{p}: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{p}: a scenario is a mapping (duration, events, ...)")
    try:
        return scenario_from_dict(data, p.parent)
    except ScenarioError as exc:
        raise ScenarioError(f"{p}: {exc}") from None
