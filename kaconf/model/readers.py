"""keepalived's readers of a keyword's words: unsigned and signed integers, the words.

The model layer reads route, rule and ``use_vmac`` lines the way keepalived does
(:mod:`kaconf.model.iproutes`, :mod:`kaconf.model.iprules`, :mod:`kaconf.model.vmac`),
and the resolver reads other keywords with the same rules
(:mod:`kaconf.effective.values` re-exports these), so they live here, below both.
"""

from __future__ import annotations

from kaconf.model.objects import Setting

UINT_MAX = 0xFFFFFFFF


def words(s: Setting | None) -> list[str]:
    """The keyword's arguments as written (quotes removed)."""
    if s is None:
        return []
    if s.args:
        return list(s.args)
    v = s.value
    if isinstance(v, list):
        return [str(x) for x in v]
    if v is None or isinstance(v, bool):
        return []
    return [str(v)]


def read_uint(text: str | None, lo: int = 0, hi: int = UINT_MAX) -> int | None:
    """keepalived's ``read_unsigned``: a plain decimal integer inside [lo, hi]."""
    if text is None:
        return None
    t = text.strip()
    if not t.isdigit():
        return None
    v = int(t)
    if v < lo or v > hi:
        return None
    return v


def read_int(text: str | None, lo: int, hi: int) -> int | None:
    """keepalived's ``read_int``: an optionally signed decimal inside [lo, hi]."""
    if text is None:
        return None
    t = text.strip()
    body = t[1:] if t[:1] in "+-" else t
    if not body.isdigit():
        return None
    v = int(t)
    if v < lo or v > hi:
        return None
    return v
