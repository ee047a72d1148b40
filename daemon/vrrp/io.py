"""Sockets of the VRRP child: adverts (raw IP protocol 112), gratuitous ARP, unsolicited NA.

Why separate send and receive sockets: a raw socket bound to a local address only
receives packets *addressed to* that address, so a sending socket (:class:`AdvertSender`,
bound to the source address adverts go out from, which the v3 checksum covers) cannot
also receive the multicast adverts. The child shares one sending socket between the
instances with the same interface, source address and TTL: the kernel offers every
VRRP packet it receives to each raw socket of protocol 112 in the namespace.

Receiving is shared, as in keepalived's sockpool: one :class:`ReceiveSocket` per
interface and address family, bound to the interface only, joined once to each VRRP
group its instances use. Its reader (in the child) decodes each advert once and hands
it to the instance(s) with that VRID. One socket per instance would get a copy of every
advert on the link, so N instances would cost N x N deliveries per advert interval.

``auth_type AH`` instances (IPv4 VRRPv2) use protocol 51 instead, as keepalived does: a
receiving socket of their own per interface (the datagrams keep their IP header, which
the ICV covers) and a sending socket that sends whole datagrams (IP_HDRINCL); see
:mod:`.ah`.

IPv4 raw sockets deliver the IP header (TTL and addresses are read from it); IPv6 raw
sockets do not, so hop limit and destination come from ancillary data
(IPV6_RECVHOPLIMIT, IPV6_RECVPKTINFO).

Every datagram carries the time the kernel received it (SO_TIMESTAMPNS, converted to
``time.monotonic()``, the event loop's clock, and bounded by the moment the queue was
last seen empty and the moment it is read): the child reads the socket in batches, and
every protocol timer runs from the advert's arrival, not from when it was read.

Gratuitous ARPs are built by hand and sent on an AF_PACKET socket (there is no IP
socket that can send ARP). Unsolicited neighbour advertisements go through an ICMPv6
raw socket, for which the kernel computes the checksum. Both are shared by every
instance of the child (:class:`_Pool`), as keepalived shares them per interface.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
import time
from typing import NamedTuple

from .ah import IPPROTO_AH
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
#: SO_TIMESTAMPNS(_OLD) of asm-generic (x86, arm, ...); its cmsg type has the same value.
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
_TIMESPEC = struct.Struct("@ll")  # the _OLD layout: two C longs
#: Ancillary buffer: a timestamp, and for IPv6 hop limit and packet info too.
_ANC_SIZE = 256
#: Receive buffer of a shared socket (bytes; the kernel doubles it for bookkeeping).
RCVBUF_SIZE = 1 << 20
ALL_NODES_V6 = ipaddress.IPv6Address("ff02::1")


class Received(NamedTuple):
    """One datagram of protocol 112 as the IP layer delivered it.

    ``arrival``: when the kernel received it, on the ``time.monotonic()`` clock (None if
    unknown). A named tuple rather than a dataclass: one is built per received advert.
    """

    payload: bytes
    src: IPAddress
    dst: IPAddress
    ttl: int | None
    arrival: float | None = None
    #: The IPv4 header, kept for AH datagrams only (their ICV covers it, see :mod:`.ah`).
    header: bytes = b""


class Heard:
    """Where :meth:`ReceiveSocket.receive` notes the arrival of a datagram it knows.

    The reader registers, by the IPv4 datagram's bytes from the source address on
    (addresses and VRRP payload), the adverts it has already checked and handled and
    that need nothing but their arrival time when they come again (a backup's routine
    advert); ``at`` is the arrival of the latest one, None once consumed.
    """

    __slots__ = ("ttl", "at", "count")

    def __init__(self, ttl: int) -> None:
        self.ttl = ttl
        self.at: float | None = None
        #: how many arrived (keepalived's "Advertisements Received" counts them)
        self.count = 0


#: Addresses seen in received packets: one object per address, not one per packet.
_ADDRESSES: dict[bytes, IPAddress] = {}


def _address(raw: bytes) -> IPAddress:
    addr = _ADDRESSES.get(raw)
    if addr is None:
        if len(_ADDRESSES) >= 4096:
            _ADDRESSES.clear()
        addr = _ADDRESSES[raw] = ipaddress.ip_address(raw)
    return addr


def bind_device(sock: socket.socket, ifname: str) -> None:
    sock.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, ifname.encode() + b"\0")


def send_unbound(datagram: bytes, *, ifname: str, ifindex: int,
                 dst: ipaddress.IPv4Address) -> None:
    """Send a whole IPv4 datagram (its own header) out of ``ifname`` from no bound address.

    For the one advert a bound socket cannot send: a MASTER's priority 0 after the
    interface lost the address it advertised from, which keepalived still sends from that
    address (it writes the IPv4 header itself). Rare, so the socket lives for one send.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW) as s:
        bind_device(s, ifname)
        mreqn = struct.pack("4s4si", bytes(4), bytes(4), ifindex)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, mreqn)
        s.sendto(datagram, (str(dst), 0))


class AdvertSender:
    """A sending socket on one interface, bound to a source address (shared by the child).

    ``hdrincl``: the caller sends whole IPv4 datagrams (``auth_type AH``, whose ICV covers
    the IP header: see :mod:`.ah`), as keepalived does with IP_HDRINCL. The socket is of
    protocol IPPROTO_RAW, which the kernel never delivers received packets to.
    """

    def __init__(self, *, family: int, ifname: str, ifindex: int, src: IPAddress,
                 ttl: int = VRRP_TTL, hdrincl: bool = False) -> None:
        self.family = family
        self.ifname = ifname
        self.ifindex = ifindex
        self.src = src
        self.hdrincl = hdrincl
        self._sockaddrs: dict[IPAddress, tuple[str, int] | tuple[str, int, int, int]] = {}
        af = socket.AF_INET if family == 4 else socket.AF_INET6
        if hdrincl and family != 4:
            raise ValueError("only IPv4 adverts are sent with their IP header")
        self.send_sock = socket.socket(af, socket.SOCK_RAW,
                                       socket.IPPROTO_RAW if hdrincl else IPPROTO_VRRP)
        try:
            self._setup(ttl)
        except OSError:
            self.close()
            raise

    def _setup(self, ttl: int) -> None:
        s = self.send_sock
        # Never read, but bound to our address it is handed every VRRP datagram sent to
        # that address (unicast peers' adverts, a flood): the smallest buffer, as
        # keepalived gives its send socket, so they cost no memory while dropped.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 0)
        bind_device(s, self.ifname)
        s.setblocking(False)
        if self.hdrincl:
            s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
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

    def sockaddr(self, dst: IPAddress) -> tuple[str, int] | tuple[str, int, int, int]:
        """The ``sendto`` address of ``dst`` (callers that send often keep it)."""
        sockaddr = self._sockaddrs.get(dst)
        if sockaddr is None:
            if self.family == 4:
                sockaddr = (str(dst), 0)
            else:
                scope = self.ifindex if dst.is_link_local or dst.is_multicast else 0
                sockaddr = (str(dst), 0, 0, scope)
            self._sockaddrs[dst] = sockaddr
        return sockaddr

    def send(self, payload: bytes, dst: IPAddress) -> None:
        self.send_sock.sendto(payload, self.sockaddr(dst))

    def close(self) -> None:
        self.send_sock.close()


class ReceiveSocket:
    """The one receiving socket of an interface and address family (keepalived's sockpool).

    Every instance on the interface shares it: the reader decodes each advert once and
    hands it to the instance(s) with its VRID, instead of every instance's socket
    getting a copy of every advert. Multicast groups are joined once per socket,
    counted per user, and left when the last user is gone.
    """

    def __init__(self, *, family: int, ifname: str, ifindex: int,
                 proto: int = IPPROTO_VRRP) -> None:
        self.family = family
        self.ifname = ifname
        self.ifindex = ifindex
        #: IPPROTO_VRRP, or IPPROTO_AH for ``auth_type AH`` instances (IPv4 only)
        self.proto = proto
        self.groups: dict[IPAddress, int] = {}
        #: When the queue was last seen empty (the earliest a queued datagram can be from).
        self.empty_at = time.monotonic()
        #: Datagrams found in ``known`` by :meth:`receive`.
        self.hits = 0
        af = socket.AF_INET if family == 4 else socket.AF_INET6
        self.sock = socket.socket(af, socket.SOCK_RAW, proto)
        try:
            self._setup()
        except OSError:
            self.close()
            raise

    def _setup(self) -> None:
        r = self.sock
        bind_device(r, self.ifname)
        r.setblocking(False)
        # Adverts of all instances now queue here: room for a burst of RCVBUF_SIZE bytes.
        try:
            r.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, RCVBUF_SIZE)
        except OSError:
            r.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF_SIZE)
        if self.family == 6:
            r.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1)
            r.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVPKTINFO, 1)
        try:
            r.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        except OSError:
            pass  # no kernel timestamps: arrival is the time the datagram is read

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

    def receive(self, known: dict[bytes, Heard] | None = None,
                seen: set[bytes] | None = None, before: float | None = None) -> Received | None:
        """The next sane IP datagram, or None when nothing (more) is queued.

        An IPv4 datagram found in ``known`` (with the same TTL) is not returned: its
        arrival goes to its :class:`Heard` and :attr:`hits` counts it.

        ``seen``: an IPv4 datagram whose kernel timestamp and bytes are in it is skipped
        as a copy already read (from this or another socket), others are added. Two
        sockets' copies of one datagram carry the same timestamp; see
        :meth:`~.receiver.AdvertReceiver.refilter`, the only user.

        ``before``: a known datagram that arrived later is returned, not noted (it comes
        after an event of that time, see :meth:`~.runner.InstanceRunner.flush_heard`).
        """
        sock, lower, v4 = self.sock, self.empty_at, self.family == 4
        now = time.monotonic()
        # Kernel stamps are CLOCK_REALTIME: this turns them into the loop's clock. A
        # clock step cannot move an arrival outside the time the datagram can have
        # been waiting (after the queue was last seen empty, before it was read).
        offset = time.time() - now
        while True:
            try:
                data, anc, _flags, addr = sock.recvmsg(65535, _ANC_SIZE)
            except (BlockingIOError, InterruptedError):
                self.empty_at = now  # anything queued later arrived after this
                return None
            now = time.monotonic()
            arrival = now
            ttl: int | None = None
            dst: IPAddress | None = None
            raw_stamp = b""
            for level, kind, value in anc:
                if kind == SO_TIMESTAMPNS and level == socket.SOL_SOCKET:
                    raw_stamp = value
                    sec, nsec = _TIMESPEC.unpack_from(value)
                    stamp = sec + nsec * 1e-9 - offset
                    if stamp < arrival:
                        arrival = stamp if stamp > lower else lower
                elif level == socket.IPPROTO_IPV6 and kind == IPV6_HOPLIMIT:
                    ttl = struct.unpack("i", value[:4])[0]
                elif level == socket.IPPROTO_IPV6 and kind == IPV6_PKTINFO:
                    dst = _address(value[:16])
            if v4:
                if seen is not None and raw_stamp:
                    token = raw_stamp + data
                    if token in seen:
                        continue  # the other socket's copy was read already
                    seen.add(token)
                if known is not None and data[0] == 0x45:  # no IP options
                    heard = known.get(data[12:])
                    if (heard is not None and heard.ttl == data[8]
                            and (before is None or arrival <= before)):
                        heard.at = arrival
                        heard.count += 1
                        self.hits += 1
                        continue
                rcv = parse_ipv4(data, arrival)
                if rcv is None:
                    continue  # not a sane IPv4 packet: dropped, read on
                return rcv
            src = _address(socket.inet_pton(socket.AF_INET6, addr[0].split("%")[0]))
            return Received(data, src, dst or ipaddress.IPv6Address(0), ttl, arrival)

    def close(self) -> None:
        self.groups.clear()
        self.sock.close()


def parse_ipv4(data: bytes, arrival: float | None = None) -> Received | None:
    if len(data) < 20 or data[0] >> 4 != 4:
        return None
    ihl = (data[0] & 0x0F) * 4
    total = (data[2] << 8) | data[3]
    if ihl < 20 or total > len(data) or total < ihl:
        return None
    return Received(data[ihl:total], _address(data[12:16]), _address(data[16:20]), data[8],
                    arrival, data[:ihl] if data[9] == IPPROTO_AH else b"")


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


#: ICMP6_FILTER (linux/icmpv6.h) and a filter that passes no ICMPv6 type: a sending
#: socket must not be handed a copy of every ICMPv6 packet the node receives.
ICMP6_FILTER = 1
_BLOCK_ALL_ICMP6 = b"\xff" * 32


class _Pool:
    """Sockets shared by every :class:`Announcer` of the child, counted per user.

    keepalived sends its gratuitous ARPs from one socket per interface; one per instance
    would mean 200 sockets on a MASTER of 200 instances. Gratuitous ARPs go out of a
    single packet socket of protocol 0 (which receives nothing: a socket bound to
    ETH_P_ARP would get a copy of every ARP frame on the link, never read) with the
    interface named in each ``sendto``; NAs share one ICMPv6 socket per interface and
    source, its receive side closed by an ICMP6_FILTER that passes nothing.
    """

    def __init__(self) -> None:
        self.arp: socket.socket | None = None
        self.arp_users = 0
        self.icmp6: dict[tuple[str, int, ipaddress.IPv6Address | None],
                         tuple[socket.socket, int]] = {}

    def get_arp(self) -> socket.socket:
        if self.arp is None:
            self.arp = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        self.arp_users += 1
        return self.arp

    def put_arp(self) -> None:
        self.arp_users -= 1
        if self.arp_users <= 0 and self.arp is not None:
            self.arp.close()
            self.arp, self.arp_users = None, 0

    def get_icmp6(self, key: tuple[str, int, ipaddress.IPv6Address | None]) -> socket.socket:
        entry = self.icmp6.get(key)
        if entry is None:
            ifname, ifindex, src = key
            sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
            try:
                bind_device(sock, ifname)
                sock.setsockopt(socket.IPPROTO_ICMPV6, ICMP6_FILTER, _BLOCK_ALL_ICMP6)
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, ifindex)
                if src is not None:
                    sock.bind((str(src), 0, 0, ifindex))
            except OSError:
                sock.close()
                raise
            entry = (sock, 0)
        self.icmp6[key] = (entry[0], entry[1] + 1)
        return entry[0]

    def put_icmp6(self, key: tuple[str, int, ipaddress.IPv6Address | None]) -> None:
        entry = self.icmp6.get(key)
        if entry is None:
            return
        if entry[1] <= 1:
            del self.icmp6[key]
            entry[0].close()
        else:
            self.icmp6[key] = (entry[0], entry[1] - 1)


_POOL = _Pool()


class Announcer:
    """Sends gratuitous ARPs / unsolicited NAs on one interface (sockets: see :class:`_Pool`)."""

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
                self._arp = _POOL.get_arp()
            self._arp.sendto(garp_frame(self.mac, ip), (self.ifname, ETH_P_ARP))
            return
        if self._icmp6 is None:
            self._icmp6 = _POOL.get_icmp6((self.ifname, self.ifindex, self.src_v6))
        self._icmp6.sendto(unsolicited_na(self.mac, ip), (str(ALL_NODES_V6), 0, 0, self.ifindex))

    def close(self) -> None:
        if self._arp is not None:
            _POOL.put_arp()
        if self._icmp6 is not None:
            _POOL.put_icmp6((self.ifname, self.ifindex, self.src_v6))
        self._arp = self._icmp6 = None
