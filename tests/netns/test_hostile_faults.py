"""Faults ``kaconf run`` must survive (issue 14, item 6): a hung child with a peer
watching (a killed one: test_process.py), a SIGHUP storm, notify scripts that hang or
fork, an unwritable data directory.

keepalived is the reference where it has one: it restarts a child that died (it has
had no watchdog for a hung one since 1.x: ours is stricter); a reload with a broken
file keeps the running configuration; notify scripts have no time limit while
keepalived runs (only ``vrrp_script`` has a ``timeout``), are reaped when they exit and
die when keepalived stops (``notify_stop`` after one second, the others by
``PR_SET_PDEATHSIG``); a data or stats file it cannot write is logged.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.support.netns import NETNS, Lab, Proc, kaconf_run, sh, wait_for

pytestmark = NETNS

VIP = "10.1.10.240/24"
ADDR = {"A": "10.1.10.117/24", "B": "10.1.10.185/24"}

CONF = """vrrp_instance VI_1 {{
    state BACKUP
    interface eth0
    virtual_router_id 61
    priority {prio}
    advert_int 1
    virtual_ipaddress {{
        {vip}
    }}
{extra}}}
"""
#: B's master-down interval (3 adverts + skew at priority 100): the longest a
#: transition may leave the VIP on two nodes.
MASTER_DOWN = 3 + (256 - 100) / 256


def _pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _start(lab: Lab, node: str, tmp_path: Path, prio: int, *extra: str,
           conf_extra: str = "") -> Proc:
    if node not in lab.nodes:
        lab.add_node(node, ADDR[node])
    conf = tmp_path / f"{node}.conf"
    conf.write_text(CONF.format(prio=prio, vip=VIP, extra=conf_extra))
    return lab.start(node, kaconf_run(conf, lab.workdir, node, *extra), node)


class DualHoldWatch:
    """Both nodes' addresses polled every ~20 ms: the longest time both held the VIP."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self.longest = 0.0
        self.since: float | None = None
        self.samples = 0

    def poll_for(self, seconds: float, until: object = None) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            both = self.lab.has_address("A", VIP) and self.lab.has_address("B", VIP)
            now = time.monotonic()
            self.samples += 1
            if both:
                self.since = now if self.since is None else self.since
                self.longest = max(self.longest, now - self.since)
            else:
                self.since = None
            if callable(until) and until():
                return
            time.sleep(0.02)


def test_a_hung_child_never_leaves_two_masters(lab: Lab, tmp_path: Path) -> None:
    """A SIGSTOPped MASTER child is replaced (default watchdog settings); at no moment
    outside a transition do A and B both hold the VIP. A stopped child sends no adverts
    and the kernel keeps its VIP: unless it is replaced before B's master-down interval
    runs out, B takes over and both hold it until the new child's first advert (with the
    hello alone, every 5 s, that was 17 s). The SIGKILL case, with the same 20 ms
    polling, is test_process.py's test_watchdog_restarts_a_killed_child_and_the_vip_stays."""
    a = _start(lab, "A", tmp_path, 150)
    wait_for("A to become MASTER", lambda: lab.has_address("A", VIP), 15)
    b = _start(lab, "B", tmp_path, 100)
    wait_for("B to enter BACKUP", lambda: "Entering BACKUP STATE" in b.log(), 10)
    pid_file = lab.workdir / "A-vrrp.pid"
    old = _pid(pid_file)
    assert old is not None
    watch = DualHoldWatch(lab)
    os.kill(old, signal.SIGSTOP)
    try:
        watch.poll_for(15, until=lambda: _pid(pid_file) not in (None, old))
        assert _pid(pid_file) not in (None, old), "the watchdog did not replace the child"
    finally:
        if _pid(pid_file) == old:
            os.kill(old, signal.SIGKILL)
    # the new child, then long enough for any takeover by B to be undone
    watch.poll_for(MASTER_DOWN + 3)
    print(f"SIGSTOP: both nodes held the VIP for at most {watch.longest:.2f}s")
    assert watch.samples > 100
    assert watch.longest < MASTER_DOWN, f"both held the VIP for {watch.longest:.2f}s"
    assert lab.has_address("A", VIP) and not lab.has_address("B", VIP)
    assert "Respawning" in a.log() and "is stopped, killing it" in a.log()
    assert a.alive() and b.alive()


def _fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


@pytest.mark.slow
def test_a_sighup_storm_of_good_and_broken_configs_keeps_serving(lab: Lab,
                                                                  tmp_path: Path) -> None:
    """100 SIGHUPs in 10 s, alternately a good file and a broken one (each broken one
    different): every SIGHUP is read, every broken file read is logged, the running
    configuration keeps the VIP throughout, and no process grows in descriptors or
    memory (measured after two warm-up reloads, with a tolerance for the allocator)."""
    a = _start(lab, "A", tmp_path, 150)
    wait_for("A to become MASTER", lambda: lab.has_address("A", VIP), 15)
    conf = tmp_path / "A.conf"
    good = conf.read_text()

    def write(text: str) -> None:
        tmp = conf.with_suffix(".new")
        tmp.write_text(text)
        tmp.replace(conf)

    def broken(i: int) -> str:  # a VRID out of range: keepalived refuses the file
        return good.replace("virtual_router_id 61", f"virtual_router_id {1000 + i}")

    def reloads() -> int:
        return a.log().count("Reloading configuration file")

    for i, text in enumerate((broken(0), good)):  # warm-up: every code path once
        write(text)
        a.signal(signal.SIGHUP)
        wait_for("a warm-up reload", lambda n=i + 1: reloads() == n, 15)
    wait_for("the child's reload", lambda: "Reload finished" in a.log(), 10)
    time.sleep(1.0)
    pids = {"parent": a.pid, "vrrp": _pid(lab.workdir / "A-vrrp.pid")}
    parent = _pid(lab.workdir / "A.pid")
    assert parent is not None and pids["vrrp"] is not None
    pids["parent"] = parent
    before = {n: (_fds(p), _rss_kb(p)) for n, p in pids.items() if p is not None}
    entering = a.log().count("Entering")

    start = time.monotonic()
    for i in range(100):
        write(broken(i + 1) if i % 2 == 0 else good)
        a.signal(signal.SIGHUP)
        assert lab.has_address("A", VIP), f"the VIP left A at SIGHUP {i}"
        time.sleep(max(0.0, start + (i + 1) * 0.1 - time.monotonic()))
    assert time.monotonic() - start < 12
    write(good)
    wait_for("every SIGHUP to be read", lambda: reloads() >= 102, 60, interval=0.5)
    wait_for("the storm to settle", lambda: a.log().rstrip().endswith(
        ("Reload finished", "keeping the running configuration")), 30, interval=0.5)
    time.sleep(2.0)
    log = a.log()
    assert reloads() == 102
    # every reload that read a broken file said so, naming it; none went unreported
    failed = log.count("Reload failed")
    assert log.count("outside range [1, 255] for virtual_router_id") == failed
    named = {i for i in range(101) if f"'{1000 + i}'" in log}
    # Each SIGHUP is handled (102 reloads above), but a file replaced 0.1 s later may be
    # read in its next version: how many broken ones are read depends on the machine's
    # load (29-51 seen on this 2-core machine, the fewest with other tests running).
    # Half of them keeps this from passing without broken files read.
    assert len(named) >= 25, f"only {len(named)} of the 51 broken files were read"
    assert log.count("Entering") == entering, "the storm changed the instance's state"
    assert lab.has_address("A", VIP) and a.alive()
    assert _pid(lab.workdir / "A-vrrp.pid") == pids["vrrp"], "the VRRP child was replaced"
    after = {n: (_fds(p), _rss_kb(p)) for n, p in pids.items() if p is not None}
    for n in before:
        # the watchdog keeps its connection to the child open once its first hello has
        # gone (10 s after the child starts, maybe during the storm): one descriptor at
        # each end that does not grow with the reloads; a leak would show 100 reloads'
        slack = 1
        assert after[n][0] <= before[n][0] + slack, \
            f"{n}: descriptors {before[n][0]} -> {after[n][0]}"
        assert after[n][1] - before[n][1] < 8 * 1024, f"{n}: VmRSS {before[n]} -> {after[n]}"
    print("SIGHUP storm, (fds, VmRSS kB) before/after:", before, after)


def _procs_in(lab: Lab, node: str) -> dict[int, tuple[str, str, int]]:
    """pid -> (state, command line, ppid) of the processes in ``node``'s namespace."""
    out = {}
    for word in sh("ip", "netns", "pids", lab.nodes[node], check=False).split():
        pid = int(word)
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        out[pid] = (stat[0], cmd.strip(), int(stat[1]))
    return out


def test_hung_and_forking_scripts_and_an_unwritable_data_dir(lab: Lab, tmp_path: Path) -> None:
    """A notify_master that hangs with a background child, a notify that forks and
    exits, a vrrp_script that hangs with a child past its timeout; SIGUSR1/SIGUSR2 with
    the data directory gone. The instance runs on; the script's process group dies at
    its timeout; no zombie is left; the failed writes are logged; at stop the hung
    notify script's group is killed."""
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    for name, body in (("hang.sh", "sleep 6001 &\nsleep 6002\n"),
                       ("fork.sh", "sleep 6003 &\nexit 0\n"),
                       ("chk.sh", "sleep 6004 &\nsleep 6005\n")):
        (scripts / name).write_text("#!/bin/sh\n" + body)
        (scripts / name).chmod(0o755)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    extra = (f"    notify_master {scripts / 'hang.sh'}\n    notify {scripts / 'fork.sh'}\n"
             "    track_script {\n        chk weight -10\n    }\n")
    script_block = (f"global_defs {{\n    script_user root\n}}\n"
                    f"vrrp_script chk {{\n    script {scripts / 'chk.sh'}\n"
                    "    interval 2\n    timeout 1\n}\n")
    lab.add_node("A", ADDR["A"])
    conf = tmp_path / "A.conf"
    conf.write_text(script_block + CONF.format(prio=150, vip=VIP, extra=extra))
    a = lab.start("A", kaconf_run(conf, lab.workdir, "A", "--data-file",
                                  str(data_dir / "A.data")), "A")
    wait_for("A to become MASTER", lambda: lab.has_address("A", VIP), 15)
    wait_for("the hung notify script", lambda: any(
        "sleep 6002" in c for _, c, _ in _procs_in(lab, "A").values()), 10)
    wait_for("a vrrp_script timeout", lambda: "VRRP_Script(chk) timed_out" in a.log(), 10)
    time.sleep(4.5)  # two more script runs, each killed at its timeout
    procs = _procs_in(lab, "A")
    daemon = {a.pid, _pid(lab.workdir / "A.pid"), _pid(lab.workdir / "A-vrrp.pid")}
    zombies = [(p, c) for p, (st, c, pp) in procs.items() if st == "Z" and pp in daemon]
    assert not zombies, zombies
    checks = [p for p, (_, c, _) in procs.items() if "sleep 6004" in c or "sleep 6005" in c]
    assert len(checks) <= 2, "vrrp_script runs outlived their timeout"
    assert lab.has_address("A", VIP), "the hung notify script stopped the instance"
    # the data directory goes away: the signal files cannot be written
    data_dir.rmdir()
    for sig in (signal.SIGUSR1, signal.SIGUSR2):
        a.signal(sig)
    wait_for("the failed writes to be logged", lambda: a.log().count("cannot write") >= 2, 10)
    time.sleep(1.0)
    assert a.alive() and lab.has_address("A", VIP)
    assert not any(st == "Z" and pp in daemon
                   for st, _, pp in _procs_in(lab, "A").values())
    # stop: the hung notify script and its background child die with the daemon
    assert a.stop(timeout=20) == 0
    time.sleep(0.5)
    left = [c for _, c, _ in _procs_in(lab, "A").values()
            if any(f"sleep {n}" in c for n in (6001, 6002, 6004, 6005))]
    assert not left, left
