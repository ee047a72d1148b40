"""Tracking end to end: vrrp_script, track_file, virtual routes/rules, GARP refresh, FIFO.

Two nodes in namespaces (see :mod:`tests.support.netns`): A (priority 100) and B (priority 90) share
VI_1 / VRID 90 / 10.1.10.240. Each node's check script looks for its own flag file in
the test's tmp_path, so a test fails a node's check by creating that file.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

from tests.support.configs import vrrp_conf
from tests.support.netns import NETNS, ArpCapture, FrameCapture, Lab, Proc, kaconf_run, wait_for

pytestmark = NETNS

VIP = "10.1.10.240/24"
A_ADDR, B_ADDR = "10.1.10.117/24", "10.1.10.185/24"
#: Master-down interval (3 x 1 s + skew) plus script interval, with slack for a loaded host.
TAKEOVER = 12.0

SCRIPT = """vrrp_script chk {{
    script "/bin/sh -c 'test ! -e {flag}'"
    interval 1
    timeout 2
{weight}}}
"""


def _conf(tmp: Path, node: str, prio: int, blocks: str = "", extra: str = "",
          globals_: str = "") -> Path:
    path = tmp / f"{node}.conf"
    scripts_as_root = "    enable_script_security\n    script_user root\n"
    path.write_text(vrrp_conf(node, prio, VIP, globals_=scripts_as_root + globals_,
                              blocks=blocks + "\n", extra=extra))
    return path


def _pair(lab: Lab, conf_a: Path, conf_b: Path) -> tuple[Proc, Proc]:
    lab.add_node("A", A_ADDR)
    lab.add_node("B", B_ADDR)
    a = lab.start("A", kaconf_run(conf_a, lab.workdir, "A"), "A")
    wait_for("A to become MASTER and add the VIP", lambda: lab.has_address("A", VIP), 15)
    b = lab.start("B", kaconf_run(conf_b, lab.workdir, "B"), "B")
    wait_for("B to enter BACKUP", lambda: "(VI_1) Entering BACKUP STATE" in b.log(), 15)
    return a, b


def _script_pair(lab: Lab, tmp: Path, weight: str, extra_a: str = "",
                 globals_a: str = "") -> tuple[Proc, Proc]:
    track = "    track_script {\n        chk\n    }\n"
    confs = {}
    for node, prio in (("A", 100), ("B", 90)):
        blocks = SCRIPT.format(flag=tmp / f"fail-{node}", weight=weight)
        confs[node] = _conf(tmp, node, prio, blocks, track + (extra_a if node == "A" else ""),
                            globals_a if node == "A" else "")
    return _pair(lab, confs["A"], confs["B"])


def _holds(lab: Lab, node: str) -> bool:
    return lab.has_address(node, VIP)


def test_failing_weighted_script_moves_the_vip_and_recovery_preempts(lab: Lab,
                                                                     tmp_path: Path) -> None:
    a, b = _script_pair(lab, tmp_path, "    weight -30\n")
    time.sleep(2.0)  # several adverts and script runs: B must stay BACKUP
    assert not _holds(lab, "B")
    (tmp_path / "fail-A").touch()
    wait_for("A's check to fail", lambda: "VRRP_Script(chk) failed (exited with status 1)"
             in a.log(), 5)
    assert "(VI_1) Changing effective priority from 100 to 70" in a.log()
    # 70 < 90: B discards A's adverts and takes over; A steps down when it hears B.
    wait_for("B to take the VIP", lambda: _holds(lab, "B"), TAKEOVER)
    wait_for("A to release the VIP", lambda: not _holds(lab, "A"), 5)
    assert "(VI_1) Master received advert from 10.1.10.185 with higher priority 90, ours 70" \
        in a.log()
    (tmp_path / "fail-A").unlink()
    wait_for("A's check to succeed again", lambda: a.log().count("VRRP_Script(chk) succeeded")
             >= 2, 5)
    assert "(VI_1) Changing effective priority from 70 to 100" in a.log()
    wait_for("A to preempt", lambda: _holds(lab, "A"), TAKEOVER)
    wait_for("B to release the VIP", lambda: not _holds(lab, "B"), 5)
    assert a.stop() == 0 and b.stop() == 0


def test_failing_unweighted_script_means_fault_with_notify_and_fifo(lab: Lab,
                                                                   tmp_path: Path) -> None:
    fifo = tmp_path / "vrrp.fifo"
    marker = tmp_path / "fault-notified"
    extra = f'    notify_fault "/bin/touch {marker}"\n'
    a, b = _script_pair(lab, tmp_path, "", extra, f"    vrrp_notify_fifo {fifo}\n")
    wait_for("the FIFO", fifo.exists, 5)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        (tmp_path / "fail-A").touch()
        wait_for("A to enter FAULT", lambda: "(VI_1) Entering FAULT STATE" in a.log(), 5)
        # FAULT from MASTER sends priority 0: B takes over after its skew time.
        wait_for("B to take the VIP", lambda: _holds(lab, "B"), 5)
        assert not _holds(lab, "A")
        assert "(VI_1) sent 0 priority" in a.log()
        wait_for("notify_fault to run", marker.exists, 5)
        (tmp_path / "fail-A").unlink()
        wait_for("A to leave FAULT", lambda: "(VI_1) Leaving FAULT state" in a.log(), 5)
        wait_for("A to preempt", lambda: _holds(lab, "A"), TAKEOVER)
        wait_for("B to release the VIP", lambda: not _holds(lab, "B"), 5)
        lines = os.read(reader, 65536).decode().splitlines()
    finally:
        os.close(reader)
    # a MASTER that hears B's last lower-priority advert while B steps down also writes
    # keepalived's MASTER_RX_LOWER_PRI line: it is not a state change
    states = [line for line in lines if "MASTER_RX_LOWER_PRI" not in line]
    assert states[:2] == ['INSTANCE "VI_1" BACKUP 100', 'INSTANCE "VI_1" MASTER 100']
    assert 'INSTANCE "VI_1" FAULT 100' in states
    assert states[-1] == 'INSTANCE "VI_1" MASTER 100'
    assert a.stop() == 0 and b.stop() == 0
    assert not fifo.exists(), "a FIFO kaconfd created must be removed at exit"


_SLEEPER = "31.4159"  # a recognisable argument, to find leftover processes by cmdline


def _processes_with(marker: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            if marker.encode() in cmdline.split(b"\0"):
                found.append(int(entry))
    return found


def test_script_timeout_kills_its_process_group(lab: Lab, tmp_path: Path) -> None:
    # The script forks a grandchild; both must die when the script overruns its timeout.
    blocks = ("vrrp_script chk {\n"
              f"    script \"/bin/sh -c 'sleep {_SLEEPER} & sleep {_SLEEPER}'\"\n"
              "    interval 5\n    timeout 1\n}\n")
    lab.add_node("A", A_ADDR)
    conf = _conf(tmp_path, "A", 100, blocks, "    track_script {\n        chk\n    }\n")
    a = lab.start("A", kaconf_run(conf, lab.workdir, "A"), "A")
    wait_for("the script to time out", lambda: "VRRP_Script(chk) timed_out" in a.log(), 8)
    # Weight 0, first run never succeeded: FAULT from the start, no VIP.
    assert "(VI_1) Entering FAULT STATE (init)" in a.log()
    assert not _holds(lab, "A")
    wait_for("the script's process group to be gone",
             lambda: not _processes_with(f"{_SLEEPER}"), 5)
    assert a.stop() == 0


def test_track_file_weight_and_fault(lab: Lab, tmp_path: Path) -> None:
    weighted, unweighted = tmp_path / "weighted", tmp_path / "unweighted"
    blocks = (f"track_file tf_w {{\n    file {weighted}\n    weight -10\n}}\n"
              f"vrrp_track_file tf_0 {{\n    file {unweighted}\n    init_file 0\n}}\n")
    track = "    track_file {\n        tf_w\n        tf_0 weight 0\n    }\n"
    conf_a = _conf(tmp_path, "A", 100, blocks, track)
    conf_b = _conf(tmp_path, "B", 90)
    a, b = _pair(lab, conf_a, conf_b)
    assert unweighted.read_text() == "0\n", "init_file must create the file"
    # value 5 x weight -10: priority 50 < 90, B takes over.
    weighted.write_text("5\n")
    wait_for("A's priority to drop", lambda: "(VI_1) Changing effective priority from 100 to 50"
             in a.log(), 5)
    wait_for("B to take the VIP", lambda: _holds(lab, "B"), TAKEOVER)
    weighted.write_text("0\n")
    wait_for("A to preempt", lambda: _holds(lab, "A"), TAKEOVER)
    # Weight 0: any non-zero value is a FAULT.
    unweighted.write_text("1\n")
    wait_for("A to enter FAULT", lambda: "(VI_1) Entering FAULT STATE" in a.log(), 5)
    wait_for("B to take the VIP", lambda: _holds(lab, "B"), 5)
    unweighted.unlink()  # a missing file reads 0
    wait_for("A to leave FAULT", lambda: "(VI_1) Leaving FAULT state" in a.log(), 5)
    wait_for("A to preempt", lambda: _holds(lab, "A"), TAKEOVER)
    assert a.stop() == 0 and b.stop() == 0


def test_track_interface_weight_and_reverse(lab: Lab, tmp_path: Path) -> None:
    """eth1 (weight -30) going down lowers A below B; eth2 (weight 0 reverse) up is FAULT."""
    extra = ("    track_interface {\n        eth1 weight -30\n"
             "        eth2 weight 0 reverse\n    }\n")
    lab.add_node("A", A_ADDR)
    ns = lab.nodes["A"]
    # Each tracked link is a veth whose peer, also in A, the test takes down or up: the
    # tracked end loses or regains its carrier (IFF_RUNNING), as with a cable.
    for dev in ("eth1", "eth2"):
        lab.ns_sh(ns, "ip", "link", "add", dev, "type", "veth", "peer", "name", f"{dev}p")
        lab.ns_sh(ns, "ip", "link", "set", dev, "up")
    lab.ns_sh(ns, "ip", "link", "set", "eth1p", "up")  # eth2p stays down: eth2 is "down"
    lab.add_node("B", B_ADDR)
    a = lab.start("A", kaconf_run(_conf(tmp_path, "A", 100, extra=extra), lab.workdir, "A"), "A")
    wait_for("A to become MASTER", lambda: _holds(lab, "A"), 15)
    b = lab.start("B", kaconf_run(_conf(tmp_path, "B", 90), lab.workdir, "B"), "B")
    wait_for("B to enter BACKUP", lambda: "(VI_1) Entering BACKUP STATE" in b.log(), 15)
    lab.ns_sh(ns, "ip", "link", "set", "eth1p", "down")
    wait_for("A's priority to drop", lambda: "(VI_1) Changing effective priority from 100 to 70"
             in a.log(), 5)
    wait_for("B to take the VIP", lambda: _holds(lab, "B"), TAKEOVER)
    lab.ns_sh(ns, "ip", "link", "set", "eth1p", "up")
    wait_for("A to preempt", lambda: _holds(lab, "A"), TAKEOVER)
    # weight 0 reverse: the interface coming *up* is the fault.
    lab.ns_sh(ns, "ip", "link", "set", "eth2p", "up")
    wait_for("A to enter FAULT", lambda: "(VI_1) Entering FAULT STATE" in a.log(), 5)
    wait_for("B to take the VIP", lambda: _holds(lab, "B"), 5)
    lab.ns_sh(ns, "ip", "link", "set", "eth2p", "down")
    wait_for("A to preempt again", lambda: _holds(lab, "A"), TAKEOVER)
    assert a.stop() == 0 and b.stop() == 0


class AdvertCapture(FrameCapture):
    """VRRP adverts seen on a node's eth0: how many addresses they carried."""

    def __init__(self, lab: Lab, node: str, seconds: float) -> None:
        super().__init__(lab, node, seconds, ethertype=0x0800, name=f"advcap-{node}")

    def address_counts(self, src: str) -> set[int]:
        want = socket.inet_aton(src)
        return {vrrp[3] for _mac, ip, vrrp in self.vrrp_adverts() if ip == want and len(vrrp) > 3}


ROUTES = """    virtual_ipaddress_excluded {
        10.1.20.240/24
    }
    virtual_routes {
        10.9.0.0/16 via 10.1.10.1 dev eth0
        src 10.1.10.240 10.8.0.0/16 dev eth0 table 100
    }
    virtual_rules {
        from 10.1.10.240 table 100 priority 1000
    }
"""


def _routes(lab: Lab, node: str) -> str:
    ns = lab.nodes[node]
    return (lab.ns_sh(ns, "ip", "route", "show", "table", "all")
            + lab.ns_sh(ns, "ip", "rule", "show"))


def _has_virtuals(lab: Lab, node: str) -> bool:
    text = _routes(lab, node)
    return ("10.9.0.0/16 via 10.1.10.1" in text
            and "10.8.0.0/16 dev eth0 table 100 proto keepalived" in text
            and "1000:\tfrom 10.1.10.240 lookup 100" in text
            and lab.has_address(node, "10.1.20.240/24"))


def _has_none(lab: Lab, node: str) -> bool:
    text = _routes(lab, node)
    return ("10.9.0.0" not in text and "10.8.0.0" not in text and "10.1.10.240" not in text
            and not lab.has_address(node, "10.1.20.240/24"))


def test_virtual_routes_rules_and_excluded_vips_follow_the_master(lab: Lab,
                                                                  tmp_path: Path) -> None:
    a, b = _pair(lab, _conf(tmp_path, "A", 100, extra=ROUTES),
                 _conf(tmp_path, "B", 90, extra=ROUTES))
    capture = AdvertCapture(lab, "B", seconds=3)
    wait_for("A to install routes, rules and the excluded VIP", lambda: _has_virtuals(lab, "A"),
             5)
    assert _has_none(lab, "B")
    wait_for("adverts from A", lambda: bool(capture.address_counts("10.1.10.117")), 5)
    # The excluded VIP is installed but not advertised: one address in A's adverts.
    assert capture.address_counts("10.1.10.117") == {1}
    lab.set_link("A", False)
    wait_for("B to take over with its routes", lambda: _has_virtuals(lab, "B"), TAKEOVER)
    wait_for("A (FAULT) to remove its routes", lambda: _has_none(lab, "A"), 5)
    lab.set_link("A", True)
    wait_for("A to preempt with its routes", lambda: _has_virtuals(lab, "A"), TAKEOVER)
    wait_for("B to remove its routes", lambda: _has_none(lab, "B"), 5)
    assert a.stop() == 0 and b.stop() == 0
    wait_for("a stopped master to remove everything", lambda: _has_none(lab, "A"), 5)


def test_garp_master_refresh(lab: Lab, tmp_path: Path) -> None:
    extra = ("    garp_master_delay 0\n    garp_master_repeat 1\n"
             "    garp_master_refresh 1\n    garp_master_refresh_repeat 2\n")
    lab.add_node("A", A_ADDR)
    lab.add_node("B", B_ADDR)
    capture = ArpCapture(lab, "B", seconds=20)
    a = lab.start("A", kaconf_run(_conf(tmp_path, "A", 100, extra=extra), lab.workdir, "A"),
                  "A")
    wait_for("A to become MASTER", lambda: _holds(lab, "A"), 15)
    first = capture.gratuitous_for("10.1.10.240")
    # One GARP on becoming master (no delayed burst), then 2 every second.
    wait_for("refresh bursts", lambda: capture.gratuitous_for("10.1.10.240") >= first + 6, 6)
    assert a.stop() == 0
