"""VRRP advertisement codec (RFC 3768 VRRPv2, RFC 5798 VRRPv3): bytes in, bytes out.

Theory of operation
-------------------
An advertisement is the IP payload of protocol 112. Both versions share an 8-byte
header; they differ in what follows and in how the checksum is computed::

    v2 (RFC 3768 §5.1, IPv4 only)          v3 (RFC 5798 §5.1, IPv4 and IPv6)
    0: version(4) | type(4)                0: version(4) | type(4)
    1: VRID                                1: VRID
    2: priority                            2: priority
    3: count of addresses                  3: count of addresses
    4: auth type                           4: reserved(4) | max advert int(12), centiseconds
    5: advert int, seconds                 5:   (cont.)
    6: checksum                            6: checksum
    8: addresses (4 bytes each)            8: addresses (4 or 16 bytes each)
       auth data (8 bytes)

* v2 checksum: over the VRRP message only.
* v3 checksum: over an IPv4 or IPv6 pseudo-header (source, destination, protocol 112,
  VRRP length) followed by the VRRP message, as for UDP/TCP.

Decoding untrusted bytes happens in two steps, as RFC 5798 §7.1 lists them:
:func:`decode` checks what can be checked from the packet alone (length, version,
type, checksum) and :func:`validate` checks it against the receiving instance (TTL,
VRID, authentication, advertisement interval). Both raise :class:`PacketError` whose
:attr:`~PacketError.reason` says which check failed, so callers can count and log
rejections without parsing messages.

Nothing here touches sockets or clocks.
"""

from __future__ import annotations

import enum
import ipaddress
import struct
from collections.abc import Callable
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: IP protocol number of VRRP (both versions).
IPPROTO_VRRP = 112
#: Destination of multicast advertisements.
VRRP_MCAST_V4 = ipaddress.IPv4Address("224.0.0.18")
VRRP_MCAST_V6 = ipaddress.IPv6Address("ff02::12")
#: TTL / hop limit every multicast advertisement is sent and must be received with.
VRRP_TTL = 255
#: The only packet type either version defines.
TYPE_ADVERTISEMENT = 1
#: Priority that announces "the master is stopping" (RFC 3768 §5.3.4).
PRIORITY_STOP = 0
#: Priority of the address owner.
PRIORITY_OWNER = 255

HEADER_LEN = 8
V2_AUTH_LEN = 8
#: Largest interval field in v3 (12 bits of centiseconds = 40.95 s).
V3_MAX_ADVERT_CS = 0x0FFF


class AuthType(enum.IntEnum):
    """VRRPv2 authentication types (RFC 2338 §5.3.6; AH is wrapped by :mod:`.ah`)."""

    NONE = 0
    PASS = 1
    AH = 2


class Reason(enum.Enum):
    """Which receive check rejected a packet (one per RFC 5798 §7.1 check)."""

    LENGTH = "length"
    VERSION = "version"
    TYPE = "type"
    CHECKSUM = "checksum"
    TTL = "ttl"
    VRID = "vrid"
    AUTH = "auth"
    ADVERT_INTERVAL = "advert interval"
    ADDRESS_FAMILY = "address family"
    #: the advert's address count or list is not the instance's VIPs (keepalived's
    #: addr_list_err)
    ADDRESS_LIST = "address list"
    #: ``auth_type AH``: bad ICV or SPI, or a sequence number already seen (:mod:`.ah`)
    AH_AUTH = "ah authentication"


class PacketError(ValueError):
    """A packet that must be discarded, with the check that failed and why."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail


#: TOS of keepalived's IPv4 adverts (internetwork control).
TOS_NETCONTROL = 0xC0
_IPV4 = struct.Struct("!BBHHHBBH4s4s")


def ipv4_header(payload_len: int, *, src: ipaddress.IPv4Address, dst: ipaddress.IPv4Address,
                ttl: int, proto: int = IPPROTO_VRRP, ip_id: int = 0) -> bytes:
    """The IPv4 header keepalived writes itself: TOS internetwork control, no options,
    checksum filled (identification 0: the kernel picks one when it sends)."""
    header = _IPV4.pack(0x45, TOS_NETCONTROL, 20 + payload_len, ip_id & 0xFFFF, 0, ttl,
                        proto, 0, src.packed, dst.packed)
    return header[:10] + struct.pack("!H", inet_checksum(header)) + header[12:]


def ipv4_datagram(payload: bytes, *, src: ipaddress.IPv4Address, dst: ipaddress.IPv4Address,
                  ttl: int, proto: int = IPPROTO_VRRP) -> bytes:
    """``payload`` behind :func:`ipv4_header`."""
    return ipv4_header(len(payload), src=src, dst=dst, ttl=ttl, proto=proto) + payload


def inet_checksum(data: bytes) -> int:
    """RFC 1071 Internet checksum: one's complement of the one's complement sum of 16-bit words.

    Returns the value to put into the checksum field; over a buffer that already holds
    a correct checksum it returns 0.
    """
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def pseudo_header(src: IPAddress, dst: IPAddress, length: int) -> bytes:
    """The IPv4 (RFC 768 style) or IPv6 (RFC 8200 §8.1) pseudo-header a v3 checksum covers."""
    if src.version != dst.version:
        raise ValueError(f"source {src} and destination {dst} are of different families")
    if src.version == 4:
        return src.packed + dst.packed + struct.pack("!BBH", 0, IPPROTO_VRRP, length)
    return src.packed + dst.packed + struct.pack("!I3xB", length, IPPROTO_VRRP)


def auth_data_from_pass(password: str) -> bytes:
    """The 8 authentication bytes for a PASS password: truncated or zero-padded (RFC 2338)."""
    return password.encode()[:V2_AUTH_LEN].ljust(V2_AUTH_LEN, b"\x00")


@dataclass(frozen=True, slots=True)
class Advertisement:
    """One VRRP advertisement, version independent.

    ``advert_int`` is in seconds: whole seconds for v2, hundredths for v3.
    ``auth_type``/``auth_data`` are meaningful for v2 only.
    """

    version: int
    vrid: int
    priority: int
    addresses: tuple[IPAddress, ...]
    advert_int: float
    auth_type: int = AuthType.NONE
    auth_data: bytes = bytes(V2_AUTH_LEN)

    @property
    def family(self) -> int:
        """4 or 6: the IP version of the addresses (4 when there are none)."""
        return self.addresses[0].version if self.addresses else 4

    def _check(self) -> None:
        """Refuse to build a packet that a conforming receiver would reject."""
        if self.version not in (2, 3):
            raise ValueError(f"VRRP version must be 2 or 3, not {self.version}")
        if not 1 <= self.vrid <= 255:
            raise ValueError(f"VRID must be 1..255, not {self.vrid}")
        if not 0 <= self.priority <= 255:
            raise ValueError(f"priority must be 0..255, not {self.priority}")
        if len(self.addresses) > 255:
            raise ValueError("at most 255 addresses fit in one advertisement")
        if len({a.version for a in self.addresses}) > 1:
            raise ValueError("an advertisement carries addresses of one family only")
        if self.version == 2:
            if not 1 <= self.advert_int <= 255 or self.advert_int != int(self.advert_int):
                raise ValueError(f"v2 advert_int must be 1..255 whole seconds: {self.advert_int}")
            if len(self.auth_data) != V2_AUTH_LEN:
                raise ValueError("v2 authentication data is 8 bytes")
        else:
            cs = round(self.advert_int * 100)
            if not 1 <= cs <= V3_MAX_ADVERT_CS:
                raise ValueError(f"v3 advert_int must be 0.01..40.95 s: {self.advert_int}")

    def to_bytes(self, src: IPAddress | None = None, dst: IPAddress | None = None) -> bytes:
        """Encode, with the checksum filled in.

        ``src``/``dst`` (the IP header's addresses) are required for v3 and for v2 over
        IPv6, whose checksums cover the pseudo-header; v2 over IPv4 ignores them.
        """
        self._check()
        count = len(self.addresses)
        addrs = b"".join(a.packed for a in self.addresses)
        ipv6 = self.family == 6 or (not self.addresses and src is not None
                                    and src.version == 6)
        if self.version == 2:
            head = struct.pack("!BBBBBBH", (2 << 4) | TYPE_ADVERTISEMENT, self.vrid,
                               self.priority, count, self.auth_type, int(self.advert_int), 0)
            if not ipv6:
                body = head + addrs + self.auth_data
                csum = inet_checksum(body)
            else:
                # keepalived's VRRPv2 over IPv6 (non-strict): no authentication data,
                # and the checksum covers the IPv6 pseudo-header, as in v3
                if src is None or dst is None:
                    raise ValueError("an IPv6 checksum needs the source and destination address")
                body = head + addrs
                csum = inet_checksum(pseudo_header(src, dst, len(body)) + body)
        else:
            if src is None or dst is None:
                raise ValueError("a VRRPv3 checksum needs the source and destination address")
            head = struct.pack("!BBBBHH", (3 << 4) | TYPE_ADVERTISEMENT, self.vrid,
                               self.priority, count, round(self.advert_int * 100), 0)
            body = head + addrs
            csum = inet_checksum(pseudo_header(src, dst, len(body)) + body)
        return body[:6] + struct.pack("!H", csum) + body[8:]


def decode(data: bytes, *, family: int, src: IPAddress | None = None,
           dst: IPAddress | None = None) -> Advertisement:
    """Parse an advertisement received over IPv``family``; checks that need no local state.

    ``src``/``dst`` are the IP header's addresses; they are required to verify a v3
    checksum. Raises :class:`PacketError` (LENGTH, VERSION, TYPE, ADDRESS_FAMILY, CHECKSUM).
    """
    if len(data) < HEADER_LEN:
        raise PacketError(Reason.LENGTH, f"{len(data)} bytes, shorter than the 8-byte header")
    version, ptype = data[0] >> 4, data[0] & 0x0F
    if version not in (2, 3):
        raise PacketError(Reason.VERSION, f"version {version} is not 2 or 3")
    if ptype != TYPE_ADVERTISEMENT:
        raise PacketError(Reason.TYPE, f"type {ptype} is not ADVERTISEMENT (1)")
    vrid, priority, count = data[1], data[2], data[3]
    alen = 4 if family == 4 else 16
    # VRRPv2 over IPv6 (keepalived without strict mode) carries no authentication data
    auth_len = V2_AUTH_LEN if version == 2 and family == 4 else 0
    expected = HEADER_LEN + count * alen + auth_len
    if len(data) != expected:
        raise PacketError(Reason.LENGTH, f"{len(data)} bytes, {count} addresses need {expected}")
    if version == 2 and family == 4:
        csum = inet_checksum(data)
    else:
        if src is None or dst is None:
            raise ValueError("verifying a VRRPv3 checksum needs the source and destination")
        csum = inet_checksum(pseudo_header(src, dst, len(data)) + data)
    if csum != 0:
        got = struct.unpack_from("!H", data, 6)[0]
        raise PacketError(Reason.CHECKSUM, f"checksum 0x{got:04x} does not verify")
    cls = ipaddress.IPv4Address if family == 4 else ipaddress.IPv6Address
    addresses = tuple(cls(data[HEADER_LEN + i * alen:HEADER_LEN + (i + 1) * alen])
                      for i in range(count))
    if version == 2:
        auth_off = HEADER_LEN + count * alen
        auth = bytes(data[auth_off:auth_off + auth_len]) or bytes(V2_AUTH_LEN)
        return Advertisement(2, vrid, priority, addresses, float(data[5]),
                             auth_type=data[4], auth_data=auth)
    interval_cs = struct.unpack_from("!H", data, 4)[0] & V3_MAX_ADVERT_CS  # rsvd bits ignored
    return Advertisement(3, vrid, priority, addresses, interval_cs / 100)


@dataclass(frozen=True, slots=True)
class Expectation:
    """What the receiving instance requires of an advertisement (RFC 5798 §7.1)."""

    version: int
    vrid: int
    advert_int: float
    auth_type: int = AuthType.NONE
    auth_data: bytes = bytes(V2_AUTH_LEN)
    #: Multicast adverts must arrive with TTL 255; unicast ones may have been routed.
    check_ttl: bool = True


def validate(adv: Advertisement, expect: Expectation, ttl: int | None,
             authenticate: Callable[[], None] | None = None) -> None:
    """Checks against the receiving instance; raises :class:`PacketError` on the first failure.

    A v3 advertisement whose interval differs from ours is accepted: the backup adopts the
    master's interval (RFC 5798 §6.4.2). v2 has no such rule and requires equality
    (RFC 3768 §7.1). ``authenticate`` (``auth_type AH``: the ICV and sequence number
    checks of :mod:`.ah`) runs where keepalived runs it: after the auth type check,
    before the interval check.
    """
    if expect.check_ttl and ttl is not None and ttl != VRRP_TTL:
        raise PacketError(Reason.TTL, f"TTL/hop limit {ttl}, must be {VRRP_TTL}")
    if adv.version != expect.version:
        raise PacketError(Reason.VERSION, f"version {adv.version}, configured {expect.version}")
    if adv.vrid != expect.vrid:
        raise PacketError(Reason.VRID, f"VRID {adv.vrid}, configured {expect.vrid}")
    if adv.version == 2:
        if adv.auth_type not in (AuthType.NONE, AuthType.PASS, AuthType.AH):
            raise PacketError(Reason.AUTH, f"invalid auth type {adv.auth_type}")
        if adv.auth_type != expect.auth_type:
            raise PacketError(Reason.AUTH, f"auth type {adv.auth_type}, "
                                           f"configured {int(expect.auth_type)}")
        if expect.auth_type == AuthType.PASS and adv.auth_data != expect.auth_data:
            raise PacketError(Reason.AUTH, "authentication password mismatch")
        if authenticate is not None:
            authenticate()
        if adv.advert_int != expect.advert_int:
            raise PacketError(Reason.ADVERT_INTERVAL,
                              f"advert interval {adv.advert_int:g}s, "
                              f"configured {expect.advert_int:g}s")
