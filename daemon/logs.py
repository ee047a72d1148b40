"""Logging set-up shared by the parent and the children, keepalived style.

keepalived logs to syslog (facility LOG_DAEMON, or LOG_LOCAL0..7 with ``-S``) under the
ident ``Keepalived`` / ``Keepalived_vrrp`` with the pid, and also to the console with
``-l``. Operators grep those logs for fixed phrases (``Entering MASTER STATE``), so the
loggers here carry the same names and the messages are worded alike.
"""

from __future__ import annotations

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
    facility: int | None = None  # -S 0..7 -> LOG_LOCALn; None -> LOG_DAEMON
    detail: bool = False  # -D


class _ConsoleFormatter(logging.Formatter):
    """``Mon Nov 25 17:00:00.123 2026: Keepalived_vrrp[42]: message``, like keepalived -l."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%a %b %d %H:%M:%S", time.localtime(record.created))
        msecs = int(record.msecs)
        return f"{stamp}.{msecs:03d}: {record.name}[{os.getpid()}]: {record.getMessage()}"


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
    if opts.console:
        console = logging.StreamHandler(sys.stderr)
        console.setFormatter(_ConsoleFormatter())
        root.addHandler(console)
    facility = (logging.handlers.SysLogHandler.LOG_DAEMON if opts.facility is None
                else logging.handlers.SysLogHandler.LOG_LOCAL0 + opts.facility)
    if os.path.exists("/dev/log"):
        try:
            syslog = logging.handlers.SysLogHandler(address="/dev/log", facility=facility)
        except OSError:
            pass  # no syslog daemon listening: console only
        else:
            syslog.setFormatter(logging.Formatter(f"{ident}[%(process)d]: %(message)s"))
            syslog.ident = ""
            root.addHandler(syslog)
    return logging.getLogger(ident)
