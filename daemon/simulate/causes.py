"""Why an instance changed state, in words an operator reads in a timeline.

The machine's own log lines are keepalived's wording for a log file; a timeline needs
the cluster view ("higher priority advert from serverB (150)", with the node's name
rather than an address). These are derived from the event that the machine handled,
what the instance heard last, and its state and priority before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..vrrp.events import AdvertReceived, Event, Shutdown, Startup, TimerFired, TrackUpdate
from ..vrrp.fsm import VrrpFsm
from ..vrrp.params import State, TrackKind, tracker_fault

if TYPE_CHECKING:
    from .engine import Inst

__all__ = ["cause", "describe_tracker", "via_group"]


def describe_tracker(name: str) -> str:
    """``if:eth0`` -> ``link eth0``, ``script:chk`` -> ``script chk``..."""
    kind, _, what = name.partition(":")
    return {"if": "link", "script": "script", "file": "track file",
            "sim": "priority"}.get(kind, kind) + f" {what}"


def _faults(fsm: VrrpFsm) -> str:
    names = [t.name for t in fsm.params.trackers
             if tracker_fault(t, fsm.track_up, fsm.track_value)]
    words = []
    for name in names:
        t = next(t for t in fsm.params.trackers if t.name == name)
        if t.kind is TrackKind.VALUE:
            words.append(f"{describe_tracker(name)} value {fsm.track_value.get(name, 0)}")
        else:
            words.append(describe_tracker(name) + (" down" if name.startswith("if:")
                                                   else " failed"))
    return ", ".join(words) or "held by its sync group"


def cause(inst: Inst, event: Event, before: State, fsm: VrrpFsm, before_prio: int) -> str:
    """Why ``inst`` (whose machine is ``fsm``) left ``before`` on ``event``."""
    if isinstance(event, Startup):
        if fsm.state is State.FAULT:
            return f"start: {_faults(fsm)}"
        if fsm.state is State.MASTER:
            return "start: address owner (priority 255)"
        return "start"
    if isinstance(event, Shutdown):
        return "stop"
    heard = inst.heard
    if isinstance(event, AdvertReceived):
        who = heard[0] if heard is not None else str(event.src)
        if event.priority > before_prio:
            return f"higher priority advert from {who} ({event.priority})"
        if event.priority == before_prio:
            return f"same priority advert from {who} ({event.priority}), higher address"
        return f"advert from {who} ({event.priority})"
    if isinstance(event, TimerFired):
        if heard is not None and heard[1] == 0:
            return f"priority 0 advert from {heard[0]} (master leaving)"
        if heard is not None and heard[1] < before_prio and fsm.params.preempt:
            delay = fsm.params.preempt_delay
            suffix = f" after preempt_delay {delay:g}s" if delay > 0 else ""
            return f"preempting {heard[0]} (priority {heard[1]} < {before_prio}){suffix}"
        return "master_down expired"
    if isinstance(event, TrackUpdate):
        if fsm.state is State.FAULT:
            return _faults(fsm)
        return f"{describe_tracker(event.name)} changed"
    return type(event).__name__


def via_group(group: str | None, member: str, text: str) -> str:
    """The cause of a change the sync group made to another member."""
    return f"sync group {group}: {member} {text}" if group else text
