"""Documentation for the codes the reader and model stages report (KA0xx, KA100).

Those findings are produced while a config is loaded (kaconf.source,
kaconf.tree, kaconf.model), not by lint rules, so they have no ``check``
function. They still deserve the same documentation as a rule: users see
``KA021`` in their output and must be able to look it up with ``kaconf rules``
or in docs/rules.md, and ``--select``/``--ignore``/suppression comments apply
to them like to any other code. This module is the single place that
describes them; keep it in step with the ``_report``/``report`` calls when a
reader code is added or changes meaning.

Every ``bad`` example below (except the few that depend on the file system or
on bytes that cannot be shown) is loaded by tests/unit/lint/test_rules_doc.py to
check that it really produces its code, and every ``good`` example must load
without any finding.
"""

from __future__ import annotations

from kaconf.diagnostics import Severity
from kaconf.lint.rule import RuleMeta

__all__ = ["READER_RULES", "UNSHOWABLE_EXAMPLES"]


#: Codes whose examples cannot be checked by loading them: they need other
#: files, an unreadable path, NUL bytes or a 1 KiB line.
UNSHOWABLE_EXAMPLES = frozenset({"KA001", "KA002", "KA003", "KA004", "KA005"})

_VI_HEAD = """vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
"""
_VIP = """    virtual_ipaddress {
        192.0.2.10/24
    }
"""


def _vi(body: str, vip: bool = True) -> str:
    """A small, otherwise clean vrrp_instance around ``body`` (4-space indented lines)."""
    return _VI_HEAD + body + (_VIP if vip else "") + "}\n"


def _reader(code: str, name: str, *, summary: str, rationale: str, bad: str,
            good: str, severity: Severity = Severity.ERROR, fix: str = "",
            fix_safe: bool = True) -> RuleMeta:
    """A reader/model code, produced while loading (no ``check``).

    An error unless keepalived -t accepts the input (then a warning). ``fix``
    describes the fix :mod:`kaconf.lint.reader_fixes` attaches, if any.
    """
    return RuleMeta(code=code, name=name, severity=severity, summary=summary,
                    rationale=rationale, bad=bad, good=good, scope="reader", fix=fix,
                    fix_safe=fix_safe)


READER_RULES: tuple[RuleMeta, ...] = (
    _reader("KA001", "include-matches-nothing",
            summary="An include line whose path or glob matches no file.",
            rationale="keepalived skips an include that matches nothing, so whatever the "
                      "included file was meant to configure silently does not exist. "
                      "Relative include paths are resolved against the folder of the "
                      "including file, not the current directory, which is the usual cause.",
            bad="include conf.d/vrrp-*.cfg    # but the files are named *.conf\n",
            good="include conf.d/vrrp-*.conf\n",
            # keepalived logs "Config files missing" and goes on: -t exits 0
            severity=Severity.WARNING),
    _reader("KA002", "cannot-open-file",
            summary="A config file (given or included) cannot be opened.",
            rationale="A file that does not exist, is a directory or is not "
                      "readable cannot be checked at all. For a file given on the "
                      "command line kaconf exits with status 2 (could not run); for "
                      "an included file keepalived would start without its content.",
            bad="include /etc/keepalived/conf.d     # a directory, not a file\n",
            good="include /etc/keepalived/conf.d/*.conf\n"),
    _reader("KA003", "include-loop",
            summary="A file includes itself (directly or "
                    "through others), or includes nest too deep.",
            rationale="An include loop would make keepalived read the same "
                      "lines again and again; kaconf stops at the loop and "
                      "reports the chain of includes that leads to it.",
            bad="# keepalived.conf\ninclude keepalived.conf\n",
            good="# keepalived.conf\ninclude vrrp.conf\n"),
    _reader("KA004", "nul-byte-line",
            summary="A line contains NUL bytes.",
            rationale="keepalived reads lines as C strings, so everything after a NUL "
                      "byte is lost; kaconf ignores such a line like keepalived does. "
                      "It usually means a binary or corrupted file was included.",
            bad="vrrp_instance VI_1 {\\0\\0\\0\n",
            good="vrrp_instance VI_1 {\n"),
    _reader("KA005", "line-too-long",
            summary="A line (or a line after $definition expansion) is 1023 bytes or longer.",
            rationale="keepalived reads lines into a 1024-byte buffer: a longer line is dropped "
                      "entirely, and a substitution that would grow past the limit is left "
                      "unexpanded. Either way the config does not say what it seems to say.",
            bad="notify_master \"/usr/local/bin/notify.sh <... 1100 characters ...>\"\n",
            good="notify_master /usr/local/bin/notify.sh\n"),
    _reader("KA006", "unterminated-quote",
            summary="A double quote is opened but not closed on the same line.",
            rationale="Quoted strings end at the end of the line in keepalived; an "
                      'unbalanced " swallows the rest of the line, including a '
                      "closing brace or a comment, which changes the block structure.",
            bad='global_defs {\n    router_id "lb1\n}\n',
            good='global_defs {\n    router_id "lb1"\n}\n'),
    _reader("KA007", "invalid-seq",
            summary="A ~SEQ(...) line with invalid parameters.",
            rationale="~SEQ(var, [start, [step,]] end) repeats a line for each "
                      "value; a zero step or a step pointing away from the end "
                      "is rejected by keepalived and the line produces nothing.",
            bad=_vi("    virtual_ipaddress {\n        ~SEQ(i, 10, 0, 12) 192.0.2.$i/24\n    }\n",
                    vip=False),
            good=_vi("    virtual_ipaddress {\n        ~SEQ(i, 10, 1, 12) 192.0.2.$i/24\n    }\n",
                     vip=False)),
    _reader("KA010", "extra-close-brace",
            summary="A '}' that closes no block.",
            rationale="An extra closing brace means the block structure is not "
                      "what the indentation suggests: usually a block was closed "
                      "early and the keywords after it landed at the wrong level.",
            bad="global_defs {\n    router_id lb1\n}\n}\n",
            good="global_defs {\n    router_id lb1\n}\n",
            fix="remove the brace (unsafe: a block above may be closed too early)",
            fix_safe=False),
    _reader("KA011", "unexpected-open-brace",
            summary="A '{' where no block can start (after a keyword "
                    "that takes none, or inside a value block).",
            rationale="keepalived ignores the brace and reads the lines inside at the "
                      "current level, so the nesting the author intended does not exist.",
            bad=_vi("    priority 100 {\n    }\n"),
            good=_vi("    priority 100\n")),
    _reader("KA012", "unclosed-block",
            summary="A block that is never closed: a '}' is missing.",
            rationale="keepalived reports 'There are N missing }'s or extra {'s' and everything "
                      "after the open brace belongs to that block, which is rarely intended.",
            bad="global_defs {\n    router_id lb1\n",
            good="global_defs {\n    router_id lb1\n}\n",
            fix="add the '}' at the end of the file, where keepalived ends the block (unsafe: "
                "the brace is usually missing further up)", fix_safe=False),
    _reader("KA013", "missing-open-brace",
            summary="A keyword that opens a block is not followed by '{'.",
            rationale="Without the brace keepalived does not enter the block: the keywords "
                      "meant for it are read at the outer level, where most of them are unknown.",
            bad="global_defs\n",
            good="global_defs {\n}\n"),
    _reader("KA020", "missing-parameter",
            summary="A keyword or block is missing a required value or name.",
            rationale="keepalived ignores a keyword without its value (and cannot "
                      "create a vrrp_instance, virtual_server or real_server without "
                      "a name or address), so the setting silently keeps its default.",
            bad=_vi("    priority\n"),
            good=_vi("    priority 100\n")),
    _reader("KA021", "invalid-number",
            summary="A number that does not parse or is outside the keyword's range.",
            rationale="keepalived rejects the value and keeps the default (or drops the "
                      "object), so e.g. 'priority 300' leaves the instance at priority 100.",
            bad=_vi("    priority 300\n"),
            good=_vi("    priority 250\n")),
    _reader("KA022", "invalid-value",
            summary="A word that is not one of the keyword's accepted values.",
            rationale="Enumerated and boolean keywords accept a fixed set of words; anything "
                      "else is rejected by keepalived and the default applies instead.",
            bad=_VI_HEAD.replace("state BACKUP", "state SLAVE") + _VIP + "}\n",
            good=_VI_HEAD + _VIP + "}\n",
            fix="write an accepted word that differs only in case (unsafe: the value then "
                "applies)", fix_safe=False),
    _reader("KA023", "invalid-ip-address",
            summary="A keyword or block head that needs an IP address has something else.",
            rationale="keepalived cannot use the value: a virtual_server or real_server with a "
                      "bad address is not created, and address keywords fall back to defaults.",
            bad="virtual_server 192.0.2.300 80 {\n}\n",
            good="virtual_server 192.0.2.30 80 {\n}\n"),
    _reader("KA024", "value-block-extra-parameters",
            summary="Words after the keyword of a value block such as virtual_ipaddress.",
            rationale="Value blocks take their items one per line inside the braces; keepalived "
                      "ignores words on the opening line, so an address written there is lost.",
            bad=_vi("    virtual_ipaddress 192.0.2.10/24 {\n    }\n", vip=False),
            good=_vi("")),
    _reader("KA030", "invalid-address-line",
            summary="A line of an address block that does not start with an IP address.",
            rationale="keepalived skips the whole line, so the address is "
                      "never added. A '{' reported here usually means the "
                      "block's brace was put on its own line inside the block.",
            bad=_vi("    virtual_ipaddress {\n        192.0.2.300/24\n    }\n", vip=False),
            good=_vi("    virtual_ipaddress {\n        192.0.2.30/24\n    }\n", vip=False)),
    _reader("KA031", "invalid-prefix-length",
            summary="An address with a prefix length outside 0-32 (IPv4) or 0-128 (IPv6).",
            rationale="keepalived replaces an invalid prefix with a host prefix (/32 "
                      "or /128), which changes the routes the address brings with it.",
            bad=_vi("    virtual_ipaddress {\n        192.0.2.10/33\n    }\n", vip=False),
            good=_vi("    virtual_ipaddress {\n        192.0.2.10/24\n    }\n", vip=False),
            fix="write the host prefix keepalived uses (unsafe: another length was meant)",
            fix_safe=False),
    _reader("KA032", "invalid-address-option",
            summary="An address line with an unknown, repeated, misplaced or valueless option.",
            rationale="keepalived ignores unknown options and drops addresses whose "
                      "options are invalid (e.g. a label longer than 15 characters), "
                      "so the address does not come up the way it is written.",
            bad=_vi("    virtual_ipaddress {\n        192.0.2.10/24 device eth0\n    }\n",
                    vip=False),
            good=_vi("    virtual_ipaddress {\n        192.0.2.10/24 dev eth0\n    }\n",
                     vip=False)),
    _reader("KA033", "invalid-route",
            summary="A route line without a destination, or with one that is not a prefix.",
            rationale="keepalived cannot install a route without a valid destination; "
                      "the line is skipped and traffic does not follow the failover.",
            bad=_vi("    virtual_routes {\n        10.0.0.300/8 via 192.0.2.1\n    }\n"),
            good=_vi("    virtual_routes {\n        10.0.0.0/8 via 192.0.2.1\n    }\n")),
    _reader("KA034", "invalid-unicast-peer",
            summary="A unicast_peer line with a bad address or an unknown option.",
            rationale="keepalived skips a peer it cannot parse, so adverts "
                      "are never sent to it and both nodes may become MASTER.",
            bad=_vi("    unicast_peer {\n        192.0.2.300\n    }\n"),
            good=_vi("    unicast_peer {\n        192.0.2.3\n    }\n")),
    _reader("KA035", "invalid-track-option",
            summary="A track_* line with a bad weight or an unknown option.",
            rationale="Weights must be integers between -253 and 253; keepalived clamps or "
                      "zeroes other values, which changes how a failing check moves the priority.",
            bad=_vi("    priority 100\n    track_interface {\n        eth1 weight 300\n    }\n"),
            good=_vi("    priority 100\n    track_interface {\n        eth1 weight 30\n    }\n")),
    _reader("KA036", "invalid-vsg-entry",
            summary="A virtual_server_group line that is not an address, range, subnet or fwmark.",
            rationale="keepalived skips entries it cannot parse, so the virtual "
                      "servers using the group do not answer on that address.",
            bad="virtual_server_group VSG {\n    192.0.2.1 80\n    fwmark web\n}\n",
            good="virtual_server_group VSG {\n    192.0.2.1 80\n    fwmark 1\n}\n"),
    _reader("KA040", "conflicting-state",
            summary="A vrrp_instance sets 'state MASTER' and later 'state BACKUP'.",
            rationale="keepalived keeps MASTER and ignores the later BACKUP, which is "
                      "the opposite of what a reader of the last line would expect.",
            bad=_VI_HEAD.replace("state BACKUP", "state MASTER\n    state BACKUP") + _VIP + "}\n",
            good=_VI_HEAD + _VIP + "}\n",
            fix="remove the later state line, which keepalived ignores"),
    _reader("KA100", "unknown-keyword",
            summary="A keyword that keepalived does not know "
                    "in this block (for the target version).",
            rationale="keepalived logs the unknown keyword and skips the line, so a "
                      "typo turns a setting into a no-op. The hint suggests the "
                      "closest known keyword or the block where the keyword belongs.",
            bad=_vi("    priorty 100\n"),
            good=_vi("    priority 100\n"),
            fix="rename to the suggested keyword (unsafe: the setting then applies)",
            fix_safe=False),
)
