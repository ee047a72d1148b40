"""Pure parts of the probes (in the kind modules of kaconf.checkers.kinds): wire formats and
verdict rules."""

from __future__ import annotations

import struct

import pytest

from kaconf.checkers.base import CheckResult, ConnOpts
from kaconf.checkers.kinds import dns_check, file_check, http_get, ping_check, udp_check
from kaconf.checkers.kinds.file_check import FileParams
from kaconf.checkers.kinds.http_get import UrlSpec
from kaconf.checkers.kinds.udp_check import UdpParams


def test_http_request_like_keepalived() -> None:
    conn = ConnOpts("192.0.2.10", 8080, 1.0)
    assert http_get.http_request(UrlSpec("/x"), conn) == (
        b"GET /x HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 192.0.2.10:8080\r\n\r\n")
    assert http_get.http_request(UrlSpec("/", virtualhost="www.example"), conn, "1.1") == (
        b"GET / HTTP/1.1\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\n"
        b"Host: www.example\r\n\r\n")
    assert http_get.http_request(UrlSpec("/"), ConnOpts("2001:db8::1", 80, 1.0), "1.0C") == (
        b"GET / HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\n"
        b"Host: [2001:db8::1]:80\r\n\r\n")


def test_parse_head() -> None:
    assert http_get.parse_head(b"HTTP/1.1 302 Found\r\nContent-Length: 12\r\nX: y") == (302, 12)
    assert http_get.parse_head(b"HTTP/1.0 200 OK") == (200, None)
    assert http_get.parse_head(b"garbage") == (None, None)
    assert http_get.parse_head(b"HTTP/1.0 200 OK\r\ncontent-length: x") == (200, None)


def test_dns_query_wire_format() -> None:
    q = dns_check.dns_query(0x1234, "www.example.com", 1)
    assert q[:12] == struct.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
    assert q[12:] == b"\x03www\x07example\x03com\x00\x00\x01\x00\x01"
    # empty name (the default) and a trailing dot both mean the root
    assert dns_check.dns_query(1, "", 6)[12:] == b"\x00\x00\x06\x00\x01"
    assert dns_check.dns_query(1, "com.", 6)[12:] == b"\x03com\x00\x00\x06\x00\x01"


def test_udp_reply_matching_with_mask_and_lengths() -> None:
    p = UdpParams(reply_data=b"\x0a\x10\xff", reply_mask=b"\x00\xf0\x00",
                  min_reply_length=2, max_reply_length=5)
    assert udp_check.udp_reply_matches(b"\x0a\x70\xff", p)  # masked nibble differs
    assert not udp_check.udp_reply_matches(b"\x0a\x71\xff", p)
    assert udp_check.udp_reply_matches(b"\x0a\x10", p)  # shorter: compare what is there
    assert not udp_check.udp_reply_matches(b"\x0a", p)  # below min_reply_length
    assert not udp_check.udp_reply_matches(b"\x0a\x10\xff\x00\x00\x00", p)  # above max


@pytest.mark.parametrize("text,value", [
    ("42", 42), ("  -7\n", -7), ("0x1f", 31), ("010", 8), ("+3abc", 3), ("", 0),
    ("abc", 0), ("0x", 0), ("09", 0),
])
def test_strtol_base0(text: str, value: int) -> None:
    assert file_check.strtol0(text) == value


def test_read_track_file(tmp_path) -> None:
    f = tmp_path / "v"
    assert file_check.read_track_file(str(f)) == 0  # missing file
    f.write_text("12\n")
    assert file_check.read_track_file(str(f)) == 12
    f.write_text(str(2**40))
    assert file_check.read_track_file(str(f)) is None  # out of range: ignored


def test_file_status_rules() -> None:
    zero = FileParams("/f", 0)
    assert file_check.file_status(0, zero).up
    assert not file_check.file_status(5, zero).up
    rev = FileParams("/f", 0, reverse=True)
    assert not file_check.file_status(0, rev).up
    assert file_check.file_status(5, rev).up
    w = FileParams("/f", 3)
    assert file_check.file_status(4, w) == CheckResult(True, "track file /f = 4, weight +12",
                                                          weight=12)
    assert file_check.file_status(-4, w).weight == -12
    assert not file_check.file_status(-(2**30), w).up  # product at or below -2^31: fault
    assert file_check.file_status(2**31, w).weight == 2**31 - 1  # clamped


def test_icmp_checksum() -> None:
    # an echo request with id 1, seq 1 and no payload: checksum 0xf7fd
    assert ping_check.checksum(b"\x08\x00\x00\x00\x00\x01\x00\x01") == 0xF7FD
    assert ping_check.checksum(b"\x08\x00\xf7\xfd\x00\x01\x00\x01") == 0
