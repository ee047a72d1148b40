"""The checker child inside the daemon's process model, in a network namespace.

``kaconf run`` on a config with a ``virtual_server`` forks a ``Keepalived_healthcheckers``
child next to the VRRP child; these tests drive the whole daemon as an operator would
(signals to the parent, pid files, logs) rather than calling ``checker_main`` directly
(tests/netns/test_checks_child.py does that). The real servers are HTTP servers
started by the test inside node A's namespace on 127.0.0.1: ``TCP_CHECK`` on one port,
``HTTP_GET`` on another, so stopping and restarting them moves the checks down and up.

The kernel here has no IPVS, so the checker keeps its table in memory; SIGUSR1 makes it
visible in the data file (``<data-file>`` with ``_check`` before the extension).
"""

from __future__ import annotations

import os
import signal
import sys
import textwrap
import time
from pathlib import Path

from tests.support.netns import NETNS, Lab, Proc, kaconf_run, wait_for

pytestmark = NETNS

VIP = "10.1.10.240/24"
VS = "10.1.10.240:80"
TCP_PORT, HTTP_PORT, EXTRA_PORT = 8080, 8081, 8082
#: A check notices a change within delay_loop + connect_timeout + retry x delay_before_retry
#: (1 + 1 + 1 s here); this leaves room for a loaded machine.
CHECK_BOUND = 15.0

VRRP_PART = """
global_defs {
  router_id aaa
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 90
  priority 100
  advert_int 1
  virtual_ipaddress {
    10.1.10.240/24
  }
}
"""


def vs_part(*extra_ports: int) -> str:
    """A virtual server whose real servers are checked every second."""
    extra = "".join(f"""
  real_server 127.0.0.1 {port} {{
    TCP_CHECK {{
      connect_timeout 1
    }}
  }}""" for port in extra_ports)
    return textwrap.dedent(f"""
        virtual_server 10.1.10.240 80 {{
          delay_loop 1
          lb_algo rr
          lb_kind NAT
          protocol TCP
          real_server 127.0.0.1 {TCP_PORT} {{
            TCP_CHECK {{
              connect_timeout 1
              retry 1
              delay_before_retry 1
            }}
          }}
          real_server 127.0.0.1 {HTTP_PORT} {{
            HTTP_GET {{
              url {{
                path /
                status_code 200
              }}
              connect_timeout 1
              retry 1
              delay_before_retry 1
            }}
          }}""") + extra + "\n}\n"


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _gone(pid: int) -> bool:
    """The process no longer runs (absent, or a zombie nobody reaped yet)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def _web(lab: Lab, port: int) -> Proc:
    """An HTTP server on 127.0.0.1:``port`` in A's namespace, waited for until it listens."""
    _node_a(lab)
    docroot = lab.workdir / "www"
    docroot.mkdir(exist_ok=True)
    proc = lab.start("A", [sys.executable, "-u", "-m", "http.server", str(port), "--bind",
                           "127.0.0.1", "--directory", str(docroot)],
                     f"web{port}-{time.monotonic_ns()}")
    wait_for(f"web server on {port}", lambda: "Serving HTTP" in proc.log(), 10)
    return proc


class Node:
    """kaconf running on node A with private pid and data files."""

    def __init__(self, lab: Lab, conf: Path, *extra: str, name: str = "A") -> None:
        self.lab = lab
        self.name = name
        self.proc = lab.start("A", kaconf_run(conf, lab.workdir, name, *extra), name)
        self.check_pid_file = lab.workdir / f"{name}-checkers.pid"
        self.vrrp_pid_file = lab.workdir / f"{name}-vrrp.pid"
        self.check_data = lab.workdir / f"{name}_check.data"

    def log(self) -> str:
        return self.proc.log()

    def checker_pid(self, timeout: float = 10.0) -> int:
        wait_for("the checker child's pid file",
                 lambda: _read_pid(self.check_pid_file) is not None, timeout)
        pid = _read_pid(self.check_pid_file)
        assert pid is not None
        return pid

    def dump(self) -> str:
        """SIGUSR1 to the parent; the checker's data file once it is (re)written."""
        self.check_data.unlink(missing_ok=True)
        self.proc.signal(signal.SIGUSR1)
        wait_for("the checker data file", self.check_data.exists, 5)
        # Written to a temporary name and renamed: what exists is complete.
        return self.check_data.read_text()


def _node_a(lab: Lab) -> None:
    """Node A's namespace (created once per lab)."""
    if "A" not in lab.nodes:
        lab.add_node("A", "10.1.10.117/24")


def _start(lab: Lab, tmp_path: Path, text: str, *extra: str) -> tuple[Node, Path]:
    _node_a(lab)
    conf = tmp_path / "keepalived.conf"
    conf.write_text(text)
    node = Node(lab, conf, "--watchdog-interval", "0.3", *extra)
    wait_for("the checker to activate",
             lambda: "Activating 2 healthchecker(s) for 1 virtual server(s)" in node.log(), 15)
    return node, conf


def test_checks_follow_real_servers_and_sigusr1_dumps_the_table(lab: Lab,
                                                                tmp_path: Path) -> None:
    web_tcp, web_http = _web(lab, TCP_PORT), _web(lab, HTTP_PORT)
    node, _ = _start(lab, tmp_path, VRRP_PART + vs_part(), "-d")
    log = node.log()
    assert "Starting VRRP child process, pid=" in log
    assert f"Starting Healthcheck child process, pid={node.checker_pid()}" in log
    # -d: keepalived's text dump, VRRP and LVS parts, one log line each.
    assert "------< VRRP Topology >------" in log and "------< LVS Topology >------" in log

    table = node.dump()
    assert "in memory only" in table
    assert f"TCP  {VS} rr" in table
    assert f"-> 127.0.0.1:{TCP_PORT}" in table and f"-> 127.0.0.1:{HTTP_PORT}" in table
    # Both children got the SIGUSR1: the VRRP child wrote its own data file.
    wait_for("the VRRP data file", lambda: (lab.workdir / "A.data").exists(), 5)

    web_http.stop()
    wait_for("HTTP_GET to declare its server down", lambda: (
        f"Removing service 127.0.0.1:{HTTP_PORT} from VS {VS}" in node.log()), CHECK_BOUND)
    assert f"-> 127.0.0.1:{HTTP_PORT}" not in node.dump()
    web_http = _web(lab, HTTP_PORT)
    wait_for("HTTP_GET to bring its server back", lambda: (
        f"Adding service 127.0.0.1:{HTTP_PORT} to VS {VS}" in node.log()), CHECK_BOUND)
    assert f"HTTP status code success to 127.0.0.1:{HTTP_PORT}" in node.log()

    web_tcp.stop()
    wait_for("TCP_CHECK to declare its server down", lambda: (
        f"Removing service 127.0.0.1:{TCP_PORT} from VS {VS}" in node.log()), CHECK_BOUND)
    assert f"TCP connection to 127.0.0.1:{TCP_PORT} failed" in node.log()
    web_tcp = _web(lab, TCP_PORT)
    wait_for("TCP_CHECK to bring its server back", lambda: (
        f"Adding service 127.0.0.1:{TCP_PORT} to VS {VS}" in node.log()), CHECK_BOUND)
    table = node.dump()
    assert f"-> 127.0.0.1:{TCP_PORT}" in table and f"-> 127.0.0.1:{HTTP_PORT}" in table
    assert node.proc.alive()


def test_killed_or_hung_checker_child_is_restarted(lab: Lab, tmp_path: Path) -> None:
    _web(lab, TCP_PORT)
    _web(lab, HTTP_PORT)
    node, _ = _start(lab, tmp_path, VRRP_PART + vs_part())
    wait_for("A to hold the VIP", lambda: lab.has_address("A", VIP), 10)
    vrrp_pid = _read_pid(node.vrrp_pid_file)
    first = node.checker_pid()

    os.kill(first, signal.SIGKILL)
    wait_for("a new checker child", lambda: _read_pid(node.check_pid_file) not in (None, first),
             10)
    second = node.checker_pid()
    log = node.log()
    assert f"Healthcheck child process({first}) died: Respawning" in log
    assert f"Starting Healthcheck child process, pid={second}" in log
    wait_for("the new child to run its checks", lambda: node.log().count(
        "Activating 2 healthchecker(s)") == 2, 10)
    assert f"TCP  {VS} rr" in node.dump()

    os.kill(second, signal.SIGSTOP)  # alive, but its loop answers no hello
    try:
        wait_for("the watchdog to replace the hung checker",
                 lambda: _read_pid(node.check_pid_file) not in (None, second), 10)
    finally:
        if _read_pid(node.check_pid_file) == second:
            os.kill(second, signal.SIGKILL)
    # the /proc probe (a stopped child) or the hello (any hung loop), whichever is first
    assert (f"Healthcheck child process({second}) is stopped, killing it" in node.log()
            or f"Healthcheck child process({second}) did not answer the watchdog" in node.log())
    node.checker_pid()
    # The VRRP side never noticed: same child, VIP held throughout.
    assert _read_pid(node.vrrp_pid_file) == vrrp_pid
    assert lab.has_address("A", VIP)


def test_sigterm_stops_every_child(lab: Lab, tmp_path: Path) -> None:
    _web(lab, TCP_PORT)
    _web(lab, HTTP_PORT)
    node, _ = _start(lab, tmp_path, VRRP_PART + vs_part())
    wait_for("A to hold the VIP", lambda: lab.has_address("A", VIP), 10)
    check_pid, vrrp_pid = node.checker_pid(), _read_pid(node.vrrp_pid_file)
    assert vrrp_pid is not None
    assert node.proc.stop() == 0
    assert _gone(check_pid) and _gone(vrrp_pid)
    assert not node.check_pid_file.exists() and not node.vrrp_pid_file.exists()
    assert not (lab.workdir / "A.pid").exists()
    assert not lab.has_address("A", VIP)
    assert "Stopped" in node.log()


def test_reload_checks_first_and_starts_or_stops_the_checker(lab: Lab, tmp_path: Path) -> None:
    _web(lab, TCP_PORT)
    _web(lab, HTTP_PORT)
    extra = _web(lab, EXTRA_PORT)
    # --strict: a reload with lint errors keeps the running configuration (without it,
    # kaconf reloads what keepalived would run, logging the errors)
    node, conf = _start(lab, tmp_path, VRRP_PART + vs_part(), "--strict")
    first = node.checker_pid()

    conf.write_text(VRRP_PART + vs_part().replace("lb_algo rr", "lb_algo nonsense {"))
    node.proc.signal(signal.SIGHUP)
    wait_for("the broken reload to be refused", lambda: "Reload failed" in node.log(), 10)
    assert _read_pid(node.check_pid_file) == first and not _gone(first)

    conf.write_text(VRRP_PART + vs_part(EXTRA_PORT))
    node.proc.signal(signal.SIGHUP)
    wait_for("the checker to reload", lambda: "Reloaded: 1 virtual server(s)" in node.log(), 10)
    wait_for("the added real server in the table",
             lambda: f"-> 127.0.0.1:{EXTRA_PORT}" in node.dump(), CHECK_BOUND)
    assert _read_pid(node.check_pid_file) == first  # reloaded in place, not restarted
    extra.stop()
    wait_for("the added server's check to fail", lambda: (
        f"Removing service 127.0.0.1:{EXTRA_PORT} from VS {VS}" in node.log()), CHECK_BOUND)

    conf.write_text(VRRP_PART)  # no virtual_server left: no checker child either
    node.proc.signal(signal.SIGHUP)
    wait_for("the checker child to stop", lambda: _gone(first), 10)
    assert "Healthcheck child no longer needed by the configuration" in node.log()
    assert f"Healthcheck child process({first}) died" not in node.log()

    conf.write_text(VRRP_PART + vs_part())
    node.proc.signal(signal.SIGHUP)
    wait_for("a checker child for the new virtual server",
             lambda: _read_pid(node.check_pid_file) not in (None, first), 10)
    wait_for("it to run", lambda: node.log().count("Activating 2 healthchecker(s)") == 2, 10)
    assert node.proc.alive()


def test_dash_c_runs_only_the_checker_and_dash_p_only_vrrp(lab: Lab, tmp_path: Path) -> None:
    _web(lab, TCP_PORT)
    _web(lab, HTTP_PORT)
    node, conf = _start(lab, tmp_path, VRRP_PART + vs_part(), "-C")
    node.checker_pid()
    time.sleep(4.5)  # longer than VI_1's master-down interval (3 x 1 s + skew)
    assert "Starting VRRP child process" not in node.log()
    assert not node.vrrp_pid_file.exists()
    assert not lab.has_address("A", VIP)
    assert node.proc.stop() == 0

    only_vrrp = Node(lab, conf, "-P", name="P")
    wait_for("-P to take the VIP", lambda: lab.has_address("A", VIP), 10)
    assert "Starting VRRP child process" in only_vrrp.log()
    assert "Healthcheck" not in only_vrrp.log()
    assert not only_vrrp.check_pid_file.exists()
    assert only_vrrp.proc.stop() == 0
