"""Capture real keepalived's AH-authenticated VRRPv2 adverts into a test fixture.

Why: kaconf's AH codec (daemon/vrrp/ah.py) must produce what keepalived 2.2.7 puts on
the wire and accept what it sends; its unit tests compare with bytes recorded from the
real daemon, not with our reading of its source. This tool records them.

For each case (multicast, unicast, a truncated long password) it makes a namespace lab
(tests.support.netns: a node on a bridge), starts ``keepalived -n -l -D -P`` on the
case's config, captures the IPv4 frames of protocol 51 leaving eth0 with an AF_PACKET
socket for a few seconds (the node alone becomes MASTER and advertises; SIGTERM adds the
priority-0 advert), and writes the IP datagrams with the config values the codec needs
(auth_pass, addresses, priority) to tests/fixtures/wire/keepalived_ah.json.

Run as root: ``python3 tools/capture_ah.py``. Every wait is bounded; the lab deletes its
namespaces and kills what it started by pid.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.netns import FrameCapture, Lab, wait_for  # noqa: E402
from tests.support.paths import FIXTURES  # noqa: E402

OUT = FIXTURES / "wire" / "keepalived_ah.json"
ADDR = "10.1.10.117"
PEER = "10.1.10.185"

CONF = """global_defs {{
    router_id cap
}}
vrrp_instance VI_1 {{
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority {prio}
    advert_int 1
{extra}    authentication {{
        auth_type AH
        auth_pass {password}
    }}
    virtual_ipaddress {{
        10.1.10.240/24
        10.1.10.241/24
    }}
}}
"""

CASES = [
    {"name": "multicast", "prio": 100, "password": "secret", "extra": ""},
    {"name": "unicast", "prio": 150, "password": "s3cr3t-u",
     "extra": f"    unicast_src_ip {ADDR}\n    unicast_peer {{\n        {PEER}\n    }}\n"},
    {"name": "long-password", "prio": 200, "password": "averylongpassword", "extra": ""},
]


def capture(case: dict[str, object], workdir: Path) -> dict[str, object]:
    lab = Lab(workdir)
    try:
        lab.add_node("A", f"{ADDR}/24")
        lab.add_node("B", f"{PEER}/24")  # answers ARP, so unicast adverts leave
        conf = workdir / f"{case['name']}.conf"
        conf.write_text(CONF.format(**case))
        cap = FrameCapture(lab, "A", 12.0, ethertype=0x0003)
        wd = lab.workdir
        ka = lab.start("A", ["keepalived", "-n", "-l", "-D", "-P", "-f", str(conf),
                             "-p", str(wd / "ka.pid"), "-r", str(wd / "ka-vrrp.pid"),
                             "-c", str(wd / "ka-checkers.pid")], f"ka-{case['name']}")
        wait_for("keepalived to become MASTER", lambda: "Entering MASTER" in ka.log(), 10)
        time.sleep(3.5)
        ka.stop()
        time.sleep(0.5)
        datagrams = [f[14:] for f in cap.frames()
                     if f[12:14] == b"\x08\x00" and len(f) > 34 and f[14 + 9] == 51]
        return {"name": case["name"], "auth_pass": case["password"], "priority": case["prio"],
                "vrid": 51, "advert_int": 1, "src": ADDR,
                "dst": PEER if case["extra"] else "224.0.0.18",
                "unicast": bool(case["extra"]), "vips": ["10.1.10.240", "10.1.10.241"],
                "datagrams": [d.hex() for d in datagrams]}
    finally:
        lab.close()


def main() -> int:
    results = []
    for case in CASES:
        with tempfile.TemporaryDirectory(prefix="kacap") as tmp:
            results.append(capture(case, Path(tmp)))
        print(f"{case['name']}: {len(results[-1]['datagrams'])} datagrams")  # type: ignore[arg-type]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "what": "IP datagrams (protocol 51, AH + VRRPv2) sent by keepalived 2.2.7, captured "
                "on eth0 with AF_PACKET by tools/capture_ah.py",
        "keepalived": "2.2.7", "cases": results}, indent=1) + "\n")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
