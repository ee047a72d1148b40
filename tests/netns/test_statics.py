"""static_ipaddress / static_routes / static_rules, end to end in a namespace.

keepalived's VRRP process installs them at start, removes what a reload drops and adds
what it brings (leaving the rest alone), and removes them all when it stops; they follow
no instance's state, so a config may have nothing else.
"""

from __future__ import annotations

import signal
from pathlib import Path

from tests.support.netns import NETNS, Lab, kaconf_run, wait_for

pytestmark = NETNS

CONF = """global_defs {{
    router_id A
}}
static_ipaddress {{
{addrs}}}
static_routes {{
    10.9.0.0/16 via 10.1.10.1 dev eth0
}}
{rules}"""
RULES = """static_rules {
    from 10.1.20.1 table 100 priority 1000
}
"""


def _write(path: Path, addrs: list[str], rules: bool) -> None:
    path.write_text(CONF.format(addrs="".join(f"    {a} dev eth0\n" for a in addrs),
                                rules=RULES if rules else ""))


def _routes(lab: Lab) -> str:
    ns = lab.nodes["A"]
    return lab.ns_sh(ns, "ip", "route", "show") + lab.ns_sh(ns, "ip", "rule", "show")


def test_static_entries_follow_start_reload_and_stop(lab: Lab, tmp_path: Path) -> None:
    lab.add_node("A", "10.1.10.117/24")
    conf = tmp_path / "A.conf"
    _write(conf, ["10.1.20.1/24", "10.1.20.2/24"], rules=True)
    a = lab.start("A", kaconf_run(conf, lab.workdir, "A"), "A")
    wait_for("the static addresses, route and rule", lambda: (
        lab.has_address("A", "10.1.20.1/24") and lab.has_address("A", "10.1.20.2/24")
        and "10.9.0.0/16 via 10.1.10.1" in _routes(lab)
        and "1000:\tfrom 10.1.20.1 lookup 100" in _routes(lab)), 15)

    _write(conf, ["10.1.20.1/24", "10.1.20.3/24"], rules=False)
    a.signal(signal.SIGHUP)
    wait_for("the reload to drop 10.1.20.2 and the rule and add 10.1.20.3", lambda: (
        lab.has_address("A", "10.1.20.3/24") and not lab.has_address("A", "10.1.20.2/24")
        and "10.1.20.1 lookup 100" not in _routes(lab)), 15)
    assert lab.has_address("A", "10.1.20.1/24")
    assert "10.9.0.0/16 via 10.1.10.1" in _routes(lab)

    assert a.stop() == 0
    assert not lab.has_address("A", "10.1.20.1/24")
    assert not lab.has_address("A", "10.1.20.3/24")
    assert "10.9.0.0" not in _routes(lab)
