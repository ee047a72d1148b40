"""The quiet socket on a real link: routine adverts queue unread, everything else wakes.

A probe runs in node B's namespace with the daemon's own shared receiver
(:class:`kaconfd.vrrp.receiver.AdvertReceiver` on a real ``ReceiveSocket``) and a
stand-in instance that learns an advert as routine the second time it hears it, as
:meth:`~kaconfd.vrrp.runner.InstanceRunner.fast_advert` does. Its sending socket is
opened in node A's namespace (setns), so the adverts cross the bridge as a master's
would. It checks, in order:

* the routine advert, once learned, no longer wakes the loop (no readable event of
  the shared socket), and reading the quiet socket gives the exact count and kernel
  arrival time; the shared socket's filter dropped it;
* the same advert with another TTL, and the master's priority-0 advert, wake the loop
  at once (shared socket) and reach the instance;
* an advert that came after a forget but before the filters were rebuilt (so it sits
  in the quiet socket, no longer known) is dispatched, exactly once;
* a replay flood puts the quiet socket on the loop (it would otherwise overflow).

Also checked first, with bare raw sockets: that the filter sees the IP header at
offset 0, and that two sockets' copies of a datagram carry the same kernel timestamp.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.support.netns import NETNS, Lab
from tests.support.paths import REPO

pytestmark = NETNS

PROBE = r'''
import asyncio, ctypes, ipaddress, json, os, socket, struct, sys, time
from types import SimpleNamespace
from kaconfd.vrrp.bpf import DROP, JEQ, LD_B, RET, ACCEPT
from kaconfd.vrrp.io import ReceiveSocket
from kaconfd.vrrp.packet import Advertisement
from kaconfd.vrrp.quiet import attach_filter
from kaconfd.vrrp.receiver import AdvertReceiver

libc = ctypes.CDLL(None, use_errno=True)
SRC, GROUP = ipaddress.IPv4Address("10.1.10.117"), ipaddress.IPv4Address("224.0.0.18")
here = os.open("/proc/self/ns/net", os.O_RDONLY)
there = os.open(sys.argv[1], os.O_RDONLY)
assert libc.setns(there, 0x40000000) == 0
tx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)  # IP_HDRINCL
tx.setsockopt(socket.SOL_SOCKET, 25, b"eth0\0")
assert libc.setns(here, 0x40000000) == 0
out = {}

def advert(priority=100):
    vips = (ipaddress.IPv4Address("10.1.10.240"),)
    return Advertisement(3, 51, priority, vips, 1.0).to_bytes(SRC, GROUP)

def send(payload, ttl=255):
    total = 20 + len(payload)
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0xC0, total, 0, 0, ttl, 112, 0,
                         SRC.packed, GROUP.packed)
    tx.sendto(header + payload, (str(GROUP), 0))

# 1. What a raw IPv4 socket's filter sees at offset 0.
seen = {}
for name, value in (("version/IHL", 0x45), ("VRRP version/type", 0x31)):
    probe = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
    probe.setsockopt(socket.SOL_SOCKET, 25, b"eth0\0")
    mreqn = struct.pack("4s4si", GROUP.packed, bytes(4), socket.if_nametoindex("eth0"))
    probe.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreqn)
    attach_filter(probe, [(LD_B, 0, 0, 0), (JEQ, 0, 1, value), (RET, 0, 0, ACCEPT),
                          (RET, 0, 0, DROP)])
    probe.settimeout(0.5)
    send(advert())
    try:
        seen[name] = len(probe.recv(100))
    except socket.timeout:
        seen[name] = None
    probe.close()
out["offset0"] = seen

# 2. Two raw sockets' copies of one datagram carry the same kernel timestamp: read with
# one ``seen`` set, the second copy is skipped (what a refilter's drain relies on).
eth0 = socket.if_nametoindex("eth0")
pair = [ReceiveSocket(family=4, ifname="eth0", ifindex=eth0) for _ in range(2)]
pair[0].join(GROUP)
# The kernel stamps arrivals once for every socket only after SO_TIMESTAMPNS has turned
# stamping on, which it does a moment later (a deferred static key): before that, each
# socket stamps its copy as it reads it. The daemon's sockets are older than any refilter.
time.sleep(0.5)
send(advert(77)); time.sleep(0.02); send(advert(77)); time.sleep(0.1)
copies = set()
def ours(sock):
    return sum(r.payload == advert(77) for r in iter(lambda: sock.receive(seen=copies), None))
out["copies"] = (ours(pair[0]), ours(pair[1]), len(copies))
for sock in pair:
    sock.close()


class Runner:
    def __init__(self):
        self.cfg = SimpleNamespace(vrid=51)
        self.receiver = self.group = None
        self.hold_limit = 0.0
        self.heard, self.heard_key = None, b""
        self.stats = SimpleNamespace(advert_rcvd=0)
        self.good = None
        self.full, self.fast = [], []

    def fast_advert(self, rcv):
        if self.good is None or (rcv.payload, rcv.ttl) != self.good:
            return False
        self.stats.advert_rcvd += 1
        self.fast.append(rcv.arrival)
        self.receiver.learn(self, rcv, rcv.ttl)
        return True

    def on_advert(self, rcv, adv):
        if self.heard is not None:  # the unit handles an event: routine no more
            self.receiver.forget(self)
        self.stats.advert_rcvd += 1
        self.full.append((adv.priority, rcv.ttl))
        self.good = (rcv.payload, rcv.ttl)

    def rejected(self, rcv, exc):
        raise AssertionError(exc)


async def scenario():
    loop = asyncio.get_running_loop()
    rx = ReceiveSocket(family=4, ifname="eth0", ifindex=socket.if_nametoindex("eth0"))
    receiver = AdvertReceiver(rx)
    runner = Runner()
    receiver.add(runner, GROUP)
    wakes = []
    readable = receiver.on_readable
    def counted():
        wakes.append(loop.time())
        readable()
    receiver.on_readable = counted
    receiver.start(loop)

    async def settle(seconds=0.1):
        await asyncio.sleep(seconds)

    send(advert()); await settle()
    send(advert()); await settle()  # learned now; the refilter runs next iteration
    out["learned"] = (list(runner.full), len(runner.fast), receiver.quiet is not None,
                      len(receiver.covered))
    before = len(wakes)
    sent = []
    for _ in range(5):
        sent.append(time.monotonic()); send(advert()); await settle(0.05)
    heard = runner.heard
    out["quiet_wakes"] = len(wakes) - before
    out["count_before_note"] = heard.count
    receiver.note_quiet()
    out["count_after_note"] = heard.count
    out["arrival_ok"] = sent[-1] <= heard.at <= time.monotonic()
    out["main_empty"] = rx.receive() is None  # the shared socket's filter dropped them

    before = len(wakes)
    send(advert(), ttl=254); await settle()
    send(advert(0)); await settle()
    out["other_wakes"] = len(wakes) - before
    out["full_after"] = runner.full[1:]

    # Forget (the unit changed); an advert comes before the refilter has run.
    runner.good = (advert(), 255)
    send(advert()); await settle()  # routine again: learned (fast path)
    await settle()
    receiver.note_quiet()
    counted_before = runner.stats.advert_rcvd + runner.heard.count
    fast_before = len(runner.fast)
    quiet_receive, strays = receiver.quiet.receive, []
    def receive(known, seen=None, before=None):
        rcv = quiet_receive(known, seen, before)
        if rcv is not None:
            strays.append(rcv)
        return rcv
    receiver.quiet.receive = receive
    receiver.forget(runner)
    send(advert()); time.sleep(0.1)  # queued on the quiet socket, no longer known
    await settle(0.2)
    out["stray"] = (len(strays), len(runner.fast) - fast_before,
                    runner.stats.advert_rcvd + (runner.heard.count if runner.heard else 0)
                    - counted_before)

    # A replay flood: more than one read may hold, the quiet socket goes on the loop.
    for _ in range(100):
        send(advert())
    await settle()
    receiver.note_quiet()
    out["loud"] = receiver._loud is not None

    # More adverts than the socket's option memory takes filters for: fewer covered.
    from kaconfd.vrrp.io import Heard
    for i in range(400):
        receiver.known[bytes([10, 1, 10, 117, 224, 0, 0, 18, 0x31, i % 256, i // 256])
                       + bytes(9)] = Heard(255)
    receiver.refilter()
    out["fit"] = (len(receiver.covered), receiver._fit)
    receiver.close()

asyncio.run(scenario())
print(json.dumps(out))
'''


def test_routine_adverts_queue_quietly_and_the_rest_wakes(lab: Lab) -> None:
    lab.add_node("A", "10.1.10.117/24")
    lab.add_node("B", "10.1.10.185/24")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run(["ip", "netns", "exec", lab.nodes["B"], sys.executable, "-c", PROBE,
                           f"/var/run/netns/{lab.nodes['A']}"],
                          capture_output=True, text=True, timeout=60, env=env, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    # The filter runs on the IP datagram from its header on (offset 0: 0x45).
    assert out["offset0"] == {"version/IHL": 32, "VRRP version/type": None}
    assert out["copies"] == [2, 0, 2]
    assert out["learned"] == [[[100, 255]], 1, True, 1]
    assert out["quiet_wakes"] == 0
    assert (out["count_before_note"], out["count_after_note"]) == (0, 5)
    assert out["arrival_ok"] and out["main_empty"]
    assert out["other_wakes"] == 2 and out["full_after"] == [[100, 254], [0, 255]]
    assert out["stray"] == [1, 1, 1]  # read from the quiet socket, dispatched once, counted once
    assert out["loud"]
    # net.core.optmem_max (128 KB here) does not take a filter for all 400: halved
    covered, fit = out["fit"]
    assert 10 < covered == fit < 400
