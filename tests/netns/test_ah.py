"""``auth_type AH`` on the wire: kaconf and keepalived 2.2.7 understand each other's adverts.

Two nodes on a bridge, one running the real keepalived and the other ``kaconf run`` (then
swapped), both with ``authentication { auth_type AH }``. The higher priority holds the
VIP and the other stays BACKUP (so each accepts the other's AH adverts: ICV, SPI and
sequence numbers), a cut link or a stop moves the VIP and it comes back (the sequence
numbering continues across the takeover, or the returning node would be ignored as a
replay). A different auth_pass is rejected with keepalived's log line (both become
MASTER), and a replayed advert is dropped as keepalived drops it.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import pytest

from tests.support.configs import vrrp_conf
from tests.support.netns import NETNS, FrameCapture, Lab, Proc, kaconf_run, wait_for

pytestmark = [*NETNS, pytest.mark.skipif(shutil.which("keepalived") is None,
                                         reason="keepalived is not installed")]

VIP = "10.1.10.240/24"
TAKEOVER = 12.0
AH = "    authentication {{\n        auth_type AH\n        auth_pass {password}\n    }}\n"
ICV_LINE = ("(VI_1) IPSEC-AH : invalid IPSEC HMAC-MD5 value. Due to fields mutation or bad "
            "password !")


ADDRESSES = {"A": "10.1.10.117", "B": "10.1.10.185"}
UNICAST = "    unicast_src_ip {me}\n    unicast_peer {{\n        {peer}\n    }}\n"


def _conf(tmp: Path, name: str, prio: int, password: str = "secret",
          unicast: bool = False) -> Path:
    extra = AH.format(password=password)
    if unicast:
        peer = ADDRESSES["B" if name == "A" else "A"]
        extra += UNICAST.format(me=ADDRESSES[name], peer=peer)
    path = tmp / f"{name}.conf"
    path.write_text(vrrp_conf(name, prio, VIP, extra=extra))
    return path


def _keepalived(lab: Lab, node: str, conf: Path) -> Proc:
    wd = lab.workdir
    return lab.start(node, ["keepalived", "-n", "-l", "-D", "-P", "-f", str(conf),
                            "-p", str(wd / f"ka-{node}.pid"), "-r", str(wd / f"ka-{node}-vrrp.pid"),
                            "-c", str(wd / f"ka-{node}-checkers.pid")], f"keepalived-{node}")


def _start(lab: Lab, node: str, conf: Path, real: str) -> Proc:
    if node == real:
        return _keepalived(lab, node, conf)
    return lab.start(node, kaconf_run(conf, lab.workdir, node), f"kaconf-{node}")


def _pair(lab: Lab) -> None:
    for node, address in ADDRESSES.items():
        lab.add_node(node, f"{address}/24")


def _stays(what: str, check: object, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        assert callable(check) and check(), what
        time.sleep(0.2)


@pytest.mark.parametrize(("real", "unicast"), [("A", False), ("B", False), ("A", True)])
def test_ah_pair_with_keepalived(lab: Lab, tmp_path: Path, real: str, unicast: bool) -> None:
    """A (100) MASTER, B (99) BACKUP; cut A: B takes over; A returns and preempts; stop A.

    Unicast adverts leave the TTL out of the ICV; one case checks both ways with them.
    """
    _pair(lab)
    a = _start(lab, "A", _conf(tmp_path, "A", 100, unicast=unicast), real)
    wait_for("A to hold the VIP", lambda: lab.has_address("A", VIP), 10)
    b = _start(lab, "B", _conf(tmp_path, "B", 99, unicast=unicast), real)
    wait_for("B to enter BACKUP", lambda: "Entering BACKUP STATE" in b.log(), 10)
    _stays("B must stay BACKUP while A advertises",
           lambda: not lab.has_address("B", VIP) and lab.has_address("A", VIP), 3.0)
    # B accepted A's adverts as such: no AH complaint on either side
    for proc in (a, b):
        assert "IPSEC" not in proc.log(), proc.log()
    lab.set_link("A", False)
    wait_for("B to take the VIP", lambda: lab.has_address("B", VIP), TAKEOVER)
    lab.set_link("A", True)
    # A's counter is behind B's numbering now: it accepts B's adverts (newer), and B
    # accepts A's once A continues past them; A preempts.
    wait_for("A to take the VIP back", lambda: lab.has_address("A", VIP), TAKEOVER)
    wait_for("B to release it", lambda: not lab.has_address("B", VIP), 5)
    _stays("B must stay BACKUP", lambda: not lab.has_address("B", VIP), 2.0)
    assert a.stop() == 0  # priority 0: B takes over at once
    wait_for("B to take the VIP after A stopped", lambda: lab.has_address("B", VIP), 5)
    assert b.stop() == 0


@pytest.mark.parametrize("real", ["A", "B"])
def test_ah_wrong_password_is_rejected(lab: Lab, tmp_path: Path, real: str) -> None:
    """Different auth_pass: neither accepts the other's adverts, both become MASTER."""
    _pair(lab)
    a = _start(lab, "A", _conf(tmp_path, "A", 100, "secret"), real)
    wait_for("A to hold the VIP", lambda: lab.has_address("A", VIP), 10)
    b = _start(lab, "B", _conf(tmp_path, "B", 99, "s3cret"), real)
    wait_for("B to take the VIP too", lambda: lab.has_address("B", VIP), TAKEOVER)
    for proc in (a, b):
        wait_for(f"{proc.name} to log the bad ICV", lambda p=proc: ICV_LINE in p.log(), 5)
    assert lab.has_address("A", VIP)
    assert a.stop() == 0 and b.stop() == 0


INJECT = r"""
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.setsockopt(socket.SOL_SOCKET, 25, b"eth0\0")
s.sendto(bytes.fromhex(sys.argv[1]), ("224.0.0.18", 0))
print("sent", flush=True)
"""


def test_replayed_advert_is_dropped(lab: Lab, tmp_path: Path) -> None:
    """keepalived's priority-0 advert, replayed later by a third node, does not move the VIP.

    Accepted, it would make the kaconf backup take over at once; its sequence number is
    old, so kaconf drops it with keepalived's line, as keepalived itself would.
    """
    _pair(lab)
    lab.add_node("C", "10.1.10.50/24")
    cap = FrameCapture(lab, "C", 30.0, ethertype=0x0003)
    a = _keepalived(lab, "A", _conf(tmp_path, "A", 100))
    wait_for("A to hold the VIP", lambda: lab.has_address("A", VIP), 10)
    a.stop()  # its last advert: priority 0
    b = lab.start("B", kaconf_run(_conf(tmp_path, "B", 99), lab.workdir, "B"), "kaconf-B")
    a = _keepalived(lab, "A", _conf(tmp_path, "A", 100))  # starts again from sequence 1
    wait_for("A to hold the VIP", lambda: lab.has_address("A", VIP), TAKEOVER)
    wait_for("B to enter BACKUP", lambda: "Entering BACKUP STATE" in b.log(), 10)
    time.sleep(3.0)  # B has accepted A's adverts up to 3 or so
    stop = [f[14:] for f in cap.frames() if f[12:14] == b"\x08\x00" and f[14 + 9] == 51
            and f[14 + 44 + 2] == 0]
    assert stop, "no priority-0 AH advert captured"
    replay = stop[0]
    seq = int.from_bytes(replay[28:32], "big")
    inject = lab.start("C", [sys.executable, "-c", INJECT, replay.hex()], "inject")
    wait_for("the replay to be sent", lambda: "sent" in inject.log(), 5)
    wait_for("B to drop the replay", lambda: f"(VI_1) IPSEC-AH : sequence number {seq} "
             "already processed. Packet dropped." in b.log(), 5)
    _stays("B must stay BACKUP", lambda: not lab.has_address("B", VIP), 2.0)
    assert a.stop() == 0 and b.stop() == 0
