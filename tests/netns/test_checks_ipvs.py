"""Program a real IPVS table through kaconfd's writer, in a throw-away network namespace.

The writer (kaconfd.check.ipvs_writer) turns planned operations into pyroute2 IPVS calls; this
test checks the kernel then holds exactly the planned table (service attributes, weights,
forwarding methods) after an add, an edit and a delete.  It runs the writer in a fresh
network namespace (``unshare --net``, IPVS tables are per namespace), so the host's table is
never touched.  Where the kernel has no IPVS (no ``ip_vs`` module: containers, this project's
CI) it is skipped with the reason "kernel has no IPVS".
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

_SCRIPT = r"""
import asyncio, json, logging, socket
from kaconfd.check.ipvs_plan import Dest, Service, make_entry, plan
from kaconfd.check.ipvs_writer import IpvsWriter
from kaconfd.check.spec import ServiceAddr

log = logging.getLogger("ipvs")
A = ServiceAddr(4, "TCP", "192.0.2.1", 80)
F = ServiceAddr(4, "", None, 0, 7)
S1 = Service(A, "wrr", 1, 300, "255.255.255.0")
S2 = Service(F, "rr")

async def main():
    w = IpvsWriter(log)
    if not await w.open():
        return {"error": w.reason}
    failed = 0
    want = {A: make_entry(S1, [Dest("192.0.2.10", 80, 3, "DR"), Dest("192.0.2.11", 80, 1, "NAT")]),
            F: make_entry(S2, [Dest("192.0.2.20", 0, 2, "TUN")])}
    failed += await w.apply(plan(w.table, want))
    want[A] = make_entry(S1, [Dest("192.0.2.10", 80, 0, "DR")])
    failed += await w.apply(plan(w.table, want))
    w.close()
    return {"failed": failed}

out = asyncio.run(main())
if "error" not in out:
    from pyroute2 import IPVS, IPVSDest, IPVSService
    ipvs = IPVS()
    services = []
    for msg in ipvs.service("dump"):
        svc = IPVSService.from_message(msg)
        dests = []
        for d in ipvs.dest("dump", service=svc):
            dd = IPVSDest.from_message(d)
            dests.append([dd.get("addr"), dd.get("port"), dd.get("weight"),
                          dd.get("IPVS_DEST_ATTR_FWD_METHOD")])
        services.append({"addr": svc.get("addr"), "port": svc.get("port"),
                         "fwmark": svc.get("fwmark"), "sched": svc.get("sched_name"),
                         "timeout": svc.get("IPVS_SVC_ATTR_TIMEOUT"),
                         "dests": sorted(dests)})
    ipvs.close()
    out["services"] = sorted(services, key=lambda s: s["fwmark"] or 0)
print(json.dumps(out))
"""


def kernel_has_ipvs() -> tuple[bool, str]:
    """IPVS is usable when /proc/net/ip_vs exists or the IPVS netlink family answers."""
    if os.path.exists("/proc/net/ip_vs"):
        return True, ""
    try:
        from pyroute2 import IPVS

        sock = IPVS()
        try:
            sock.service("dump")
        finally:
            sock.close()
    except Exception as e:  # noqa: BLE001 - any failure: no IPVS
        return False, f"kernel has no IPVS ({e})"
    return True, ""


@pytest.mark.netns  # unshare --net: a throw-away network namespace
def test_writer_programs_a_real_ipvs_table() -> None:
    ok, why = kernel_has_ipvs()
    if not ok:
        pytest.skip(why)
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare for a throw-away network namespace")
    proc = subprocess.run(["unshare", "--net", sys.executable, "-c", _SCRIPT],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    if "error" in out:
        pytest.skip(f"kernel has no IPVS in a new namespace: {out['error']}")
    assert out["failed"] == 0
    assert out["services"] == [
        {"addr": "192.0.2.1", "port": 80, "fwmark": None, "sched": "wrr", "timeout": 300,
         "dests": [["192.0.2.10", 80, 0, 3]]},
        {"addr": None, "port": None, "fwmark": 7, "sched": "rr", "timeout": 0,
         "dests": [["192.0.2.20", 0, 2, 2]]},
    ]
