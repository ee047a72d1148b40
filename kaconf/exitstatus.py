"""Every exit status kaconf and kaconfd use, defined once.

Scripts, CI jobs, Ansible's ``validate:`` and systemd units read these numbers,
so they are a contract: a value here never changes meaning. Commands return
members of :class:`ExitStatus` (an ``int``, so ``sys.exit``/``os._exit`` take
them as they are) instead of writing numbers of their own.

========  ====  =============================================================
name      code  meaning
========  ====  =============================================================
OK           0  done; nothing wrong found
CONFIG       1  the config (or template, vars) has problems: lint errors,
                ``--check`` drift, nothing matched; ``kaconf run`` refusing a
                config with errors or with nothing it can run
USAGE        2  kaconf could not do its job: bad command line, bad setting,
                unreadable input, a live pid file in the way
RUN_CONFIG   3  the daemon (``kaconf run``'s parent process, or a daemon
                child) found at run time that the config cannot run; a child
                exiting with it is not restarted
CHILD_FATAL  4  a daemon child failed for good (an exception escaped it); the
                parent stops instead of restarting it. Only the parent sees
                this status: it is never kaconf's own exit status
INTERRUPTED 130 stopped by Ctrl-C (128 + SIGINT, the shell convention)
========  ====  =============================================================

Before this module the daemon's children used 2 for a fatal failure; 4 keeps
it apart from ``USAGE`` so a status always names one thing.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["ExitStatus"]


class ExitStatus(IntEnum):
    """Process exit statuses of every kaconf command and of kaconfd's processes."""

    OK = 0
    CONFIG = 1
    USAGE = 2
    RUN_CONFIG = 3
    CHILD_FATAL = 4
    INTERRUPTED = 130
