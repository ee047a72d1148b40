"""UDP_CHECK: send ``payload``; silence is success unless a reply is required.

keepalived 2.2.7 (check_udp.c): an ICMP error is a failure; with ``require_reply`` a reply is
needed, and with reply data it must match (``X`` nibbles are wildcards) and its length must
be within ``min_reply_length``..``max_reply_length`` (default 0..255). Without a payload
keepalived sends filler octets.
"""

from __future__ import annotations

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
from kaconf.effective.values import read_uint
from kaconf.model.objects import Checker

if TYPE_CHECKING:
    from kaconf.effective.globals import GlobalState

#: keepalived sends this many filler octets when UDP_CHECK has no payload (UDP_BUFSIZE).
UDP_FILLER = bytes(range(0x20, 0x40))
IP_RECVERR = 11  # socket.IP_RECVERR (Linux)
IPV6_RECVERR = 25  # socket.IPV6_RECVERR (Linux)


class UdpCheck(Checker):
    """UDP_CHECK: send ``payload``, optionally require a reply."""

    payload: str | None = None
    require_reply: str | None = None
    min_reply_length: int | None = None
    max_reply_length: int | None = None


class UdpParams(NamedTuple):
    payload: bytes | None = None
    require_reply: bool = False
    reply_data: bytes | None = None
    reply_mask: bytes | None = None  # bits set = "don't care" (the X nibbles)
    min_reply_length: int = 0
    max_reply_length: int = 255


def parse_hex(text: str, allow_mask: bool = False) -> tuple[bytes, bytes | None] | None:
    """keepalived's ``read_hex_str``: hex digits, spaces separate octets, ``X`` = wildcard.

    Returns (data, mask) with mask bits set where the reply may differ (None when no
    wildcard was used), or None for invalid text.  A lone digit between spaces is one octet.
    """
    data = bytearray()
    mask = bytearray()
    used_mask = False
    i = 0
    n = len(text)

    def nibble(c: str) -> int | None:
        if c in "0123456789abcdefABCDEF":
            return int(c, 16)
        if allow_mask and c in "xX":
            return -1
        return None

    while True:
        while i < n and text[i] in " \t":
            i += 1
        if i >= n:
            break
        v = nibble(text[i])
        i += 1
        if v is None:
            return None
        m = 0
        if v == -1:
            v, m, used_mask = 0, 0x0F, True
        if i < n and text[i] != " ":
            v2 = nibble(text[i])
            i += 1
            if v2 is None:
                return None
            m2 = 0
            if v2 == -1:
                v2, m2, used_mask = 0, 0x0F, True
            v = (v << 4) | v2
            m = (m << 4) | m2
        data.append(v)
        mask.append(m)
    if not data:
        return None
    return bytes(data), (bytes(mask) if used_mask else None)


def build(ck: Checker, ctx: BuildContext) -> list[CheckerSpec]:
    assert isinstance(ck, UdpCheck)
    payload = None
    s = ck.settings.get("payload")
    if s is not None and s.args:
        parsed = parse_hex(" ".join(s.args))
        if parsed is None:
            ctx.warn("Invalid hex string for UDP_CHECK payload")
        else:
            payload = parsed[0]
    require = ck.given("require_reply")
    reply = mask = None
    s = ck.settings.get("require_reply")
    if s is not None and s.args:
        parsed = parse_hex(" ".join(s.args), allow_mask=True)
        if parsed is None:
            ctx.warn("Invalid hex string for UDP_CHECK reply")
        else:
            reply, mask = parsed
    mn = ck.min_reply_length if ck.min_reply_length is not None else 0
    mx = ck.max_reply_length if ck.max_reply_length is not None else 255
    if mn > mx:
        ctx.warn(f"UDP_CHECK min_reply length {mn} > max_reply_length {mx} - will always fail")
    return [ctx.spec(ctx.conn(ck), UdpParams(payload, require, reply, mask, mn, mx))]


def _hex(ck: Checker, keyword: str, allow_mask: bool = False
         ) -> tuple[bytes, bytes | None] | None:
    """A hex-string keyword's octets and mask (None: absent, without words, or invalid)."""
    s = ck.settings.get(keyword)
    return parse_hex(" ".join(s.args), allow_mask) if s is not None and s.args else None


def _length(ck: Checker, keyword: str, default: int) -> int:
    v = read_uint(first_word(ck.settings.get(keyword)), 0, 65535)
    return default if v is None else v


def dump(ck: Checker, gs: GlobalState) -> list[str] | None:
    """check_udp.c ``dump_udp_check``."""
    out = ["   Keepalive method = UDP_CHECK"]
    payload = _hex(ck, "payload")
    if payload:
        out.append(f"   Payload len = {len(payload[0])}")
    else:
        out.append("   Payload specified = no")
    req = ck.given("require_reply")
    out.append(f"   Require reply = {'yes' if req else 'no'}")
    if req:
        reply = _hex(ck, "require_reply", allow_mask=True)
        out.append(f"     Min reply length = {_length(ck, 'min_reply_length', 0)}")
        out.append(f"     Max reply length = {_length(ck, 'max_reply_length', 255)}")
        out.append(f"     Reply data len = {len(reply[0]) if reply else 0}")
        if reply:
            out.append(f"     Reply data mask = {'yes' if reply[1] is not None else 'no'}")
    return out


def udp_reply_matches(data: bytes, params: UdpParams) -> bool:
    """keepalived's ``check_udp_reply`` (inverted): length bounds, then masked compare."""
    if not params.min_reply_length <= len(data) <= params.max_reply_length:
        return False
    ref = params.reply_data or b""
    mask = params.reply_mask
    for i in range(min(len(data), len(ref))):
        care = 0xFF & ~(mask[i] if mask else 0)
        if (data[i] ^ ref[i]) & care:
            return False
    return True


async def udp_check(conn: ConnOpts, params: UdpParams) -> CheckResult:
    """Silence is success unless a reply is required; an ICMP error is failure."""
    import asyncio
    import socket

    from kaconf.checkers import net

    loop = asyncio.get_running_loop()
    try:
        sock = net.open_socket(conn, socket.SOCK_DGRAM)
    except OSError as e:
        return CheckResult(False, f"UDP socket for {conn}: {net.oserror(e)}")
    try:
        if sock.family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, getattr(socket, "IPV6_RECVERR", IPV6_RECVERR),
                            1)
        else:
            sock.setsockopt(socket.IPPROTO_IP, getattr(socket, "IP_RECVERR", IP_RECVERR), 1)
        await loop.sock_connect(sock, (conn.host, conn.port))
        await loop.sock_sendall(sock, params.payload if params.payload else UDP_FILLER)
        try:
            async with asyncio.timeout(conn.timeout):
                data = await loop.sock_recv(sock, max(params.max_reply_length, 1) + 1)
        except TimeoutError:
            if params.require_reply:
                return CheckResult(False, f"UDP connection to {conn} failed: no reply")
            return CheckResult(True, f"UDP connection to {conn} success (no error)")
    except OSError as e:
        return CheckResult(False, f"UDP connection to {conn} failed: {net.oserror(e)}")
    finally:
        sock.close()
    if params.reply_data is not None and not udp_reply_matches(data, params):
        return CheckResult(False, f"UDP check to {conn} reply data mismatch")
    return CheckResult(True, f"UDP connection to {conn} success")


async def probe(spec: CheckerSpec, ctx: ProbeContext) -> CheckResult:
    assert spec.conn is not None and isinstance(spec.params, UdpParams), spec.kind
    return await udp_check(spec.conn, spec.params)


KIND = CheckerKind("UDP_CHECK", UdpCheck, build, dump, probe)
