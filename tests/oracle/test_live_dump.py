"""``kaconf dump`` on a real host against ``keepalived -d`` on the same host.

The unit dump tests use a static :class:`Host`; this one runs both programs inside a
network namespace with eth0..eth3 up (veth pairs), so host facts come from the kernel:
interface state (a sync group is BACKUP, not FAULT, when its interfaces are up),
addresses, indexes. The config also covers the cases where kaconf's daemon, dump and
lint used to disagree with keepalived: ``vrrp_mcast_group4``, ``vrrp_garp_interval``
(GARP delay groups), ``unicast_src_ip``/``unicast_peer`` written with a prefix length,
and ``version 2`` with an IPv6 address.
"""

from __future__ import annotations

import difflib
import subprocess
import sys

import pytest

from tests.support.oracle import OracleNetns, keepalived_available
from tests.support.paths import FIXTURES, REPO

pytestmark = [pytest.mark.oracle, pytest.mark.netns]

CONF = FIXTURES / "live" / "host_dump.conf"


def sections(text: str) -> list[tuple[str, list[str]]]:
    """The dump's sections in order, each with its own (indented) lines.

    Start-up text and interleaved log lines (not indented) are left out, and so is the
    ``Interfaces`` section (kaconf does not print the kernel's interface table).
    """
    out: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("------<"):
            current = []
            out.append((line, current))
        elif current is not None and line.startswith(" "):
            current.append(line)
    return [(h, b) for h, b in out if h != "------< Interfaces >------"]


def test_dump_on_a_live_host_matches_keepalived() -> None:
    reason = keepalived_available()
    if reason is not None:
        pytest.skip(f"keepalived oracle unavailable: {reason}")
    with OracleNetns() as ns:
        ref = sections(ns.dump(CONF, seconds=4))
        proc = subprocess.run(["ip", "netns", "exec", ns.name, sys.executable, "-m",
                               "kaconf.cli", "dump", str(CONF)], capture_output=True,
                              text=True, cwd=REPO, timeout=60)
    assert proc.returncode == 0, proc.stderr
    got = sections(proc.stdout)
    assert [h for h, _ in got] == [h for h, _ in ref]
    for (head, body), (_, mine) in zip(ref, got, strict=True):
        assert mine == body, head + "\n" + "\n".join(
            difflib.unified_diff(body, mine, "keepalived", "kaconf", lineterm=""))
    # the cases this config is about, stated once more so a failure names them
    text = "\n".join(line for _, body in got for line in body)
    assert "Multicast address 224.0.0.19" in text
    assert "     Using unicast" in text
    assert "FAULT" not in text
    assert "   Gratuitous ARP for each secondary i/f = 10" in text  # garp_extra_if
    assert "     MAC = 02:11:22:33:44:37 (using VRID)" in text  # use_vmac NAME MAC
