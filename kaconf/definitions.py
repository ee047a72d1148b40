"""keepalived's ``$NAME`` definitions and include-glob helpers, as the reader uses them.

Kept apart from the reader (:mod:`kaconf.source`) because they are pure functions of
their inputs: what a definition holds, what a built-in (``$_PWD``, ``${_RANDOM 1 9}``)
expands to, and how ``include a{1,2}.conf`` expands its braces like
``glob(GLOB_BRACE)``.
"""

from __future__ import annotations

import os
import random
import re
from dataclasses import dataclass

from kaconf.diagnostics import Position

__all__ = ["REF_RE", "Definition", "brace_expand", "builtin_value"]

#: A ``$NAME`` or ``${NAME params}`` reference.
REF_RE = re.compile(
    r"\$\{([A-Za-z_][A-Za-z0-9_]*)((?:[ \t]+[^}\s]+)*)[ \t]*\}"
    r"|\$([A-Za-z_][A-Za-z0-9_]*)"
)


@dataclass(slots=True)
class Definition:
    """A ``$NAME=value`` definition: its lines (several for a multi-line one) and where."""

    name: str
    lines: list[str]
    multiline: bool
    pos: Position


def builtin_value(name: str, params: list[str], file: str, config_id: str,
                  rng: random.Random) -> str | None:
    """The value of built-in definition ``name`` (None if it is not one or its
    parameters are wrong): ``$_PWD``, ``$_INSTANCE``, ``$_HASH``, ``$_BANG``, ``${_RANDOM}``."""
    if name == "_PWD":
        return os.path.dirname(os.path.abspath(file)) if not params else None
    if name == "_INSTANCE":
        return config_id if not params else None
    if name == "_HASH":
        return "#"
    if name == "_BANG":
        return "!"
    if name == "_RANDOM":
        if len(params) > 2 or not all(p.lstrip("-").isdigit() for p in params):
            return None
        lo, hi = 0, 2**31 - 1
        if len(params) == 1:
            hi = int(params[0])
        elif len(params) == 2:
            lo, hi = int(params[0]), int(params[1])
        if hi < lo:
            lo, hi = hi, lo
        return str(rng.randint(lo, hi))
    return None


def brace_expand(pattern: str) -> list[str]:
    """Expand ``{a,b}`` alternatives the way glob(GLOB_BRACE) does."""
    m = re.search(r"\{([^{}]*,[^{}]*)\}", pattern)
    if not m:
        return [pattern]
    out: list[str] = []
    for alt in m.group(1).split(","):
        out.extend(brace_expand(pattern[: m.start()] + alt + pattern[m.end() :]))
    return out
