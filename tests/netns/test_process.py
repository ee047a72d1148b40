"""The process model in a namespace: watchdog restarts, reload, pid files, SIGUSR1.

One node is enough for most of these: alone on its segment, serverA's config
becomes MASTER after its master-down interval and holds the VIP.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from tests.support.netns import NETNS, Lab, Proc, kaconf_run, wait_for
from tests.support.paths import EXAMPLES

pytestmark = NETNS

VIP = "10.1.10.240/24"


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _master_a(lab: Lab, conf: Path, *extra: str) -> Proc:
    lab.add_node("A", "10.1.10.117/24")
    a = lab.start("A", kaconf_run(conf, lab.workdir, "A", *extra), "A")
    wait_for("A to become MASTER and add the VIP", lambda: lab.has_address("A", VIP), 10)
    return a


def _vip_never_leaves(lab: Lab, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        assert lab.has_address("A", VIP), "the VIP left A"
        time.sleep(0.1)


def _only_a_holds(lab: Lab, seconds: float,
                  until: Callable[[], bool] | None = None) -> None:
    """For ``seconds`` (or until ``until()``), every ~20 ms: A holds the VIP, B does not."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        assert lab.has_address("A", VIP), "the VIP left A"
        assert not lab.has_address("B", VIP), "B holds the VIP too"
        if until is not None and until():
            return
        time.sleep(0.02)


def test_watchdog_restarts_a_killed_child_and_the_vip_stays(lab: Lab) -> None:
    a = _master_a(lab, EXAMPLES / "serverA.conf", "--watchdog-interval", "0.5")
    lab.add_node("B", "10.1.10.185/24")
    b = lab.start("B", kaconf_run(EXAMPLES / "serverB.conf", lab.workdir, "B"), "B")
    wait_for("B to enter BACKUP", lambda: "Entering BACKUP STATE (init)" in b.log(), 10)
    vrrp_pid_file = lab.workdir / "A-vrrp.pid"
    old = _read_pid(vrrp_pid_file)
    assert old is not None
    os.kill(old, signal.SIGKILL)
    # From the kill on, both nodes' addresses every ~20 ms: A holds the VIP, B never does.
    _only_a_holds(lab, 10, until=lambda: _read_pid(vrrp_pid_file) not in (None, old))
    assert _read_pid(vrrp_pid_file) not in (None, old), "no new VRRP child"
    wait_for("the restart to be logged", lambda: "Respawning" in a.log(), 5)
    _only_a_holds(lab, 5, until=lambda: (
        "(VI_1) Entering MASTER STATE (resumed after child restart)" in a.log()))
    assert "(VI_1) Entering MASTER STATE (resumed after child restart)" in a.log()
    # Longer than B's master-down interval: B never saw A go silent.
    _only_a_holds(lab, 5.0)
    assert "Entering MASTER STATE" not in b.log()


def test_watchdog_restarts_a_hung_child(lab: Lab) -> None:
    a = _master_a(lab, EXAMPLES / "serverA.conf", "--watchdog-interval", "0.3")
    vrrp_pid_file = lab.workdir / "A-vrrp.pid"
    old = _read_pid(vrrp_pid_file)
    assert old is not None
    os.kill(old, signal.SIGSTOP)  # alive but its loop answers nothing
    try:
        wait_for("the watchdog to kill and replace the hung child",
                 lambda: _read_pid(vrrp_pid_file) not in (None, old), 10)
    finally:
        if _read_pid(vrrp_pid_file) == old:
            os.kill(old, signal.SIGKILL)
    # the /proc probe (a stopped child) or the hello (any hung loop), whichever is first
    assert "is stopped, killing it" in a.log() or "did not answer the watchdog" in a.log()
    wait_for("the VIP to be held again", lambda: lab.has_address("A", VIP), 5)


def test_reload_with_broken_config_keeps_serving(lab: Lab, tmp_path: Path) -> None:
    conf = tmp_path / "keepalived.conf"
    conf.write_text((EXAMPLES / "serverA.conf").read_text())
    a = _master_a(lab, conf)
    conf.write_text(conf.read_text().replace("virtual_router_id 90", "virtual_router_id 900"))
    a.signal(signal.SIGHUP)
    wait_for("the reload to be refused", lambda: "Reload failed" in a.log(), 10)
    _vip_never_leaves(lab, 2.0)
    assert a.alive()


def test_reload_keeps_unchanged_instance_and_starts_new_one(lab: Lab, tmp_path: Path) -> None:
    conf = tmp_path / "keepalived.conf"
    base = (EXAMPLES / "serverA.conf").read_text()
    conf.write_text(base)
    a = _master_a(lab, conf)
    conf.write_text(base + base[base.index("vrrp_instance"):]
                    .replace("VI_1", "VI_2").replace("virtual_router_id 90", "virtual_router_id 91")
                    .replace("10.1.10.240/24", "10.1.10.241/24"))
    a.signal(signal.SIGHUP)
    wait_for("the reload to finish", lambda: "Reload finished" in a.log(), 10)
    wait_for("VI_2 to take its VIP", lambda: lab.has_address("A", "10.1.10.241/24"), 10)
    assert lab.has_address("A", VIP)
    assert a.log().count("(VI_1) Entering MASTER STATE") == 1


def test_sigusr1_writes_config_and_state(lab: Lab) -> None:
    a = _master_a(lab, EXAMPLES / "serverA.conf")
    a.signal(signal.SIGUSR1)
    data = lab.workdir / "A.data"
    wait_for("the data file", lambda: data.exists() and "State" in data.read_text(), 5)
    text = data.read_text()
    assert "VRRP Instance = VI_1" in text and "State = MASTER" in text
    assert "Virtual Router ID = 90" in text and "Preempt = disabled" in text


def test_live_pid_file_refuses_second_start_and_stale_one_is_removed(lab: Lab) -> None:
    a = _master_a(lab, EXAMPLES / "serverA.conf")
    second = lab.start("A", kaconf_run(EXAMPLES / "serverA.conf", lab.workdir, "A"), "A2")
    second.popen.wait(15)
    assert second.popen.returncode == 2
    assert "already running" in second.log()
    assert a.stop() == 0
    pid_file = lab.workdir / "A.pid"
    assert not pid_file.exists()
    # A pid file left by a crash, naming a process that is gone, is not an obstacle.
    dead = subprocess.Popen(["true"])
    dead.wait()
    pid_file.write_text(f"{dead.pid}\n")
    third = lab.start("A", kaconf_run(EXAMPLES / "serverA.conf", lab.workdir, "A"), "A3")
    wait_for("the restarted daemon to take the VIP", lambda: lab.has_address("A", VIP), 10)
    assert "removed stale pid file" in third.log()
    assert _read_pid(pid_file) == third.pid


def test_config_errors_stop_the_start_only_under_strict(tmp_path: Path) -> None:
    conf = tmp_path / "bad.conf"
    conf.write_text("vrrp_instance VI_1 {\n  virtual_router_id 900\n}\n")
    proc = subprocess.run(kaconf_run(conf, tmp_path, "bad", "--strict"), capture_output=True,
                          text=True, timeout=30)
    assert proc.returncode == 1
    assert "not starting (--strict)" in proc.stderr and "bad.conf:" in proc.stderr
    # without --strict the findings are logged and only what kaconfd cannot run refuses
    # the start (here: an instance without an interface)
    proc = subprocess.run(kaconf_run(conf, tmp_path, "bad"), capture_output=True, text=True,
                          timeout=30)
    assert proc.returncode == 1
    assert "bad.conf:" in proc.stderr and "no interface" in proc.stderr
    assert "not starting (--strict)" not in proc.stderr


def test_dash_c_without_virtual_servers_has_nothing_to_run(tmp_path: Path) -> None:
    """-C on a VRRP-only config: keepalived's roles leave no child, so no start (exit 1)."""
    proc = subprocess.run(kaconf_run(EXAMPLES / "serverA.conf", tmp_path, "c", "-C"),
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 1
    assert "nothing to run" in proc.stderr and "-C" in proc.stderr
    assert not (tmp_path / "c.pid").exists()


def test_dump_conf_logs_keepalived_text_dump(lab: Lab) -> None:
    """-d logs what ``keepalived -d`` prints, one log line per dump line (not JSON)."""
    a = _master_a(lab, EXAMPLES / "serverA.conf", "-d")
    log = a.log()
    assert "Keepalived[" in log and "------< Global definitions >------" in log
    assert "------< VRRP Topology >------" in log and " VRRP Instance = VI_1" in log
    assert "Router ID = aaa" in log
    assert '"vrrp_instances"' not in log


def test_a_non_existent_interface_refuses_the_start_as_keepalived_does(lab: Lab,
                                                                      tmp_path: Path) -> None:
    """keepalived's VRRP process stops on an interface the host lacks
    ("Non-existent interface specified in configuration") unless dynamic_interfaces."""
    lab.add_node("A", "10.1.10.117/24")
    base = (EXAMPLES / "serverA.conf").read_text()
    conf = tmp_path / "missing.conf"
    conf.write_text(base.replace("interface eth0\n",
                                 "interface eth0\ntrack_interface {\neth9\n"
                                 "}\n", 1))
    assert "eth9" in conf.read_text()
    proc = lab.start("A", kaconf_run(conf, lab.workdir, "A"), "A")
    wait_for("kaconf run to refuse", lambda: not proc.alive(), 20)
    assert proc.popen.returncode == 1
    assert "Non-existent interface specified in configuration (eth9)" in proc.log()
    # with dynamic_interfaces keepalived waits for the interface instead
    conf.write_text("global_defs {\n    dynamic_interfaces\n}\n" + conf.read_text())
    proc = lab.start("A", kaconf_run(conf, lab.workdir, "A"), "A2")
    wait_for("A to start", lambda: "Entering BACKUP STATE" in proc.log()
             or "Entering FAULT STATE" in proc.log(), 20)
    assert proc.stop() is not None
