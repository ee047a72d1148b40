"""Jinja2 filters for keepalived templates (documented with examples in docs/render.md).

Cluster vars usually hold each node's address once, in CIDR form
(``10.1.10.117/24``), while keepalived wants it in several shapes: the bare
address for ``unicast_src_ip``, the prefix for a VIP, the network for a route.
These filters derive them so the vars never repeat a fact. Two quoting filters
cover the two quoting worlds a config mixes: ``kaquote`` for keepalived's own
strings and ``shquote`` for the words of a script command line.

Filters are plain functions (no jinja2 import) so they can be unit tested and
reused; they raise :class:`ValueError`, which the renderer reports at the
template line that used the filter.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Any

__all__ = ["FILTERS", "ipaddr", "kaquote", "netmask", "network", "prefixlen", "shquote"]

_SH_SAFE = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")


def _interface(value: Any, name: str) -> ipaddress.IPv4Interface | ipaddress.IPv6Interface:
    text = str(value).strip()
    try:
        return ipaddress.ip_interface(text)
    except ValueError:
        raise ValueError(f"{name}: {text!r} is not an IP address or CIDR") from None


def ipaddr(value: Any) -> str:
    """The address part: ``'10.1.10.117/24' | ipaddr`` -> ``10.1.10.117``."""
    return str(_interface(value, "ipaddr").ip)


def prefixlen(value: Any) -> int:
    """The prefix length: ``'10.1.10.117/24' | prefixlen`` -> ``24`` (32/128 without one)."""
    return _interface(value, "prefixlen").network.prefixlen


def network(value: Any) -> str:
    """The network in CIDR form: ``'10.1.10.117/24' | network`` -> ``10.1.10.0/24``.

    Chain ``| network | ipaddr`` for the bare network address.
    """
    return str(_interface(value, "network").network)


def netmask(value: Any) -> str:
    """The dotted netmask: ``'10.1.10.117/24' | netmask`` -> ``255.255.255.0``."""
    return str(_interface(value, "netmask").netmask)


def shquote(value: Any) -> str:
    """Quote one word for a POSIX shell: ``"it's" | shquote`` -> ``'it'\\''s'``.

    Uses only single quotes (never ``"``), so the result can go inside a
    keepalived string made with :func:`kaquote`, which is how script command
    lines should be written: ``script {{ [path, arg | shquote] | join(' ') | kaquote }}``.
    A newline cannot be part of a keepalived line, so it is refused.
    """
    text = str(value)
    if "\n" in text or "\r" in text or "\0" in text:
        raise ValueError(f"shquote: {text!r} contains a line break or NUL, which a "
                         "keepalived line cannot hold")
    if text and _SH_SAFE.fullmatch(text):
        return text
    return "'" + text.replace("'", "'\\''") + "'"


def kaquote(value: Any) -> str:
    """Make one keepalived word of any text: ``'a b # c' | kaquote`` -> ``"a b # c"``.

    Inside double quotes keepalived keeps spaces, braces, ``#`` and ``!``. It has no
    escape for ``"`` itself, nor can a line hold a line break, so those are
    refused rather than silently producing a different config.
    """
    text = str(value)
    if '"' in text:
        raise ValueError(f"kaquote: {text!r} contains '\"', which keepalived strings "
                         "cannot hold (quotes only group words)")
    if "\n" in text or "\r" in text or "\0" in text:
        raise ValueError(f"kaquote: {text!r} contains a line break or NUL, which a "
                         "keepalived line cannot hold")
    return f'"{text}"'


FILTERS: dict[str, Callable[..., Any]] = {
    "ipaddr": ipaddr,
    "prefixlen": prefixlen,
    "network": network,
    "netmask": netmask,
    "shquote": shquote,
    "kaquote": kaquote,
}
