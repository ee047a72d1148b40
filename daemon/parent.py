"""The parent process: forks the children, watches them, handles signals and pid files.

Theory of operation
-------------------
The parent does no VRRP and no health checking itself. It forks one child per role the
configuration needs, as keepalived does: a VRRP child (``Keepalived_vrrp``) unless the
config has virtual servers and nothing for VRRP, and a checker child
(``Keepalived_healthcheckers``, :func:`kaconfd.check.child.checker_main`) when it has
``virtual_server`` blocks. ``-P``/``-C`` restrict the roles. Both children are treated
alike: the parent then runs its own small asyncio loop that

* learns of a child's death at once through a pidfd (no SIGCHLD races) and forks a
  new one after a backoff, unless the child exited with a fatal status;
* every ``watchdog_interval`` seconds sends ``hello`` to each child over a connection
  to its UNIX socket (kept open between hellos, made anew when it fails) and reads the
  answer to the previous one (:mod:`.watchdog`: one wake-up per interval); a child that
  fails to answer twice in a row is killed and so restarted. The hello is answered by
  the child's own loop, so a hung loop is caught too; a child that stops (SIGSTOP:
  the kernel says so with SIGCHLD) and is still stopped 0.5 s later is killed at once,
  before the peers' master-down interval runs out;
* turns SIGTERM/SIGINT into a clean stop (children get SIGTERM: a MASTER sends
  priority 0, removes its VIPs and runs notify_stop; the checker runs its omega
  notifies and empties its IPVS table), SIGHUP into a reload (the new file is read and
  checked *here* first; on error diagnostics the children are not told and keep the old
  config; a role the new config gains or loses gets its child started or stopped), and
  forwards SIGUSR1 (data files) to every child and SIGUSR2 (statistics) and SIGRTMIN+2
  (keepalived's JSON dump) to the VRRP child.

It also serves the control socket ``kaconf status`` asks and, with ``--metrics``, the
Prometheus endpoint (:mod:`kaconfd.statusd`, :mod:`kaconfd.metrics`: both gather the
children's answers), and speaks systemd's notify protocol (:mod:`kaconfd.sdnotify`).

Why fork and not exec: the child starts with the configuration already read and
checked by the parent, as keepalived's children do. The fork happens inside the
parent's running loop, so the child first forgets that loop (running-loop marker,
signal wake-up fd, handlers) and then starts a fresh one; it never returns into the
parent's code and leaves with ``os._exit``.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import logging
import os
import shutil
import signal
import tempfile
import time
from dataclasses import dataclass, field

from kaconf.exitstatus import ExitStatus
from kaconf.model.objects import Config

from .logs import LogOptions, setup_logging
from .pidfile import PidFileError, check_pidfile, remove_pidfile, write_pidfile
from .roles import log_config_dump, unrunnable, wanted_roles
from .sdnotify import Notifier, Readiness
from .snapshot import snapshot_path, write_snapshot
from .statusd import start_servers
from .watchdog import WatchLine

log = logging.getLogger("Keepalived")

#: A child exiting with one of these is not restarted: the parent stops, logging the
#: word keepalived logs. RUN_CONFIG: the child cannot run the config; CHILD_FATAL: it
#: failed for good (see :mod:`kaconf.exitstatus`).
PERMANENT_CHILD_STATUSES: dict[int, str] = {
    ExitStatus.CHILD_FATAL: "FATAL",
    ExitStatus.RUN_CONFIG: "CONFIG",
}
#: Delays before restarting a child that died, in order; the last one repeats.
BACKOFF = (0.0, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0)
#: A child that lived this long resets the backoff.
STABLE_AFTER = 60.0
#: How long a stopping parent waits for its children before SIGKILL.
STOP_TIMEOUT = 10.0
_PR_SET_PDEATHSIG = 1
#: Signals the parent passes on; ignored until a process's loop handles them (their
#: default action would kill it): SIGHUP, SIGUSR1, SIGUSR2, keepalived's SIGJSON.
FORWARDED: tuple[int, ...] = (signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2,
                              signal.SIGRTMIN + 2)


@dataclass
class DaemonOptions:
    """Command-line options that matter to the process model."""

    config_path: str
    config_id: str | None = None
    log: LogOptions = field(default_factory=LogOptions)
    pid_file: str = "/run/keepalived.pid"
    vrrp_pid_file: str = "/run/vrrp.pid"
    checkers_pid_file: str = "/run/checkers.pid"
    run_vrrp: bool = True
    run_checkers: bool = True
    watchdog_interval: float = 5.0
    data_file: str = "/tmp/keepalived.data"
    #: Where the checker child writes its SIGUSR1 dump; None derives it from ``data_file``
    #: (``/tmp/keepalived.data`` -> ``/tmp/keepalived_check.data``, keepalived's name).
    check_data_file: str | None = None
    #: -d: log keepalived's text dump of the configuration at start-up and on reload.
    dump_conf: bool = False
    #: --strict: a reload whose configuration has lint errors keeps the running one.
    strict: bool = False
    #: --control: the parent's control socket (``kaconf status``); None: none.
    control_path: str | None = None
    #: --metrics: (host, port) of the Prometheus endpoint; None: off.
    metrics: tuple[str, int] | None = None


def tune_gc_for_daemon() -> None:
    """Collector settings for a long-lived daemon process; call at process entry only.

    ``kaconf``'s console entry disables the cyclic collector (a short CLI run only
    builds acyclic data), but a daemon runs for months, and asyncio, logging and
    exceptions do make cycles: the collector must run. The configuration read at
    start-up stays alive as long as the process, so it is frozen (moved to the
    permanent generation): collections never re-scan it, and in a forked child that
    calls this again they never walk (and so never copy) the pages it inherited.
    Library code and reloads leave the collector alone.
    """
    gc.freeze()
    gc.enable()


def _preload(kind: str) -> None:
    """Import the child's code in the parent, before the fork, so its pages are shared.

    A module imported after the fork is private to each child, and its allocations land
    in the free slots of the heap pages the child shares with the parent, so the kernel
    copies those pages too: importing the VRRP child's modules here instead of in the
    child saves about 1 MB of its own and several MB of copied pages (measured with
    /proc/PID/smaps_rollup, see docs/performance.md). Each stays imported for the next
    restart of the child.
    """
    if kind == "check":
        from .check import child as check_child  # noqa: F401
    else:
        from .vrrp import child as vrrp_child  # noqa: F401


def check_data_path(data_file: str) -> str:
    """The checker's data file next to the VRRP one: ``x.data`` -> ``x_check.data``.

    keepalived writes ``/tmp/keepalived.data`` (VRRP) and ``/tmp/keepalived_check.data``
    (checker); deriving the second from ``--data-file`` keeps a test's or an operator's
    files side by side instead of sharing one path between two writers.
    """
    root, ext = os.path.splitext(data_file)
    return f"{root}_check{ext}"


#: How long a stopped child may stay stopped before it is killed (Parent._on_sigchld).
STOPPED_PROBE = 0.5


def process_state(pid: int) -> str | None:
    """The one-letter state of ``pid`` in /proc/PID/stat (``R``, ``S``, ``T``...); None if gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0].decode()
    except (OSError, IndexError):
        return None


@dataclass
class ChildSpec:
    """One child the parent keeps alive."""

    kind: str  # "vrrp" | "check"
    title: str  # "VRRP" | "Healthcheck", as in keepalived's log lines
    ident: str  # logger / syslog ident: "Keepalived_vrrp" | "Keepalived_healthcheckers"
    pid_file: str
    control_path: str
    state_path: str
    data_file: str
    pid: int | None = None
    pidfd: int | None = None
    started: float = 0.0
    restarts: int = 0
    missed_hellos: int = 0
    restart_handle: asyncio.TimerHandle | None = None
    #: Set when a reload removed this role: the child is stopped, never respawned.
    retired: bool = False
    #: SIGHUPs sent to this process: a reload is over when its hello reports as many.
    hups_sent: int = 0
    #: The watchdog's open line to the child's control socket (see Parent._watch).
    watch: WatchLine | None = None

    def drop_control(self) -> None:
        """Close the watchdog's line (the child died, or stopped answering)."""
        if self.watch is not None:
            self.watch.close()
            self.watch = None


class Parent:
    """The daemon's parent process (see the module docstring)."""

    def __init__(self, opts: DaemonOptions, config: Config) -> None:
        self.opts = opts
        self.config = config
        self.children: list[ChildSpec] = []
        self.stopping = False
        self.run_dir = ""
        self._pid = os.getpid()
        self._stop_event: asyncio.Event | None = None
        self._all_exited: asyncio.Event | None = None
        self._watchdog_handle: asyncio.TimerHandle | None = None
        self._generation = 0
        #: systemd's notify socket (a no-op outside systemd), see .sdnotify
        self.notifier = Notifier.from_environment()
        self.started_at = time.time()
        self.reloads = 0
        self.readiness = Readiness(self)
        #: the control socket and metrics servers (closed in a forked child)
        self.servers: list[asyncio.Server] = []

    def _make_spec(self, kind: str) -> ChildSpec:
        """A child description; each one gets its own control socket (see below)."""
        opts = self.opts
        self._generation += 1
        # A fresh socket name per spec: a retired child still stopping must not unlink
        # the socket of its successor. The VRRP state file must survive restarts, so it
        # keeps one name.
        control = os.path.join(self.run_dir, f"{kind}-{self._generation}.sock")
        state = os.path.join(self.run_dir, f"{kind}.state")
        if kind == "check":
            return ChildSpec("check", "Healthcheck", "Keepalived_healthcheckers",
                             opts.checkers_pid_file, control, state,
                             opts.check_data_file or check_data_path(opts.data_file))
        return ChildSpec("vrrp", "VRRP", "Keepalived_vrrp", opts.vrrp_pid_file, control,
                         state, opts.data_file)

    # ---------------------------------------------------------------- synchronous shell

    def run(self) -> int:
        """Check and write pid files, run the loop until stopped; returns the exit status."""
        opts = self.opts
        self._pid = os.getpid()
        tune_gc_for_daemon()  # the parent process's entry
        vrrp, check = wanted_roles(self.config, opts.run_vrrp, opts.run_checkers)
        files = ([opts.pid_file] + ([opts.vrrp_pid_file] if vrrp else [])
                 + ([opts.checkers_pid_file] if check else []))
        for path in files:
            if check_pidfile(path):
                log.info("Removing stale pid file %s", path)
        for sig in FORWARDED:
            signal.signal(sig, signal.SIG_IGN)  # until the loop handles them
        write_pidfile(opts.pid_file)
        base = "/run" if os.access("/run", os.W_OK) else None
        self.run_dir = tempfile.mkdtemp(prefix="kaconfd.", dir=base)
        write_snapshot(snapshot_path(self.run_dir), self.config)
        loop = asyncio.new_event_loop()
        try:
            return loop.run_until_complete(self._main())
        finally:
            loop.close()
            shutil.rmtree(self.run_dir, ignore_errors=True)
            remove_pidfile(opts.pid_file)

    # ---------------------------------------------------------------- the loop

    async def _main(self) -> int:
        loop = asyncio.get_running_loop()
        self._stop_event = asyncio.Event()
        self._all_exited = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._stop_event.set)
        loop.add_signal_handler(signal.SIGHUP, self.reload)
        loop.add_signal_handler(signal.SIGUSR1, self._forward, signal.SIGUSR1)
        # SIGUSR2 (statistics) is the VRRP child's only, as in keepalived
        loop.add_signal_handler(signal.SIGUSR2, self._forward_stats)
        # keepalived's SIGJSON (SIGRTMIN+2): the VRRP child writes keepalived.json
        loop.add_signal_handler(signal.SIGRTMIN + 2, self._forward_vrrp, signal.SIGRTMIN + 2)
        log.info("Starting kaconfd (keepalived-compatible) with %s", self.opts.config_path)
        if self.opts.dump_conf:
            log_config_dump(log, self.config)
        vrrp, check = wanted_roles(self.config, self.opts.run_vrrp, self.opts.run_checkers)
        if vrrp:
            self.children.append(self._make_spec("vrrp"))
        if check:
            self.children.append(self._make_spec("check"))
        if not self.children:
            log.error("Nothing to run")
            return ExitStatus.RUN_CONFIG
        for spec in self.children:
            self._spawn(spec)
        self.servers = await start_servers(self)
        self.readiness.announce()
        self._watchdog_handle = loop.call_later(self.opts.watchdog_interval, self._watchdog)
        pings = (asyncio.create_task(self.readiness.keepalive())
                 if self.notifier.watchdog_interval else None)
        loop.add_signal_handler(signal.SIGCHLD, self._on_sigchld)
        await self._stop_event.wait()
        self.stopping = True
        self.notifier.stopping()
        for server in self.servers:
            server.close()
        self.readiness.cancel()
        if self._watchdog_handle is not None:
            self._watchdog_handle.cancel()
        loop.remove_signal_handler(signal.SIGCHLD)
        status = await self._stop_children()
        if pings is not None:
            pings.cancel()
        if self.opts.control_path:
            with contextlib.suppress(OSError):
                os.unlink(self.opts.control_path)
        self.notifier.close()
        return status

    async def _stop_children(self) -> int:
        assert self._all_exited is not None
        for spec in self.children:
            if spec.restart_handle is not None:
                spec.restart_handle.cancel()
            if spec.pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(spec.pid, signal.SIGTERM)
        if any(s.pid is not None for s in self.children):
            try:
                await asyncio.wait_for(self._all_exited.wait(), STOP_TIMEOUT)
            except TimeoutError:
                for spec in self.children:
                    if spec.pid is not None:
                        log.warning("%s child process(%d) did not stop, killing it",
                                    spec.title, spec.pid)
                        with contextlib.suppress(ProcessLookupError):
                            os.kill(spec.pid, signal.SIGKILL)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._all_exited.wait(), 2.0)
        log.info("Stopped")
        return ExitStatus.OK

    # ---------------------------------------------------------------- children

    def _spawn(self, spec: ChildSpec) -> None:
        loop = asyncio.get_running_loop()
        spec.restart_handle = None
        if self.stopping:
            return
        for handler in logging.getLogger().handlers:
            handler.flush()
        _preload(spec.kind)
        gc.freeze()  # what the parent made since run(): never scanned, so never copied
        pid = os.fork()
        if pid == 0:
            self._in_child(spec)  # never returns
        if spec.kind == "vrrp":
            from .vrrp import prepared

            prepared.retire()  # the next VRRP child (a restart) resolves afresh
        spec.pid = pid
        spec.hups_sent = 0
        spec.started = loop.time()
        spec.missed_hellos = 0
        spec.pidfd = os.pidfd_open(pid)
        loop.add_reader(spec.pidfd, self._on_child_exit, spec)
        log.info("Starting %s child process, pid=%d", spec.title, pid)

    def _in_child(self, spec: ChildSpec) -> None:
        status: int = ExitStatus.CHILD_FATAL
        try:
            tune_gc_for_daemon()  # the child process's entry, right after the fork
            # Forget the parent's loop: this process starts its own.
            asyncio.events._set_running_loop(None)
            signal.set_wakeup_fd(-1)
            for dfl in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD):
                signal.signal(dfl, signal.SIG_DFL)
            # Until the child's loop installs its handlers, a forwarded SIGHUP/SIGUSR1
            # must not kill it (their default action is to terminate).
            for sig in FORWARDED:
                signal.signal(sig, signal.SIG_IGN)
            with contextlib.suppress(OSError, AttributeError):
                libc = ctypes.CDLL(None, use_errno=True)
                libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
            if os.getppid() != self._pid:
                os._exit(ExitStatus.OK)  # the parent died between fork and prctl
            # Sibling children's pidfds are the parent's business; a child holding them
            # would only keep kernel objects alive.
            for other in self.children:
                if other.pidfd is not None:
                    with contextlib.suppress(OSError):
                        os.close(other.pidfd)
            for server in self.servers:  # the parent's control socket and metrics port
                for sock in server.sockets:
                    with contextlib.suppress(OSError):
                        os.close(sock.fileno())
            setup_logging(spec.ident, self.opts.log)
            write_pidfile(spec.pid_file)
            if spec.kind == "check":
                from .check.child import checker_main

                status = checker_main(
                    self.config, control_path=spec.control_path, data_file=spec.data_file,
                    snapshot=snapshot_path(self.run_dir), log=logging.getLogger(spec.ident))
            else:
                from .vrrp.child import ChildOptions, child_main

                status = child_main(ChildOptions(
                    config_path=self.opts.config_path, control_path=spec.control_path,
                    state_path=spec.state_path, config_id=self.opts.config_id,
                    data_file=spec.data_file, snapshot=snapshot_path(self.run_dir)),
                    self.config)
        except BaseException:
            logging.getLogger(spec.ident).exception("child failed")
        finally:
            with contextlib.suppress(Exception):
                remove_pidfile(spec.pid_file)
            with contextlib.suppress(Exception):
                logging.shutdown()
            os._exit(status)

    def _on_child_exit(self, spec: ChildSpec) -> None:
        loop = asyncio.get_running_loop()
        if spec.pidfd is None or spec.pid is None:
            return
        loop.remove_reader(spec.pidfd)
        os.close(spec.pidfd)
        pid = spec.pid
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        spec.pid = spec.pidfd = None
        spec.drop_control()
        with contextlib.suppress(Exception):
            remove_pidfile(spec.pid_file, pid)
        if spec.retired and not self.stopping:
            log.info("%s child process(%d) stopped (not needed by the configuration)",
                     spec.title, pid)
            self.children.remove(spec)
            return
        if self.stopping:
            assert self._all_exited is not None
            if all(s.pid is None for s in self.children):
                self._all_exited.set()
            return
        if code in PERMANENT_CHILD_STATUSES:
            log.error("%s child process(%d) exited with permanent error %s. Terminating",
                      spec.title, pid, PERMANENT_CHILD_STATUSES[code])
            assert self._stop_event is not None
            self._stop_event.set()
            return
        if loop.time() - spec.started > STABLE_AFTER:
            spec.restarts = 0
        delay = BACKOFF[min(spec.restarts, len(BACKOFF) - 1)]
        spec.restarts += 1
        # keepalived's exact line first (log alerts match it), then what it leaves out.
        log.warning("%s child process(%d) died: Respawning", spec.title, pid)
        how = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
        log.info("%s child process(%d) %s; restarting in %gs", spec.title, pid, how, delay)
        spec.restart_handle = loop.call_later(delay, self._spawn, spec)

    def _watchdog(self) -> None:
        """Every ``watchdog_interval``: each child answered the last hello? Then the next.

        One wake-up per interval: the answer to a hello is read at the next tick, when
        it is due (see :mod:`.watchdog`); a child that misses two in a row is killed.
        """
        loop = asyncio.get_running_loop()
        interval = self.opts.watchdog_interval
        self._watchdog_handle = loop.call_later(interval, self._watchdog)
        grace = max(2 * interval, 3.0)
        for spec in self.children:
            if spec.pid is None or spec.retired or loop.time() - spec.started < grace:
                continue
            answered = self._watch(spec)
            if answered is None or answered:
                spec.missed_hellos = 0
                continue
            spec.missed_hellos += 1
            log.warning("%s child process(%d) did not answer the watchdog (%d)",
                        spec.title, spec.pid, spec.missed_hellos)
            if spec.missed_hellos >= 2:
                log.error("%s child process(%d) is not responding, killing it",
                          spec.title, spec.pid)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(spec.pid, signal.SIGKILL)

    def _watch(self, spec: ChildSpec) -> bool | None:
        """Read the answer to the last hello and send the next (see :class:`WatchLine`).

        None: nothing was asked yet (a new line). A line that fails (the child was
        replaced, or closed it) is replaced once; a child that cannot be reached at all
        counts as not answering.
        """
        for _attempt in (1, 2):
            try:
                if spec.watch is None:
                    spec.watch = WatchLine(spec.control_path, self.opts.watchdog_interval)
                    return None
                return spec.watch.tick()
            except OSError:
                spec.drop_control()
        return False

    def _on_sigchld(self) -> None:
        """SIGCHLD: a child stopped (SIGSTOP, a job-control stop)? Check it again soon.

        Why beside the hello: a stopped VRRP child sends no adverts, so the peers take
        its VIPs over after their master-down interval (about 3.6 s at advert_int 1)
        while the kernel keeps them here: two masters until the child is replaced. Two
        missed hellos take 2-4 watchdog intervals (10-20 s by default). The kernel tells
        the parent at once (SIGCHLD, ``waitid(WSTOPPED)``), so this costs no wake-up
        while nothing happens; exits are the pidfd's business (:meth:`_on_child_exit`).
        """
        loop = asyncio.get_running_loop()
        for spec in list(self.children):
            pid = spec.pid
            if pid is None or spec.retired:
                continue
            try:
                info = os.waitid(os.P_PID, pid, os.WSTOPPED | os.WNOHANG)
            except ChildProcessError:
                continue
            if info is not None and info.si_code == os.CLD_STOPPED:
                loop.call_later(STOPPED_PROBE, self._kill_if_stopped, spec, pid)

    def _kill_if_stopped(self, spec: ChildSpec, pid: int) -> None:
        """Still stopped :data:`STOPPED_PROBE` after it stopped: kill it; the pidfd then
        restarts it. A child stopped by a debugger (state ``t``) is left alone."""
        if spec.pid != pid or spec.retired or process_state(pid) != "T":
            return
        log.error("%s child process(%d) is stopped, killing it", spec.title, pid)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)

    # ---------------------------------------------------------------- signals

    def _forward(self, sig: int, skip: tuple[ChildSpec, ...] = ()) -> None:
        """Pass ``sig`` to every running child (SIGUSR1: each writes its data file)."""
        for spec in self.children:
            if spec.pid is not None and not spec.retired and spec not in skip:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(spec.pid, sig)
                    if sig == signal.SIGHUP:
                        spec.hups_sent += 1

    def _forward_vrrp(self, sig: int) -> None:
        """A signal only the VRRP child handles (SIGUSR2, SIGJSON)."""
        self._forward(sig, skip=tuple(c for c in self.children if c.kind != "vrrp"))

    def _forward_stats(self) -> None:
        """SIGUSR2: only the VRRP child keeps statistics (the checker would die of it)."""
        self._forward_vrrp(signal.SIGUSR2)

    def _sync_children(self) -> tuple[ChildSpec, ...]:
        """After a reload: start children for roles the config gained, stop lost ones.

        Returns the children started here: they read the new config at fork, so they must
        not also get the SIGHUP.
        """
        vrrp, check = wanted_roles(self.config, self.opts.run_vrrp, self.opts.run_checkers)
        wanted = {"vrrp": vrrp, "check": check}
        for spec in list(self.children):
            if wanted[spec.kind] or spec.retired:
                continue
            spec.retired = True
            log.info("%s child no longer needed by the configuration, stopping it",
                     spec.title)
            if spec.restart_handle is not None:
                spec.restart_handle.cancel()
                spec.restart_handle = None
            if spec.pid is None:
                self.children.remove(spec)
            else:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(spec.pid, signal.SIGTERM)
        started: list[ChildSpec] = []
        for kind in ("vrrp", "check"):
            if not wanted[kind] or any(s.kind == kind and not s.retired
                                       for s in self.children):
                continue
            spec = self._make_spec(kind)
            try:
                if check_pidfile(spec.pid_file):
                    log.info("Removing stale pid file %s", spec.pid_file)
            except PidFileError as exc:
                log.error("Cannot start the %s child: %s", spec.title, exc)
                continue
            self.children.append(spec)
            self._spawn(spec)
            started.append(spec)
        return tuple(started)

    def reload(self) -> None:
        """SIGHUP: read and check the file once, here; the children get exactly that.

        Findings are logged as keepalived logs its configuration warnings. The running
        configuration stays when keepalived would keep it (the file cannot be read, or
        holds something the daemon cannot run) and, with --strict, on any lint error.
        Accepted, the configuration is written to the run directory's snapshot, which
        the children load on SIGHUP instead of reading the files themselves.
        systemd hears RELOADING=1 now and READY=1 when the children are done.
        """
        if self.stopping:
            return
        self.reloads += 1
        self.notifier.reloading()
        try:
            self._reload()
        finally:
            self.readiness.announce()  # READY=1 again once the children are done

    def _reload(self) -> None:
        """The body of :meth:`reload`."""
        from kaconf.diagnostics import Severity
        from kaconf.loader import load_full

        from .lint_apart import lint_apart

        log.info("Reloading configuration file %s", self.opts.config_path)
        loaded = load_full(self.opts.config_path, config_id=self.opts.config_id)
        if not loaded.config.files:
            for diag in loaded.diagnostics:
                log.error("%s", diag)
            log.error("Reload failed: cannot read the configuration, keeping the running one")
            return
        findings = lint_apart(loaded, self.opts.config_path)
        for diag in findings:
            (log.error if diag.severity >= Severity.ERROR else log.warning)("%s", diag)
        errors = [d for d in findings if d.severity >= Severity.ERROR]
        if errors and self.opts.strict:
            log.error("Reload failed: configuration has errors (--strict), keeping the "
                      "running configuration")
            return
        reason = unrunnable(loaded.config, self.opts.run_vrrp)
        if reason is not None:
            log.error("Reload failed: %s, keeping the running configuration", reason)
            return
        self.config = loaded.config
        write_snapshot(snapshot_path(self.run_dir), self.config)
        if self.opts.dump_conf:
            log_config_dump(log, self.config)
        started = self._sync_children()
        self._forward(signal.SIGHUP, skip=started)
