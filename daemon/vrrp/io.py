"""Sockets of the VRRP child: adverts (raw IP protocol 112), gratuitous ARP, unsolicited NA.

Why separate send and receive sockets: a raw socket bound to a local address only
receives packets *addressed to* that address, so an instance's sending socket
(:class:`AdvertSender`, bound to the source address it advertises from, which the v3
checksum covers) cannot also receive the multicast adverts.

Receiving is shared, as in keepalived's sockpool: one :class:`ReceiveSocket` per
interface and address family, bound to the interface only, joined once to each VRRP
group its instances use. Its reader (in the child) decodes each advert once and hands
it to the instance(s) with that VRID. One socket per instance would get a copy of every
advert on the link, so N instances would cost N x N deliveries per advert interval.

IPv4 raw sockets deliver the IP header (TTL and addresses are read from it); IPv6 raw
sockets do not, so hop limit and destination come from ancillary data
(IPV6_RECVHOPLIMIT, IPV6_RECVPKTINFO).

Gratuitous ARPs are built by hand and sent on an AF_PACKET socket (there is no IP
socket that can send ARP). Unsolicited neighbour advertisements go through an ICMPv6
raw socket, for which the kernel computes the checksum.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
from dataclasses import dataclass

from .packet import IPPROTO_VRRP, VRRP_TTL

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ETH_P_ARP = 0x0806
ETH_P_IPV6 = 0x86DD
SO_BINDTODEVICE = getattr(socket, "SO_BINDTODEVICE", 25)
IPV6_RECVPKTINFO = getattr(socket, "IPV6_RECVPKTINFO", 49)
IPV6_PKTINFO = getattr(socket, "IPV6_PKTINFO", 50)
IPV6_RECVHOPLIMIT = getattr(socket, "IPV6_RECVHOPLIMIT", 51)
IPV6_HOPLIMIT = getattr(socket, "IPV6_HOPLIMIT", 52)
SO_RCVBUFFORCE = getattr(socket, "SO_RCVBUFFORCE", 33)
#: Receive buffer of a shared socket (bytes; the kernel doubles it for bookkeeping).
RCVBUF_SIZE = 1 << 20
ALL_NODES_V6 = ipaddress.IPv6Address("ff02::1")


@dataclass(frozen=True, slots=True)
class Received:
    """One datagram of protocol 112 as the IP layer delivered it."""

    payload: bytes
    src: IPAddress
    dst: IPAddress
    ttl: int | None


def _bind_device(sock: socket.socket, ifname: str) -> None:
    sock.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, ifname.encode() + b"\0")


class AdvertSender:
    """The sending socket of one instance on one interface, bound to its source address."""

    def __init__(self, *, family: int, ifname: str, ifindex: int, src: IPAddress,
                 ttl: int = VRRP_TTL) -> None:
        self.family = family
        self.ifname = ifname
        self.ifindex = ifindex
        self.src = src
        af = socket.AF_INET if family == 4 else socket.AF_INET6
        self.send_sock = socket.socket(af, socket.SOCK_RAW, IPPROTO_VRRP)
        try:
            self._setup(ttl)
        except OSError:
            self.close()
            raise

    def _setup(self, ttl: int) -> None:
        s = self.send_sock
        _bind_device(s, self.ifname)
        s.setblocking(False)
        if self.family == 4:
            s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
            s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, VRRP_TTL)
            s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
            mreqn = struct.pack("4s4si", bytes(4), self.src.packed, self.ifindex)
            s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, mreqn)
            s.bind((str(self.src), 0))
        else:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, ttl)
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, VRRP_TTL)
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, 0)
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, self.ifindex)
            s.bind((str(self.src), 0, 0, self.ifindex))

    def send(self, payload: bytes, dst: IPAddress) -> None:
        if self.family == 4:
            self.send_sock.sendto(payload, (str(dst), 0))
        else:
            scope = self.ifindex if dst.is_link_local or dst.is_multicast else 0
            self.send_sock.sendto(payload, (str(dst), 0, 0, scope))

    def close(self) -> None:
        self.send_sock.close()


class ReceiveSocket:
    """The one receiving socket of an interface and address family (keepalived's sockpool).

    Every instance on the interface shares it: the reader decodes each advert once and
    hands it to the instance(s) with its VRID, instead of every instance's socket
    getting a copy of every advert. Multicast groups are joined once per socket,
    counted per user, and left when the last user is gone.
    """

    def __init__(self, *, family: int, ifname: str, ifindex: int) -> None:
        self.family = family
        self.ifname = ifname
        self.ifindex = ifindex
        self.groups: dict[IPAddress, int] = {}
        af = socket.AF_INET if family == 4 else socket.AF_INET6
        self.sock = socket.socket(af, socket.SOCK_RAW, IPPROTO_VRRP)
        try:
            self._setup()
        except OSError:
            self.close()
            raise

    def _setup(self) -> None:
        r = self.sock
        _bind_device(r, self.ifname)
        r.setblocking(False)
        # Adverts of all instances now queue here: room for a burst of RCVBUF_SIZE bytes.
        try:
            r.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, RCVBUF_SIZE)
        except OSError:
            r.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF_SIZE)
        if self.family == 6:
            r.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1)
            r.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVPKTINFO, 1)

    def _membership(self, group: IPAddress, join: bool) -> None:
        if self.family == 4:
            mreqn = struct.pack("4s4si", group.packed, bytes(4), self.ifindex)
            opt = socket.IP_ADD_MEMBERSHIP if join else socket.IP_DROP_MEMBERSHIP
            self.sock.setsockopt(socket.IPPROTO_IP, opt, mreqn)
        else:
            mreq = struct.pack("16sI", group.packed, self.ifindex)
            opt = socket.IPV6_JOIN_GROUP if join else socket.IPV6_LEAVE_GROUP
            self.sock.setsockopt(socket.IPPROTO_IPV6, opt, mreq)

    def join(self, group: IPAddress) -> None:
        """One more user of ``group``; the first one joins it on the interface."""
        if group not in self.groups:
            self._membership(group, join=True)
            self.groups[group] = 0
        self.groups[group] += 1

    def leave(self, group: IPAddress) -> None:
        """One user of ``group`` less; the last one leaves it."""
        count = self.groups.get(group, 0) - 1
        if count > 0:
            self.groups[group] = count
            return
        if self.groups.pop(group, None) is not None:
            try:
                self._membership(group, join=False)
            except OSError:
                pass  # the interface is gone, and the membership with it

    def fileno(self) -> int:
        """For ``loop.add_reader``."""
        return self.sock.fileno()

    def receive(self) -> Received | None:
        """The next sane IP datagram, or None when nothing (more) is queued."""
        try:
            if self.family == 4:
                while (rcv := _parse_ipv4(self.sock.recv(65535))) is None:
                    pass  # not a sane IPv4 packet: dropped, read on
                return rcv
            data, anc, _flags, addr = self.sock.recvmsg(65535, 256)
        except (BlockingIOError, InterruptedError):
            return None
        ttl: int | None = None
        dst: IPAddress = ipaddress.IPv6Address(0)
        for level, kind, value in anc:
            if level == socket.IPPROTO_IPV6 and kind == IPV6_HOPLIMIT:
                ttl = struct.unpack("i", value[:4])[0]
            elif level == socket.IPPROTO_IPV6 and kind == IPV6_PKTINFO:
                dst = ipaddress.IPv6Address(value[:16])
        src = ipaddress.IPv6Address(addr[0].split("%")[0])
        return Received(data, src, dst, ttl)

    def close(self) -> None:
        self.groups.clear()
        self.sock.close()


def _parse_ipv4(data: bytes) -> Received | None:
    if len(data) < 20 or data[0] >> 4 != 4:
        return None
    ihl = (data[0] & 0x0F) * 4
    total = struct.unpack_from("!H", data, 2)[0]
    if ihl < 20 or total > len(data) or total < ihl:
        return None
    return Received(data[ihl:total], ipaddress.IPv4Address(data[12:16]),
                    ipaddress.IPv4Address(data[16:20]), data[8])


# --------------------------------------------------------------------------- GARP / NA


def mac_bytes(mac: str) -> bytes:
    return bytes(int(part, 16) for part in mac.split(":"))


def garp_frame(mac: bytes, ip: ipaddress.IPv4Address) -> bytes:
    """A broadcast gratuitous ARP request: sender and target protocol address are ``ip``."""
    eth = b"\xff" * 6 + mac + struct.pack("!H", ETH_P_ARP)
    arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, mac, ip.packed,
                      b"\xff" * 6, ip.packed)
    return eth + arp


def unsolicited_na(mac: bytes, target: ipaddress.IPv6Address, router: bool = False) -> bytes:
    """ICMPv6 neighbour advertisement (RFC 4861 §4.4), Override set, with our MAC as option.

    The checksum is left 0: the kernel fills it in for ICMPv6 raw sockets.
    """
    flags = 0x20000000 | (0x80000000 if router else 0)  # O (and R)
    option = struct.pack("!BB6s", 2, 1, mac)  # target link-layer address, 8 bytes
    return struct.pack("!BBHI16s", 136, 0, 0, flags, target.packed) + option


class Announcer:
    """Sends gratuitous ARPs / unsolicited NAs on one interface."""

    def __init__(self, ifname: str, ifindex: int, mac: str,
                 src_v6: ipaddress.IPv6Address | None = None) -> None:
        self.ifname = ifname
        self.ifindex = ifindex
        self.mac = mac_bytes(mac) if mac else bytes(6)
        self.src_v6 = src_v6
        self._arp: socket.socket | None = None
        self._icmp6: socket.socket | None = None

    def send(self, ip: IPAddress) -> None:
        if isinstance(ip, ipaddress.IPv4Address):
            if self._arp is None:
                self._arp = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                          socket.htons(ETH_P_ARP))
                self._arp.bind((self.ifname, ETH_P_ARP))
            self._arp.send(garp_frame(self.mac, ip))
            return
        if self._icmp6 is None:
            sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
            _bind_device(sock, self.ifname)
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, self.ifindex)
            if self.src_v6 is not None:
                sock.bind((str(self.src_v6), 0, 0, self.ifindex))
            self._icmp6 = sock
        self._icmp6.sendto(unsolicited_na(self.mac, ip), (str(ALL_NODES_V6), 0, 0, self.ifindex))

    def close(self) -> None:
        for sock in (self._arp, self._icmp6):
            if sock is not None:
                sock.close()
        self._arp = self._icmp6 = None
