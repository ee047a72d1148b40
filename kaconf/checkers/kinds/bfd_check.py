"""BFD_CHECK: the real server follows a ``bfd_instance``'s state.

kaconfd has no BFD process, so this kind has no probe: the checker is ignored (with a
warning) and does not count for its real server. The model, settings and dump are
keepalived 2.2.7's (check_bfd.c).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from kaconf.checkers.base import BuildContext, CheckerKind, CheckerSpec, first_word
from kaconf.model.objects import Checker

if TYPE_CHECKING:
    from kaconf.effective.globals import GlobalState


class BfdCheck(Checker):
    """BFD_CHECK: the real server follows a bfd_instance's state."""

    name: str | None = None


class BfdParams(NamedTuple):
    name: str


def build(ck: Checker, ctx: BuildContext) -> list[CheckerSpec]:
    assert isinstance(ck, BfdCheck)
    return [ctx.spec(None, BfdParams(ck.name or ""))]


def dump(ck: Checker, gs: GlobalState) -> list[str] | None:
    return ["   Keepalive method = BFD_CHECK",
            f"   Name = {first_word(ck.settings.get('name')) or ''}"]


KIND = CheckerKind(
    "BFD_CHECK", BfdCheck, build, dump, default_retry=0, connection=False,
    unsupported="BFD_CHECK is not supported by kaconfd (it has no BFD process) - the checker"
                " is ignored and does not affect the real server")
