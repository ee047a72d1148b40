"""Frames built by kaconfd.vrrp.io, checked byte by byte (no socket is opened)."""

from __future__ import annotations

import ipaddress

from kaconfd.vrrp.io import _parse_ipv4, garp_frame, mac_bytes, unsolicited_na

MAC = "02:00:5e:10:20:30"


def test_gratuitous_arp_frame() -> None:
    frame = garp_frame(mac_bytes(MAC), ipaddress.IPv4Address("10.1.10.240"))
    mac = bytes([2, 0, 0x5E, 0x10, 0x20, 0x30])
    assert frame[:6] == b"\xff" * 6 and frame[6:12] == mac and frame[12:14] == b"\x08\x06"
    assert frame[14:22] == bytes([0, 1, 8, 0, 6, 4, 0, 1])  # Ethernet, IPv4, request
    assert frame[22:28] == mac and frame[28:32] == bytes([10, 1, 10, 240])
    assert frame[32:38] == b"\xff" * 6 and frame[38:42] == bytes([10, 1, 10, 240])
    assert len(frame) == 42


def test_unsolicited_neighbour_advert() -> None:
    target = ipaddress.IPv6Address("fd00::240")
    na = unsolicited_na(mac_bytes(MAC), target)
    assert na[:4] == bytes([136, 0, 0, 0])  # type NA, code 0, checksum left to the kernel
    assert na[4:8] == bytes([0x20, 0, 0, 0])  # Override only
    assert na[8:24] == target.packed
    assert na[24:] == bytes([2, 1]) + mac_bytes(MAC)  # target link-layer address option
    assert unsolicited_na(mac_bytes(MAC), target, router=True)[4] == 0xA0


def test_ipv4_header_parsing_keeps_ttl_and_drops_padding() -> None:
    payload = b"\x21\x5a\x64\x01"
    header = bytes([0x45, 0, 0, 24, 0, 0, 0, 0, 255, 112, 0, 0,
                    10, 1, 10, 117, 224, 0, 0, 18])
    rcv = _parse_ipv4(header + payload + b"\0\0")
    assert rcv is not None
    assert (rcv.payload, rcv.ttl, str(rcv.src), str(rcv.dst)) == (
        payload, 255, "10.1.10.117", "224.0.0.18")
    assert _parse_ipv4(header[:10]) is None
