"""KA288: global_defs values keepalived corrects."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA288",
    name="global-defs-value-corrected",
    severity=Severity.ERROR,
    summary="global_defs value that keepalived rejects or clamps (priorities, repeats, ...)",
    rationale="keepalived fixes these up with a message that fails `keepalived -t`: real-time "
              "priorities above 99 (\"greater than maximum 99 - setting to maximum\"), garp "
              "repeat counts of 0 (\"must be greater than 0, setting to 1\") and lvs_timeouts "
              "without an option.",
    bad="global_defs {\n    vrrp_rt_priority 150\n}\n",
    good="global_defs {\n    vrrp_rt_priority 50\n}\n",
    keepalived_check=(),
)

_RT = ("vrrp_rt_priority", "checker_rt_priority", "bfd_rt_priority")
_REPEAT = ("vrrp_garp_master_repeat", "vrrp_garp_master_refresh_repeat")


def check(ctx: Context) -> Iterable[Diagnostic]:
    for node, _path, spec in tree.statements_in(ctx, "global_defs"):
        if spec is None:
            continue
        kw = spec.name
        arg = node.args[0].text if node.args else ""
        if kw in _RT and arg.lstrip("-").isdigit():
            v = int(arg)
            if v > 99 or v < 1:
                yield ctx.diag(META, f"{kw} {v} is outside the real-time range 1-99 - keepalived "
                               f"uses {99 if v > 99 else 1}", node.head_span, "use 1-99")
        elif kw in _REPEAT and arg == "0":
            yield ctx.diag(META, f"{kw} must be greater than 0 - keepalived uses 1",
                           node.head_span, "use 1 or more")
        elif kw in ("vrrp_mcast_group4", "vrrp_mcast_group6") and arg:
            if not _multicast(arg, 6 if kw.endswith("6") else 4):
                yield ctx.diag(META, f"{kw} {arg} is not multicast - keepalived skips it",
                               node.head_span, "use a multicast group address")
        elif kw == "lvs_timeouts":
            problem = _lvs_timeouts_problem([a.text for a in node.args])
            if problem:
                yield ctx.diag(META, f"lvs_timeouts: {problem} - keepalived ignores it",
                               node.head_span, "write 'lvs_timeouts tcp N tcpfin N udp N'")
        elif kw == "umask" and node.args:
            problem = _umask_problem([a.text for a in node.args])
            if problem:
                yield ctx.diag(META, f"umask: {problem} - keepalived ignores it",
                               node.head_span, "use an octal mask (0022) or IWGRP|IWOTH")


def _multicast(text: str, family: int) -> bool:
    import ipaddress

    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return True  # not an address at all: the reader reports that
    return ip.version == family and ip.is_multicast


def _lvs_timeouts_problem(args: list[str]) -> str:
    if len(args) < 2:
        return "at least one 'option value' pair is required"
    i = 0
    while i < len(args):
        if args[i] not in ("tcp", "tcpfin", "udp"):
            return f"unknown option {args[i]}"
        if i + 1 >= len(args) or not args[i + 1].isdigit():
            return f"no valid value for {args[i]}"
        i += 2
    return ""


_UMASK_BITS = {"IRUSR", "IWUSR", "IXUSR", "IRGRP", "IWGRP", "IXGRP", "IROTH", "IWOTH", "IXOTH"}


def _umask_problem(args: list[str]) -> str:
    first = args[0]
    if first[:1].isdigit():
        if len(args) != 1:
            return "extra parameters"
        text = first.lower()
        try:
            if text.startswith("0x"):
                val = int(text, 16)
            elif text.startswith("0") and len(text) > 1:
                val = int(text, 8)
            else:
                val = int(text, 10)
        except ValueError:
            return f"invalid umask value {first}"
        return "" if 0 <= val <= 0o777 else f"invalid umask value {first}"
    for word in "".join(args).split("|"):
        if word not in _UMASK_BITS:
            return f"unknown umask bit {word or '(empty)'}"
    return ""
