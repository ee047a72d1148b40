"""DNS_CHECK: one UDP query of ``type`` for ``name``; up on a reply with our id and RCODE 0.

keepalived 2.2.7 (check_dns.c): ``retry`` defaults to 3 and ``delay_before_retry`` to the
checker's delay_loop; the type defaults to SOA and the name to the root. keepalived does not
look at ANCOUNT (pass ``require_answer=True`` to :func:`dns_check` to also demand an answer).
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, NamedTuple

from kaconf.checkers.base import (
    BuildContext,
    CheckerKind,
    CheckerSpec,
    CheckResult,
    ConnOpts,
    ProbeContext,
    first_word,
)
from kaconf.model.objects import Checker

if TYPE_CHECKING:
    from kaconf.effective.globals import GlobalState

#: DNS_CHECK ``type`` keyword -> RR type number (check_dns.c DNS_TYPE table).
DNS_TYPES: dict[str, int] = {
    "A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "MX": 15, "TXT": 16, "AAAA": 28,
    "RRSIG": 46, "DNSKEY": 48,
}


class DnsCheck(Checker):
    """DNS_CHECK: a query of ``type`` for ``name``."""

    type: str | None = None
    name: str | None = None


class DnsParams(NamedTuple):
    qtype: int = DNS_TYPES["SOA"]
    name: str = ""


def build(ck: Checker, ctx: BuildContext) -> list[CheckerSpec]:
    assert isinstance(ck, DnsCheck)
    qtype = DNS_TYPES.get((ck.type or "SOA").upper())
    if qtype is None:
        ctx.warn(f"unknown DNS check type {ck.type} - using SOA")
        qtype = DNS_TYPES["SOA"]
    return [ctx.spec(ctx.conn(ck), DnsParams(qtype, ck.name or ""))]


def dump(ck: Checker, gs: GlobalState) -> list[str] | None:
    st = ck.settings
    return ["   Keepalive method = DNS_CHECK",
            f"   Type = {(first_word(st.get('type')) or 'SOA').upper()}",
            f"   Name = {first_word(st.get('name')) or '.'}"]


def dns_query(qid: int, name: str, qtype: int) -> bytes:
    """A recursion-desired query for (name, qtype, IN), as check_dns.c builds it."""
    out = bytearray(struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0))
    for label in name.split("."):
        if label:
            raw = label.encode("idna") if not label.isascii() else label.encode()
            out.append(len(raw))
            out += raw
    out.append(0)
    out += struct.pack("!HH", qtype, 1)
    return bytes(out)


async def dns_check(conn: ConnOpts, params: DnsParams, *,
                    require_answer: bool = False) -> CheckResult:
    """One UDP query; replies with another id or without QR are skipped."""
    import asyncio
    import random
    import socket

    from kaconf.checkers import net

    qid = random.getrandbits(16)
    loop = asyncio.get_running_loop()
    try:
        sock = net.open_socket(conn, socket.SOCK_DGRAM)
    except OSError as e:
        return CheckResult(False, f"DNS_CHECK ({conn}) socket: {net.oserror(e)}")
    try:
        async with asyncio.timeout(conn.timeout):
            await loop.sock_connect(sock, (conn.host, conn.port))
            await loop.sock_sendall(sock, dns_query(qid, params.name, params.qtype))
            while True:
                data = await loop.sock_recv(sock, 4096)
                if len(data) < 12:
                    continue
                rid, flags, _qd, ancount = struct.unpack("!HHHH", data[:8])
                if rid != qid or not flags & 0x8000:
                    continue
                rcode = flags & 0x000F
                if rcode:
                    return CheckResult(False, f"DNS_CHECK ({conn}) read error occurred."
                                       f" (rcode = {rcode})")
                if require_answer and ancount == 0:
                    return CheckResult(False, f"DNS_CHECK ({conn}) no answer")
                return CheckResult(True, f"DNS_CHECK ({conn}) succeeded")
    except TimeoutError:
        return CheckResult(False, f"DNS_CHECK ({conn}) read timeout from socket")
    except OSError as e:
        return CheckResult(False, f"DNS_CHECK ({conn}) failed: {net.oserror(e)}")
    finally:
        sock.close()


async def probe(spec: CheckerSpec, ctx: ProbeContext) -> CheckResult:
    assert spec.conn is not None and isinstance(spec.params, DnsParams), spec.kind
    return await dns_check(spec.conn, spec.params)


KIND = CheckerKind("DNS_CHECK", DnsCheck, build, dump, probe, default_retry=3,
                   default_delay_before_retry=None)
