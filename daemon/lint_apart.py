"""Lint a configuration in a short-lived forked process, so the daemon never holds lint.

Why: ``kaconf run`` lints the configuration at start and on every reload, and lint
imports some 140 modules (the rules and their helpers) and builds indexes: about
2.5 MB that would stay in the parent for months and be inherited by both children,
for a check that takes a fraction of a second. Forked, the lint runs on the already
loaded configuration (nothing is read twice), sends its findings back pickled
through a pipe, and exits; the daemon keeps only the findings.

If the fork or the child fails, the lint runs in-process: the findings matter more
than the memory.
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kaconf.diagnostics import Diagnostic
    from kaconf.loader import Loaded


def _lint(loaded: Loaded, path: str) -> list[Diagnostic]:
    from kaconf.lint.engine import lint_loaded

    return lint_loaded(loaded, path=path)


def lint_apart(loaded: Loaded, path: str) -> list[Diagnostic]:
    """``lint_loaded(loaded, path=path)``, computed in a forked child (see the docstring)."""
    for handler in logging.getLogger().handlers:
        handler.flush()
    try:
        rfd, wfd = os.pipe()
        pid = os.fork()
    except OSError:
        return _lint(loaded, path)
    if pid == 0:  # the lint process: compute, send, leave without running any cleanup
        status = 1
        try:
            # A signal meant for the daemon must not reach its event loop through the
            # wake-up fd this process shares with it.
            signal.set_wakeup_fd(-1)
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                signal.signal(sig, signal.SIG_DFL)
            os.close(rfd)
            data = pickle.dumps(_lint(loaded, path), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(wfd, "wb") as out:
                out.write(data)
            status = 0
        finally:
            os._exit(status)
    os.close(wfd)
    with os.fdopen(rfd, "rb") as inp:
        data = inp.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        return _lint(loaded, path)
    findings: list[Diagnostic] = pickle.loads(data)  # noqa: S301 - our own child wrote it
    return findings
