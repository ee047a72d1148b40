"""Parse-speed bench: kaconf against ``keepalived -t`` on the same ~94,000-line config.

kaconf's performance target is stated relative to keepalived itself ("within 3x of
``keepalived -t``, under 150 MB"), because an absolute number would say nothing once the
machine changes.  So one run of this script measures both on the same freshly generated file,
on the same machine, and records the outcome in ``docs/performance.md`` between the markers
``<!-- parse_speed:begin -->`` and ``<!-- parse_speed:end -->`` (the rest of that file is left
alone).

* keepalived: ``keepalived -t -f FILE`` inside a network namespace built by
  ``tests/support/oracle.py`` with the eight interfaces the config names (eth0..eth3 and
  b0..b3 as veth pairs), N runs, median wall time.  Each run must exit 0, otherwise the
  comparison would be meaningless.
* kaconf: ``kaconf lint FILE`` when that subcommand exists (installed, or as
  ``python -m kaconf.cli lint FILE`` from this checkout), else
  ``python -c "import kaconf; kaconf.load(FILE)"``, or whatever ``--kaconf-cmd`` says; N runs,
  median wall time and the peak RSS of the process (``ru_maxrss`` from ``os.wait4``).  When no
  kaconf entry point exists yet the bench says so and records "not measured".
* Bytecode: before the kaconf runs the bench compiles kaconf's modules to ``__pycache__``
  (``compileall``), as installing a wheel does.  An editable checkout under
  ``PYTHONDONTWRITEBYTECODE=1`` would otherwise recompile every module on every run (~0.15 s),
  which measures the environment rather than kaconf.

Exit status: 0 pass (or kaconf not measurable yet), 1 target missed, 2 the bench itself failed
(config rejected by keepalived, kaconf crashed, timeout).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
for _p in (REPO, REPO / "bench"):  # run as a script: tests.support and bench/ (not a package)
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

import gen_config  # noqa: E402

from tests.support.oracle import (  # noqa: E402
    DEFAULT_INTERFACES,
    OracleNetns,
    keepalived_available,
)

BEGIN = "<!-- parse_speed:begin -->"
END = "<!-- parse_speed:end -->"
TARGET_RATIO = 3.0
TARGET_RSS_MB = 150.0
_PROBE_TIMEOUT = 60.0


@dataclass
class Measured:
    """One bounded run of a command: exit code, wall seconds, peak RSS and its output."""

    exit_code: int
    seconds: float
    maxrss_mb: float
    output: str


class BenchError(RuntimeError):
    """The bench could not produce a meaningful number (not a missed target)."""


def run_measured(argv: list[str], timeout: float, cwd: Path) -> Measured:
    """Run ``argv`` and return its wall time and peak RSS, killing it after ``timeout`` s.

    ``subprocess`` does not expose the child's rusage, so we reap the child ourselves with
    ``os.wait4``.  The timeout is enforced by a timer that signals the child through a pidfd:
    unlike ``os.kill(pid)`` that can never hit an unrelated process that reused the pid after
    the child was reaped.  Output goes to a temporary file so a chatty child cannot block on a
    full pipe while we are in ``wait4``.
    """
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, cwd=cwd
        )
        pidfd = os.pidfd_open(proc.pid)
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            try:
                signal.pidfd_send_signal(pidfd, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            kill()
            os.wait4(proc.pid, 0)
            raise
        finally:
            timer.cancel()
            timer.join()
            os.close(pidfd)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # we reaped it, tell Popen
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if timed_out.is_set():
        raise BenchError(f"{shlex.join(argv)} timed out after {timeout:.0f}s")
    # ru_maxrss is in KiB on Linux.
    return Measured(proc.returncode, seconds, usage.ru_maxrss / 1024, text)


def _probe(argv: list[str]) -> tuple[int, str]:
    """Run a short probe command (does this entry point exist?), bounded."""
    try:
        done = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=_PROBE_TIMEOUT,
            cwd=REPO,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return 127, str(exc)
    return done.returncode, (done.stdout + done.stderr).strip()


def resolve_kaconf_cmd(custom: str | None, conf: Path) -> tuple[list[str] | None, set[int], str]:
    """Decide how to run kaconf on ``conf``: (argv or None, accepted exit codes, description).

    Preference: the installed ``kaconf lint`` (the script beside ``sys.executable``, else the
    first on PATH), then the same CLI from the source tree
    (``python -m kaconf.cli lint``), then ``kaconf.load``.  ``kaconf lint`` exits 1 to report
    config errors; that still is a complete parse, so 0 and 1 count as a finished run for it
    (2 means kaconf could not run).  ``kaconf.load`` must return normally (exit 0).  A custom
    command may contain ``{file}``; otherwise the file is appended.  None means no entry point
    exists yet, and the description says why.
    """
    if custom:
        if "{file}" in custom:
            argv = shlex.split(custom.replace("{file}", shlex.quote(str(conf))))
        else:
            argv = [*shlex.split(custom), str(conf)]
        return argv, {0, 1}, f"`{custom}` (from --kaconf-cmd)"
    # The console script installed beside this interpreter, rather than whatever `kaconf` is
    # first on PATH: a version manager's shim there (pyenv's is a bash script that runs
    # `pyenv exec`) would add its own start-up to every run.
    beside = Path(sys.executable).parent / "kaconf"
    kaconf_bin = str(beside) if os.access(beside, os.X_OK) else shutil.which("kaconf")
    if kaconf_bin is not None:
        code, _ = _probe([kaconf_bin, "lint", "--help"])
        if code == 0:
            return [kaconf_bin, "lint", str(conf)], {0, 1}, "`kaconf lint FILE`"
    # An uninstalled checkout has no `kaconf` script, but the same CLI runs as a module.
    code, _ = _probe([sys.executable, "-m", "kaconf.cli", "lint", "--help"])
    if code == 0:
        argv = [sys.executable, "-m", "kaconf.cli", "lint", str(conf)]
        return argv, {0, 1}, "`kaconf lint FILE` (as `python -m kaconf.cli lint FILE`)"
    code, out = _probe(
        [
            sys.executable,
            "-c",
            "import sys, kaconf; sys.exit(0 if callable(getattr(kaconf, 'load', None)) else 3)",
        ]
    )
    if code == 0:
        argv = [sys.executable, "-c", "import sys, kaconf; kaconf.load(sys.argv[1])", str(conf)]
        return argv, {0}, '`python -c "import kaconf; kaconf.load(FILE)"`'
    last = out.splitlines()[-1] if out else f"exit {code}"
    why = "kaconf.load does not exist yet" if code == 3 else f"import kaconf failed ({last})"
    lint = "no `kaconf` on PATH" if kaconf_bin is None else "`kaconf lint --help` failed"
    return None, set(), f"no kaconf entry point: {lint}, no `kaconf.cli lint`, and {why}"


def _ip_binary() -> str:
    """``ip`` lives in /usr/sbin on Debian, which is not on every $PATH."""
    return shutil.which("ip") or shutil.which("ip", path="/usr/sbin:/sbin") or "ip"


def keepalived_version() -> str:
    """First line of ``keepalived -v`` (it prints to stderr), e.g. 'Keepalived v2.2.7 (...)'."""
    exe = shutil.which("keepalived") or shutil.which("keepalived", path="/usr/sbin:/sbin")
    if exe is None:
        return "keepalived not found"
    code, out = _probe([exe, "-v"])
    return out.splitlines()[0] if out else f"keepalived -v exited {code}"


def time_keepalived(conf: Path, runs: int, timeout: float) -> tuple[list[float], float]:
    """Median-ready wall times of ``keepalived -t`` plus the ``ip netns exec`` overhead.

    The namespace gets the interfaces the generated config names that the default oracle
    set lacks (b0..b3); without them keepalived rejects the file and times its error path.
    """
    extra = [i for i in gen_config.BENCH_INTERFACES if i not in DEFAULT_INTERFACES]
    times: list[float] = []
    with OracleNetns(extra_interfaces=extra) as ns:
        for n in range(runs):
            result = ns.check(conf, timeout=timeout)
            if result.exit_code != 0:
                head = "\n".join(result.output.splitlines()[:20])
                raise BenchError(
                    f"keepalived -t exited {result.exit_code} on run {n + 1}; the bench config "
                    f"must be valid:\n{head}"
                )
            times.append(result.elapsed)
        # What `ip netns exec` alone costs, so readers can judge the keepalived number.
        overheads = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(
                [_ip_binary(), "netns", "exec", ns.name, "true"],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=_PROBE_TIMEOUT,
                check=True,
            )
            overheads.append(time.perf_counter() - start)
    return times, statistics.median(overheads)


def render(facts: dict[str, str]) -> str:
    """The markdown section (markers included) for docs/performance.md."""

    def cell(text: str) -> str:  # one table row per fact, whatever a message contains
        return " ".join(text.split()).replace("|", "\\|")

    rows = "\n".join(f"| {cell(k)} | {cell(v)} |" for k, v in facts.items())
    return (
        f"{BEGIN}\n"
        "## Parse speed: ~94k-line config\n\n"
        "Written by `python bench/parse_speed.py` (see bench/README.md); the next run replaces "
        "this section.\n\n"
        "| | |\n|---|---|\n"
        f"{rows}\n"
        f"{END}\n"
    )


def precompile() -> str:
    """Compile kaconf's modules to bytecode the way a wheel install does; say what was done."""
    import compileall
    import importlib.util

    dirs = []
    for pkg in ("kaconf", "kaconf_grammars"):
        spec = importlib.util.find_spec(pkg)
        if spec is not None and spec.submodule_search_locations:
            dirs.extend(spec.submodule_search_locations)
    ok = all(compileall.compile_dir(d, quiet=1) for d in dirs)
    return ("precompiled (`compileall`, as a wheel install does)" if ok and dirs
            else "precompiling failed: kaconf runs include compiling its modules")


def write_section(doc: Path, section: str) -> None:
    """Replace our marked section in ``doc``, or append it (creating the file with a title)."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Performance\n"
    begin, end = text.find(BEGIN), text.find(END)
    if begin != -1 and end > begin:
        after = text[end + len(END) :]
        text = text[:begin] + section.rstrip("\n") + after
    else:
        text = text.rstrip("\n") + "\n\n" + section
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per tool; median is kept")
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO / "bench" / "out" / "parse_speed.conf",
        help="where to write the generated config (git-ignored bench/out/)",
    )
    parser.add_argument(
        "--kaconf-cmd",
        default=None,
        help="command to time instead of auto-detection; '{file}' is replaced "
        "by the config path, else the path is appended",
    )
    parser.add_argument(
        "--ok-codes",
        default=None,
        help="comma-separated exit codes that count as a finished kaconf run "
        "(default: 0,1 for lint and --kaconf-cmd, 0 for kaconf.load)",
    )
    parser.add_argument(
        "--doc",
        type=Path,
        default=REPO / "docs" / "performance.md",
        help="markdown file whose parse_speed section is replaced",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        help="seconds allowed for each single run of either tool",
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    conf: Path = args.out.resolve()
    lines = gen_config.generate(conf)
    print(f"generated {conf} ({lines} lines)")

    facts: dict[str, str] = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{len(os.sched_getaffinity(0))} CPUs (nproc), Python "
        f"{platform.python_version()}, {keepalived_version()}",
        "config": f"{lines:,} lines from bench/gen_config.py ({gen_config.INSTANCES:,} "
        f"vrrp_instances, {gen_config.VIRTUAL_SERVERS:,} virtual_servers x "
        f"{gen_config.REAL_SERVERS_PER_VS} real_servers)",
    }
    status = 0
    ka_median: float | None = None
    reason = keepalived_available()
    if reason is not None:
        facts["keepalived -t"] = f"not measured: {reason}"
        print(f"keepalived part skipped: {reason}")
    else:
        try:
            times, overhead = time_keepalived(conf, args.runs, args.timeout)
        except (BenchError, subprocess.TimeoutExpired) as exc:
            print(f"bench error: {exc}", file=sys.stderr)
            facts["keepalived -t"] = f"error: {str(exc).splitlines()[0]}"
            status = 2
        else:
            ka_median = statistics.median(times)
            facts["keepalived -t"] = (
                f"median {ka_median:.3f} s of {len(times)} run(s) "
                f"({', '.join(f'{t:.3f}' for t in times)}), exit 0 each; includes "
                f"~{overhead * 1000:.0f} ms of `ip netns exec`"
            )

    kaconf_argv, ok_codes, described = resolve_kaconf_cmd(args.kaconf_cmd, conf)
    facts["bytecode"] = precompile()
    if args.ok_codes is not None:
        ok_codes = {int(c) for c in args.ok_codes.split(",") if c.strip()}
    ka_conf_median: float | None = None
    peak_rss: float | None = None
    if kaconf_argv is None:
        print(f"kaconf part skipped: {described}")
        facts["kaconf"] = f"not measured: {described}"
    else:
        try:
            runs = [run_measured(kaconf_argv, args.timeout, REPO) for _ in range(args.runs)]
        except (BenchError, OSError) as exc:
            print(f"bench error: {exc}", file=sys.stderr)
            facts["kaconf"] = f"{described}: error: {exc}"
            status = 2
        else:
            bad = [r for r in runs if r.exit_code not in ok_codes]
            if bad:
                tail = "\n".join(bad[0].output.splitlines()[-20:])
                print(
                    f"bench error: {described} exited {bad[0].exit_code}:\n{tail}", file=sys.stderr
                )
                facts["kaconf"] = f"{described}: error, exit {bad[0].exit_code}"
                status = 2
            else:
                ka_conf_median = statistics.median(r.seconds for r in runs)
                peak_rss = max(r.maxrss_mb for r in runs)
                codes = sorted({r.exit_code for r in runs})
                facts["kaconf"] = (
                    f"{described}: median {ka_conf_median:.3f} s of {len(runs)} run(s) "
                    f"({', '.join(f'{r.seconds:.3f}' for r in runs)}), exit {codes}"
                )
                facts["kaconf peak RSS"] = f"{peak_rss:.1f} MB"

    facts["target"] = (
        f"kaconf within {TARGET_RATIO:g}x of keepalived -t and under {TARGET_RSS_MB:g} MB peak RSS"
    )
    if ka_median is not None and ka_conf_median is not None and peak_rss is not None:
        ratio = ka_conf_median / ka_median
        ok = ratio <= TARGET_RATIO and peak_rss < TARGET_RSS_MB
        facts["ratio kaconf / keepalived"] = f"{ratio:.2f}x"
        facts["result"] = "PASS" if ok else "FAIL"
        if not ok and status == 0:
            status = 1
    elif status == 2:
        facts["result"] = "ERROR (see above)"
    else:
        facts["result"] = "NOT MEASURED (one side could not run, see above)"

    section = render(facts)
    write_section(args.doc, section)
    print()
    print(section, end="")
    print(f"(written to {args.doc})")
    return status


if __name__ == "__main__":
    sys.exit(main())
