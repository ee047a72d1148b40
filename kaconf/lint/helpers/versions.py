"""Ordering keepalived versions, for rules whose verdict depends on ``--target-version``."""

from __future__ import annotations

import re

_LATEST = {"master", "current", "latest", "head"}


_DOTTED = re.compile(r"v?(\d+(?:\.\d+)*)")


def version_key(version: str) -> tuple[int, ...]:
    """Order keepalived versions: ``"1.2.2" < "1.4.2" < "2.2.7" < "master"``.

    Unlike :func:`kaconf.schema.normalize_version` this keeps the exact number,
    because behaviour changes (the own-line brace fix of 1.4.2) fall between the
    schema's snapshots. Unparsable text sorts as the newest release.
    """
    text = (version or "").strip().lower()
    if text in _LATEST:
        return (999,)
    m = _DOTTED.fullmatch(text)
    if m is None:
        return (999,)
    parts = [int(p) for p in m.group(1).split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def older_than(ctx_version: str, version: str) -> bool:
    """True when the targeted keepalived is older than ``version``."""
    return version_key(ctx_version) < version_key(version)
