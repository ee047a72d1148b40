"""KA296: lvs_sync_daemon option with a value keepalived ignores."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from kaconf.diagnostics import Diagnostic, Severity, Span
from kaconf.lint.helpers import tree
from kaconf.lint.rule import Context, RuleMeta
from kaconf.model.addr import parse_ip
from kaconf.source import Token

META = RuleMeta(
    code="KA296",
    name="lvs-sync-daemon-option-invalid",
    severity=Severity.ERROR,
    summary="lvs_sync_daemon option with a value keepalived ignores",
    rationale="The IPVS sync daemon's options (id, maxlen, port, ttl, group) are checked when "
              "global_defs is read: a value out of range or a group address that is not "
              "multicast is dropped (\"Invalid lvs_sync_daemon port (0) - ignoring\", "
              "\"lvs_sync_daemon group address A is not multicast - ignoring\"), so the sync "
              "daemon silently runs with its default instead; keepalived -t exits 5.",
    bad="global_defs {\n    lvs_sync_daemon eth0 VI_1 group 10.0.0.1 port 0\n}\n",
    good="global_defs {\n    lvs_sync_daemon eth0 VI_1 group 224.0.0.81 port 8848\n}\n",
    keepalived_check=(),  # global_defs checks are summarised, not listed, in validation-rules.md
)

#: the option words of the line, and the range of the numeric ones
_RANGES = {"id": (0, 255), "maxlen": (1, 65507), "port": (1, 65535), "ttl": (1, 255)}
_OPTIONS = frozenset(_RANGES) | {"inst", "group"}


def check(ctx: Context) -> Iterable[Diagnostic]:
    for node, _path, spec in tree.statements_in(ctx, "global_defs"):
        if spec is None or spec.name != "lvs_sync_daemon" or not node.args:
            continue  # a line without an interface is KA283's
        for message, span, hint in _problems(node.args):
            yield ctx.diag(META, message, span, hint)


def _problems(words: list[Token]) -> Iterator[tuple[str, Span, str]]:
    """keepalived's reading of ``IFACE [INSTANCE [SYNCID]] [OPTION VALUE]...``.

    The word after the interface is the VRRP instance unless it is an option word;
    a further plain word there is the old-style sync id; the rest are option/value
    pairs, and any other word is an unknown option (all checked with keepalived -t).
    """
    i = 1
    if i < len(words) and words[i].text not in _OPTIONS:
        i += 1  # the instance
        if i < len(words) and words[i].text not in _OPTIONS:
            w = words[i]
            if _number_in(w.text, _RANGES["id"]):
                yield (f"bare sync id {w.text} - keepalived wants the keyword 'id' before it",
                       w.span, f"write 'id {w.text}'")
            else:
                yield (f"invalid sync id '{w.text}' - keepalived uses the VRRP instance's VRID",
                       w.span, "give 'id N' with N in 0-255, or leave it out")
            i += 1
    while i < len(words):
        opt = words[i]
        if opt.text not in _OPTIONS:
            yield (f"unknown lvs_sync_daemon option '{opt.text}' - keepalived ignores it",
                   opt.span, "options are inst, id, maxlen, port, ttl and group")
            i += 1
            continue
        if i + 1 >= len(words):
            yield (f"no value for lvs_sync_daemon {opt.text} - keepalived ignores it",
                   opt.span, f"write '{opt.text} VALUE'")
            return
        value = words[i + 1]
        found = _bad_value(opt.text, value.text)
        if found is not None:
            yield found[0], value.span, found[1]
        i += 2


def _bad_value(option: str, text: str) -> tuple[str, str] | None:
    """(message, hint) when keepalived drops ``text`` as the value of ``option``."""
    if option == "group":
        try:
            addr = parse_ip(text)
        except ValueError:
            return (f"invalid lvs_sync_daemon group '{text}' - keepalived ignores it",
                    "give a multicast address")
        if not addr.is_multicast:
            return (f"lvs_sync_daemon group address {text} is not multicast - keepalived "
                    "ignores it", "use a multicast address such as 224.0.0.81")
        return None
    bounds = _RANGES.get(option)
    if bounds is None or _number_in(text, bounds):
        return None
    lo, hi = bounds
    if option == "id":
        return (f"invalid sync id '{text}' - keepalived uses the VRRP instance's VRID",
                f"use a number in {lo}-{hi}")
    return (f"invalid lvs_sync_daemon {option} '{text}' - keepalived ignores it",
            f"use a number in {lo}-{hi}")


def _number_in(text: str, bounds: tuple[int, int]) -> bool:
    """``text`` is a decimal number within ``bounds`` (keepalived reads base 10)."""
    return text.isdigit() and bounds[0] <= int(text) <= bounds[1]
