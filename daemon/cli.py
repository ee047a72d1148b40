"""``kaconf run``: run a keepalived configuration with the bundled daemon (kaconfd).

Flags follow keepalived's so that unit files and habits carry over. The config is read
and checked *before* anything starts: a file with error diagnostics never reaches the
daemon, and the diagnostics are printed with their positions.

This module is the daemon's side of the ``kaconf`` command line: kaconf's library
never imports kaconfd. :data:`COMMAND` is plugged in through the ``kaconf.commands``
entry point group (``run = "kaconfd.cli:COMMAND"`` in pyproject.toml; see
:mod:`kaconf.cli.commands`). At module level only argparse and kaconf's light
command-table and exit-status modules are imported, so ``kaconf --help`` can list
``run``; the daemon proper (pyroute2, asyncio) is imported once ``run`` executes.
"""

from __future__ import annotations

import argparse
import os
import sys

from kaconf.cli.commands import Command
from kaconf.exitstatus import ExitStatus

from .defaults import DEFAULT_CONTROL

__all__ = ["COMMAND", "add_arguments", "run"]

#: ``kaconf run``'s row of the command table, found through the entry point.
COMMAND = Command(
    "run", "run the config with the bundled VRRP daemon (kaconfd)", __name__,
    description="Run a keepalived configuration with kaconfd, the bundled daemon; flags "
    "follow keepalived's. The config is linted first and not started when it has errors "
    "or nothing to run (exit 1); exit 2 for unreadable input or a live pid file.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``kaconf run``: keepalived's flags, plus kaconfd's own."""
    p.add_argument("-f", "--use-file", dest="file", default="/etc/keepalived/keepalived.conf",
                   help="configuration file")
    p.add_argument("-n", "--dont-fork", action="store_true", help="stay in the foreground")
    p.add_argument("-l", "--log-console", action="store_true", help="log to the console too")
    p.add_argument("-D", "--log-detail", action="store_true", help="detailed log messages")
    p.add_argument("-S", "--log-facility", type=log_facility, metavar="0-7",
                   default=None, help="syslog facility LOG_LOCAL0..7 (also local0..local7, "
                                      "user, daemon; default LOG_DAEMON)")
    p.add_argument("-d", "--dump-conf", action="store_true",
                   help="log the configuration (keepalived -d text dump) at start-up")
    p.add_argument("-p", "--pid", dest="pid_file", default="/run/keepalived.pid",
                   help="parent pid file")
    p.add_argument("-r", "--vrrp_pid", dest="vrrp_pid_file", default="/run/vrrp.pid",
                   help="VRRP child pid file")
    p.add_argument("-c", "--checkers_pid", dest="checkers_pid_file",
                   default="/run/checkers.pid", help="checker child pid file")
    p.add_argument("-P", "--vrrp", action="store_true", help="only run the VRRP child")
    p.add_argument("-C", "--check", action="store_true", help="only run the checker child")
    p.add_argument("-t", "--config-test", action="store_true",
                   help="check the configuration and exit")
    p.add_argument("-i", "--config-id", default=None, help="config id for @id lines")
    p.add_argument("--watchdog-interval", type=float, default=5.0, metavar="SECONDS",
                   help="how often the parent checks that each child answers (default 5)")
    p.add_argument("--data-file", default="/tmp/keepalived.data",
                   help="where SIGUSR1 writes configuration and state")
    p.add_argument("--control", default=DEFAULT_CONTROL, metavar="PATH",
                   help="the parent's control socket, asked by kaconf status (default "
                        f"{DEFAULT_CONTROL}; 'none': no socket)")
    p.add_argument("--metrics", default=None, metavar="ADDR:PORT",
                   help="serve Prometheus metrics on ADDR:PORT (off by default)")
    p.add_argument("--log-format", choices=("text", "json"), default="text",
                   help="console log lines as keepalived's text (default) or one JSON "
                        "object per line")
    p.add_argument("--strict", action="store_true",
                   help="refuse to start or reload a configuration with lint errors "
                        "(by default they are logged and keepalived's fix-ups apply)")


#: syslog facility codes keepalived's -S accepts by name (LOG_LOCALn is 16 + n)
_FACILITY_NAMES = {"daemon": 3, "user": 1}


def log_facility(text: str) -> int:
    """keepalived's ``-S``: ``0``..``7`` or ``local0``..``local7`` (LOG_LOCALn), ``daemon``,
    ``user``; returns the syslog facility code."""
    number = text[5:] if text.startswith("local") else text
    if number.isdigit() and int(number) <= 7:
        return 16 + int(number)
    if text in _FACILITY_NAMES:
        return _FACILITY_NAMES[text]
    raise argparse.ArgumentTypeError(f"invalid log facility {text!r}")


def _daemonise() -> None:
    """Classic double fork: detach from the terminal and the caller's session."""
    if os.fork():
        os._exit(ExitStatus.OK)
    os.setsid()
    if os.fork():
        os._exit(ExitStatus.OK)
    os.chdir("/")
    os.umask(0o022)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    if devnull > 2:
        os.close(devnull)


def run(args: argparse.Namespace) -> int:
    """Execute ``kaconf run``: load and lint, check what can run, then start the parent."""
    from kaconf.diagnostics import Severity
    from kaconf.loader import load_full

    loaded = load_full(args.file, config_id=args.config_id)
    if not loaded.config.files:
        for d in loaded.diagnostics:
            print(f"kaconf run: {d}", file=sys.stderr)
        return ExitStatus.USAGE
    # The whole lint of the configuration just read (not read again): every finding is
    # logged, as keepalived logs its configuration warnings, and keepalived runs such
    # configurations with its own fix-ups (which the resolver applies). --strict is the
    # gate for those who want one: any error refuses the start.
    from .lint_apart import lint_apart

    findings = lint_apart(loaded, args.file)
    for d in findings:
        if d.severity >= Severity.WARNING:
            print(f"kaconf run: {d}", file=sys.stderr)
    errors = [d for d in findings if d.severity >= Severity.ERROR]
    if errors and args.strict:
        print(f"kaconf run: {args.file} has {len(errors)} error(s), not starting (--strict)",
              file=sys.stderr)
        return ExitStatus.CONFIG

    from .metrics import parse_listen
    from .parent import DaemonOptions, Parent
    from .roles import unrunnable, wanted_roles

    metrics = None
    if args.metrics:
        try:
            metrics = parse_listen(args.metrics)
        except ValueError as exc:
            print(f"kaconf run: --metrics: {exc}", file=sys.stderr)
            return ExitStatus.USAGE

    # -P / -C as keepalived: alone each selects its child; both (or neither) run both.
    run_vrrp, run_checkers = not args.check or args.vrrp, not args.vrrp or args.check
    want_vrrp, want_checkers = wanted_roles(loaded.config, run_vrrp, run_checkers)
    if want_vrrp:  # VRRP features kaconfd cannot run do not block a checker-only start
        reason = unrunnable(loaded.config)
        if reason is not None:
            print(f"kaconf run: {reason}", file=sys.stderr)
            return ExitStatus.CONFIG
    if not want_vrrp and not want_checkers:
        print(f"kaconf run: nothing to run in {args.file} with "
              f"{'-C' if args.check else '-P'} (no "
              f"{'virtual_server' if args.check else 'vrrp_instance'})", file=sys.stderr)
        return ExitStatus.CONFIG
    if args.config_test:
        return ExitStatus.OK

    from .logs import LogOptions, setup_logging
    from .pidfile import PidFileError, check_pidfile

    opts = DaemonOptions(
        config_path=os.path.abspath(args.file), config_id=args.config_id,
        log=LogOptions(console=args.log_console, facility=args.log_facility,
                       detail=args.log_detail, json=args.log_format == "json"),
        pid_file=os.path.abspath(args.pid_file),
        vrrp_pid_file=os.path.abspath(args.vrrp_pid_file),
        checkers_pid_file=os.path.abspath(args.checkers_pid_file),
        run_vrrp=run_vrrp, run_checkers=run_checkers,
        watchdog_interval=args.watchdog_interval, data_file=os.path.abspath(args.data_file),
        strict=args.strict, dump_conf=args.dump_conf, metrics=metrics,
        control_path=None if args.control == "none" else os.path.abspath(args.control))
    pid_files = ([opts.pid_file] + ([opts.vrrp_pid_file] if want_vrrp else [])
                 + ([opts.checkers_pid_file] if want_checkers else []))
    try:
        for path in pid_files:
            if check_pidfile(path):  # fail here, on the terminal, not after daemonising
                print(f"kaconf run: removed stale pid file {path}", file=sys.stderr)
    except PidFileError as exc:
        print(f"kaconf run: {exc}", file=sys.stderr)
        return ExitStatus.USAGE
    if not args.dont_fork:
        _daemonise()
    log = setup_logging("Keepalived", opts.log)
    try:
        return Parent(opts, loaded.config).run()
    except PidFileError as exc:
        log.error("%s", exc)
        return ExitStatus.USAGE
