"""Helpers for the simulation tests: write node configs, run a scenario."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from kaconfd.simulate import Scenario, SimResult, parse_event, simulate

#: The advert delivery delay every test uses (the default).
DELAY = 0.0005

Runner = Callable[..., SimResult]


def instance(name: str = "VI_1", *, vrid: int = 51, priority: int = 100,
             interface: str = "eth0", vip: str = "10.0.0.100/24", extra: str = "") -> str:
    """A vrrp_instance block (state BACKUP unless ``extra`` says otherwise)."""
    return (f"vrrp_instance {name} {{\n    interface {interface}\n"
            f"    virtual_router_id {vrid}\n    priority {priority}\n    advert_int 1\n"
            f"{extra}    virtual_ipaddress {{\n        {vip}\n    }}\n}}\n")


@pytest.fixture
def run(tmp_path: Path) -> Runner:
    """``run({"A": text, ...}, "5 A stop", ..., duration=20)`` -> SimResult."""

    def _run(nodes: dict[str, str], *events: str, duration: float | None = None,
             **options: object) -> SimResult:
        paths = {}
        for name, text in nodes.items():
            path = tmp_path / f"{name}.conf"
            path.write_text(text)
            paths[name] = path
        scenario = Scenario(events=tuple(parse_event(e) for e in events), duration=duration,
                            delay=DELAY, **options)  # type: ignore[arg-type]
        return simulate(paths, scenario)

    return _run


def changes(result: SimResult, node: str | None = None) -> list[tuple[float, str, str, str]]:
    """(time, node, instance, new state) of every transition (of ``node``)."""
    return [(t.time, t.node, t.instance, t.to) for t in result.transitions
            if node is None or t.node == node]
