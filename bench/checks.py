"""Checker bench: 1,000 real servers with TCP_CHECK and ``delay_loop 1`` against local listeners.

What it measures, and why these two numbers: a health checker is only useful if checks happen
when they are due (a late check is a late failover) and if it leaves the machine's CPU to the
load balancer.  So the bench reports

* **lateness**: for every check, how long after its due time (the end of the previous check +
  ``delay_loop``, or the warm-up time for the first) it actually started; target p99 <= 50 ms;
* **CPU**: ``resource.getrusage(RUSAGE_SELF)`` user+system time of the checker process over
  the measured window, as a share of one core (target <= 25%) and per check.

Set-up, all on this machine: a separate process runs a few listening sockets on
127.0.0.2..127.0.0.N (accept, then close), so their CPU is not counted; the checker runs the
real :class:`kaconfd.check.scheduler.Scheduler` on a config generated here (one virtual
server, 1,000 real servers 127.1.x.y:80 whose TCP_CHECK uses ``connect_ip`` /
``connect_port`` to reach the listeners; the 127.1.x.y addresses are never contacted), with the
in-memory IPVS table.  ``RLIMIT_NOFILE`` is raised to its hard limit first.

    python bench/checks.py                     # 1,000 servers, 20 s window, writes the doc
    python bench/checks.py --servers 200 --duration 5 --no-write

The result goes to ``docs/performance.md`` between ``<!-- checks:begin -->`` and
``<!-- checks:end -->`` (the other sections are left alone).  Exit status: 0 targets met,
1 a target missed, 2 the bench itself failed (listeners did not start, checks failed).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import os
import platform
import resource
import selectors
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BEGIN = "<!-- checks:begin -->"
END = "<!-- checks:end -->"
TARGET_P99_MS = 50.0
TARGET_CPU = 0.25
LISTENER_BASE_PORT = 18000


# -- the listener process ---------------------------------------------------------------


def serve(addresses: list[str], port: int) -> None:
    """Accept and close on every address:port until SIGTERM (runs in its own process)."""
    sel = selectors.DefaultSelector()
    socks = []
    for a in addresses:
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((a, port))
        s.listen(4096)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
        socks.append(s)
    running = True

    def stop(*_: object) -> None:
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    print("ready", flush=True)
    while running:
        for key, _ in sel.select(0.5):
            lsn = key.fileobj
            assert isinstance(lsn, socket.socket)
            for _ in range(64):
                try:
                    conn, _addr = lsn.accept()
                except (BlockingIOError, InterruptedError):
                    break
                conn.close()


# -- the checker side -------------------------------------------------------------------


def make_config(n: int, listeners: list[str], port: int, delay: float) -> str:
    lines = ["virtual_server 192.0.2.1 80 {", "  protocol TCP", "  lb_algo wrr",
             f"  delay_loop {delay:g}", "  connect_timeout 2"]
    for i in range(n):
        target = listeners[i % len(listeners)]
        lines += [f"  real_server 127.1.{i // 250}.{i % 250 + 1} 80 {{",
                  "    TCP_CHECK {", f"      connect_ip {target}", f"      connect_port {port}",
                  "    }", "  }"]
    lines.append("}")
    return "\n".join(lines) + "\n"


@dataclass
class Samples:
    measuring: bool = False
    lateness: list[float] = field(default_factory=list)
    durations: list[float] = field(default_factory=list)
    checks: int = 0
    failures: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


@dataclass
class Result:
    servers: int
    delay: float
    duration: float
    checks: int
    failures: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    cpu_s: float
    cpu_share: float
    cpu_per_check_us: float
    check_p50_ms: float
    alive: int
    reasons: dict[str, int]

    @property
    def ok(self) -> bool:
        return (self.p99_ms <= TARGET_P99_MS and self.cpu_share <= TARGET_CPU
                and self.failures == 0 and self.alive == self.servers)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(q * (len(values) - 1))))
    return values[k]


async def measure(n: int, delay: float, duration: float, warm: float, listeners: list[str],
                  port: int) -> Result:
    from kaconfd.check.ipvs_writer import IpvsWriter
    from kaconfd.check.probes import CheckResult
    from kaconfd.check.scheduler import Scheduler
    from kaconfd.check.spec import CheckerSpec, resolve

    import kaconf

    log = logging.getLogger("bench.checks")
    loaded = kaconf.load_full("bench-checks.conf",
                              data=make_config(n, listeners, port, delay).encode())
    if loaded.errors:
        raise SystemExit(f"generated config has errors: {loaded.errors[:3]}")
    s = Samples()

    def hook(spec: CheckerSpec, late: float, took: float, res: CheckResult) -> None:
        if not s.measuring:
            return
        s.checks += 1
        s.lateness.append(late)
        s.durations.append(took)
        if not res.up:
            s.failures += 1
            s.reasons[res.reason] = s.reasons.get(res.reason, 0) + 1

    sched = Scheduler(resolve(loaded.config), log=log, on_check=hook,
                      writer=IpvsWriter(log, use_kernel=False))
    await sched.start()
    try:
        await asyncio.sleep(warm)
        r0 = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.monotonic()
        s.measuring = True
        await asyncio.sleep(duration)
        s.measuring = False
        r1 = resource.getrusage(resource.RUSAGE_SELF)
        t1 = time.monotonic()
        alive = sum(rs.alive for vs in sched.pool.virtual_servers for rs in vs.real_servers)
    finally:
        await sched.stop()
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    wall = t1 - t0
    return Result(
        servers=n, delay=delay, duration=wall, checks=s.checks, failures=s.failures,
        p50_ms=_pct(s.lateness, 0.50) * 1e3, p99_ms=_pct(s.lateness, 0.99) * 1e3,
        max_ms=max(s.lateness, default=float("nan")) * 1e3, cpu_s=cpu,
        cpu_share=cpu / wall if wall else float("nan"),
        cpu_per_check_us=cpu / s.checks * 1e6 if s.checks else float("nan"),
        check_p50_ms=(statistics.median(s.durations) * 1e3 if s.durations else float("nan")),
        alive=alive, reasons=s.reasons)


def raise_nofile(want: int) -> tuple[int, int]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(want, soft)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


# -- report -----------------------------------------------------------------------------


def section(r: Result, listeners: list[str], nofile: tuple[int, int]) -> str:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    verdict = "PASS" if r.ok else "FAIL"
    fails = "" if not r.reasons else "; " + ", ".join(
        f"{k}: {v}" for k, v in sorted(r.reasons.items(), key=lambda kv: -kv[1])[:3])
    return "\n".join([
        BEGIN,
        f"## Health checks: {r.servers:,} real servers, TCP_CHECK, delay_loop {r.delay:g} s",
        "",
        "Written by `python bench/checks.py` (see its docstring); the next run replaces this"
        " section.",
        "",
        "| | |",
        "|---|---|",
        f"| date | {now} |",
        f"| machine | {os.cpu_count()} CPUs (nproc), Python {platform.python_version()},"
        f" {platform.system()} {platform.release()} |",
        f"| set-up | {r.servers:,} real servers -> {len(listeners)} listeners"
        f" ({', '.join(listeners)}, separate process); in-memory IPVS table;"
        f" RLIMIT_NOFILE {nofile[0]} |",
        f"| window | {r.duration:.1f} s after warm-up: {r.checks:,} checks"
        f" ({r.checks / r.duration:,.0f}/s), {r.failures} failed{fails},"
        f" {r.alive}/{r.servers} real servers alive at the end |",
        f"| lateness vs schedule | p50 {r.p50_ms:.1f} ms, p99 {r.p99_ms:.1f} ms,"
        f" max {r.max_ms:.1f} ms |",
        f"| check duration | p50 {r.check_p50_ms:.2f} ms (connect to close) |",
        f"| CPU (getrusage self) | {r.cpu_s:.2f} s = {r.cpu_share:.1%} of one core,"
        f" {r.cpu_per_check_us:.0f} us per check |",
        f"| target | p99 lateness <= {TARGET_P99_MS:g} ms and <= {TARGET_CPU:.0%} of one"
        " core, no failed check |",
        f"| result | {verdict} |",
        END,
    ])


def write_section(doc: Path, text: str) -> None:
    old = doc.read_text() if doc.exists() else "# Performance\n"
    if BEGIN in old and END in old:
        head, _, rest = old.partition(BEGIN)
        _, _, tail = rest.partition(END)
        new = head + text + tail
    else:
        new = old.rstrip("\n") + "\n\n" + text + "\n"
    doc.write_text(new)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--servers", type=int, default=1000)
    ap.add_argument("--delay", type=float, default=1.0, help="delay_loop, seconds")
    ap.add_argument("--duration", type=float, default=20.0, help="measured window, seconds")
    ap.add_argument("--warmup", type=float, default=3.0, help="unmeasured start, seconds")
    ap.add_argument("--listeners", type=int, default=4)
    ap.add_argument("--port", type=int, default=LISTENER_BASE_PORT)
    ap.add_argument("--doc", default=str(REPO / "docs" / "performance.md"))
    ap.add_argument("--no-write", action="store_true", help="print only, leave the doc alone")
    ap.add_argument("--serve", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.serve:
        serve(args.serve, args.port)
        return 0
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    nofile = raise_nofile(4 * args.servers + 1024)
    listeners = [f"127.0.0.{i + 2}" for i in range(args.listeners)]
    proc = subprocess.Popen([sys.executable, __file__, "--port", str(args.port), "--serve",
                             *listeners], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        if proc.stdout.readline().strip() != "ready":
            print("listeners did not start", file=sys.stderr)
            return 2
        result = asyncio.run(measure(args.servers, args.delay, args.duration, args.warmup,
                                     listeners, args.port))
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    text = section(result, listeners, nofile)
    print(text)
    if not args.no_write:
        write_section(Path(args.doc), text)
        print(f"written to {args.doc}")
    if result.checks == 0 or result.failures:
        return 2
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
