"""Elections between three routers on one LAN (RFC 5798 §6.4).

Nodes A, B and C (namespaces on one bridge, see :mod:`tests.support.netns`) share VI_1 / VRID 90 /
10.1.10.240, all ``state BACKUP`` with preemption. Throughout, every namespace is polled
and, outside the transition windows, exactly one of them must hold the VIP.

* Priorities 100 / 150 / 120: B wins; with B's cable cut, C (the next priority) takes
  over, not A, although A has the highest address; B, back, preempts.
* Equal priorities: the master with the highest primary address wins. A backup never
  preempts an equal priority (whoever is master first stays), so the three nodes start
  on an isolated bridge (each becomes master of its island) and are then joined: the
  tie-break among masters decides.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from pathlib import Path

from tests.support.configs import vrrp_conf
from tests.support.netns import NETNS, Lab, Proc, kaconf_run, wait_for

pytestmark = NETNS

VIP = "10.1.10.240/24"
NODES = ("A", "B", "C")
#: Start-up (interpreter, netlink) plus the master-down interval (3 x 1 s + skew).
STARTUP = 15.0
#: Master-down interval plus link detection, with slack for a loaded host.
TAKEOVER = 12.0
#: Several advert intervals: long enough for a wrong second master to show up.
STEADY = 3.0
POLL = 0.1

_STATE = re.compile(r"\(VI_1\) Entering (MASTER|BACKUP|FAULT) STATE")


def _start(lab: Lab, tmp: Path, prios: dict[str, int]) -> dict[str, Proc]:
    procs = {}
    for node in NODES:
        conf = tmp / f"{node}.conf"
        conf.write_text(vrrp_conf(node, prios[node], VIP))
        procs[node] = lab.start(node, kaconf_run(conf, lab.workdir, node), node)
    return procs


def _holders(lab: Lab) -> set[str]:
    """The nodes whose eth0 carries the VIP right now (every namespace is asked)."""
    return {node for node in NODES if lab.has_address(node, VIP)}


def _state(proc: Proc) -> str | None:
    """The last state the daemon logged for VI_1."""
    states = _STATE.findall(proc.log())
    return states[-1] if states else None


def _alive(procs: dict[str, Proc]) -> None:
    dead = {n: p.popen.returncode for n, p in procs.items() if not p.alive()}
    assert not dead, f"daemons exited: {dead}"


def _sole_holder(lab: Lab, procs: dict[str, Proc], holder: str, timeout: float,
                 never: Iterable[str] = ()) -> None:
    """Transition: wait until ``holder`` alone has the VIP; no node in ``never`` may get it."""
    never = set(never)
    deadline = time.monotonic() + timeout
    while True:
        holders = _holders(lab)
        wrong = holders & never
        assert not wrong, f"{sorted(wrong)} took the VIP while {holder} should"
        if holders == {holder}:
            return
        _alive(procs)
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {holder} to be "
                                 f"the only VIP holder (holders: {sorted(holders)})")
        time.sleep(POLL)


def _steady(lab: Lab, procs: dict[str, Proc], holder: str, seconds: float = STEADY) -> None:
    """Outside transitions: for ``seconds``, ``holder`` and only it holds the VIP."""
    end = time.monotonic() + seconds
    while True:
        holders = _holders(lab)
        assert holders == {holder}, (f"VIP holders {sorted(holders)}, expected exactly "
                                     f"{holder}")
        _alive(procs)
        if time.monotonic() >= end:
            return
        time.sleep(POLL)


def _states(procs: dict[str, Proc], expected: dict[str, str]) -> None:
    """The daemons' logs agree (a log line may trail the address change a little)."""
    wait_for(f"states {expected}",
             lambda: all(_state(procs[n]) == s for n, s in expected.items()), 5)


def _stop(procs: dict[str, Proc], master: str) -> None:
    """Backups first, then the master: every daemon exits cleanly."""
    for node in sorted(procs, key=lambda n: n == master):
        status = procs[node].stop()
        assert status == 0, f"{node} exited with {status}"


def test_three_nodes_priorities_failover_and_preempt(lab: Lab, tmp_path: Path) -> None:
    # A has the highest address: only priorities may put C before it.
    lab.add_node("A", "10.1.10.130/24")
    lab.add_node("B", "10.1.10.110/24")
    lab.add_node("C", "10.1.10.120/24")
    procs = _start(lab, tmp_path, {"A": 100, "B": 150, "C": 120})

    _sole_holder(lab, procs, "B", STARTUP)
    _steady(lab, procs, "B")
    _states(procs, {"A": "BACKUP", "B": "MASTER", "C": "BACKUP"})

    lab.set_link("B", False)
    # C's skew time (3 + 136/256 s) is shorter than A's (3 + 156/256 s): A never takes over.
    _sole_holder(lab, procs, "C", TAKEOVER, never={"A"})
    _steady(lab, procs, "C")
    _states(procs, {"A": "BACKUP", "B": "FAULT", "C": "MASTER"})

    lab.set_link("B", True)
    _sole_holder(lab, procs, "B", TAKEOVER, never={"A"})
    _steady(lab, procs, "B")
    _states(procs, {"A": "BACKUP", "B": "MASTER", "C": "BACKUP"})
    log_b = procs["B"].log()
    assert "(VI_1) Leaving FAULT state" in log_b
    assert "received lower priority (120) advert from 10.1.10.120 - discarding" in log_b
    assert ("(VI_1) Master received advert from 10.1.10.110 with higher priority 150, "
            "ours 120") in procs["C"].log()
    _stop(procs, "B")


def test_equal_priorities_highest_primary_address_wins(lab: Lab, tmp_path: Path) -> None:
    # Numerically B (.100) is highest; as strings A ("...9") would be. C also has a
    # secondary address above them all: only the primary address (the adverts' source)
    # counts.
    lab.add_node("A", "10.1.10.9/24")
    lab.add_node("B", "10.1.10.100/24")
    lab.add_node("C", "10.1.10.25/24", "10.1.10.200/24")
    for node in NODES:
        lab.isolate(node, True)
    procs = _start(lab, tmp_path, dict.fromkeys(NODES, 150))
    # Split brain on purpose: each island elects itself.
    wait_for("every node to become MASTER of its island",
             lambda: _holders(lab) == set(NODES), STARTUP)
    _states(procs, dict.fromkeys(NODES, "MASTER"))

    for node in NODES:
        lab.isolate(node, False)
    _sole_holder(lab, procs, "B", TAKEOVER)
    _steady(lab, procs, "B")
    _states(procs, {"A": "BACKUP", "B": "MASTER", "C": "BACKUP"})
    assert ("(VI_1) Master received advert from 10.1.10.100 with same priority 150 but "
            "higher IP address than ours") in procs["C"].log()
    assert re.search(r"\(VI_1\) Master received advert from 10\.1\.10\.(100|25) with same "
                     r"priority 150 but higher IP address than ours", procs["A"].log())
    log_b = procs["B"].log()
    assert "higher IP address than ours" not in log_b
    assert _STATE.findall(log_b) == ["BACKUP", "MASTER"], "B did not stay MASTER"
    _stop(procs, "B")
