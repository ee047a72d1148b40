"""Byte-exact tests of the VRRP codec (kaconfd.vrrp.packet).

Expected packets are written out by hand from the RFC layouts, and checksums are
verified with an independent implementation (:func:`_ref_checksum`, byte-pair
arithmetic with a modulo fold) so the codec cannot agree with itself by accident.
"""

from __future__ import annotations

import ipaddress

import pytest
from kaconfd.vrrp.packet import (
    Advertisement,
    AuthType,
    Expectation,
    PacketError,
    Reason,
    auth_data_from_pass,
    decode,
    inet_checksum,
    validate,
)

V4 = ipaddress.IPv4Address
V6 = ipaddress.IPv6Address


def _ref_checksum(data: bytes) -> int:
    """Independent RFC 1071: sum big-endian byte pairs, fold with modulo 0xFFFF."""
    if len(data) % 2:
        data += b"\0"
    total = 0
    for i in range(0, len(data), 2):
        total += data[i] * 256 + data[i + 1]
    folded = total % 0xFFFF if total % 0xFFFF or total == 0 else 0xFFFF
    return 0xFFFF - folded


# --------------------------------------------------------------------------- v2


def test_v2_seed_advert_is_byte_exact() -> None:
    # serverA of the seed scenario: VRID 90, priority 100, advert_int 1, one VIP.
    adv = Advertisement(2, 90, 100, (V4("10.1.10.240"),), 1.0)
    # 0x215a + 0x6401 + 0x0001 + 0x0a01 + 0x0af0 = 0x9a4d, one's complement 0x65b2
    expected = bytes([
        0x21, 90, 100, 1,          # version 2 | type 1, VRID, priority, count
        0x00, 0x01, 0x65, 0xB2,    # auth type NONE, advert int 1 s, checksum
        10, 1, 10, 240,            # 10.1.10.240
    ]) + bytes(8)                  # authentication data (unused)
    assert adv.to_bytes() == expected
    assert _ref_checksum(expected[:6] + b"\0\0" + expected[8:]) == 0x65B2
    assert decode(expected, family=4) == adv


def test_v2_pass_auth_is_padded_to_8_bytes() -> None:
    adv = Advertisement(2, 1, 200, (V4("192.168.0.1"), V4("192.168.0.2")), 3.0,
                        auth_type=AuthType.PASS, auth_data=auth_data_from_pass("s3cret"))
    data = adv.to_bytes()
    assert data[:6] == bytes([0x21, 1, 200, 2, 1, 3])
    assert data[8:16] == bytes([192, 168, 0, 1, 192, 168, 0, 2])
    assert data[16:] == b"s3cret\0\0"
    assert len(data) == 24
    assert _ref_checksum(data) == 0
    assert decode(data, family=4) == adv


def test_pass_longer_than_8_is_truncated() -> None:
    assert auth_data_from_pass("0123456789") == b"01234567"


def test_v2_refuses_ipv6_and_fractional_interval() -> None:
    with pytest.raises(ValueError):
        Advertisement(2, 1, 100, (V6("2001:db8::1"),), 1.0).to_bytes()
    with pytest.raises(ValueError):
        Advertisement(2, 1, 100, (V4("10.0.0.1"),), 0.5).to_bytes()


# --------------------------------------------------------------------------- v3


def test_v3_ipv4_checksum_covers_pseudo_header() -> None:
    src, dst = V4("10.1.10.117"), V4("224.0.0.18")
    adv = Advertisement(3, 90, 100, (V4("10.1.10.240"),), 1.0)
    data = adv.to_bytes(src, dst)
    # version 3 | type 1, VRID, prio, count, rsvd|interval = 100 cs = 0x0064
    assert data[:6] == bytes([0x31, 90, 100, 1, 0x00, 0x64])
    assert data[8:] == bytes([10, 1, 10, 240])
    pseudo = bytes([10, 1, 10, 117, 224, 0, 0, 18, 0, 112, 0, len(data)])
    assert _ref_checksum(pseudo + data) == 0
    # Without the pseudo-header (the v2 rule) it must NOT verify.
    assert _ref_checksum(data) != 0
    assert decode(data, family=4, src=src, dst=dst) == adv


def test_v3_ipv6_pseudo_header_layout() -> None:
    src, dst = V6("fe80::1"), V6("ff02::12")
    adv = Advertisement(3, 7, 150, (V6("2001:db8::100"), V6("fe80::100")), 0.5)
    data = adv.to_bytes(src, dst)
    assert len(data) == 8 + 2 * 16
    assert data[:6] == bytes([0x31, 7, 150, 2, 0x00, 50])
    assert data[8:24] == V6("2001:db8::100").packed
    # RFC 8200 §8.1: src, dst, 32-bit upper-layer length, 3 zero bytes, next header.
    pseudo = src.packed + dst.packed + len(data).to_bytes(4, "big") + bytes(3) + bytes([112])
    assert _ref_checksum(pseudo + data) == 0
    assert decode(data, family=6, src=src, dst=dst) == adv


def test_v3_interval_is_12_bits_of_centiseconds() -> None:
    src, dst = V4("10.0.0.1"), V4("224.0.0.18")
    data = Advertisement(3, 1, 100, (V4("10.0.0.9"),), 40.95).to_bytes(src, dst)
    assert data[4:6] == b"\x0f\xff"
    with pytest.raises(ValueError):
        Advertisement(3, 1, 100, (V4("10.0.0.9"),), 41.0).to_bytes(src, dst)
    # Reserved bits set by a sender are ignored on receipt (RFC 5798 §5.2.5).
    raw = bytearray(data)
    raw[4] |= 0xF0
    raw[6:8] = b"\0\0"
    pseudo = src.packed + dst.packed + bytes([0, 112, 0, len(raw)])
    raw[6:8] = _ref_checksum(pseudo + bytes(raw)).to_bytes(2, "big")
    assert decode(bytes(raw), family=4, src=src, dst=dst).advert_int == 40.95


def test_inet_checksum_matches_reference_on_odd_lengths() -> None:
    for blob in (b"", b"\x01", b"\xff\xff\xff", bytes(range(37))):
        assert inet_checksum(blob) == _ref_checksum(blob)


# --------------------------------------------------------------------------- rejections


def _seed_v2() -> bytes:
    return Advertisement(2, 90, 100, (V4("10.1.10.240"),), 1.0).to_bytes()


def _reason(data: bytes, **kw: object) -> Reason:
    with pytest.raises(PacketError) as info:
        decode(data, **kw)  # type: ignore[arg-type]
    return info.value.reason


def _fix_v2_checksum(raw: bytearray) -> bytes:
    raw[6:8] = b"\0\0"
    raw[6:8] = _ref_checksum(bytes(raw)).to_bytes(2, "big")
    return bytes(raw)


def test_decode_rejections_have_reasons() -> None:
    good = _seed_v2()
    assert _reason(good[:7], family=4) is Reason.LENGTH
    assert _reason(good[:-1], family=4) is Reason.LENGTH
    assert _reason(good + b"\0", family=4) is Reason.LENGTH
    bad_version = bytearray(good)
    bad_version[0] = 0x41
    assert _reason(_fix_v2_checksum(bad_version), family=4) is Reason.VERSION
    bad_type = bytearray(good)
    bad_type[0] = 0x22
    assert _reason(_fix_v2_checksum(bad_type), family=4) is Reason.TYPE
    flipped = bytearray(good)
    flipped[2] = 101  # priority changed after the checksum was computed
    assert _reason(bytes(flipped), family=4) is Reason.CHECKSUM
    # over IPv6 a v2 advert has no authentication trailer and 16-byte addresses
    assert _reason(good, family=6) is Reason.LENGTH


def test_v2_over_ipv6_as_keepalived_sends_it() -> None:
    """keepalived runs VRRPv2 over IPv6 when told to (version 2, no strict mode).

    The header keeps v2's auth type and whole-second interval bytes, there is no
    authentication data, and the checksum covers the IPv6 pseudo-header.
    """
    src, dst = ipaddress.IPv6Address("fe80::1"), ipaddress.IPv6Address("ff02::12")
    adv = Advertisement(2, 51, 150, (ipaddress.IPv6Address("fd00::10"),), 1.0)
    data = adv.to_bytes(src, dst)
    assert len(data) == 8 + 16 and data[0] == 0x21 and data[5] == 1
    back = decode(data, family=6, src=src, dst=dst)
    assert (back.version, back.vrid, back.priority, back.addresses) == (
        2, 51, 150, adv.addresses)
    with pytest.raises(PacketError) as info:
        decode(data, family=6, src=ipaddress.IPv6Address("fe80::2"), dst=dst)
    assert info.value.reason is Reason.CHECKSUM


def test_v3_checksum_with_wrong_pseudo_header_is_rejected() -> None:
    data = Advertisement(3, 90, 100, (V4("10.1.10.240"),), 1.0).to_bytes(
        V4("10.1.10.117"), V4("224.0.0.18"))
    with pytest.raises(PacketError) as info:
        decode(data, family=4, src=V4("10.1.10.185"), dst=V4("224.0.0.18"))
    assert info.value.reason is Reason.CHECKSUM


def _validate_reason(adv: Advertisement, expect: Expectation, ttl: int | None) -> Reason | None:
    try:
        validate(adv, expect, ttl)
    except PacketError as exc:
        return exc.reason
    return None


def test_validate_against_the_instance() -> None:
    adv = decode(_seed_v2(), family=4)
    exp = Expectation(version=2, vrid=90, advert_int=1.0)
    assert _validate_reason(adv, exp, 255) is None
    assert _validate_reason(adv, exp, 64) is Reason.TTL
    assert _validate_reason(adv, Expectation(2, 90, 1.0, check_ttl=False), 64) is None
    assert _validate_reason(adv, Expectation(3, 90, 1.0), 255) is Reason.VERSION
    assert _validate_reason(adv, Expectation(2, 91, 1.0), 255) is Reason.VRID
    assert _validate_reason(adv, Expectation(2, 90, 2.0), 255) is Reason.ADVERT_INTERVAL
    pass_exp = Expectation(2, 90, 1.0, auth_type=AuthType.PASS,
                           auth_data=auth_data_from_pass("secret"))
    assert _validate_reason(adv, pass_exp, 255) is Reason.AUTH
    with_pass = Advertisement(2, 90, 100, adv.addresses, 1.0, AuthType.PASS,
                              auth_data_from_pass("wrong"))
    assert _validate_reason(with_pass, pass_exp, 255) is Reason.AUTH


def test_v3_interval_mismatch_is_accepted() -> None:
    # A v3 backup adopts the master's interval (RFC 5798 §6.4.2) instead of discarding.
    adv = Advertisement(3, 90, 100, (V4("10.1.10.240"),), 2.0)
    assert _validate_reason(adv, Expectation(3, 90, 1.0), 255) is None


def test_error_message_names_the_check() -> None:
    with pytest.raises(PacketError, match=r"^checksum: "):
        raw = bytearray(_seed_v2())
        raw[1] = 91
        decode(bytes(raw), family=4)


def test_an_auth_type_no_version_defines_is_invalid_not_a_mismatch() -> None:
    """keepalived: an auth type other than 0, 1, 2 counts as invalid_authtype."""
    expect = Expectation(2, 51, 1.0, AuthType.PASS, auth_data_from_pass("secret"))
    bad = Advertisement(2, 51, 100, (V4("10.1.10.240"),), 1.0, auth_type=9)
    with pytest.raises(PacketError) as info:
        validate(bad, expect, 255)
    assert info.value.reason is Reason.AUTH and info.value.detail == "invalid auth type 9"


def test_ipv4_datagram_is_the_header_keepalived_writes() -> None:
    """The header kaconfd writes for an advert from an address no socket can bind to:
    version 4 without options, TOS internetwork control, protocol 112, checksum valid."""
    import ipaddress

    from kaconfd.vrrp.packet import inet_checksum, ipv4_datagram

    payload = bytes(range(20))
    src, dst = ipaddress.IPv4Address("10.0.0.1"), ipaddress.IPv4Address("224.0.0.18")
    d = ipv4_datagram(payload, src=src, dst=dst, ttl=255)
    assert d[0] == 0x45 and d[1] == 0xC0 and int.from_bytes(d[2:4], "big") == 40
    assert d[8] == 255 and d[9] == 112 and d[12:16] == src.packed and d[16:20] == dst.packed
    assert inet_checksum(d[:20]) == 0 and d[20:] == payload
