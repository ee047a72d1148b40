"""HTTP_GET / SSL_GET options handled by their kind module (kaconf.checkers.kinds.http_get)."""

from __future__ import annotations

import pytest
from kaconfd.check.spec import resolve

import kaconf
from kaconf.dump.text import dump_lines
from kaconf.effective.host import Host
from tests.support.configs import real_server_conf

HOST = Host.static(hostname="vm", interfaces=[], scripts={})


def _config(checker: str) -> kaconf.Config:
    text = real_server_conf(checker)
    return kaconf.load_full("t.conf", data=text.encode()).config


def _retries(checker: str) -> tuple[int, list[str]]:
    """(the daemon's effective retry, the dump's ``Retries`` lines) of one checker."""
    cfg = _config(checker)
    spec = resolve(cfg).virtual_servers[0].real_servers[0].checkers[0]
    return spec.retry, [x for x in dump_lines(cfg, HOST) if x.startswith("   Retries = ")]


@pytest.mark.parametrize("kind", ["HTTP_GET", "SSL_GET"])
def test_nb_get_retry_sets_retry(kind: str) -> None:
    """keepalived 2.2.7 reports ``nb_get_retry`` as deprecated and sets ``retry`` with it."""
    assert _retries(f"""
        {kind} {{
          url {{
            path /
          }}
          nb_get_retry 4
        }}""") == (4, ["   Retries = 4"])


def test_the_last_of_retry_and_nb_get_retry_wins() -> None:
    assert _retries("""
        HTTP_GET {
          url {
            path /
          }
          nb_get_retry 4
          retry 2
        }""") == (2, ["   Retries = 2"])
    assert _retries("""
        HTTP_GET {
          url {
            path /
          }
          retry 2
          nb_get_retry 5
        }""") == (5, ["   Retries = 5"])


def test_nb_get_retry_overrides_the_real_servers_retry() -> None:
    cfg = _config("""
        retry 7
        HTTP_GET {
          url {
            path /
          }
          nb_get_retry 0
        }
        HTTP_GET {
          url {
            path /
          }
        }""")
    specs = resolve(cfg).virtual_servers[0].real_servers[0].checkers
    assert [s.retry for s in specs] == [0, 7]


def test_nb_get_retry_with_a_bad_value_changes_nothing() -> None:
    retry, _ = _retries("""
        HTTP_GET {
          url {
            path /
          }
          retry 3
          nb_get_retry x
        }""")
    assert retry == 3
