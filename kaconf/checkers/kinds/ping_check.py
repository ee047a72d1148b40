"""PING_CHECK: up when an ICMP(v6) echo request is answered within connect_timeout.

A "ping socket" (SOCK_DGRAM) is used when ``net.ipv4.ping_group_range`` allows it, else a raw
socket, which needs CAP_NET_RAW; the one that worked is remembered per address family.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from kaconf.checkers.base import (
    BuildContext,
    CheckerKind,
    CheckerSpec,
    CheckResult,
    ConnOpts,
    ProbeContext,
)
from kaconf.model.objects import Checker

if TYPE_CHECKING:
    import socket

    from kaconf.effective.globals import GlobalState

_ICMP_PAYLOAD = bytes(range(56))
#: address family -> socket type that worked (SOCK_DGRAM "ping socket" or SOCK_RAW)
ICMP_SOCKET_KIND: dict[int, int] = {}


class PingCheck(Checker):
    """PING_CHECK: ICMP echo to the real server."""


def build(ck: Checker, ctx: BuildContext) -> list[CheckerSpec]:
    return [ctx.spec(ctx.conn(ck), None)]


def dump(ck: Checker, gs: GlobalState) -> list[str] | None:
    return ["   Keepalive method = PING_CHECK"]


def checksum(data: bytes) -> int:
    """The internet checksum (RFC 1071) of ``data``."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def _icmp_socket(conn: ConnOpts) -> socket.socket:
    import socket

    from kaconf.checkers import net

    fam = net.family(conn.host)
    proto = socket.IPPROTO_ICMPV6 if fam == socket.AF_INET6 else socket.IPPROTO_ICMP
    kinds = ([ICMP_SOCKET_KIND[fam]] if fam in ICMP_SOCKET_KIND
             else [socket.SOCK_DGRAM, socket.SOCK_RAW])
    err: OSError | None = None
    for kind in kinds:
        try:
            sock = net.open_socket(conn, kind, proto)
        except PermissionError as e:
            err = e
            continue
        ICMP_SOCKET_KIND[fam] = kind
        return sock
    assert err is not None
    raise err


async def ping_check(conn: ConnOpts) -> CheckResult:
    """One ICMP(v6) echo request, answered within the timeout."""
    import asyncio
    import ipaddress
    import random
    import socket

    from kaconf.checkers import net

    loop = asyncio.get_running_loop()
    try:
        sock = _icmp_socket(conn)
    except OSError as e:
        return CheckResult(False, f"ICMP socket for {conn.host}: {net.oserror(e)}")
    v6 = sock.family == socket.AF_INET6
    raw = sock.type == socket.SOCK_RAW
    ident = random.getrandbits(16)
    seq = random.getrandbits(16)
    req_type, rep_type = (128, 129) if v6 else (8, 0)
    pkt = struct.pack("!BBHHH", req_type, 0, 0, ident, seq) + _ICMP_PAYLOAD
    if not v6:
        pkt = pkt[:2] + struct.pack("!H", checksum(pkt)) + pkt[4:]
    target = ipaddress.ip_address(conn.host)
    try:
        async with asyncio.timeout(conn.timeout):
            sock.connect((conn.host, 0))  # immediate for ICMP; no resolver involved
            await loop.sock_sendall(sock, pkt)
            while True:
                data = await loop.sock_recv(sock, 2048)
                if raw and not v6:
                    if len(data) < 20 or ipaddress.ip_address(data[12:16]) != target:
                        continue
                    data = data[(data[0] & 0x0F) * 4:]
                if len(data) < 8:
                    continue
                rtype, _code, _ck, rid, rseq = struct.unpack("!BBHHH", data[:8])
                if rtype != rep_type or rseq != seq or (raw and rid != ident):
                    continue
                return CheckResult(True, f"ICMP echo reply from {conn.host}")
    except TimeoutError:
        return CheckResult(False, f"no ICMP echo reply from {conn.host}")
    except OSError as e:
        return CheckResult(False, f"ICMP echo to {conn.host} failed: {net.oserror(e)}")
    finally:
        sock.close()


async def probe(spec: CheckerSpec, ctx: ProbeContext) -> CheckResult:
    assert spec.conn is not None, spec.kind
    return await ping_check(spec.conn)


KIND = CheckerKind("PING_CHECK", PingCheck, build, dump, probe)
