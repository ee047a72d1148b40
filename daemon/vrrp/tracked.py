"""Tracked ``vrrp_script`` and ``track_file`` objects, shared by the instances tracking them.

Each tracked ``vrrp_script`` runs in its own task (asyncio subprocess in a new session,
so a timeout kills its whole process group: SIGTERM, then SIGKILL 2 s later, as
keepalived does); each ``track_file`` is re-read on inotify events for its directory
and every second as a fall-back. A change is broadcast as a
:class:`~.events.TrackUpdate` to every instance that tracks the object.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import errno
import logging
import os
import signal
import stat
import struct
from collections.abc import Callable
from pathlib import Path

from kaconf.effective.scriptsec import run_as

from .config import ScriptConfig, TrackFileConfig, VrrpConfig
from .events import TrackUpdate
from .track import ScriptOutcome, ScriptState, outcome_from_returncode, parse_file_value

log = logging.getLogger("Keepalived_vrrp")

#: keepalived: a timed-out script gets SIGTERM, then SIGKILL this much later.
SCRIPT_KILL_DELAY = 2.0
#: Tracked files are re-read this often even without an inotify event.
FILE_POLL_INTERVAL = 1.0
#: Sends a tracked object's change (by tracker name) to the instances tracking it.
Broadcast = Callable[[str, TrackUpdate], None]


class TrackedScript:
    """One ``vrrp_script`` run every ``interval`` in its own task (see the module docstring)."""

    def __init__(self, broadcast: Broadcast, cfg: ScriptConfig) -> None:
        self.broadcast = broadcast
        self.cfg = cfg
        self.state = ScriptState(cfg.name, cfg.rise, cfg.fall, cfg.init_fail)
        self.task: asyncio.Task[None] | None = None
        self.pgid: int | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self._loop(), name=f"vrrp_script {self.cfg.name}")

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        self._kill_group(signal.SIGKILL)

    def _kill_group(self, sig: int) -> None:
        if self.pgid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pgid, sig)

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            try:
                outcome = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("VRRP_Script(%s) could not be run", self.cfg.name)
                outcome = ScriptOutcome(status=127)
            changed, lines = self.state.report(outcome)
            for line in lines:
                log.info("%s", line)
            if changed is not None:
                self.broadcast(f"script:{self.cfg.name}", TrackUpdate(
                    f"script:{self.cfg.name}", changed))
            # keepalived schedules the next run one interval after this one started.
            await asyncio.sleep(max(0.0, started + self.cfg.interval - loop.time()))

    async def run_once(self) -> ScriptOutcome:
        """Run the script once, bounded by its timeout (process group killed on overrun)."""
        try:
            proc = await asyncio.create_subprocess_exec(
                *self.cfg.argv, stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
                start_new_session=True, **run_as(self.cfg.uid, self.cfg.gid))
        except (OSError, ValueError) as exc:
            log.error("VRRP_Script(%s) cannot run %s: %s", self.cfg.name, self.cfg.argv[0],
                      getattr(exc, "strerror", None) or exc)
            return ScriptOutcome(status=127 if getattr(exc, "errno", None) == errno.ENOENT
                                 else 126)
        self.pgid = proc.pid  # start_new_session: its own process group
        timed_out = False
        try:
            try:
                returncode = await asyncio.wait_for(proc.wait(), self.cfg.timeout)
            except TimeoutError:
                timed_out = True
                self._kill_group(signal.SIGTERM)
                try:
                    returncode = await asyncio.wait_for(proc.wait(), SCRIPT_KILL_DELAY)
                except TimeoutError:
                    self._kill_group(signal.SIGKILL)
                    returncode = await proc.wait()
        except asyncio.CancelledError:
            self._kill_group(signal.SIGKILL)
            raise
        finally:
            if timed_out:
                self._kill_group(signal.SIGKILL)  # whatever it started dies with it
            self.pgid = None
        return outcome_from_returncode(returncode, timed_out)


class TrackedFile:
    """The current value of one ``track_file`` (see :func:`.track.parse_file_value`)."""

    def __init__(self, broadcast: Broadcast, cfg: TrackFileConfig) -> None:
        self.broadcast = broadcast
        self.cfg = cfg
        self.path = Path(cfg.path)
        self.value = 0

    def initialise(self, reload: bool) -> None:
        """``init_file``: create the file (or overwrite it, not on reload) with its value."""
        cfg = self.cfg
        if cfg.init_value is None:
            return
        try:
            st = self.path.stat()
        except FileNotFoundError:
            st = None
        except OSError:
            return
        if st is not None:
            if not cfg.init_overwrite or reload:
                return
            if not stat.S_ISREG(st.st_mode):
                log.error("Cannot initialise track file %s - it is not a regular file",
                          cfg.name)
                return
        try:
            self.path.write_text(f"{cfg.init_value}\n")
        except OSError as exc:
            log.error("Unable to initialise track file %s: %s", cfg.name, exc)

    def read(self) -> int:
        """The file's value now: 0 when it is missing or empty, the last one if invalid."""
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        except OSError:
            return 0
        try:
            data = os.read(fd, 128)
        except OSError:
            data = b""
        finally:
            os.close(fd)
        if not data:
            return 0
        value = parse_file_value(data)
        if value is None:
            log.info("Invalid number read from %s - ignoring", self.path)
            return self.value
        return value

    def refresh(self) -> None:
        value = self.read()
        if value != self.value:
            self.value = value
            log.debug("Track file %s now %d", self.cfg.name, value)
            name = f"file:{self.cfg.name}"
            self.broadcast(name, TrackUpdate(name, value=value))


class _Inotify:
    """inotify on the directories of tracked files (libc through ctypes); optional.

    keepalived watches the directory (IN_CLOSE_WRITE, IN_DELETE, IN_MOVE) so that a file
    written, replaced or removed is seen at once. If inotify is not available the 1 s
    poll alone keeps the values right, only later.
    """

    IN_CLOSE_WRITE = 0x008
    IN_MOVED_FROM = 0x040
    IN_MOVED_TO = 0x080
    IN_DELETE = 0x200
    IN_NONBLOCK = 0o4000
    IN_CLOEXEC = 0o2000000
    _EVENT = struct.Struct("iIII")

    def __init__(self, on_change: Callable[[str, str], None]) -> None:
        self.on_change = on_change
        self.fd = -1
        self.watches: dict[int, str] = {}
        try:
            self._libc = ctypes.CDLL(None, use_errno=True)
            self.fd = int(self._libc.inotify_init1(self.IN_NONBLOCK | self.IN_CLOEXEC))
        except (OSError, AttributeError):
            self.fd = -1
        if self.fd >= 0:
            asyncio.get_running_loop().add_reader(self.fd, self._readable)

    def watch(self, directory: str) -> None:
        if self.fd < 0 or directory in self.watches.values():
            return
        mask = self.IN_CLOSE_WRITE | self.IN_DELETE | self.IN_MOVED_FROM | self.IN_MOVED_TO
        wd = int(self._libc.inotify_add_watch(self.fd, directory.encode(), mask))
        if wd >= 0:
            self.watches[wd] = directory

    def _readable(self) -> None:
        while True:
            try:
                data = os.read(self.fd, 4096)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            offset = 0
            while offset + self._EVENT.size <= len(data):
                wd, _mask, _cookie, length = self._EVENT.unpack_from(data, offset)
                raw = data[offset + self._EVENT.size: offset + self._EVENT.size + length]
                offset += self._EVENT.size + length
                directory = self.watches.get(wd)
                if directory is not None:
                    self.on_change(directory, raw.split(b"\0", 1)[0].decode(errors="replace"))

    def close(self) -> None:
        if self.fd >= 0:
            with contextlib.suppress(ValueError, OSError):
                asyncio.get_running_loop().remove_reader(self.fd)
            os.close(self.fd)
            self.fd = -1
        self.watches.clear()

class TrackedObjects:
    """Every tracked script and file of the child; their changes go to ``broadcast``."""

    def __init__(self, broadcast: Broadcast) -> None:
        self.broadcast = broadcast
        self.scripts: dict[str, TrackedScript] = {}
        self.files: dict[str, TrackedFile] = {}
        #: Set while ``files`` is not empty: the poll loop sleeps on it otherwise.
        self._files_present = asyncio.Event()
        self._inotify: _Inotify | None = None
        self._file_poll: asyncio.Task[None] | None = None

    def open(self) -> None:
        """Start watching for file changes (before the first :meth:`sync`)."""
        self._inotify = _Inotify(self._file_event)

    def start_poll(self) -> None:
        self._file_poll = asyncio.create_task(self._poll_files(), name="track_file poll")

    async def stop_scripts(self) -> None:
        await asyncio.gather(*(s.stop() for s in self.scripts.values()))

    def stop_poll(self) -> None:
        if self._file_poll is not None:
            self._file_poll.cancel()

    def close(self) -> None:
        if self._inotify is not None:
            self._inotify.close()

    async def drop_changed(self, vrrp: VrrpConfig) -> None:
        """Reload: stop the scripts and forget the files that ``vrrp`` changed or dropped."""
        scripts = {s.name: s for s in vrrp.scripts}
        for name, script in list(self.scripts.items()):
            if scripts.get(name) != script.cfg:
                await script.stop()
                del self.scripts[name]
        files = {f.name: f for f in vrrp.track_files}
        for name, tracked in list(self.files.items()):
            if files.get(name) != tracked.cfg:
                del self.files[name]

    def sync(self, vrrp: VrrpConfig, *, reload: bool) -> None:
        """Start the scripts and file watchers ``vrrp`` needs (values read at once)."""
        for cfg in vrrp.track_files:
            if cfg.name in self.files:
                continue
            tracked = TrackedFile(self.broadcast, cfg)
            tracked.initialise(reload)
            tracked.value = tracked.read()
            self.files[cfg.name] = tracked
            self._files_present.set()
            if self._inotify is not None:
                self._inotify.watch(str(Path(cfg.path).parent))
        for script_cfg in vrrp.scripts:
            if script_cfg.name not in self.scripts:
                script = TrackedScript(self.broadcast, script_cfg)
                self.scripts[script_cfg.name] = script
                script.start()

    def _file_event(self, directory: str, name: str) -> None:
        for tracked in self.files.values():
            if tracked.path.name == name and str(tracked.path.parent) == directory:
                tracked.refresh()

    async def _poll_files(self) -> None:
        """Re-read tracked files now and then, a backstop for inotify.

        With no tracked files it waits instead of waking every second: at rest, each
        wake-up of a Python process costs far more than the work it does.
        """
        while True:
            if not self.files:
                self._files_present.clear()
                await self._files_present.wait()
            await asyncio.sleep(FILE_POLL_INTERVAL)
            for tracked in list(self.files.values()):
                tracked.refresh()
