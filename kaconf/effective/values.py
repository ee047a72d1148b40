"""Small readers shared by the dump modules: keepalived's number, boolean and
script parsing applied to the words the model kept.

The model converts values through the schema, which is right for linting but
not always what keepalived stores (``vrrp_garp_master_delay 2.5`` is a float to
the schema but an invalid unsigned integer to keepalived, which then keeps the
default). The dump therefore re-reads the original words (``Setting.args``)
with keepalived's own rules wherever the difference shows in the output.
"""

from __future__ import annotations

import ipaddress
import shlex
from dataclasses import dataclass

from kaconf.diagnostics import Span
from kaconf.model.objects import Block, Setting
from kaconf.model.readers import UINT_MAX as UINT_MAX
from kaconf.model.readers import read_int as read_int
from kaconf.model.readers import read_uint as read_uint
from kaconf.model.readers import words as words

TIMER_HZ = 1_000_000

_TRUE = {"true", "on", "yes"}
_FALSE = {"false", "off", "no"}


def setting(obj: Block, *names: str) -> Setting | None:
    """The first of ``names`` given in ``obj`` (aliases and deprecated spellings)."""
    if len(names) == 1:  # the usual case, on every keyword of every block
        return obj.settings.get(names[0])
    best: Setting | None = None
    for n in names:
        s = obj.settings.get(n)
        if s is not None and (best is None or is_before(best.span, s.span)):
            best = s
    return best


def read_decimal(text: str | None, digits: int = 6, lo: int = 0,
                 hi: int = UINT_MAX) -> int | None:
    """keepalived's ``read_decimal_unsigned``: ``N[.fff]`` scaled by 10**digits."""
    if text is None:
        return None
    t = text.strip()
    whole, dot, frac = t.partition(".")
    if not whole.isdigit() and not (whole == "" and dot and frac.isdigit()):
        return None
    if dot and frac and not frac.isdigit():
        return None
    if len(frac) > digits:
        frac = frac[:digits]
    v = int(whole or "0") * 10 ** digits + int((frac or "0").ljust(digits, "0"))
    if v < lo or v > hi:
        return None
    return v


def uint_setting(obj: Block, *names: str, lo: int = 0, hi: int = UINT_MAX) -> int | None:
    """An unsigned integer keyword value, ``None`` when absent or invalid."""
    s = obj.settings.get(names[0]) if len(names) == 1 else setting(obj, *names)
    if s is None:
        return None
    w = words(s)
    return read_uint(w[0], lo, hi) if w else None


def check_true_false(text: str) -> int:
    """1 / 0 for keepalived's boolean words, -1 for anything else."""
    t = text.lower()
    if t in _TRUE:
        return 1
    if t in _FALSE:
        return 0
    return -1


def bool_setting(obj: Block, *names: str, default: int = -1) -> int:
    """A ``keyword [true|false]`` flag: 1, 0, or ``default`` when absent/invalid."""
    s = setting(obj, *names)
    if s is None:
        return default
    w = words(s)
    if not w:
        return 1
    r = check_true_false(w[0])
    return default if r < 0 else r


def is_before(a: Span | None, b: Span | None) -> bool:
    """Whether ``a`` starts before ``b`` in the same file (unknown order: False)."""
    if a is None or b is None or a.file != b.file:
        return False
    return (a.line, a.col) < (b.line, b.col)


def split_quoted(text: str) -> list[str]:
    """keepalived's quoted/escaped word split of a script command line."""
    try:
        return shlex.split(text, posix=True)
    except ValueError:
        return text.split()


@dataclass
class ScriptSpec:
    """A script as keepalived stores it: argument words plus the uid:gid to run as."""

    args: list[str]
    uid: int = 0
    gid: int = 0

    def cmd_str(self) -> str:
        """keepalived's ``cmd_str``: every word in single quotes.

        The first word stays bare when it starts with ``<`` or ``>`` (a shell
        redirection used to test a file).
        """
        parts = []
        for i, a in enumerate(self.args):
            if i == 0 and a[:1] in ("<", ">"):
                parts.append(a)
            else:
                parts.append(f"'{a}'")
        return " ".join(parts)


def script_words(s: Setting) -> list[str]:
    """The command words of a script keyword (only the first argument counts)."""
    w = words(s)
    if not w:
        return []
    return split_quoted(w[0])


def fmt_g(v: float) -> str:
    """C's ``%g``."""
    return f"{v:g}"


def first_word(w: list[str]) -> str | None:
    return w[0] if w else None


def weight_setting(block: Block, bound: int) -> tuple[int | None, bool] | None:
    """``weight N [reverse]`` of ``block``: (N if within +-``bound``, reverse); None if absent."""
    s = block.settings.get("weight")
    if s is None:
        return None
    w = words(s)
    return (read_int(w[0], -bound, bound) if w else None), len(w) >= 2 and w[1] == "reverse"


def given_bool(block: Block, kw: str) -> int | None:
    """The 1 or 0 of boolean keyword ``kw`` in ``block``; None when absent or invalid."""
    if block.settings.get(kw) is None:
        return None
    b = bool_setting(block, kw, default=-2)
    return None if b == -2 else b


def family_of(text: str) -> int:
    """4 or 6 for an address as ``inet_stosockaddr`` reads it (``/len`` ignored), else 0."""
    from kaconf.model.addr import sockaddr_text  # lazy: keeps socket out of pure users

    try:
        return ipaddress.ip_address(sockaddr_text(text)).version
    except ValueError:
        return 0


def norm_addr(text: str) -> str:
    """An address as keepalived prints it after ``inet_stosockaddr``."""
    from kaconf.model.addr import sockaddr_text

    try:
        return str(ipaddress.ip_address(sockaddr_text(text)))
    except ValueError:
        return text


def is_vrrp_mcast_dst(text: str) -> bool:
    """A multicast address usable as VRRP destination (IPv6: link-local scope)."""
    from kaconf.model.addr import sockaddr_text

    try:
        a = ipaddress.ip_address(sockaddr_text(text))
    except ValueError:
        return False
    if a.version == 4:
        return a.is_multicast
    return a.is_multicast and (a.packed[1] & 0x0F) == 2
