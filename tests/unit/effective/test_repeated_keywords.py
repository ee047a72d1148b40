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


def _resolved(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "keepalived.conf"
    path.write_text(text)
    return resolve(load_full(str(path)).config,
                   Host.static(hostname="h", interfaces=[], scripts={"/bin/true": "/bin/true",
                                                                    "/bin/false": "/bin/false"}))


def test_the_first_notify_script_wins(tmp_path: Path) -> None:
    # keepalived 2.2.7 -t: "(VI_1) notify_master script already specified - ignoring /bin/false"
    text = CONF.replace("    priority 60\n", "    priority 60\n    notify_master /bin/true\n"
                        "    notify_master /bin/false\n")
    (ei,) = _resolved(tmp_path, text).vrrp.instances
    assert ei.scripts["Master"].args[0] == "/bin/true"


def test_sorry_server_options_before_the_sorry_server_are_ignored(tmp_path: Path) -> None:
    # keepalived 2.2.7 -t: "Ignoring sorry_server inhibit used before or without sorry_server"
    vs = ("virtual_server 10.0.0.10 80 {\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n"
          "OPTIONS    real_server 10.0.1.1 80 {\n        weight 1\n    }\n}\n")
    before = vs.replace("OPTIONS", "    sorry_server_inhibit\n    sorry_server 10.0.1.9 80\n")
    after = vs.replace("OPTIONS", "    sorry_server 10.0.1.9 80\n    sorry_server_inhibit\n")
    (e,) = _resolved(tmp_path, before).lvs.virtual_servers
    assert e.sorry is not None and not e.sorry.inhibit
    (e,) = _resolved(tmp_path, after).lvs.virtual_servers
    assert e.sorry is not None and e.sorry.inhibit
