"""SIGUSR1's data file and SIGUSR2's stats file: kaconf run writes what keepalived 2.2.7
writes for the same config.

Each scenario runs real keepalived, then ``kaconf run``, on the same node and config
(the peer, when there is one, is the same kaconf node throughout), sends SIGUSR1 once
the instance has settled and compares the two files section by section after
normalising what differs between any two runs: timestamps, file descriptors, the
socket pool and the kernel's interface table.
"""

from __future__ import annotations

import difflib
import re
import shutil
import signal
import time
from pathlib import Path

import pytest

from tests.support.netns import NETNS, Lab, Proc, kaconf_run, wait_for

pytestmark = [*NETNS, pytest.mark.oracle,
              pytest.mark.skipif(shutil.which("keepalived") is None,
                                 reason="keepalived is not installed")]

KEEPALIVED_DATA = Path("/tmp/keepalived.data")
KEEPALIVED_STATS = Path("/tmp/keepalived.stats")

CONF = """vrrp_script chk {{
    script /bin/true
    interval 1
}}
vrrp_instance VI_1 {{
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority {prio}
    advert_int 1
    track_script {{
        chk
    }}
    virtual_ipaddress {{
        10.1.10.100/24
    }}
}}
"""

_SKIP_SECTIONS = ("------< VRRP Sockpool >------", "------< Interfaces >------")
_TIMES = re.compile(r"= \d+\.\d{6} \(.*\)$")


def normalise(text: str) -> list[tuple[str, list[str]]]:
    """Sections with their lines; run-specific values replaced by placeholders."""
    out: list[tuple[str, list[str]]] = []
    body: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("------<"):
            body = None if line in _SKIP_SECTIONS else []
            if body is not None:
                out.append((line, body))
            continue
        if body is None or not line.startswith(" "):
            continue
        line = _TIMES.sub("= <time>", line)
        if line.startswith("   fd_in "):
            line = "   <sockets>"
        body.append(line)
    return out


def _keepalived(lab: Lab, node: str, conf: Path) -> Proc:
    wd = lab.workdir
    return lab.start(node, ["keepalived", "-n", "-l", "-D", "-P", "-f", str(conf),
                            "-p", str(wd / f"ka-{node}.pid"), "-r", str(wd / f"ka-{node}-vrrp.pid"),
                            "-c", str(wd / f"ka-{node}-checkers.pid")], f"keepalived-{node}")


def _files_after_signals(proc: Proc, data: Path, stats: Path, settled: str
                         ) -> tuple[str, str]:
    """SIGUSR1 then SIGUSR2 once the instance has settled: (data file, stats file)."""
    wait_for(f"{settled} in the log", lambda: settled in proc.log(), 15)
    time.sleep(1.5)  # a script run and an advert or two after the transition
    out = []
    for sig, path in ((signal.SIGUSR1, data), (signal.SIGUSR2, stats)):
        path.unlink(missing_ok=True)
        proc.signal(sig)
        wait_for(f"{path} to be written", lambda p=path: p.exists() and p.stat().st_size > 0,
                 10)
        time.sleep(0.3)
        out.append(path.read_text())
    assert proc.stop() is not None
    return out[0], out[1]


def stats_lines(text: str) -> list[str]:
    """The stats file with the advert counts (which depend on timing) as zero or not."""
    return [re.sub(r"^(    (?:Received|Sent): )([1-9]\d*)$", r"\1<n>", line)
            for line in text.splitlines()]


def _compare(ref: str, got: str) -> None:
    a, b = normalise(ref), normalise(got)
    assert [h for h, _ in b] == [h for h, _ in a]
    for (head, body), (_, mine) in zip(a, b, strict=True):
        assert mine == body, head + "\n" + "\n".join(
            difflib.unified_diff(body, mine, "keepalived", "kaconf", lineterm=""))


@pytest.mark.parametrize("role", ["MASTER", "BACKUP"])
def test_data_file_matches_keepalived(lab: Lab, tmp_path: Path, role: str) -> None:
    lab.add_node("B", "10.1.10.185/24")
    peer: Proc | None = None
    if role == "BACKUP":
        lab.add_node("A", "10.1.10.117/24")
        conf_a = tmp_path / "A.conf"
        conf_a.write_text(CONF.format(prio=150))
        peer = lab.start("A", kaconf_run(conf_a, lab.workdir, "A"), "A")
        wait_for("A to become MASTER", lambda: "Entering MASTER STATE" in peer.log(), 15)
    conf = tmp_path / "B.conf"
    conf.write_text(CONF.format(prio=100))
    settled = f"(VI_1) Entering {role} STATE"
    ref, ref_stats = _files_after_signals(_keepalived(lab, "B", conf), KEEPALIVED_DATA,
                                          KEEPALIVED_STATS, settled)
    got, got_stats = _files_after_signals(
        lab.start("B", kaconf_run(conf, lab.workdir, "B"), "B"), lab.workdir / "B.data",
        lab.workdir / "B.stats", settled)
    if peer is not None:
        assert peer.stop() is not None
    _compare(ref, got)
    assert stats_lines(got_stats) == stats_lines(ref_stats)
