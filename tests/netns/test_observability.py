"""kaconf run observed from outside: kaconf status, Prometheus metrics, systemd's notify
protocol and keepalived's JSON dump, on a MASTER in a namespace.

The node runs one VRRP instance (with a tracked script) and one virtual server with a
MISC_CHECK, so both children answer. systemd is played by a datagram socket the test
listens on (NOTIFY_SOCKET); the metrics are scraped over the node's loopback from inside
its namespace and parsed with prometheus_client's parser.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support.netns import NETNS, Lab, kaconf_run, wait_for
from tests.support.status_format import (
    CHECKER_KEYS,
    CHECKER_PART_KEYS,
    DAEMON_KEYS,
    GROUP_KEYS,
    INSTANCE_KEYS,
    RS_KEYS,
    SCRIPT_KEYS,
    STATS_KEYS,
    TOP_KEYS,
    VRRP_KEYS,
    VS_KEYS,
)

pytestmark = NETNS

VIP = "10.1.11.240/24"
CONF = textwrap.dedent("""
    vrrp_sync_group G_OBS {
        group {
            VI_OBS
            VI_OBS2
        }
    }
    vrrp_instance VI_OBS2 {
        state MASTER
        interface eth0
        virtual_router_id 63
        priority 150
        advert_int 1
        virtual_ipaddress {
            10.1.11.241/24
        }
    }
    vrrp_script chk_ok {
        script "/bin/true"
        interval 1
    }
    vrrp_instance VI_OBS {
        state MASTER
        interface eth0
        virtual_router_id 61
        priority 150
        advert_int 1
        virtual_ipaddress {
            10.1.11.240/24
        }
        track_script {
            chk_ok
        }
    }
    virtual_server 10.1.11.240 80 {
        delay_loop 1
        lb_algo rr
        lb_kind NAT
        protocol TCP
        real_server 10.1.11.50 80 {
            MISC_CHECK {
                misc_path "/bin/true"
            }
        }
    }
    """)
class NotifyListener:
    """systemd's end of NOTIFY_SOCKET: collects every message sent to it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0.2)
        self.messages: list[str] = []

    def poll(self) -> list[str]:
        while True:
            try:
                self.messages.append(self.sock.recv(4096).decode())
            except (TimeoutError, BlockingIOError):
                return self.messages

    def seen(self, field: str, after: int = 0) -> bool:
        return any(field in m.split("\n") for m in self.poll()[after:])

    def close(self) -> None:
        self.sock.close()


def status(ctl: Path) -> dict:  # type: ignore[type-arg]
    out = subprocess.run([sys.executable, "-m", "kaconf.cli", "status", "--json",
                          "--control", str(ctl)], capture_output=True, text=True,
                         timeout=30, check=True)
    return json.loads(out.stdout)


def scrape(lab: Lab, port: int) -> str:
    code = ("import urllib.request,sys;"
            f"sys.stdout.write(urllib.request.urlopen('http://127.0.0.1:{port}/metrics',"
            "timeout=10).read().decode())")
    return lab.ns_sh(lab.nodes["A"], sys.executable, "-c", code)


@pytest.fixture
def notify(tmp_path: Path):  # type: ignore[no-untyped-def]
    listener = NotifyListener(tmp_path / "notify.sock")
    yield listener
    listener.close()


def test_status_metrics_notify_and_json_dump(lab: Lab, tmp_path: Path,
                                              notify: NotifyListener) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    conf = tmp_path / "keepalived.conf"
    conf.write_text(CONF)
    lab.add_node("A", "10.1.11.117/24")
    lab.ns_sh(lab.nodes["A"], "ip", "link", "set", "lo", "up")
    ctl = lab.workdir / "A.ctl"
    argv = ["env", f"NOTIFY_SOCKET={notify.path}", "WATCHDOG_USEC=1000000",
            *kaconf_run(conf, lab.workdir, "A", "--metrics", "127.0.0.1:9650")]
    a = lab.start("A", argv, "A")
    wait_for("A to become MASTER", lambda: lab.has_address("A", VIP), 15)
    wait_for("READY=1", lambda: notify.seen("READY=1"), 10)
    wait_for("WATCHDOG=1", lambda: notify.seen("WATCHDOG=1"), 5)
    assert oct(os.stat(ctl).st_mode & 0o777) == "0o600"

    # kaconf status --json: the documented keys, and what the node is doing
    wait_for("the real server's first check", lambda: status(ctl)["checker"][
        "virtual_servers"][0]["real_servers"][0]["checkers"][0]["last_check"] is not None, 10)
    st = status(ctl)
    assert set(st) == TOP_KEYS and st["format"] == 1
    assert set(st["daemon"]) == DAEMON_KEYS
    assert {c["role"] for c in st["daemon"]["children"]} == {"vrrp", "check"}
    insts = {i["name"]: i for i in st["vrrp"]["instances"]}
    assert set(insts) == {"VI_OBS", "VI_OBS2"}
    inst = insts["VI_OBS"]
    assert set(inst) == INSTANCE_KEYS and set(inst["stats"]) == STATS_KEYS
    assert set(st["vrrp"]) == VRRP_KEYS and set(st["checker"]) == CHECKER_PART_KEYS
    assert set(st["vrrp"]["scripts"][0]) == SCRIPT_KEYS
    assert set(st["vrrp"]["sync_groups"][0]) == GROUP_KEYS
    assert st["vrrp"]["sync_groups"] == [{"name": "G_OBS", "state": "MASTER",
                                          "members": ["VI_OBS", "VI_OBS2"]}]
    assert inst["sync_group"] == insts["VI_OBS2"]["sync_group"] == "G_OBS"
    assert inst["state"] == "MASTER" and inst["master"] == "10.1.11.117"
    assert inst["vips"] == [VIP] and inst["vips_held"]
    # the member whose timer expired first took the group along
    assert inst["last_transition_reason"].endswith("master down timer expired")
    assert inst["tracked_scripts"][0]["state"] == "up"
    assert inst["stats"]["become_master"] == 1
    (vs,) = st["checker"]["virtual_servers"]
    assert set(vs) == VS_KEYS
    (rs,) = vs["real_servers"]
    assert set(rs) == RS_KEYS and rs["alive"] and rs["weight"] == 1
    assert set(rs["checkers"][0]) == CHECKER_KEYS
    assert rs["checkers"][0]["state"] == "up"
    text = subprocess.run([sys.executable, "-m", "kaconf.cli", "status", "--control",
                           str(ctl)], capture_output=True, text=True, timeout=30).stdout
    assert "VI_OBS" in text and "MASTER" in text and "10.1.11.50:80" in text
    assert "G_OBS" in text

    # metrics, scraped inside the namespace
    fams = {f.name: f for f in text_string_to_metric_families(scrape(lab, 9650))}
    state = [s for s in fams["keepalived_vrrp_state"].samples
             if s.labels["iname"] == "VI_OBS"]
    assert state and state[0].value == 2 and state[0].labels["ip_address"] == VIP
    assert fams["keepalived_vrrp_effective_priority"].samples[0].value == 150
    assert fams["keepalived_become_master"].samples[0].value == 1
    assert fams["keepalived_advertisements_sent"].samples[0].value >= 1
    assert fams["keepalived_ip_ttl_errors"].type == "counter"
    assert fams["keepalived_script_status"].samples[0].value == 1
    assert fams["keepalived_real_server_alive"].samples[0].value == 1
    hist = fams["keepalived_check_duration_seconds"]
    assert hist.type == "histogram"
    assert [s.value for s in hist.samples if s.name.endswith("_count")][0] >= 1

    # keepalived's JSON dump on SIGRTMIN+2, from the same data
    a.signal(signal.SIGRTMIN + 2)
    dump = lab.workdir / "A.json"
    wait_for("A.json", lambda: dump.exists() and dump.stat().st_size > 0, 5)
    entries = {e["data"]["iname"]: e for e in json.loads(dump.read_text())}
    entry = entries["VI_OBS"]
    assert entry["data"]["iname"] == "VI_OBS" and entry["data"]["state"] == 2
    assert entry["data"]["vips"] == [f"{VIP} dev eth0 scope global set"]
    assert entry["stats"]["become_master"] == 1

    # reload: RELOADING=1, then READY=1 once both children are done
    mark = len(notify.poll())
    a.signal(signal.SIGHUP)
    wait_for("RELOADING=1", lambda: notify.seen("RELOADING=1", mark), 5)
    reloading = next(i for i, m in enumerate(notify.messages) if i >= mark
                     and "RELOADING=1" in m.split("\n"))
    wait_for("READY=1 after the reload", lambda: notify.seen("READY=1", reloading + 1), 15)
    assert status(ctl)["daemon"]["reloads"] == 1

    mark = len(notify.poll())
    assert a.stop() == 0
    assert notify.seen("STOPPING=1", mark)
    assert not ctl.exists()


def test_detail_logs_are_keepalived_lines_only(lab: Lab, tmp_path: Path) -> None:
    """``kaconf run -n -l -D`` of the seed config: every line is the daemon's own, none is
    pyroute2's netlink trace or asyncio's selector message; ``--log-format json`` gives
    one JSON object per line."""
    import re

    from tests.support.paths import EXAMPLES

    lab.add_node("A", "10.1.10.117/24")
    a = lab.start("A", kaconf_run(EXAMPLES / "serverA.conf", lab.workdir, "A", "-D"), "A")
    wait_for("A to become MASTER", lambda: lab.has_address("A", "10.1.10.240/24"), 15)
    assert a.stop() == 0
    lines = [line for line in a.log().splitlines() if line.strip()]
    stamp = r"\w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2}\.\d{3}"
    daemon_line = re.compile(
        rf"^(kaconf run: .*|{stamp}: Keepalived(_vrrp|_healthcheckers)?\[\d+\]: .*)$")
    assert lines and all(daemon_line.match(line) for line in lines), "\n".join(
        line for line in lines if not daemon_line.match(line))
    text = a.log()
    assert "selector" not in text.lower() and "nlmsg" not in text.lower()

    b = lab.start("A", kaconf_run(EXAMPLES / "serverA.conf", lab.workdir, "A2", "-D",
                                  "--log-format", "json"), "A2")
    wait_for("the JSON run to log its start", lambda: "Starting VRRP child" in b.log(), 15)
    assert b.stop() == 0
    records = [json.loads(line) for line in b.log().splitlines()
               if line.strip() and not line.startswith("kaconf run:")]
    assert records and {r["process"] for r in records} <= {
        "Keepalived", "Keepalived_vrrp", "Keepalived_healthcheckers"}
    assert all(set(r) == {"time", "level", "process", "pid", "message"} for r in records)
