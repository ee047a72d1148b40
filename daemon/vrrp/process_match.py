"""``vrrp_track_process``, sans-I/O: which processes match, and when the quorum changes.

keepalived 2.2.7 counts the processes matching each ``vrrp_track_process`` and
reports the object "up" while the count is within ``quorum`` .. ``quorum_max``:

* without ``full_command`` a process matches by its ``comm`` (the name in
  ``/proc/PID/stat``, zombies excluded); with it (or with parameters on the
  ``process`` line, or ``param_match``) by its command line's first word;
* parameters are compared on the NUL-separated rest of the command line:
  ``exact`` (all of them, nothing more), ``partial`` (these first, more allowed),
  ``initial`` (as ``partial``, but the last one given may be a prefix);
* a change of the count that would change the state waits ``fork_delay`` (count
  going up) or ``terminate_delay`` (count going down); a change back while such a
  delay runs cancels it and reports nothing.

The scanner (:mod:`.process_track`) reads ``/proc``; this module only decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: keepalived's process state letter for a zombie (in /proc/PID/stat).
ZOMBIE = "Z"


@dataclass(frozen=True, slots=True)
class ProcessConfig:
    """One tracked ``vrrp_track_process`` as the child runs it (times in seconds)."""

    name: str
    #: the name or first command-line word to match
    path: str
    #: the parameters, NUL-joined with a trailing NUL as in /proc/PID/cmdline (b"": none)
    params: bytes = b""
    #: "" (no parameter check), "exact", "partial" or "initial"
    param_match: str = ""
    full_command: bool = False
    quorum: int = 1
    quorum_max: int = 0xFFFFFFFF
    fork_delay: float = 0.0
    terminate_delay: float = 0.0

    def in_quorum(self, count: int) -> bool:
        return self.quorum <= count <= self.quorum_max


def params_bytes(params: list[str] | tuple[str, ...]) -> bytes:
    """The ``process`` line's parameters as /proc/PID/cmdline holds them."""
    return b"".join(p.encode() + b"\0" for p in params)


def params_match(cfg: ProcessConfig, given: bytes) -> bool:
    """Whether a command line's parameters (``given``, after argv[0]'s NUL) match."""
    want = cfg.params
    if cfg.param_match == "exact":
        return given == want
    if not want:
        return True
    if cfg.param_match == "partial":
        return given.startswith(want)
    # initial: the last parameter given may be a prefix of the process's
    return len(want) == 1 or given.startswith(want[:-1])


def comm_of_stat(stat: str) -> str | None:
    """The ``comm`` field of a /proc/PID/stat line; None for a zombie or a bad line.

    keepalived takes the text from the first ``(`` to the first ``)`` after it.
    """
    start = stat.find("(")
    end = stat.find(")", start + 1)
    if start < 0 or end < 0:
        return None
    if stat[end + 2: end + 3] == ZOMBIE:
        return None
    return stat[start + 1:end]


def matches(cfg: ProcessConfig, comm: str | None, cmdline: bytes | None) -> bool:
    """Whether one process (its comm and raw command line) counts for ``cfg``."""
    if not cfg.full_command:
        # parameters (and param_match) imply full_command: the name alone decides
        return comm is not None and comm == cfg.path
    if not cmdline:
        return False
    argv0, _, rest = cmdline.partition(b"\0")
    if argv0 != cfg.path.encode():
        return False
    return not cfg.param_match or params_match(cfg, rest)


@dataclass
class ProcessQuorum:
    """The reported state of one tracked process and its pending delay.

    ``observe`` is given each new count; it returns the new state when it changes now,
    and arms :attr:`deadline` when a delay applies; :meth:`expire` ends that delay.
    """

    cfg: ProcessConfig
    count: int = 0
    up: bool = field(init=False)
    #: when a fork/terminate delay ends (None: none pending)
    deadline: float | None = None
    #: which delay is pending: True fork_delay (count rose), False terminate_delay
    forking: bool = False

    def __post_init__(self) -> None:
        self.up = self.cfg.in_quorum(self.count)

    def start(self, count: int) -> None:
        """The first scan: its result is the state at once, as keepalived's start-up scan."""
        self.count = count
        self.up = self.cfg.in_quorum(count)
        self.deadline = None

    def observe(self, count: int, now: float) -> bool | None:
        """A new count; returns the new state if it changed at once, else None."""
        before, self.count = self.count, count
        if count == before:
            return None
        wanted = self.cfg.in_quorum(count)
        if self.deadline is not None:
            if wanted == self.up:
                self.deadline = None  # back where it was: the delayed change is cancelled
            return None
        if wanted == self.up:
            return None
        delay = self.cfg.fork_delay if count > before else self.cfg.terminate_delay
        if delay > 0:
            self.deadline = now + delay
            self.forking = count > before
            return None
        self.up = wanted
        return wanted

    def expire(self, now: float) -> bool | None:
        """The delay's end (if due): the state the count gives then, if it changed."""
        if self.deadline is None or now < self.deadline:
            return None
        self.deadline = None
        wanted = self.cfg.in_quorum(self.count)
        if wanted == self.up:
            return None
        self.up = wanted
        return wanted
