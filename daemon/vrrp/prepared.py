"""The parent's resolution of the configuration, handed to the VRRP child it forks next.

Why: the parent resolves the configuration before it starts anything (to refuse what
cannot run, :func:`kaconfd.parent.unrunnable`), and the VRRP child used to resolve it
again right after the fork. Built in the child, the resolved configuration is private
memory, and building it writes into heap pages the child shares with the parent, which
the kernel then copies: ~1.8 MB at one instance, ~3.8 MB at 200. Kept from the parent,
it is shared and only read (every object in it is frozen).

Only the first child forked after a resolution takes it: a child restarted later
resolves afresh, against the host as it is then (interfaces may have come or gone), as
before. A reload's children read the parent's snapshot, a different object, so they
resolve too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kaconf.effective import Effective
    from kaconf.model.objects import Config

    from .config import VrrpConfig

_prepared: tuple[Config, Effective, VrrpConfig] | None = None
#: What the parent handed to a child, kept alive in the parent: freeing it there would
#: write into the very pages the child shares (and so copy them).
_retired: tuple[Config, Effective, VrrpConfig] | None = None


def prepare(config: Config) -> tuple[Effective, VrrpConfig]:
    """``resolve`` and ``vrrp_config`` for ``config``, kept for the next child.

    Raises :class:`~.config.UnsupportedConfig` as ``vrrp_config`` does.
    """
    from kaconf.effective import resolve

    from .config import vrrp_config

    global _prepared
    eff = resolve(config)
    vrrp = vrrp_config(eff)
    _prepared = (config, eff, vrrp)
    return eff, vrrp


def take(config: Config) -> tuple[Effective, VrrpConfig] | None:
    """In the child: what :func:`prepare` kept if it was for this very ``config``."""
    global _prepared
    kept, _prepared = _prepared, None
    if kept is None or kept[0] is not config:
        return None
    return kept[1], kept[2]


def retire() -> None:
    """In the parent, after forking a VRRP child: a later child resolves afresh."""
    global _prepared, _retired
    if _prepared is not None:
        _retired, _prepared = _prepared, None
