"""The pure core of a unit: who decides for an instance, and what it is told at start-up.

Why apart from :mod:`.units`: the daemon's :class:`~.units.Unit` wraps this core in a
queue, a task and the runners' I/O; the cluster simulator (:mod:`kaconfd.simulate`)
drives the very same core with a virtual clock. Both must agree on which machine
decides (a standalone :class:`~.fsm.VrrpFsm` or a :class:`~.sync.SyncGroupFsm`), on the
fast paths of the two routine events, and on the events an instance gets when it
starts (its tracked objects' states, then :class:`~.events.Startup`), so that code
lives here once.

Like :mod:`.fsm`, pure: no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .events import AdvertReceived, Event, SendAdvert, SetTimer, Startup, TrackUpdate
from .fsm import VrrpFsm
from .sync import SyncGroupFsm, Tagged

if TYPE_CHECKING:
    from .config import InstanceConfig


class UnitCore:
    """The decisions of one unit: a standalone instance, or a sync group's members."""

    __slots__ = ("fsms", "group")

    def __init__(self, fsms: dict[str, VrrpFsm], group: str | None = None) -> None:
        self.fsms = fsms
        #: The sync group's coordinator, None for a standalone instance.
        self.group: SyncGroupFsm | None = SyncGroupFsm(group, fsms) if group is not None \
            else None

    def decide(self, member: str, event: Event, now: float) -> list[Tagged]:
        """The actions for ``event`` of ``member`` at ``now``, tagged with their member."""
        if self.group is not None:
            return self.group.handle(member, event, now)
        return [(member, a) for a in self.fsms[member].handle(event, now)]

    def fast_advert_received(self, member: str, event: AdvertReceived,
                             at: float) -> SetTimer | None:
        """The machine's fast path for a routine advert (None: call :meth:`decide`)."""
        if self.group is not None:
            return self.group.fast_advert_received(member, event, at)
        return self.fsms[member].fast_advert_received(event, at)

    def fast_advert_timer_fired(self, member: str,
                                at: float) -> tuple[SendAdvert, SetTimer] | None:
        """The machine's fast path for a master's advert timer (None: call :meth:`decide`)."""
        if self.group is not None:
            return self.group.fast_advert_timer_fired(member, at)
        return self.fsms[member].fast_advert_timer_fired(at)


def startup_events(cfg: InstanceConfig, link_up: Callable[[str], bool],
                   script_up: Callable[[str], bool | None],
                   file_value: Callable[[str], int | None],
                   resume_master: bool = False, *,
                   process_up: Callable[[str], bool | None] | None = None) -> list[Event]:
    """What an instance is told when it starts: every tracked object's state, then Startup.

    ``link_up``: whether a tracked interface exists and is up; ``script_up``: a
    script's state, None while its first run has not finished (then nothing is sent,
    the tracker keeps its initial state); ``file_value``: a tracked file's value,
    None when nothing watches it; ``process_up``: a tracked process's quorum state, None
    while unknown (no process tracking: nothing is sent).
    """
    events: list[Event] = [TrackUpdate(f"if:{name}", link_up(name))
                           for name in cfg.tracked_interfaces]
    for name in cfg.tracked_scripts:
        up = script_up(name)
        if up is not None:
            events.append(TrackUpdate(f"script:{name}", up))
    for name in cfg.tracked_files:
        value = file_value(name)
        if value is not None:
            events.append(TrackUpdate(f"file:{name}", value=value))
    if process_up is not None:
        for name in cfg.tracked_processes:
            up = process_up(name)
            if up is not None:
                events.append(TrackUpdate(f"process:{name}", up))
    events.append(Startup(resume_master=resume_master))
    return events
