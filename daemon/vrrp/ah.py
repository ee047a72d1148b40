"""VRRPv2 ``auth_type AH``: the IPsec AH header keepalived wraps adverts in (bytes in, bytes out).

Theory of operation
-------------------
RFC 2338 §5.3.6.3 lets VRRPv2 authenticate adverts with an IP Authentication Header
(RFC 2402). keepalived 2.2.7 does it without IPsec security associations: the key is the
``auth_pass`` (8 bytes, truncated or zero-padded as for PASS), the algorithm HMAC-MD5-96.
An advert is an IPv4 datagram of protocol 51 (AH) built whole by the sender (IP_HDRINCL)::

    IP header (20)  tos 0xc0, id: the instance's counter (+1 per advert, never 0),
                    frag_off 0, TTL 255 (unicast: the instance's ttl), protocol 51
    AH (24)         next header 112, payload length 4, reserved 0,
                    SPI = the source address, sequence number, ICV (12 bytes)
    VRRPv2          the advert, auth type 2, authentication data all zero

The ICV is the first 12 bytes of HMAC-MD5(key, IP header + AH + VRRP) computed with the
fields that may change in transit zeroed: TOS, fragment offset, header checksum, the ICV
itself, and for unicast adverts (which may be routed) the TTL. The header checksum is the
kernel's; :func:`build` fills it in so the datagram is the one seen on the wire.

Sequence numbers (anti-replay): keepalived keeps one counter per instance for both
directions (:class:`SeqCounter`): each advert sent carries the counter plus one; an
advert is accepted only if its sequence number is greater than the counter, which then
takes its value. A backup therefore continues the master's numbering when it takes over,
and a master that hears a lower-priority advert jumps past it. The counter survives a
reload and state changes, not a restart.

Like :mod:`.packet`, pure: no sockets, no clocks.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import struct
from dataclasses import dataclass

from .packet import IPPROTO_VRRP, PacketError, Reason, ipv4_header

#: IP protocol number of the Authentication Header.
IPPROTO_AH = 51
#: AH header length for a 96-bit ICV: 12 fixed bytes + 12 bytes of ICV.
AH_LEN = 24
ICV_LEN = 12
#: AH "payload length": the header's length in 32-bit words minus 2 (RFC 2402 §2.2).
AH_PAYLOAD_LEN = 4
IPV4_HEADER_LEN = 20
#: Beyond this, keepalived stops incrementing (the counter has "cycled").
SEQ_LIMIT = 0xFFFFFFFD

_AH = struct.Struct("!BBH4sI12s")


def icv(key: bytes, ip_header: bytes, ah_header: bytes, vrrp: bytes, *, unicast: bool) -> bytes:
    """The 96-bit ICV of an advert: HMAC-MD5 over it with the mutable fields zeroed.

    ``ip_header`` is the whole IP header (options included), ``ah_header`` the 24 AH bytes
    (its ICV is ignored), ``vrrp`` the VRRP message. TOS, fragment offset and checksum are
    zeroed, and the TTL for unicast (keepalived does so on both ends).
    """
    ip = bytearray(ip_header)
    ip[1] = 0
    ip[6:8] = b"\0\0"
    ip[10:12] = b"\0\0"
    if unicast:
        ip[8] = 0
    ah = bytes(ah_header[:12]) + bytes(ICV_LEN)
    return hmac.new(key, bytes(ip) + ah + vrrp, hashlib.md5).digest()[:ICV_LEN]


def build(vrrp: bytes, *, src: ipaddress.IPv4Address, dst: ipaddress.IPv4Address, ip_id: int,
          seq: int, key: bytes, ttl: int = 255, unicast: bool = False) -> bytes:
    """The whole IPv4 datagram of an AH advert, as keepalived sends it (checksum included).

    ``vrrp`` is the encoded VRRPv2 advert (auth type AH, zero authentication data);
    ``ip_id`` and ``seq`` come from the instance's counters (:class:`SeqCounter`).
    """
    header = ipv4_header(AH_LEN + len(vrrp), src=src, dst=dst, ttl=ttl, proto=IPPROTO_AH,
                         ip_id=ip_id)
    ah = _AH.pack(IPPROTO_VRRP, AH_PAYLOAD_LEN, 0, src.packed, seq, bytes(ICV_LEN))
    # the ICV is computed with the header's checksum zeroed (see icv())
    ah = ah[:12] + icv(key, header, ah, vrrp, unicast=unicast)
    return header + ah + vrrp


@dataclass(frozen=True, slots=True)
class AhHeader:
    """The fields of a received AH header."""

    next_header: int
    payload_len: int
    spi: bytes
    seq: int
    icv: bytes


def split(payload: bytes) -> tuple[AhHeader, bytes]:
    """The AH header of an IP payload of protocol 51, and what follows it (the VRRP message).

    Raises :class:`PacketError` (LENGTH) when the payload cannot hold an AH header and a
    VRRP header, as keepalived's "IPv4 VRRP packet with AH too short".
    """
    if len(payload) < AH_LEN + 8:
        raise PacketError(Reason.LENGTH, f"IPv4 VRRP packet with AH too short - "
                                         f"{len(payload)} bytes after the IP header")
    nh, plen, _rsvd, spi, seq, value = _AH.unpack_from(payload)
    return AhHeader(nh, plen, spi, seq, value), payload[AH_LEN:]


def spi_value(raw: bytes) -> int:
    """A 4-byte address or SPI as keepalived logs it: the raw bytes read as a host integer.

    keepalived prints the network-order word with ``%u`` on a little-endian machine.
    """
    return int.from_bytes(raw, "little")


def verify(key: bytes, ip_header: bytes, payload: bytes, ah: AhHeader, *, name: str,
           unicast: bool) -> None:
    """Check the ICV and the SPI of a received AH advert (``ah``: ``split(payload)[0]``).

    Raises :class:`PacketError` (AH_AUTH) worded as keepalived logs the failure; the
    sequence number is the caller's to check (:meth:`SeqCounter.accept`), after this.
    """
    value = icv(key, ip_header, payload[:AH_LEN], payload[AH_LEN:], unicast=unicast)
    if not hmac.compare_digest(value, ah.icv):
        raise PacketError(Reason.AH_AUTH, f"({name}) IPSEC-AH : invalid IPSEC HMAC-MD5 value. "
                                          "Due to fields mutation or bad password !")
    saddr = ip_header[12:16]
    if ah.spi != saddr:
        raise PacketError(Reason.AH_AUTH, f"IPSEC AH : invalid IPSEC SPI value. "
                                          f"{spi_value(saddr)} and expect {spi_value(ah.spi)}")


class SeqCounter:
    """keepalived's per-instance AH sequence counter (``ipsecah_counter``), both directions.

    Plain state, changed by the instance as keepalived changes it: :meth:`next` for each
    advert sent, :meth:`accept` for each received one that passed the ICV check,
    :meth:`sync` when a master hears a lower priority, :meth:`entering_master`.
    """

    __slots__ = ("seq", "cycle", "ip_id")

    def __init__(self) -> None:
        self.seq = 0
        #: set when the counter reached SEQ_LIMIT (about 136 years of 1 s adverts)
        self.cycle = False
        #: the IP header's identification, +1 per advert, never 0 (the kernel's otherwise)
        self.ip_id = 0

    def next(self) -> tuple[int, int]:
        """(IP id, sequence number) of the next advert sent."""
        self.ip_id = (self.ip_id + 1) & 0xFFFF or 1
        if self.seq > SEQ_LIMIT:
            self.cycle = True
        else:
            self.seq += 1
        return self.ip_id, self.seq

    def accept(self, seq: int, name: str) -> None:
        """Anti-replay: ``seq`` must be newer than everything seen or sent; it becomes the counter.

        Raises :class:`PacketError` (AH_AUTH) with keepalived's log line otherwise.
        """
        if seq > self.seq:
            self.seq = seq
            return
        raise PacketError(Reason.AH_AUTH, f"({name}) IPSEC-AH : sequence number {seq} already "
                                          f"processed. Packet dropped. Local({self.seq})")

    def sync(self, seq: int) -> None:
        """A master heard a lower-priority advert numbered ``seq``: continue past it."""
        self.seq = (seq + 1) & 0xFFFFFFFF
        self.cycle = False

    def entering_master(self) -> None:
        """Becoming MASTER: a cycled counter starts again from 0."""
        if self.cycle:
            self.cycle = False
            self.seq = 0
