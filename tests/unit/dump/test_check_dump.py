"""The Health checkers section of ``kaconf dump``: common lines with each kind's defaults.

keepalived 2.2.7 (``validate_check_config``, ``dump_checker``): a checker's ``retry`` and
``delay_before_retry`` set nowhere take its kind's defaults (HTTP_GET/SSL_GET 3 s, MISC_CHECK
0 retries, DNS_CHECK 3 retries and its delay_loop), and ``Default delay before retry`` is the
kind's default (0 for DNS_CHECK). Each kind's own lines are its module's ``dump``.
"""

from __future__ import annotations

import kaconf
from kaconf.dump.text import dump_lines
from kaconf.effective.host import Host
from tests.support.configs import real_server_conf

HOST = Host.static(hostname="vm", interfaces=[], scripts={"/bin/true": "/usr/bin/true"})


def _entries(checkers: str) -> dict[str, list[str]]:
    """Each checker's dump lines, by its ``Keepalive method`` line."""
    text = real_server_conf(checkers, service="delay_loop 7\n")
    lines = dump_lines(kaconf.load_full("t.conf", data=text.encode()).config, HOST)
    out: dict[str, list[str]] = {}
    current: list[str] = []
    for line in lines[lines.index("------< Health checkers >------") + 1:]:
        if line.startswith(" [") or line.startswith(" FWM"):
            current = []
        current.append(line)
        if line.startswith("   Keepalive method = "):
            out[line.split(" = ")[1].split(",")[0]] = current
    return out


def _timers(lines: list[str]) -> list[str]:
    keys = ("Retries", "Delay before retry", "Default delay before retry")
    return [x.strip() for x in lines if x.strip().split(" = ")[0] in keys]


def test_kind_defaults_complete_the_checkers() -> None:
    e = _entries("""
        TCP_CHECK {
        }
        HTTP_GET {
          url {
            path /
          }
        }
        MISC_CHECK {
          misc_path /bin/true
        }
        DNS_CHECK {
        }""")
    assert _timers(e["TCP_CHECK"]) == ["Retries = 1", "Delay before retry = 1000000 us",
                                       "Default delay before retry = 1000000 us"]
    assert _timers(e["HTTP_GET"]) == ["Retries = 1", "Delay before retry = 3000000 us",
                                      "Default delay before retry = 3000000 us"]
    assert _timers(e["MISC_CHECK"]) == ["Retries = 0", "Default delay before retry = 1000000 us"]
    assert _timers(e["DNS_CHECK"]) == ["Retries = 3", "Delay before retry = 7000000 us",
                                       "Default delay before retry = 0 us"]


def test_given_values_beat_the_kind_defaults() -> None:
    e = _entries("""
        retry 2
        delay_before_retry 4
        HTTP_GET {
          url {
            path /
          }
        }
        DNS_CHECK {
          retry 5
          delay_before_retry 1.5
        }""")
    assert _timers(e["HTTP_GET"]) == ["Retries = 2", "Delay before retry = 4000000 us",
                                      "Default delay before retry = 3000000 us"]
    assert _timers(e["DNS_CHECK"]) == ["Retries = 5", "Delay before retry = 1500000 us",
                                       "Default delay before retry = 0 us"]


def test_udp_check_lines_like_keepalived() -> None:
    """check_udp.c ``dump_udp_check``: octet counts of the hex strings, reply lengths."""
    e = _entries("""
        UDP_CHECK {
          payload 01 02 0304
          require_reply 0a 0X
          min_reply_length 2
          max_reply_length 9
        }""")
    assert e["UDP_CHECK"][-7:] == ["   Keepalive method = UDP_CHECK", "   Payload len = 4",
                                   "   Require reply = yes", "     Min reply length = 2",
                                   "     Max reply length = 9", "     Reply data len = 2",
                                   "     Reply data mask = yes"]
    e = _entries("""
        UDP_CHECK {
          payload zz
          require_reply
        }""")
    assert e["UDP_CHECK"][-6:] == ["   Keepalive method = UDP_CHECK",
                                   "   Payload specified = no", "   Require reply = yes",
                                   "     Min reply length = 0", "     Max reply length = 255",
                                   "     Reply data len = 0"]
