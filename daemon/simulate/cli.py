"""``kaconf simulate``: run a cluster's configurations through a scenario, or what-ifs.

Plugged into the ``kaconf`` command line like ``kaconf run``: :data:`COMMAND` is found
through the ``kaconf.commands`` entry point group (``simulate =
"kaconfd.simulate.cli:COMMAND"``; :data:`kaconf.cli.commands.PLUGIN_FALLBACKS` covers
installs made before it). Only argparse and kaconf's command-table modules load at
import, so ``kaconf --help`` stays cheap; the simulator loads when the command runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kaconf.cli.commands import Command
from kaconf.exitstatus import ExitStatus

__all__ = ["COMMAND", "add_arguments", "node_files", "run"]

COMMAND = Command(
    "simulate", "simulate a cluster: failovers and VIP holders over time", __name__,
    description="Simulate keepalived nodes from their configuration files (NAME=FILE, or "
    "FILE named by its stem) with kaconfd's own VRRP state machines on a virtual clock: "
    "a timeline of transitions with their causes, who holds each VIP over time, and the "
    "stretches with no holder or several. Events: --event 'TIME NODE ACTION ARGS' or "
    "--scenario FILE (YAML); --what-if asks the standard questions for every node. "
    "Exit 1 when a configuration cannot be simulated, 2 for bad usage.")


def _seconds(text: str) -> float:
    """A time option: seconds (``2.5``, ``2.5s``, ``500ms``), never negative."""
    from .scenario import ScenarioError, parse_time

    try:
        return parse_time(text)
    except ScenarioError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("nodes", nargs="*", metavar="[NAME=]FILE",
                   help="node configuration files (a scenario file may name them instead)")
    p.add_argument("--scenario", metavar="FILE", help="YAML scenario (events and options)")
    p.add_argument("--event", action="append", default=[], metavar="'TIME NODE ACTION ARGS'",
                   help="an event, e.g. '5 serverA stop' (repeatable); actions: start, stop, "
                        "crash, link down|up IFACE, script NAME fail|ok, track file NAME "
                        "value N, priority INSTANCE N; node '*': partition A,B / heal")
    p.add_argument("--what-if", action="store_true",
                   help="for every node: stop, crash, return, each tracked interface down, "
                        "each tracked script failing; one table of outcomes")
    p.add_argument("--duration", type=_seconds, default=None, metavar="SECONDS",
                   help="seconds simulated (default: last event + settle time)")
    p.add_argument("--delay", type=_seconds, default=None, metavar="SECONDS",
                   help="advert delivery delay (default 0.0005)")
    p.add_argument("--jitter", type=_seconds, default=None, metavar="SECONDS",
                   help="+- uniform jitter on each advert delivery (default 0)")
    p.add_argument("--seed", type=int, default=None, help="jitter seed (default 0)")
    p.add_argument("--config-id", action="append", default=[], metavar="[NODE=]ID",
                   help="config id for @id lines: one for every node, or NODE=ID")
    p.add_argument("--format", choices=("text", "json"), default="text")


def node_files(specs: list[str]) -> dict[str, Path]:
    """``NAME=FILE`` or ``FILE`` (named by its stem) -> name -> path; ValueError on clashes."""
    out: dict[str, Path] = {}
    for spec in specs:
        name, eq, path = spec.partition("=")
        if not eq:
            name, path = Path(spec).stem, spec
        if not name or name in out:
            raise ValueError(f"{spec}: node name {name!r} is empty or given twice "
                             "(use NAME=FILE)")
        out[name] = Path(path)
    return out


def _config_ids(specs: list[str], names: list[str]) -> dict[str, str | None]:
    ids: dict[str, str | None] = {}
    for spec in specs:
        node, eq, value = spec.partition("=")
        if eq:
            if node not in names:
                raise ValueError(f"--config-id {spec}: no node {node!r}")
            ids[node] = value
        else:
            for name in names:
                ids.setdefault(name, spec)
    return ids


def run(args: argparse.Namespace) -> int:
    import dataclasses

    from .api import load_nodes, simulate_configs
    from .nodes import ConfigError
    from .scenario import Scenario, ScenarioError, load_scenario, parse_event

    err = sys.stderr
    try:
        scenario = load_scenario(args.scenario) if args.scenario else Scenario()
        events = tuple(parse_event(e) for e in args.event)
        changes: dict[str, object] = {"events": scenario.events + events}
        for opt in ("duration", "delay", "jitter", "seed"):
            if getattr(args, opt) is not None:
                changes[opt] = getattr(args, opt)
        scenario = dataclasses.replace(scenario, **changes)  # type: ignore[arg-type]
        files = node_files(args.nodes) if args.nodes else dict(scenario.nodes)
        if not files:
            raise ValueError("no node configuration given")
        ids = _config_ids(args.config_id, list(files))
        if args.what_if and scenario.events:
            raise ValueError("--what-if asks its own questions: give no events")
    except (ValueError, OSError) as exc:
        print(f"kaconf simulate: {exc}", file=err)
        return ExitStatus.USAGE
    try:
        configs = load_nodes(files, ids)
    except ConfigError as exc:
        print(f"kaconf simulate: {exc}", file=err)
        return ExitStatus.CONFIG
    try:
        if args.what_if:
            from .whatif import what_if

            report = what_if(configs, scenario)
            if args.format == "json":
                print(report.to_json())
            else:
                from .whatif_text import print_report

                print_report(report)
            return ExitStatus.OK
        result = simulate_configs(configs, scenario)
    except ScenarioError as exc:
        print(f"kaconf simulate: {exc}", file=err)
        return ExitStatus.USAGE
    if args.format == "json":
        print(result.to_json())
    else:
        from .text import print_result

        print_result(result)
    return ExitStatus.OK
