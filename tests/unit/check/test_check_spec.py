"""Effective checker settings (kaconfd.check.spec) against keepalived 2.2.7's rules."""

from __future__ import annotations

import textwrap

import pytest
from kaconfd.check.spec import (
    DNS_TYPES,
    HTTP_DEFAULT_STATUS,
    SMTP_DEFAULT_HELO,
    SVC_F_PERSISTENT,
    SVC_F_SCHED1,
    SVC_F_SCHED2,
    DnsParams,
    FileParams,
    HttpParams,
    MiscParams,
    ServiceAddr,
    SmtpParams,
    UdpParams,
    parse_hex,
    parse_status_codes,
    real_weight,
    resolve,
)

import kaconf


def load(text: str, allow: tuple[str, ...] = ()) -> kaconf.Config:
    loaded = kaconf.load_full("test.conf", data=textwrap.dedent(text).encode())
    errors = [d for d in loaded.errors if d.code not in allow]
    assert not errors, errors
    return loaded.config


def one_vs(text: str):
    res = resolve(load(text))
    assert len(res.virtual_servers) == 1, res.warnings
    return res.virtual_servers[0], res.warnings


def test_defaults_when_nothing_is_given() -> None:
    vs, warnings = one_vs("""
        virtual_server 192.0.2.1 80 {
          real_server 192.0.2.10 {
            TCP_CHECK {
            }
          }
        }
    """)
    assert "no protocol set - defaulting to UDP" in warnings[0]
    assert vs.services == [ServiceAddr(4, "UDP", "192.0.2.1", 80)]
    assert (vs.scheduler, vs.forwarding, vs.flags, vs.persistence_timeout) == ("wlc", "NAT",
                                                                             0, 0)
    assert (vs.quorum, vs.hysteresis, vs.delay_loop) == (1, 0, 60.0)
    rs = vs.real_servers[0]
    assert (rs.address, rs.port, rs.weight, rs.inhibit, rs.alpha) == ("192.0.2.10", 80, 1,
                                                                      False, False)
    ck = rs.checkers[0]
    assert ck.kind == "TCP_CHECK"
    assert (ck.delay_loop, ck.retry, ck.delay_before_retry, ck.warmup) == (60.0, 1, 1.0, 60.0)
    assert ck.conn is not None
    # keepalived copies the real server as written into the checker (check_api.c
    # queue_checker) before validate_check_config completes its port: no port, port 0
    assert (ck.conn.host, ck.conn.port, ck.conn.timeout) == ("192.0.2.10", 0, 5.0)
    assert ck.alpha is False


def test_inheritance_checker_real_server_virtual_server() -> None:
    vs, _ = one_vs("""
        virtual_server 192.0.2.1 80 {
          protocol TCP
          delay_loop 10
          retry 4
          delay_before_retry 2
          warmup 7
          connect_timeout 3
          alpha
          inhibit_on_failure
          weight 5
          real_server 192.0.2.10 80 {
            delay_loop 8
            connect_timeout 2.5
            TCP_CHECK {
            }
            TCP_CHECK {
              delay_loop 1
              retry 0
              delay_before_retry 0.5
              warmup 0
              connect_timeout 1
              alpha no
              connect_ip 192.0.2.99
              connect_port 8080
              bindto 192.0.2.2
              bind_port 4000
              fwmark 7
            }
          }
          real_server 192.0.2.11 80 {
            weight 9
            inhibit_on_failure no
            retry 2
            HTTP_GET {
              url {
                path /
              }
            }
          }
        }
    """)
    rs1, rs2 = vs.real_servers
    assert (rs1.weight, rs1.inhibit, rs1.alpha) == (5, True, True)
    a, b = rs1.checkers
    assert (a.delay_loop, a.retry, a.delay_before_retry, a.warmup, a.alpha) == (8.0, 4, 2.0,
                                                                                7.0, True)
    assert a.conn is not None and a.conn.timeout == 2.5
    assert (b.delay_loop, b.retry, b.delay_before_retry, b.warmup, b.alpha) == (1.0, 0, 0.5,
                                                                                0.0, False)
    assert b.conn is not None
    assert (b.conn.host, b.conn.port, b.conn.bindto, b.conn.bind_port, b.conn.fwmark,
            b.conn.timeout) == ("192.0.2.99", 8080, "192.0.2.2", 4000, 7, 1.0)
    assert (rs2.weight, rs2.inhibit) == (9, False)
    h = rs2.checkers[0]
    # real_server retry wins over the virtual_server's; delay_before_retry from the VS
    assert (h.retry, h.delay_before_retry, h.delay_loop, h.warmup) == (2, 2.0, 10.0, 7.0)


@pytest.mark.parametrize("kind,body,retry,dbr", [
    ("HTTP_GET", "url {\n path /\n }", 1, 3.0),
    ("SSL_GET", "url {\n path /\n }", 1, 3.0),
    ("MISC_CHECK", "misc_path /bin/true", 0, 1.0),
    ("DNS_CHECK", "", 3, 30.0),
    ("SMTP_CHECK", "", 1, 1.0),
    ("UDP_CHECK", "", 1, 1.0),
    ("PING_CHECK", "", 1, 1.0),
])
def test_per_kind_retry_defaults(kind: str, body: str, retry: int, dbr: float) -> None:
    vs, _ = one_vs(f"""
        virtual_server 192.0.2.1 53 {{
          protocol UDP
          delay_loop 30
          real_server 192.0.2.10 53 {{
            {kind} {{
              {body}
            }}
          }}
        }}
    """)
    ck = vs.real_servers[0].checkers[0]
    assert (ck.retry, ck.delay_before_retry) == (retry, dbr)


def test_http_urls_status_codes_digest_vhost_and_sni() -> None:
    vs, warnings = one_vs("""
        virtual_server 192.0.2.1 443 {
          protocol TCP
          virtualhost vs.example
          real_server 192.0.2.10 443 {
            SSL_GET {
              enable_sni
              virtualhost ck.example
              http_protocol 1.1
              url {
                path /health
                digest 9B3A0C4E2F1F1E2D3C4B5A697887A6B5
                status_code 200 301-302
              }
              url {
                path /other
                virtualhost url.example
                status_code 999 404
              }
            }
          }
        }
    """)
    ck = vs.real_servers[0].checkers[0]
    assert isinstance(ck.params, HttpParams)
    p = ck.params
    assert p.tls and p.http_protocol == "1.1"
    u1, u2 = p.urls
    assert u1.path == "/health"
    assert u1.digest == "9b3a0c4e2f1f1e2d3c4b5a697887a6b5"
    assert u1.status_codes == frozenset({200, 301, 302})
    assert (u1.virtualhost, u1.sni_name) == ("ck.example", "ck.example")
    assert u2.status_codes == frozenset({404})
    assert (u2.virtualhost, u2.sni_name) == ("url.example", "url.example")
    assert any("Invalid HTTP_GET status code '999'" in w for w in warnings)


def test_http_default_status_and_no_sni() -> None:
    vs, _ = one_vs("""
        virtual_server 192.0.2.1 80 {
          protocol TCP
          real_server 192.0.2.10 80 {
            HTTP_GET {
              url {
                path /
              }
            }
          }
        }
    """)
    p = vs.real_servers[0].checkers[0].params
    assert isinstance(p, HttpParams)
    assert not p.tls and p.http_protocol == "1.0"
    assert p.urls[0].status_codes == HTTP_DEFAULT_STATUS
    assert (p.urls[0].virtualhost, p.urls[0].sni_name, p.urls[0].digest) == (None, None, None)


def test_misc_smtp_dns_udp_file_params() -> None:
    vs, _ = one_vs("""
        track_file tf {
          file /run/tf
          weight 3 reverse
        }
        virtual_server 192.0.2.1 25 {
          protocol TCP
          delay_loop 12
          real_server 192.0.2.10 25 {
            MISC_CHECK {
              misc_path "/usr/bin/env chk --port 25"
              misc_dynamic
            }
            MISC_CHECK {
              misc_path /bin/true
              misc_timeout 4
              user nobody
            }
            SMTP_CHECK {
            }
            DNS_CHECK {
              type A
              name example.com
            }
            UDP_CHECK {
              payload 01 02 0a0B
              require_reply 0a X1 ff
              min_reply_length 2
              max_reply_length 9
            }
            FILE_CHECK {
              track_file tf
            }
            FILE_CHECK {
              track_file tf
              weight 0
            }
          }
        }
    """)
    cks = vs.real_servers[0].checkers
    m1, m2 = cks[0].params, cks[1].params
    assert isinstance(m1, MiscParams) and isinstance(m2, MiscParams)
    assert m1.args == ("/usr/bin/env", "chk", "--port", "25")
    assert (m1.timeout, m1.dynamic, m1.user) == (12.0, True, None)  # misc_timeout: VS delay
    assert (m2.timeout, m2.dynamic, m2.user) == (4.0, False, "nobody")
    import pwd

    nobody = pwd.getpwnam("nobody")
    assert (m2.uid, m2.gid) == (nobody.pw_uid, nobody.pw_gid)  # the resolver's ids
    assert cks[2].params == SmtpParams(SMTP_DEFAULT_HELO)
    assert cks[3].params == DnsParams(DNS_TYPES["A"], "example.com")
    u = cks[4].params
    assert isinstance(u, UdpParams)
    assert u.payload == b"\x01\x02\x0a\x0b"
    assert u.require_reply and u.reply_data == b"\x0a\x01\xff"
    assert u.reply_mask == b"\x00\xf0\x00"
    assert (u.min_reply_length, u.max_reply_length) == (2, 9)
    assert cks[5].params == FileParams("/run/tf", 3, True)
    assert cks[6].params == FileParams("/run/tf", 0, False)
    assert cks[5].retry == 0


def test_smtp_host_blocks_become_checkers() -> None:
    vs, _ = one_vs("""
        virtual_server 192.0.2.1 25 {
          protocol TCP
          real_server 192.0.2.10 25 {
            SMTP_CHECK {
              helo_name me.example
              host {
                connect_ip 192.0.2.20
                connect_port 2525
              }
              host {
                connect_ip 192.0.2.21
              }
            }
          }
        }
    """)
    cks = vs.real_servers[0].checkers
    # no connection keyword on the checker itself: the hosts replace it
    assert [(c.conn.host, c.conn.port) for c in cks if c.conn] == [("192.0.2.20", 2525),
                                                                  ("192.0.2.21", 25)]
    assert all(c.params == SmtpParams("me.example") for c in cks)


def test_quorum_clamped_and_hysteresis_lowered() -> None:
    vs, warnings = one_vs("""
        virtual_server 192.0.2.1 80 {
          protocol TCP
          quorum 10
          hysteresis 9
          real_server 192.0.2.10 80 {
            weight 2
          }
          real_server 192.0.2.11 80 {
            weight 3
          }
        }
    """)
    assert (vs.quorum, vs.hysteresis) == (5, 4)
    assert any("reducing quorum to 5" in w for w in warnings)
    assert any("setting hysteresis to 4" in w for w in warnings)


def test_service_fields_persistence_flags_and_sorry_server() -> None:
    vs, _ = one_vs("""
        virtual_server 192.0.2.1 80 {
          protocol TCP
          lb_algo sh
          lb_kind DR
          persistence_timeout 50
          sh-port
          sh-fallback
          sorry_server 192.0.2.99 8080
          sorry_server_inhibit
          real_server 192.0.2.10 8080 {
          }
          real_server 192.0.2.11 {
            lvs_method NAT
            uthreshold 100
            lthreshold 10
          }
        }
    """)
    assert (vs.scheduler, vs.forwarding) == ("sh", "DR")
    assert vs.flags == SVC_F_PERSISTENT | SVC_F_SCHED1 | SVC_F_SCHED2
    assert (vs.persistence_timeout, vs.netmask) == (50, None)
    assert vs.sorry is not None
    # DR: the ports are reset to the virtual server's
    assert (vs.sorry.address, vs.sorry.port, vs.sorry.forwarding, vs.sorry.inhibit) == (
        "192.0.2.99", 80, "DR", True)
    r1, r2 = vs.real_servers
    assert (r1.port, r1.forwarding) == (80, "DR")
    assert (r2.port, r2.forwarding, r2.u_threshold, r2.l_threshold) == (80, "NAT", 100, 10)


def test_fwmark_virtual_server_and_groups() -> None:
    res = resolve(load("""
        virtual_server_group web {
          192.0.2.1-3 80
          fwmark 9
        }
        virtual_server fwmark 5 {
          lb_kind DR
          real_server 192.0.2.10 80 {
          }
        }
        virtual_server group web {
          protocol TCP
          real_server 192.0.2.10 80 {
          }
        }
    """))
    fw, grp = res.virtual_servers
    assert fw.services == [ServiceAddr(4, "", None, 0, 5)]
    assert fw.real_servers[0].port == 0  # non-NAT fwmark: port cleared
    assert grp.services == [ServiceAddr(4, "TCP", f"192.0.2.{i}", 80) for i in (1, 2, 3)] + [
        ServiceAddr(4, "", None, 0, 9)]


def test_duplicate_real_server_and_unknown_track_file() -> None:
    res = resolve(load("""
        virtual_server 192.0.2.1 80 {
          protocol TCP
          real_server 192.0.2.10 80 {
            FILE_CHECK {
              track_file nope
            }
          }
          real_server 192.0.2.10 80 {
          }
        }
    """, allow=("KA0",)))
    vs = res.virtual_servers[0]
    assert len(vs.real_servers) == 1 and vs.real_servers[0].checkers == []
    assert any("duplicated" in w for w in res.warnings)
    assert any("track_file nope not found" in w for w in res.warnings)


def test_parse_hex() -> None:
    assert parse_hex("0102") == (b"\x01\x02", None)
    assert parse_hex("1 2 ab") == (b"\x01\x02\xab", None)
    assert parse_hex("0x", allow_mask=True) == (b"\x00", b"\x0f")
    assert parse_hex("zz") is None
    assert parse_hex("") is None
    assert parse_hex("0X") is None  # wildcards only where a mask is allowed


def test_parse_status_codes() -> None:
    codes, bad = parse_status_codes(["200", "300-302", "99", "600", "305-301", "x"])
    assert codes == frozenset({200, 300, 301, 302})
    assert bad == ["99", "600", "305-301", "x"]


def test_real_weight_clamps() -> None:
    assert real_weight(-5) == 0
    assert real_weight(7) == 7
    assert real_weight(2**40) == 2**31 - 1


def test_translation_follows_keepalived_completion() -> None:
    """Values the daemon used to complete on its own, now the resolver's (keepalived's)."""
    res = resolve(load("""
        virtual_server fwmark 3 {
          lb_kind DR
          persistence_granularity 255.255.255.0
          real_server 2001:db8::1 80 {
            SMTP_CHECK {
              connect_ip 2001:db8::9
            }
          }
        }
        virtual_server 192.0.2.2 80 {
          protocol TCP
          sorry_server 192.0.2.11
          real_server 192.0.2.11 {
            inhibit_on_failure
          }
        }
    """))
    fw, addr = res.virtual_servers
    assert fw.services == [ServiceAddr(6, "", None, 0, 3)]  # the real servers' family
    assert (fw.persistence_timeout, fw.netmask) == (360, "255.255.255.0")
    rs = fw.real_servers[0]
    assert rs.port == 0  # non-NAT real server of a fwmark service
    ck = rs.checkers[0]
    assert ck.conn is not None
    # SMTP_CHECK: connect_ip without a port keeps the real server's (as written)
    assert (ck.conn.host, ck.conn.port) == ("2001:db8::9", 80)
    assert addr.sorry is not None
    assert (addr.sorry.port, addr.sorry.inhibit) == (0, True)  # duplicates the real server


def test_group_real_server_port_per_entry() -> None:
    """ipvs_group_cmd: a non-NAT server of a group gets each entry's port (0 under a fwmark);
    a NAT one keeps its own."""
    from kaconfd.check.state import Pool

    res = resolve(load("""
        virtual_server_group web {
          192.0.2.1 80
          192.0.2.2 8080
          fwmark 9
        }
        virtual_server group web {
          protocol TCP
          lb_algo rr
          lb_kind DR
          real_server 192.0.2.10 {
          }
          real_server 192.0.2.11 81 {
            lvs_method NAT
          }
        }
    """))
    pool = Pool(res.virtual_servers)
    pool.start()
    table = pool.desired_all()
    ports = {(str(svc), d.address): d.port for svc, e in table.items() for d in e.dests.values()}
    assert ports == {
        ("192.0.2.1:80", "192.0.2.10"): 80, ("192.0.2.1:80", "192.0.2.11"): 81,
        ("192.0.2.2:8080", "192.0.2.10"): 8080, ("192.0.2.2:8080", "192.0.2.11"): 81,
        ("FWM 9", "192.0.2.10"): 0, ("FWM 9", "192.0.2.11"): 81,
    }


def test_checker_destination_is_the_resolvers() -> None:
    """co->dst: the real server as written; connect_ip replaces it whole (port 0), so a
    connect_port given before connect_ip is lost (keepalived -d: Dest = [ip]:0)."""
    vs, _ = one_vs("""
        virtual_server 192.0.2.1 80 {
          protocol TCP
          lb_algo rr
          lb_kind NAT
          real_server 192.0.2.10 80 {
            TCP_CHECK {
              connect_port 8081
              connect_ip 192.0.2.20
            }
            TCP_CHECK {
              connect_ip 192.0.2.21
              connect_port 8082
            }
          }
        }
    """)
    conns = [(c.conn.host, c.conn.port) for c in vs.real_servers[0].checkers]
    assert conns == [("192.0.2.20", 0), ("192.0.2.21", 8082)]
