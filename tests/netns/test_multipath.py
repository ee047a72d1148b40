"""Multipath virtual_routes (``nexthop via ... dev ... weight N``): installed as keepalived does.

One node runs VI_1 alone (so it becomes MASTER) with a multipath route among its
virtual_routes; the route read back with ``ip route`` must be the one real keepalived
installs for the same config on the same node, and it must go when the daemon stops.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.configs import vrrp_conf
from tests.support.netns import NETNS, Lab, Proc, kaconf_run, wait_for

pytestmark = NETNS

VIP = "10.1.10.242/24"
ROUTE = "10.99.0.0/16"
ROUTES = (f"    virtual_routes {{\n        {ROUTE} nexthop via 10.1.10.1 dev eth0 weight 3 "
          "nexthop via 10.1.10.2 dev eth0\n    }\n")


def _route(lab: Lab) -> str:
    """The route as ``ip route`` prints it, whitespace normalised."""
    return " ".join(lab.ns_sh(lab.nodes["A"], "ip", "route", "show", ROUTE).split())


def _installed(lab: Lab, proc: Proc, conf: Path) -> str:
    wait_for("the VIP", lambda: lab.has_address("A", VIP), 15)
    wait_for("the multipath route", lambda: "nexthop" in _route(lab), 5)
    route = _route(lab)
    assert proc.stop() == 0
    wait_for("the route to be removed at stop", lambda: _route(lab) == "", 5)
    return route


def test_multipath_route_matches_keepalived(lab: Lab, tmp_path: Path) -> None:
    conf = tmp_path / "A.conf"
    conf.write_text(vrrp_conf("A", 100, VIP, extra=ROUTES))
    lab.add_node("A", "10.1.10.117/24")
    ours = _installed(lab, lab.start("A", kaconf_run(conf, lab.workdir, "A"), "A"), conf)
    assert ours == (f"{ROUTE} proto keepalived nexthop via 10.1.10.1 dev eth0 weight 3 "
                    "nexthop via 10.1.10.2 dev eth0 weight 1")
    if shutil.which("keepalived") is None:
        pytest.skip("keepalived is not installed: no reference to compare with")
    wd = lab.workdir
    real = lab.start("A", ["keepalived", "-n", "-l", "-P", "-f", str(conf),
                           "-p", str(wd / "ka.pid"), "-r", str(wd / "ka-vrrp.pid"),
                           "-c", str(wd / "ka-checkers.pid")], "keepalived-A")
    assert _installed(lab, real, conf) == ours
