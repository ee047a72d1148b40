"""Logging set-up shared by the parent and the children, keepalived style.

keepalived logs to syslog (facility LOG_DAEMON, or LOG_LOCAL0..7 with ``-S``) under the
ident ``Keepalived`` / ``Keepalived_vrrp`` with the pid, and also to the console with
``-l``. Operators grep those logs for fixed phrases (``Entering MASTER STATE``), so the
loggers here carry the same names and the messages are worded alike.

``-D`` adds keepalived's detail lines (the daemon's own debug messages), never the
libraries' internals: pyroute2's netlink traces and asyncio's selector messages are held
at WARNING whatever the level. ``--log-format json`` writes the console lines as one
JSON object each (time, level, process, pid, message) for log shippers; syslog lines keep
keepalived's layout, their header already carries time, host and ident.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import sys
import time
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LogOptions:
    """The command-line flags that shape logging."""

    console: bool = False
    facility: int | None = None  # -S: syslog facility code (LOG_LOCALn: 16 + n); None: daemon
    detail: bool = False  # -D
    json: bool = False  # --log-format json (console lines)
    #: where syslog lines go (tests point it at a socket of their own)
    syslog_address: str = "/dev/log"


#: Loggers of libraries whose debug output is their internals, not keepalived's detail.
QUIET_LOGGERS: tuple[str, ...] = ("pyroute2", "asyncio")


def quiet_libraries() -> None:
    """Hold :data:`QUIET_LOGGERS` at WARNING (so their debug records are not even made).

    Called by :func:`setup_logging` and again by a module right after it imports such a
    library: pyroute2 sets its logger to level 0 when it is first imported.
    """
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


class LibraryFilter(logging.Filter):
    """Drop the quiet libraries' records below WARNING at the handlers too, whatever
    level a library gives its own logger later."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return True
        top = record.name.partition(".")[0]
        return top not in QUIET_LOGGERS


class _ConsoleFormatter(logging.Formatter):
    """``Mon Nov 25 17:00:00.123 2026: Keepalived_vrrp[42]: message``, like keepalived -l."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%a %b %d %H:%M:%S", time.localtime(record.created))
        msecs = int(record.msecs)
        return f"{stamp}.{msecs:03d}: {record.name}[{os.getpid()}]: {record.getMessage()}"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time`` (ISO 8601, ms), ``level``, ``process``, ``pid``,
    ``message`` (with the traceback, if any)."""

    def __init__(self, ident: str) -> None:
        super().__init__()
        self.ident = ident

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(record.created))
        zone = time.strftime("%z", time.localtime(record.created))
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + self.formatException(record.exc_info)
        return json.dumps({"time": f"{stamp}.{int(record.msecs):03d}{zone}",
                           "level": record.levelname.lower(), "process": self.ident,
                           "pid": os.getpid(), "message": message})


def setup_logging(ident: str, opts: LogOptions) -> logging.Logger:
    """(Re)configure the root logger for process ``ident``; returns that process's logger.

    Called again in each child after fork, so the pid and ident in syslog lines are the
    child's own.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    root.setLevel(logging.DEBUG if opts.detail else logging.INFO)
    quiet_libraries()
    if opts.console:
        console = logging.StreamHandler(sys.stderr)
        console.addFilter(LibraryFilter())
        console.setFormatter(JsonFormatter(ident) if opts.json else _ConsoleFormatter())
        root.addHandler(console)
    facility = (logging.handlers.SysLogHandler.LOG_DAEMON if opts.facility is None
                else opts.facility)
    if os.path.exists(opts.syslog_address):
        try:
            syslog = logging.handlers.SysLogHandler(address=opts.syslog_address,
                                                    facility=facility)
        except OSError:
            pass  # no syslog daemon listening: console only
        else:
            syslog.setFormatter(logging.Formatter(f"{ident}[%(process)d]: %(message)s"))
            syslog.addFilter(LibraryFilter())
            syslog.ident = ""
            root.addHandler(syslog)
    return logging.getLogger(ident)
