"""Entry point of the checker child: :func:`run_checker`.

The parent process (daemon/parent.py, another engineer's) starts one child per role (VRRP,
checker) and tells it to stop through ``stop_event``.  This module owns nothing but the
wiring: resolve the config (:mod:`~kaconfd.check.spec`), log the warnings, detect IPVS once
(:class:`~kaconfd.check.ipvs_writer.IpvsWriter`), run the
:class:`~kaconfd.check.scheduler.Scheduler` until the event is set, then clean up (omega
notifies, IPVS services removed).  See docs/checker.md for the integration contract.

:func:`dump` renders the running child's IPVS table and checker state; with ``dump_path``
:func:`run_checker` writes it there on SIGUSR1 (keepalived writes
``/tmp/keepalived_check.data``).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import logging
import os
import signal
from collections.abc import Callable
from typing import Any

from kaconfd.check.ipvs_writer import IpvsWriter
from kaconfd.check.scheduler import Scheduler
from kaconfd.check.spec import resolve
from kaconfd.check.status import checker_status

from kaconf.exitstatus import ExitStatus
from kaconf.model.objects import Config

from ..control import serve_control, start_control_server
from ..watchdog import WatchfulSelector, run_watched

#: The running child's scheduler (one per process), for :func:`dump`.
_current: Scheduler | None = None


class _CallableLogger(logging.LoggerAdapter):  # type: ignore[type-arg]
    """A logger that hands every formatted line to a plain callable."""

    def __init__(self, sink: Callable[[str], Any]) -> None:
        super().__init__(logging.getLogger("kaconfd.check"), {})
        self._sink = sink

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        text = str(msg) % args if args else str(msg)
        if kwargs.get("exc_info"):
            import traceback

            text += "\n" + traceback.format_exc().rstrip()
        self._sink(text)


def as_logger(log: Any) -> logging.Logger:
    """Accept a :class:`logging.Logger` (or adapter), a callable taking a line, or None."""
    if log is None:
        return logging.getLogger("kaconfd.check")
    if hasattr(log, "info") and hasattr(log, "error"):
        return log  # type: ignore[no-any-return]
    if callable(log):
        return _CallableLogger(log)  # type: ignore[return-value]
    raise TypeError(f"log must be a logger or a callable, not {type(log).__name__}")


async def _wait(stop_event: Any) -> None:
    """Wait for an :class:`asyncio.Event` or, polling, for anything with ``is_set()``."""
    wait = getattr(stop_event, "wait", None)
    if wait is not None and inspect.iscoroutinefunction(wait):
        await wait()
        return
    while not stop_event.is_set():
        await asyncio.sleep(0.1)


async def serve_watchdog(sock_path: str, reloads: Callable[[], int] | None = None,
                         lazy: WatchfulSelector | None = None) -> asyncio.AbstractServer:
    """Answer the parent's watchdog on a UNIX socket, from this child's own loop.

    Same line protocol as the VRRP child (daemon/vrrp/child.py): ``hello`` ->
    ``ok check <pid>``; ``state`` -> one line of JSON (per virtual server: quorum and alive
    real servers).  Because the answer comes from the loop that runs the checks, a stuck
    loop stops answering and the parent restarts the child.  Close the returned server to
    stop serving.
    """
    serve = functools.partial(serve_control, role="check", states=_state_summary,
                              status=status, reloads=reloads, lazy=lazy)
    return await start_control_server(sock_path, serve)


def _state_summary() -> dict[str, Any]:
    if _current is None:
        return {}
    return {vs.spec.label: {"quorum": vs.quorum_up,
                            "alive": [rs.spec.label for rs in vs.real_servers if rs.alive]}
            for vs in _current.pool.virtual_servers}


def status() -> dict[str, Any]:
    """The running checker's part of ``kaconf status`` (:mod:`kaconfd.check.status`)."""
    return checker_status(_current)


def dump() -> str:
    """The running checker's IPVS table and checker state (what SIGUSR1 writes)."""
    if _current is None:
        return "checker not running\n"
    return _current.writer.render() + _current.render_state()


async def run_checker(config: Config, *, log: Any, stop_event: Any,
                      dump_path: str | None = None, use_ipvs: bool | None = None) -> None:
    """Run every health checker of ``config`` until ``stop_event`` is set.

    ``log``: a :class:`logging.Logger` or a callable taking one line.  ``stop_event``: an
    :class:`asyncio.Event` (or a ``threading.Event``-like object, polled every 0.1 s).
    ``use_ipvs``: None detects the kernel's IPVS, False keeps the table in memory only.
    """
    global _current
    logger = as_logger(log)
    resolved = resolve(config)
    for w in resolved.warnings:
        logger.warning("%s", w)
    writer = IpvsWriter(logger, use_kernel=use_ipvs)
    await writer.open()
    sched = Scheduler(resolved, log=logger, writer=writer)
    _current = sched
    loop = asyncio.get_running_loop()
    handler_set = False
    if dump_path:
        def on_usr1() -> None:
            try:
                tmp = dump_path + ".tmp"
                with open(tmp, "w") as f:
                    f.write(dump())
                os.replace(tmp, dump_path)
            except OSError as e:
                logger.error("cannot write %s: %s", dump_path, e)

        try:
            loop.add_signal_handler(signal.SIGUSR1, on_usr1)
            handler_set = True
        except (RuntimeError, ValueError):  # not the main thread
            logger.warning("SIGUSR1 dump unavailable (not running in the main thread)")
    n = sum(len(rs.checkers) for vs in resolved.virtual_servers for rs in vs.real_servers)
    logger.info("Activating %d healthchecker(s) for %d virtual server(s)", n,
                len(resolved.virtual_servers))
    try:
        await sched.start()
        await _wait(stop_event)
    finally:
        await (_current or sched).stop()
        if handler_set:
            loop.remove_signal_handler(signal.SIGUSR1)
        writer.close()
        _current = None


async def reload_checker(config: Config) -> bool:
    """Switch the running checker to ``config`` (SIGHUP), keeping state and IPVS table.

    Checkers, real servers and virtual servers present in both configurations keep their
    state (:meth:`~kaconfd.check.state.Pool.adopt`), so nothing is re-announced and no
    failed server is re-added; the IPVS table is diffed, not rebuilt.  Returns False when
    no checker is running.
    """
    global _current
    old = _current
    if old is None:
        return False
    resolved = resolve(config)
    for w in resolved.warnings:
        old.log.warning("%s", w)
    new = Scheduler(resolved, log=old.log, writer=old.writer)
    new.pool.adopt(old.pool)
    # a checker kept across the reload keeps its last result and latency histogram
    # (kaconf status, metrics: counters must not restart at a reload)
    kept = {cs.spec.name: old.records[id(cs)] for cs in old.pool.checkers
            if id(cs) in old.records}
    for cs in new.pool.checkers:
        if cs.spec.name in kept:
            new.records[id(cs)] = kept[cs.spec.name]
    await old.stop(keep_table=True)
    _current = new
    await new.start()
    old.log.info("Reloaded: %d virtual server(s)", len(resolved.virtual_servers))
    return True


def checker_main(config: Config, *, control_path: str | None = None,
                 data_file: str | None = "/tmp/keepalived_check.data",
                 config_path: str | None = None, config_id: str | None = None,
                 snapshot: str | None = None, log: Any = None) -> int:
    """Entry point in a forked checker child, shaped like the VRRP child's ``child_main``.

    A fresh event loop; SIGTERM/SIGINT stop the checks cleanly; SIGUSR1 writes
    :func:`dump` to ``data_file``; SIGHUP re-reads ``config_path`` and, when it has no
    errors, :func:`reload_checker`; the watchdog is served on ``control_path``.  Returns
    the exit status (0).
    """
    logger = as_logger(log if log is not None else logging.getLogger("Keepalived_healthcheckers"))

    async def reload() -> None:
        if snapshot is not None:
            # the parent read and checked the configuration once; never re-read the files
            from ..snapshot import read_snapshot

            try:
                new = read_snapshot(snapshot)
            except (OSError, ValueError, EOFError) as exc:
                logger.error("Reload failed: cannot read the configuration snapshot: %s", exc)
                return
            await reload_checker(new)
            return
        from kaconf.loader import load_full

        assert config_path is not None
        loaded = load_full(config_path, config_id=config_id)
        if loaded.errors:
            for d in loaded.errors:
                logger.error("%s", d)
            logger.error("Reload failed: keeping the running configuration")
            return
        await reload_checker(loaded.config)

    async def main(selector: WatchfulSelector) -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        pending: set[asyncio.Task[None]] = set()
        # SIGHUPs received, and how many of them the last finished reload had seen (the
        # parent's hello reads it to learn when a reload is over)
        seen, done = [0], [0]

        async def counted_reload() -> None:
            upto = seen[0]
            try:
                await reload()
            finally:
                done[0] = max(done[0], upto)

        if config_path or snapshot:
            def on_hup() -> None:
                seen[0] += 1
                t = loop.create_task(counted_reload())
                pending.add(t)
                t.add_done_callback(pending.discard)

            loop.add_signal_handler(signal.SIGHUP, on_hup)
        server = (await serve_watchdog(control_path, reloads=lambda: done[0], lazy=selector)
                  if control_path else None)
        try:
            await run_checker(config, log=logger, stop_event=stop, dump_path=data_file)
        finally:
            if server is not None:
                server.close()
                with contextlib.suppress(OSError):
                    os.unlink(control_path)  # type: ignore[arg-type]
        return ExitStatus.OK

    return run_watched(main)
