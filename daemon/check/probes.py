"""The probes, by their historical names: each kind's probe lives in its module.

Every checker kind's probe (the coroutine that runs one check) is declared by the kind's
module in :mod:`kaconf.checkers.kinds` and run by the scheduler through the registry
(``KIND.probe``); the shared socket helpers are in :mod:`kaconf.checkers.net`. This module
only keeps the names callers used before the registry existed (the namespace tests,
bench/checks.py): new code should import from the kind modules.
"""

from __future__ import annotations

from kaconf.checkers.base import CheckResult, CheckUnsupported
from kaconf.checkers.kinds.dns_check import dns_check, dns_query
from kaconf.checkers.kinds.file_check import file_status, read_track_file
from kaconf.checkers.kinds.http_get import http_check, http_request, parse_head
from kaconf.checkers.kinds.misc_check import MISC_KILL_GRACE, misc_check
from kaconf.checkers.kinds.ping_check import ICMP_SOCKET_KIND as _icmp_kind
from kaconf.checkers.kinds.ping_check import ping_check
from kaconf.checkers.kinds.smtp_check import smtp_check
from kaconf.checkers.kinds.tcp_check import tcp_check
from kaconf.checkers.kinds.udp_check import UDP_FILLER, udp_check, udp_reply_matches

__all__ = [
    "MISC_KILL_GRACE", "UDP_FILLER", "CheckResult", "CheckUnsupported", "dns_check",
    "dns_query", "file_status", "http_check", "http_request", "misc_check", "parse_head",
    "ping_check", "read_track_file", "smtp_check", "tcp_check", "udp_check",
    "udp_reply_matches", "_icmp_kind",
]
