"""Converting a statement's argument words into model values (one model-building concern).

Each plain keyword gets a converter decided once from its schema entry
(:func:`converter`): the schema's ``arg_type`` picks the conversion, ``min``/``max``
and ``choices`` are checked, findings are reported through the builder and the
value is then :data:`INVALID`. The few keywords keepalived handles specially
(``weight N reverse``, a repeated ``state``, a server's address and port) have
their hooks here too. The builder (:mod:`kaconf.model.build`) only calls them.
"""

from __future__ import annotations

import functools
import shlex
from collections.abc import Callable
from typing import Any, Protocol

from kaconf.diagnostics import Severity
from kaconf.model.addr import parse_ip, sockaddr_text
from kaconf.model.objects import RealServer, Script, VirtualServer, VrrpInstance, VrrpScript
from kaconf.schema import KeywordSpec
from kaconf.tree import Node


class Reporter(Protocol):
    """What conversions need of the builder: a place to report findings."""

    def report(self, code: str, message: str, node: Node, hint: str = "",
               severity: Severity = Severity.ERROR, whole: bool = False) -> None: ...


class _Invalid:
    """Marker for a value that could not be converted (already reported)."""


#: the value of a statement given but unusable (already reported)
INVALID: Any = _Invalid()

_TRUE = {"true", "on", "yes"}

_FALSE = {"false", "off", "no"}


#: converts the argument words of one statement (reporting what is wrong)
Converter = Callable[[Reporter, Node, list[str]], Any]


def converter(spec: KeywordSpec) -> Converter:
    """The conversion of a keyword's arguments, decided once from its schema entry.

    The schema's ``arg_type`` picks the conversion; ``min``/``max`` and
    ``choices`` are checked; an optional argument (``[...]`` synopsis) may be
    left out. Findings are reported through the builder and the value is then
    ``INVALID``.
    """
    t = spec.arg_type
    kw = spec.name
    optional = spec.arg_syntax.startswith("[")
    if t == "none":
        return lambda b, node, args: True
    if t == "bool":
        return functools.partial(_to_bool, kw)
    if t == "script":
        return functools.partial(_to_script, kw, optional)
    if t == "other":
        return lambda b, node, args: args[:]
    absent: Any = ("" if t in ("string", "path") else True) if optional else INVALID
    lo, hi = spec.min, spec.max
    hint = _range_hint(spec)

    def missing(b: Reporter, node: Node) -> Any:
        if absent is INVALID:
            report_missing(b, node, kw)
        return absent

    if t == "int":
        def to_int(b: Reporter, node: Node, args: list[str]) -> Any:
            if not args:
                return missing(b, node)
            text = args[0]
            try:
                num = int(text, 10)  # keepalived reads base 10 only
            except ValueError:
                b.report("KA021", f"invalid number '{text}' for {kw}", node,
                         f"{kw} takes an integer" + hint)
                return INVALID
            if (lo is not None and num < lo) or (hi is not None and num > hi):
                report_range(b, node, spec, text)
                return INVALID
            return num
        return to_int
    if t in ("time", "float"):
        def to_float(b: Reporter, node: Node, args: list[str]) -> Any:
            if not args:
                return missing(b, node)
            text = args[0]
            try:
                f = float(text)
            except ValueError:
                b.report("KA021", f"invalid number '{text}' for {kw}", node,
                         f"{kw} takes a number" + hint)
                return INVALID
            if f != f or (lo is not None and f < lo) or (hi is not None and f > hi):
                report_range(b, node, spec, text)
                return INVALID
            return f
        return to_float
    if t == "enum":
        choices = spec.choices
        numeric = bool(choices) and all(c.isdigit() for c in choices or ())

        def to_enum(b: Reporter, node: Node, args: list[str]) -> Any:
            if not args:
                return missing(b, node)
            text = args[0]
            if choices and text not in choices:
                b.report("KA022", f"invalid value '{text}' for {kw}", node,
                         f"use one of: {', '.join(choices)}")
                return text if kw == "state" else INVALID
            if numeric and text.isdigit():
                return int(text)
            return text
        return to_enum
    if t in ("ip", "sockaddr"):
        strip = t == "sockaddr"

        def to_ip(b: Reporter, node: Node, args: list[str]) -> Any:
            if not args:
                return missing(b, node)
            text = args[0]
            try:
                ip = parse_ip(sockaddr_text(text) if strip else text)
            except ValueError:
                b.report("KA023", f"invalid IP address '{text}' for {kw}", node,
                         "use an IPv4 or IPv6 address")
                return INVALID
            if len(args) > 1:
                return [str(ip), *args[1:]]
            return ip
        return to_ip

    # string, path
    def to_text(b: Reporter, node: Node, args: list[str]) -> Any:
        if not args:
            return missing(b, node)
        return args[0]
    return to_text


def _to_bool(kw: str, b: Reporter, node: Node, args: list[str]) -> Any:
    if not args:
        return True
    v = args[0].lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    b.report("KA022", f"invalid value '{args[0]}' for {kw}", node,
             "use true/false, on/off or yes/no (or nothing for true)")
    return INVALID


def _to_script(kw: str, optional: bool, b: Reporter, node: Node, args: list[str]) -> Any:
    if not args:
        if optional:
            return Script([], "", node.head_span)
        report_missing(b, node, kw)
        return INVALID
    raw = " ".join(a.raw for a in node.args)
    text = " ".join(args)
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    return Script(words, raw, node.head_span)


def report_missing(b: Reporter, node: Node, kw: str) -> None:
    """A keyword given without its value, in keepalived's words."""
    b.report("KA020", f"Configuration line starting `{kw}` is missing a parameter "
             f"after keyword `{kw}` at word position 1", node,
             f"give {kw} a value")


def report_range(b: Reporter, node: Node, spec: KeywordSpec, text: str) -> None:
    """A number outside the schema's range: keepalived ignores the value."""
    b.report("KA021", f"number '{text}' outside range [{_fmt(spec.min)}, "
             f"{_fmt(spec.max)}] for {spec.name}", node,
             f"keepalived ignores the value; use {spec.name}" + _range_hint(spec))


def _range_hint(spec: KeywordSpec) -> str:
    if spec.min is not None or spec.max is not None:
        return f" in [{_fmt(spec.min)}, {_fmt(spec.max)}]"
    return ""


def _fmt(v: float | None) -> str:
    if v is None:
        return "-"
    return str(int(v)) if float(v).is_integer() else str(v)


# -- keepalived's special handling of a few keywords ------------------------------------


def script_weight(b: Reporter, obj: VrrpScript, node: Node, value: Any, args: list[str]) -> bool:
    """``weight N reverse`` in a vrrp_script: the word after the number is a flag."""
    obj.weight_reverse = "reverse" in args[1:]
    return True


def state_once(b: Reporter, obj: VrrpInstance, node: Node, value: Any, args: list[str]) -> bool:
    """keepalived keeps MASTER when a later ``state BACKUP`` follows."""
    if obj.state == "MASTER" and value == "BACKUP":
        b.report("KA040", f"({obj.name}) state previously set as MASTER - "
                 "ignoring BACKUP", node, "give 'state' once")
        return False
    return True


def vs_head(b: Reporter, vs: VirtualServer, node: Node, args: list[str]) -> None:
    """The ``virtual_server`` line's arguments: address and port, ``fwmark N`` or ``group G``."""
    if not args:
        b.report("KA020", "virtual_server needs an address and port, fwmark or group",
                 node, "write 'virtual_server 192.0.2.1 80 {'")
        return
    if args[0] == "fwmark":
        if len(args) < 2 or not args[1].isdigit():
            b.report("KA021", "virtual_server fwmark needs a number", node,
                     "write 'virtual_server fwmark 1 {'")
        else:
            vs.fwmark = int(args[1])
        return
    if args[0] == "group":
        if len(args) < 2:
            b.report("KA020", "virtual_server group needs a name", node,
                     "write 'virtual_server group NAME {'")
        else:
            vs.group = args[1]
        return
    vs.address, vs.port = _addr_port(b, node, args, "virtual server")


def rs_head(b: Reporter, rs: RealServer, node: Node, args: list[str]) -> None:
    """The ``real_server`` line's arguments: address and optional port."""
    if not args:
        b.report("KA020", "real_server needs an address", node,
                 "write 'real_server 192.0.2.10 80 {'")
        return
    rs.address, rs.port = _addr_port(b, node, args, "real server")


def _addr_port(b: Reporter, node: Node, args: list[str], what: str
               ) -> tuple[Any, int | None]:
    addr = None
    port = None
    try:
        addr = parse_ip(args[0])
    except ValueError:
        b.report("KA023", f"invalid {what} address '{args[0]}'", node,
                 "use an IPv4 or IPv6 address")
    if len(args) > 1:
        if args[1].isdigit() and int(args[1]) <= 65535:
            port = int(args[1])
        else:
            b.report("KA021", f"invalid {what} port '{args[1]}'", node,
                     "a port is a number 0-65535")
    return addr, port
