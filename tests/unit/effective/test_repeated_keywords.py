"""Repeated keywords: the model keeps every line, the resolver replays them as keepalived."""

from __future__ import annotations

from pathlib import Path

from kaconf.effective import resolve
from kaconf.effective.host import Host
from kaconf.loader import load_full

CONF = """vrrp_instance A {
    interface eth0
    virtual_router_id 1
    version 3
    priority 50
    version 2
    priority 60
    virtual_ipaddress {
        10.0.0.1
    }
}
"""


def test_the_first_version_line_wins_a_conflict(tmp_path: Path) -> None:
    # keepalived 2.2.7 -d: "(A) vrrp_version 2 conflicts with configured or deduced
    # version 3; ignoring." and "VRRP Version = 3" (checked in a namespace)
    path = tmp_path / "keepalived.conf"
    path.write_text(CONF)
    cfg = load_full(str(path)).config
    (inst,) = cfg.vrrp_instances
    assert [s.args for s in inst.occurrences("version")] == [["3"], ["2"]]
    (ei,) = resolve(cfg, Host.static(hostname="h", interfaces=[])).vrrp.instances
    # other keywords: the last line wins, as their handlers overwrite
    assert (ei.version, ei.base_priority) == (3, 60)
    # the resolver records the line it ignored (KA237 reports it from there)
    ((span, given, kept),) = ei.version_ignored
    assert (span.line if span else None, given, kept) == (6, 2, 3)
