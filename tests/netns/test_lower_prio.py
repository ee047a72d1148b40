"""notify_master_rx_lower_pri: a MASTER hearing a lower-priority advert runs the script.

A (priority 100) is MASTER. B (priority 90) starts behind an nftables rule in its own
namespace that drops incoming VRRP, so it never hears A and becomes MASTER too, while A
hears B's lower-priority adverts: keepalived then runs A's notify_master_rx_lower_pri
(the script as configured, no arguments added). Without the rule B steps back.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.netns import NETNS, Lab, kaconf_run, wait_for

pytestmark = NETNS

CONF = """global_defs {{
    router_id {node}
    enable_script_security
    script_user root
}}
vrrp_instance VI_1 {{
    state {state}
    interface eth0
    virtual_router_id 90
    priority {prio}
    advert_int 1
{extra}    virtual_ipaddress {{
        10.1.10.240/24
    }}
}}
"""


def test_master_runs_notify_master_rx_lower_pri(lab: Lab, tmp_path: Path) -> None:
    marker = tmp_path / "rx-lower"
    conf_a, conf_b = tmp_path / "A.conf", tmp_path / "B.conf"
    conf_a.write_text(CONF.format(
        node="A", state="BACKUP", prio=100,
        extra=f"    notify_master_rx_lower_pri \"/bin/sh -c 'echo rx >> {marker}'\"\n"))
    conf_b.write_text(CONF.format(node="B", state="BACKUP", prio=90, extra=""))
    lab.add_node("A", "10.1.10.117/24")
    ns_b = lab.add_node("B", "10.1.10.185/24")
    a = lab.start("A", kaconf_run(conf_a, lab.workdir, "A"), "A")
    wait_for("A to become MASTER", lambda: lab.has_address("A", "10.1.10.240/24"), 15)
    lab.ns_sh(ns_b, "nft", "add", "table", "inet", "deafen")
    lab.ns_sh(ns_b, "nft", "add", "chain", "inet", "deafen", "in",
              "{ type filter hook input priority 0 ; }")
    lab.ns_sh(ns_b, "nft", "add", "rule", "inet", "deafen", "in", "ip", "protocol", "vrrp",
              "drop")
    b = lab.start("B", kaconf_run(conf_b, lab.workdir, "B"), "B")
    wait_for("B, deaf to A, to become MASTER",
             lambda: lab.has_address("B", "10.1.10.240/24"), 15)
    wait_for("A to hear B's lower-priority advert and run the script",
             lambda: marker.exists() and "rx" in marker.read_text(), 15)
    assert "with lower priority 90, ours 100" in a.log()
    lab.ns_sh(ns_b, "nft", "delete", "table", "inet", "deafen")
    wait_for("B to step back", lambda: not lab.has_address("B", "10.1.10.240/24"), 15)
    assert lab.has_address("A", "10.1.10.240/24")
    assert a.stop() == 0 and b.stop() == 0
