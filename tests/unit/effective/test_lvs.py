"""The resolver's LVS completion (kaconf/effective/lvs.py): keepalived 2.2.7's values."""

from __future__ import annotations

import textwrap

import kaconf
from kaconf.effective import resolve
from kaconf.effective.host import Host
from kaconf.effective.lvs_types import ULONG_MAX, LvsState
from kaconf.effective.values import TIMER_HZ, UINT_MAX


def lvs(text: str) -> LvsState:
    loaded = kaconf.load_full("t.conf", data=textwrap.dedent(text).encode())
    st = resolve(loaded.config, Host.static(hostname="h", interfaces={})).lvs
    assert st is not None
    return st


def test_no_virtual_server_no_lvs_state() -> None:
    loaded = kaconf.load_full("t.conf", data=b"global_defs {\n}\n")
    assert resolve(loaded.config, Host.static(hostname="h", interfaces={})).lvs is None


def test_defaults() -> None:
    st = lvs("""
        virtual_server 192.0.2.1 80 {
          real_server 192.0.2.10 {
            TCP_CHECK {
            }
          }
        }""")
    vs = st.virtual_servers[0]
    assert (vs.sched, vs.protocol, vs.fwd.method, vs.quorum, vs.hysteresis) == (
        "wlc", "UDP", "NAT", 1, 0)
    assert (vs.delay_loop, vs.connection_to) == (60 * TIMER_HZ, 5 * TIMER_HZ)
    assert any("no protocol set" in w for w in st.warnings)
    rs = vs.real_servers[0]
    assert (rs.port, rs.given_port, rs.weight, rs.alpha, rs.inhibit, rs.smtp_alert) == (
        80, 0, 1, 0, 0, 1)
    assert (rs.retry, rs.warmup, rs.delay_before_retry) == (UINT_MAX, ULONG_MAX, ULONG_MAX)
    ck = rs.checkers[0]
    assert (ck.dest, ck.dest_port) == ("192.0.2.10", 0)  # the real server as written
    assert (ck.retry, ck.delay_before_retry, ck.warmup, ck.delay_loop) == (
        1, TIMER_HZ, 60 * TIMER_HZ, 60 * TIMER_HZ)
    assert ck.connection_to == 5 * TIMER_HZ


def test_inheritance_vs_rs_checker() -> None:
    st = lvs("""
        virtual_server 192.0.2.1 80 {
          protocol TCP
          delay_loop 10
          retry 4
          delay_before_retry 2
          warmup 7
          alpha
          inhibit_on_failure
          weight 5
          real_server 192.0.2.10 80 {
            connect_timeout 3
            retry 2
            HTTP_GET {
              url {
                path /
              }
              delay_loop 20
            }
          }
          real_server 192.0.2.11 80 {
            weight 2
            TCP_CHECK {
              retry 9
            }
          }
        }""")
    vs = st.virtual_servers[0]
    r1, r2 = vs.real_servers
    assert (r1.weight, r1.alpha, r1.inhibit, r1.retry, r1.connection_to) == (
        5, 1, 1, 2, 3 * TIMER_HZ)
    c1 = r1.checkers[0]
    assert (c1.delay_loop, c1.retry, c1.delay_before_retry, c1.warmup, c1.alpha) == (
        20 * TIMER_HZ, 2, 2 * TIMER_HZ, 7 * TIMER_HZ, 1)
    assert c1.connection_to == 3 * TIMER_HZ
    c2 = r2.checkers[0]
    assert (r2.weight, c2.retry, c2.delay_loop) == (2, 9, 10 * TIMER_HZ)
    assert not r1.alive and r1.failed == 1  # alpha: down until checked


def test_quorum_hysteresis_duplicates_and_sorry_server() -> None:
    st = lvs("""
        virtual_server 192.0.2.1 80 {
          protocol TCP
          lb_kind DR
          quorum 10
          hysteresis 12
          sorry_server 192.0.2.10 8080
          real_server 192.0.2.10 80 {
            weight 3
            inhibit_on_failure
          }
          real_server 192.0.2.10 80 {
          }
          real_server 192.0.2.11 {
            weight 2
          }
        }""")
    vs = st.virtual_servers[0]
    assert [(r.addr, r.port) for r in vs.real_servers] == [("192.0.2.10", 80),
                                                          ("192.0.2.11", 80)]
    assert (vs.quorum, vs.hysteresis) == (5, 4)
    assert any("duplicated" in w for w in st.warnings)
    assert any("reducing quorum to 5" in w for w in st.warnings)
    s = vs.sorry
    assert s is not None
    # non-NAT sorry server: the virtual server's port; compared with the real servers as
    # written (8080 vs 80), it duplicates none (keepalived -t: no "matches sorry server")
    assert (s.port, s.fwd.method, s.duplicates_rs, s.inhibit) == (80, "DR", False, False)


def test_sorry_server_duplicating_a_real_server_takes_its_inhibit() -> None:
    st = lvs("""
        virtual_server 192.0.2.2 80 {
          protocol TCP
          sorry_server 192.0.2.11
          real_server 192.0.2.11 {
            inhibit_on_failure
          }
        }""")
    s = st.virtual_servers[0].sorry
    assert s is not None
    assert (s.port, s.duplicates_rs, s.inhibit) == (0, True, True)


def test_family_mismatch_skips_the_real_server() -> None:
    st = lvs("""
        virtual_server fwmark 3 {
          real_server 2001:db8::1 80 {
          }
          real_server 192.0.2.12 80 {
          }
        }""")
    vs = st.virtual_servers[0]
    assert vs.af == 6
    assert [r.addr for r in vs.real_servers] == ["2001:db8::1"]
    assert any("don't match - skipping real server" in w for w in st.warnings)


def test_scheduler_flags_follow_keepalived() -> None:
    from kaconf.effective.lvs_types import SVC_F_SCHED1

    st = lvs("""
        virtual_server 192.0.2.1 80 {
          protocol TCP
          sh-port
          lb_algo sh
          sh-fallback
          hashed
          real_server 192.0.2.10 80 {
            weight 0
          }
        }""")
    vs = st.virtual_servers[0]
    assert vs.flags == SVC_F_SCHED1  # sh-port before lb_algo sh is ignored; hashed sets nothing
    assert (vs.quorum, vs.hysteresis, vs.quorum_state_up) == (0, UINT_MAX, False)


def test_fwmark_clears_non_nat_ports_and_protocol() -> None:
    st = lvs("""
        virtual_server fwmark 7 {
          protocol TCP
          lb_kind DR
          real_server 192.0.2.10 80 {
          }
          real_server 192.0.2.11 81 {
            lvs_method NAT
          }
        }""")
    vs = st.virtual_servers[0]
    assert vs.protocol == ""
    assert [(r.port, r.fwd.method) for r in vs.real_servers] == [(0, "DR"), (81, "NAT")]


def test_smtp_alert_and_persistence() -> None:
    st = lvs("""
        global_defs {
          smtp_alert_checker off
        }
        virtual_server 192.0.2.1 0 {
          protocol TCP
          real_server 192.0.2.10 80 {
          }
        }""")
    vs = st.virtual_servers[0]
    assert vs.persistence_timeout == 360  # zero port only valid for persistent services
    assert (vs.smtp_alert, vs.real_servers[0].smtp_alert) == (0, 0)


def test_lint_notes_without_checkers_are_the_full_notes() -> None:
    """Effective.lvs_notes (servers only, what lint reads) says what the full resolution
    says, but for the checker and script lines only the full one can make."""
    from tests.support.paths import FIXTURES

    for conf in sorted((FIXTURES / "lvs_notes").glob("*.conf")):
        loaded = kaconf.load_full(str(conf))
        light = resolve(loaded.config, Host.static(hostname="h", interfaces={})).lvs_notes
        full = resolve(loaded.config, Host.static(hostname="h", interfaces={})).lvs
        assert full is not None
        assert light == [n for n in full.notes
                         if n.kind not in ("script-security", "checker-dropped")], conf
