"""kaconfd.vrrp.ah: AH-wrapped VRRPv2 adverts, checked against keepalived 2.2.7's own bytes.

tests/fixtures/wire/keepalived_ah.json holds datagrams captured from the real keepalived
(tools/capture_ah.py): a lone MASTER advertising (multicast, unicast to one peer, a
password longer than 8 bytes), each run ending with the priority-0 advert of SIGTERM.
keepalived's adverts are deterministic (IP id and sequence number both count from 1), so
kaconf must build the very same bytes and accept each of them once.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

import pytest
from kaconfd.vrrp.ah import (
    AH_LEN,
    IPPROTO_AH,
    SEQ_LIMIT,
    SeqCounter,
    build,
    icv,
    spi_value,
    split,
    verify,
)
from kaconfd.vrrp.io import parse_ipv4
from kaconfd.vrrp.packet import (
    Advertisement,
    AuthType,
    Expectation,
    PacketError,
    Reason,
    auth_data_from_pass,
    decode,
    validate,
)

from tests.support.paths import FIXTURES

CAPTURE = json.loads((FIXTURES / "wire" / "keepalived_ah.json").read_text())
CASES = {c["name"]: c for c in CAPTURE["cases"]}


def _datagrams(case: dict[str, Any]) -> list[bytes]:
    return [bytes.fromhex(d) for d in case["datagrams"]]


def _ours(case: dict[str, Any], number: int, priority: int) -> bytes:
    """kaconf's datagram for advert ``number`` (1-based) of the captured instance."""
    vips = tuple(ipaddress.IPv4Address(v) for v in case["vips"])
    vrrp = Advertisement(2, case["vrid"], priority, vips, case["advert_int"],
                         AuthType.AH).to_bytes()
    return build(vrrp, src=ipaddress.IPv4Address(case["src"]),
                 dst=ipaddress.IPv4Address(case["dst"]), ip_id=number, seq=number,
                 key=auth_data_from_pass(case["auth_pass"]), unicast=case["unicast"])


def test_fixture_has_every_case() -> None:
    assert set(CASES) == {"multicast", "unicast", "long-password"}
    for case in CASES.values():
        assert len(case["datagrams"]) >= 3


@pytest.mark.parametrize("name", sorted(CASES))
def test_kaconf_builds_keepalived_bytes(name: str) -> None:
    """Same fields, same bytes: IP header (checksum included), AH with its ICV, VRRP."""
    case = CASES[name]
    captured = _datagrams(case)
    for number, datagram in enumerate(captured, start=1):
        priority = 0 if number == len(captured) else case["priority"]  # the last: SIGTERM
        assert _ours(case, number, priority).hex() == datagram.hex()


@pytest.mark.parametrize("name", sorted(CASES))
def test_kaconf_accepts_keepalived_adverts_once(name: str) -> None:
    case = CASES[name]
    key = auth_data_from_pass(case["auth_pass"])
    counter = SeqCounter()
    expect = Expectation(2, case["vrid"], 1.0, AuthType.AH, check_ttl=not case["unicast"])
    for datagram in _datagrams(case):
        rcv = parse_ipv4(datagram)
        assert rcv is not None and rcv.header == datagram[:20]
        ah, vrrp = split(rcv.payload)
        assert (ah.next_header, ah.payload_len, ah.spi) == (112, 4, datagram[12:16])

        def authenticate(ah: Any = ah, rcv: Any = rcv) -> None:
            verify(key, rcv.header, rcv.payload, ah, name="VI_1", unicast=case["unicast"])
            counter.accept(ah.seq, "VI_1")

        adv = decode(vrrp, family=4)
        validate(adv, expect, rcv.ttl, authenticate)
        assert adv.auth_type == AuthType.AH and adv.auth_data == bytes(8)
        assert [str(a) for a in adv.addresses] == case["vips"]
        # the same datagram again is a replay
        with pytest.raises(PacketError, match=r"\(VI_1\) IPSEC-AH : sequence number "
                                              rf"{ah.seq} already processed\. Packet "
                                              rf"dropped\. Local\({ah.seq}\)") as err:
            validate(adv, expect, rcv.ttl, authenticate)
        assert err.value.reason is Reason.AH_AUTH
    assert counter.seq == len(case["datagrams"])


def _parts(datagram: bytes) -> tuple[bytes, bytes]:
    return datagram[:20], datagram[20:]


def test_long_password_is_truncated_to_eight_bytes() -> None:
    case = CASES["long-password"]
    header, payload = _parts(_datagrams(case)[0])
    ah, _ = split(payload)
    verify(b"averylon", header, payload, ah, name="VI_1", unicast=False)


def test_wrong_password_is_rejected_with_keepalived_line() -> None:
    case = CASES["multicast"]
    header, payload = _parts(_datagrams(case)[0])
    ah, _ = split(payload)
    with pytest.raises(PacketError) as err:
        verify(auth_data_from_pass("Secret"), header, payload, ah, name="VI_1", unicast=False)
    assert err.value.reason is Reason.AH_AUTH
    assert err.value.detail == ("(VI_1) IPSEC-AH : invalid IPSEC HMAC-MD5 value. Due to "
                                "fields mutation or bad password !")


def test_mutable_fields_are_outside_the_icv() -> None:
    """TOS, fragment offset and checksum may change in transit; the TTL only for unicast."""
    for name in ("multicast", "unicast"):
        case = CASES[name]
        key = auth_data_from_pass(case["auth_pass"])
        header, payload = _parts(_datagrams(case)[0])
        ah, _ = split(payload)
        mutated = bytearray(header)
        mutated[1], mutated[6:8], mutated[10:12] = 0x10, b"\x40\x00", b"\x12\x34"
        verify(key, bytes(mutated), payload, ah, name="VI_1", unicast=case["unicast"])
        routed = bytearray(header)
        routed[8] = 254
        if case["unicast"]:
            verify(key, bytes(routed), payload, ah, name="VI_1", unicast=True)
        else:
            with pytest.raises(PacketError, match="HMAC-MD5"):
                verify(key, bytes(routed), payload, ah, name="VI_1", unicast=False)
        # anything else is covered: the IP id, the addresses, the VRRP message
        for offset in (4, 15):
            changed = bytearray(header)
            changed[offset] ^= 1
            with pytest.raises(PacketError, match="HMAC-MD5"):
                verify(key, bytes(changed), payload, ah, name="VI_1", unicast=case["unicast"])
        body = bytearray(payload)
        body[AH_LEN + 2] ^= 1  # the priority
        with pytest.raises(PacketError, match="HMAC-MD5"):
            verify(key, header, bytes(body), ah, name="VI_1", unicast=case["unicast"])


def test_spi_must_be_the_source_address() -> None:
    """A sender with the key but another SPI: keepalived's (byte-order quirky) SPI line."""
    key = auth_data_from_pass("secret")
    src, dst = ipaddress.IPv4Address("10.1.10.117"), ipaddress.IPv4Address("224.0.0.18")
    other = ipaddress.IPv4Address("10.1.10.185")
    vrrp = Advertisement(2, 51, 100, (), 1.0, AuthType.AH).to_bytes()
    datagram = build(vrrp, src=other, dst=dst, ip_id=1, seq=1, key=key)
    assert datagram[9] == IPPROTO_AH and datagram[24:28] == other.packed
    # SPI set to another address, ICV recomputed: only the SPI check can fail
    header, payload = datagram[:20], datagram[20:24] + src.packed + datagram[28:]
    payload = payload[:12] + icv(key, header, payload[:AH_LEN], payload[AH_LEN:],
                                 unicast=False) + payload[AH_LEN:]
    ah, _ = split(payload)
    with pytest.raises(PacketError) as err:
        verify(key, header, payload, ah, name="VI_1", unicast=False)
    assert err.value.detail == (f"IPSEC AH : invalid IPSEC SPI value. {spi_value(other.packed)} "
                                f"and expect {spi_value(src.packed)}")
    assert spi_value(src.packed) == 1963589898  # 10.1.10.117 as keepalived prints it on x86


def test_short_ah_payload_is_a_length_error() -> None:
    with pytest.raises(PacketError) as err:
        split(bytes(AH_LEN + 7))
    assert err.value.reason is Reason.LENGTH


def test_sequence_counter_is_shared_by_both_directions() -> None:
    counter = SeqCounter()
    assert counter.next() == (1, 1) and counter.next() == (2, 2)
    counter.accept(10, "VI_1")  # a master numbered past us: we continue after it
    assert counter.next() == (3, 11)
    with pytest.raises(PacketError, match=r"sequence number 11 already processed.*Local\(11\)"):
        counter.accept(11, "VI_1")
    counter.sync(40)  # a master hearing a lower priority numbered 40
    assert counter.next() == (4, 42)


def test_sequence_counter_limits() -> None:
    counter = SeqCounter()
    counter.ip_id = 0xFFFF
    assert counter.next()[0] == 1  # the IP id skips 0 (the kernel would choose one)
    counter.seq = SEQ_LIMIT + 1
    assert counter.next()[1] == SEQ_LIMIT + 1 and counter.cycle  # stuck: "cycled"
    counter.entering_master()
    assert (counter.seq, counter.cycle) == (0, False)
    counter.entering_master()  # not cycled: nothing changes
    assert counter.next()[1] == 1
