"""Run the real keepalived as a test oracle, inside a throw-away network namespace.

kaconf claims to agree with keepalived 2.2.7 about what a configuration means.  The only
honest way to check such a claim is to ask keepalived itself, the same way the reference
verdicts in ``tests/fixtures`` were produced (see
``tests/fixtures/corpus/keepalived-samples/README.md``): in a private network namespace whose
interfaces are veth pairs named eth0, eth0.1, eth1, eth2, eth3 (this kernel has no ``dummy``
link type), with 192.168.200.1/24 on eth0.  keepalived's verdicts depend on those interfaces
(a missing interface is an error), so the namespace must look the same as when the fixtures
were recorded, and it must never leak into the host: it is always deleted on exit, even when
the body of the ``with`` block raises.

Everything here is stdlib only, so tests and benches can import it without installing kaconf.
Every subprocess has a timeout; a process that overruns is killed through its own process
group (we start each one in a new session, so the group id is the pid we were handed) and
never by name, so nothing outside this module's own children can be hit.
"""

from __future__ import annotations

import functools
import itertools
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

__all__ = [
    "DEFAULT_INTERFACES",
    "ETH0_ADDRESS",
    "OracleNetns",
    "OracleResult",
    "OracleSetupError",
    "keepalived_available",
    "strip_dump_noise",
]

#: Interface names the reference verdicts were recorded with (the union of every name the
#: upstream samples and our validation configs mention).
DEFAULT_INTERFACES: tuple[str, ...] = ("eth0", "eth0.1", "eth1", "eth2", "eth3")

#: Address the reference namespace had on eth0; keepalived uses it as the VRRP source address,
#: and samples with VIPs in 192.168.200.0/24 behave differently without it.
ETH0_ADDRESS = "192.168.200.1/24"

#: Timeout for the short ``ip`` commands that build and tear down a namespace.
_IP_TIMEOUT = 15.0

#: Extra time allowed for a killed process group to close its pipes.
_REAP_TIMEOUT = 10.0

# Directories searched besides $PATH: keepalived and ip live in /usr/sbin on Debian, which is
# not on every user's $PATH (pytest run from an IDE, say).
_EXTRA_BIN_DIRS = ("/usr/sbin", "/sbin", "/usr/bin", "/bin")

# Same as the sed expressions the reference dumps were cleaned with
# (/work/shared/reference/dump-format.md):
#   s/^[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} [0-9]{4}: //
#   s/pid=[0-9]+/pid=PID/g ; s/pid [0-9]+/pid PID/g
_TIMESTAMP_RE = re.compile(r"^[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} [0-9]{4}: ", re.M)
_PID_EQ_RE = re.compile(r"pid=[0-9]+")
_PID_SP_RE = re.compile(r"pid [0-9]+")

_counter = itertools.count()
_counter_lock = threading.Lock()


class OracleSetupError(RuntimeError):
    """The namespace could not be built; carries the failing command and its stderr."""


@dataclass(frozen=True)
class OracleResult:
    """What ``keepalived -t`` said about one file.

    ``output`` is stderr and stdout interleaved as keepalived wrote them (the reference
    verdict files were recorded the same way).  ``elapsed`` is the wall-clock time of the
    whole ``ip netns exec keepalived`` run in seconds, for benches; tests ignore it.
    """

    exit_code: int
    output: str
    elapsed: float = 0.0


def _which(name: str) -> str | None:
    """Find ``name`` on $PATH or in the sbin directories root's PATH normally has."""
    search = os.pathsep.join([os.environ.get("PATH", ""), *_EXTRA_BIN_DIRS])
    return shutil.which(name, path=search)


def _run_bounded(
    argv: Sequence[str],
    timeout: float,
    cwd: Path | None = None,
) -> tuple[int, str, float]:
    """Run ``argv`` with stdin closed and stderr merged into stdout, within ``timeout`` s.

    The child gets its own session, so on overrun we can SIGKILL exactly its process group
    (whose id is the child's pid, still reserved because we have not reaped it yet) and
    nothing else.  Returns (exit code, output, elapsed seconds); a timeout raises
    ``subprocess.TimeoutExpired`` after the group has been killed and reaped.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=cwd,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        out, _ = proc.communicate(timeout=_REAP_TIMEOUT)
        raise subprocess.TimeoutExpired(
            list(argv), timeout, output=out.decode("utf-8", "replace")
        ) from None
    except BaseException:
        # KeyboardInterrupt and friends: never leave a keepalived running behind us.
        _kill_group(proc)
        proc.communicate(timeout=_REAP_TIMEOUT)
        raise
    elapsed = time.perf_counter() - start
    return proc.returncode, out.decode("utf-8", "replace"), elapsed


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process group led by ``proc`` (started with ``start_new_session``)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _ip(*args: str) -> None:
    """Run one ``ip`` command, raising OracleSetupError with its stderr when it fails."""
    ip = _which("ip") or "ip"
    try:
        code, out, _ = _run_bounded([ip, *args], _IP_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise OracleSetupError(f"'ip {' '.join(args)}' timed out after {_IP_TIMEOUT}s") from exc
    if code != 0:
        raise OracleSetupError(f"'ip {' '.join(args)}' exited {code}: {out.strip()}")


def _netns_exists(name: str) -> bool:
    """True when a namespace of that name is already mounted (iproute2 keeps them here)."""
    return Path("/run/netns", name).exists()


@functools.cache
def keepalived_available() -> str | None:
    """Return why the oracle cannot run here, or None when it can.

    Checks what OracleNetns needs rather than guessing: root, the keepalived, ip and timeout
    binaries, and that a namespace with a veth pair can really be created, entered and
    deleted (containers often forbid one of those).  The answer is cached: the probe
    costs a few ``ip`` calls and the answer cannot change within one test run.
    """
    if os.geteuid() != 0:
        return "keepalived oracle needs root (network namespaces)"
    for binary in ("keepalived", "ip", "timeout"):
        if _which(binary) is None:
            return f"keepalived oracle needs the '{binary}' binary, not found"
    try:
        with OracleNetns(interfaces=("eth0",), eth0_address=None) as ns:
            argv = [_which("ip") or "ip", "netns", "exec", ns.name, "true"]
            code, out, _ = _run_bounded(argv, _IP_TIMEOUT)
            if code != 0:
                return f"'ip netns exec' does not work here: {out.strip()}"
    except (OracleSetupError, OSError, subprocess.TimeoutExpired) as exc:
        return f"cannot build a network namespace with veth pairs: {exc}"
    return None


def strip_dump_noise(text: str) -> str:
    """Remove log timestamps and pids from keepalived ``-l`` output.

    Applies exactly the sed expressions the reference dumps in
    ``tests/fixtures/corpus/dumps`` were cleaned with, so outputs compare line for line.
    """
    text = _TIMESTAMP_RE.sub("", text)
    text = _PID_EQ_RE.sub("pid=PID", text)
    return _PID_SP_RE.sub("pid PID", text)


class OracleNetns:
    """A private network namespace set up like the one the reference verdicts came from.

    Use as a context manager::

        with OracleNetns() as ns:
            result = ns.check(Path("tests/fixtures/validation/clean.conf"))

    ``interfaces`` are created as veth pairs ``NAME``/``pNAME`` with both ends inside the
    namespace and up; ``extra_interfaces`` are added on top of them (benches that need more
    than four interfaces for 2,000 VRIDs use this).  ``eth0_address`` is put on eth0 when
    eth0 is among the interfaces (None to skip).  The namespace is named
    ``kaconf-oracle-<pid>-<n>`` so concurrent test processes never collide, and it is
    deleted on exit whatever happened inside the block.
    """

    def __init__(
        self,
        interfaces: Sequence[str] = DEFAULT_INTERFACES,
        extra_interfaces: Sequence[str] = (),
        eth0_address: str | None = ETH0_ADDRESS,
    ) -> None:
        names = list(dict.fromkeys([*interfaces, *extra_interfaces]))
        for name in names:
            # Linux interface names are at most 15 bytes and the peer gets a 'p' prefix.
            if not name or len(name) > 14 or "/" in name or name.isspace():
                raise ValueError(f"unusable interface name {name!r}")
        self.interfaces: tuple[str, ...] = tuple(names)
        self.eth0_address = eth0_address
        self._name: str | None = None

    @property
    def name(self) -> str:
        """The namespace name; only valid inside the ``with`` block."""
        if self._name is None:
            raise RuntimeError("OracleNetns is not entered")
        return self._name

    def __enter__(self) -> OracleNetns:
        self._name = self._create_unique()
        try:
            self._populate()
        except BaseException:
            self._delete()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._delete()

    def close(self) -> None:
        """Delete the namespace now (for pytest finalizers that cannot use ``with``)."""
        self._delete()

    def _create_unique(self) -> str:
        """Add a namespace under a name nobody else uses (a crashed earlier run with the same
        pid may have left ``kaconf-oracle-<pid>-0`` behind; we skip it rather than reuse or
        delete something we did not create)."""
        for _ in range(100):
            with _counter_lock:
                n = next(_counter)
            candidate = f"kaconf-oracle-{os.getpid()}-{n}"
            if _netns_exists(candidate):
                continue
            _ip("netns", "add", candidate)
            return candidate
        raise OracleSetupError("no free kaconf-oracle namespace name after 100 tries")

    def _populate(self) -> None:
        ns = self.name
        _ip("-n", ns, "link", "set", "lo", "up")
        for ifname in self.interfaces:
            _ip("-n", ns, "link", "add", ifname, "type", "veth", "peer", "name", f"p{ifname}")
            _ip("-n", ns, "link", "set", ifname, "up")
            _ip("-n", ns, "link", "set", f"p{ifname}", "up")
        if self.eth0_address is not None and "eth0" in self.interfaces:
            _ip("-n", ns, "addr", "add", self.eth0_address, "dev", "eth0")

    def _delete(self) -> None:
        """Delete our namespace (its veth pairs go with it); idempotent."""
        name, self._name = self._name, None
        if name is not None and _netns_exists(name):
            _ip("netns", "del", name)

    def _exec_prefix(self) -> list[str]:
        return [_which("ip") or "ip", "netns", "exec", self.name]

    @staticmethod
    def _pid_args(tmp: str) -> list[str]:
        """Private pid files, so a keepalived running on the host (or another test) is never
        mistaken for 'already running' and never has its pid files overwritten."""
        return ["-p", f"{tmp}/p.pid", "-r", f"{tmp}/v.pid", "-c", f"{tmp}/c.pid"]

    def check(self, conf_path: Path, timeout: float = 20) -> OracleResult:
        """Run ``keepalived -t`` on ``conf_path`` inside the namespace.

        The config is passed by file name with cwd set to its directory, as when the
        reference verdicts were recorded, so messages read ``(NAME: Line N) ...`` exactly like
        the recorded ones and relative ``include`` paths resolve the same way.  Raises
        ``subprocess.TimeoutExpired`` (after killing the run) when keepalived overruns.
        """
        conf_path = Path(conf_path).resolve()
        keepalived = _which("keepalived") or "keepalived"
        with tempfile.TemporaryDirectory(prefix="kaconf-oracle-") as tmp:
            argv = [
                *self._exec_prefix(),
                keepalived,
                "-t",
                "-f",
                conf_path.name,
                *self._pid_args(tmp),
            ]
            code, out, elapsed = _run_bounded(argv, timeout, cwd=conf_path.parent)
        return OracleResult(exit_code=code, output=out, elapsed=elapsed)

    def dump(self, conf_path: Path, seconds: int = 5) -> str:
        """Run keepalived for ``seconds`` with ``-d`` and return its cleaned console output.

        Mirrors how ``tests/fixtures/corpus/dumps`` were made: ``timeout -s INT`` stops the
        daemon (SIGINT makes keepalived shut its children down), ``-n -l -D -d -G`` keeps it
        in the foreground logging to the console, and timestamps/pids are stripped with
        ``strip_dump_noise``.  The config is passed by absolute path like the references.
        Beware: this *runs* the config, including its notify and check scripts.
        """
        conf_path = Path(conf_path).resolve()
        keepalived = _which("keepalived") or "keepalived"
        timeout_bin = _which("timeout") or "timeout"
        with tempfile.TemporaryDirectory(prefix="kaconf-oracle-") as tmp:
            argv = [
                *self._exec_prefix(),
                timeout_bin,
                "-s",
                "INT",
                str(seconds),
                keepalived,
                "-n",
                "-l",
                "-D",
                "-d",
                "-G",
                "-f",
                str(conf_path),
                *self._pid_args(tmp),
            ]
            # `timeout` itself ends the run; our own bound only catches a keepalived that
            # ignores SIGINT, and then kills the whole group (timeout leads it).
            _, out, _ = _run_bounded(argv, seconds + 15, cwd=conf_path.parent)
        return strip_dump_noise(out)
