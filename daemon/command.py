"""A script or notify command with the uid:gid the resolver decided it runs as.

keepalived runs every script it starts (tracking scripts, notify commands of instances,
sync groups and real servers, quorum scripts, FIFO scripts) as the script user of its
configuration; the VRRP and the checker child both carry their commands this way and
start them with :func:`kaconf.effective.scriptsec.run_as`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Command:
    """A notify command and the uid:gid the resolver decided it runs as."""

    argv: tuple[str, ...]
    uid: int = 0
    gid: int = 0

    def with_args(self, *extra: str) -> Command:
        """The same command with arguments appended (``notify``'s TYPE NAME STATE PRIO)."""
        return Command(self.argv + extra, self.uid, self.gid)
