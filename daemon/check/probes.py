"""One coroutine per checker kind: each runs a single check and says up or down, and why.

Why coroutines on raw non-blocking sockets rather than threads or a client library: the
checker child runs thousands of checks per second in one process (bench/checks.py: 1,000 real
servers at ``delay_loop 1``), so each check must cost a few hundred microseconds of CPU and no
thread.  Only the standard library is used.

What "up" means follows keepalived 2.2.7 (check_*.c):

* TCP_CHECK: the connect() completes within ``connect_timeout``;
* HTTP_GET / SSL_GET: every ``url`` in turn answers with a status in its ``status_code`` set
  (default 200-299) and, when ``digest`` is given, the MD5 of the body matches.  The request
  is keepalived's (``GET path HTTP/1.0``, ``User-Agent: KeepAliveClient``, ``Host:`` the
  virtualhost or ``addr:port``).  TLS certificates are not verified (keepalived's default
  without an ``SSL`` block); with ``enable_sni`` the virtualhost is sent as server name;
* MISC_CHECK: the script exits 0 within ``misc_timeout``; with ``misc_dynamic`` exit codes
  2..255 are "up with weight code-2", 1 is down;
* SMTP_CHECK: banner 220, ``HELO name`` answered 250, ``QUIT`` answered (any code);
* DNS_CHECK: a reply with our id, QR set and RCODE 0 (keepalived does not look at ANCOUNT;
  pass ``require_answer=True`` to :func:`dns_check` to also demand an answer);
* UDP_CHECK: no ICMP error within the timeout; with ``require_reply`` a reply is needed, and
  with reply data it must match (``X`` nibbles are wildcards) and its length must be within
  ``min_reply_length``..``max_reply_length``;
* PING_CHECK: an ICMP echo reply (ping socket when ``ping_group_range`` allows it, else a raw
  socket, which needs CAP_NET_RAW);
* FILE_CHECK: the tracked file's number, times its weight, is not a fault (see
  :func:`file_status`).
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import os
import random
import signal
import socket
import ssl
import struct
from dataclasses import dataclass

from kaconfd.check.spec import (
    IPVS_WEIGHT_FAULT,
    IPVS_WEIGHT_LIMIT,
    ConnOpts,
    DnsParams,
    FileParams,
    HttpParams,
    MiscParams,
    SmtpParams,
    UdpParams,
    UrlSpec,
)

#: keepalived sends this many filler octets when UDP_CHECK has no payload (UDP_BUFSIZE).
UDP_FILLER = bytes(range(0x20, 0x40))
_ICMP_PAYLOAD = bytes(range(56))
_HTTP_READ = 65536
#: How long a timed-out MISC_CHECK script gets between SIGTERM and SIGKILL.
MISC_KILL_GRACE = 2.0

SO_MARK = getattr(socket, "SO_MARK", 36)
SO_BINDTODEVICE = getattr(socket, "SO_BINDTODEVICE", 25)
IP_RECVERR = getattr(socket, "IP_RECVERR", 11)
IPV6_RECVERR = getattr(socket, "IPV6_RECVERR", 25)


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The verdict of one check.

    ``weight`` carries a weight for the two checkers that set one: for MISC_CHECK with
    ``misc_dynamic`` the real server weight the script asked for (exit code - 2; None for exit
    0, meaning "the configured weight"); for FILE_CHECK the offset the file's value adds to the
    real server's weight.
    """

    up: bool
    reason: str = ""
    weight: int | None = None


class CheckUnsupported(Exception):
    """This checker cannot run here (e.g. BFD_CHECK, which needs keepalived's BFD process)."""


# -- sockets ---------------------------------------------------------------------------


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ipaddress.ip_address(host).version == 6 else socket.AF_INET


def open_socket(conn: ConnOpts, kind: int, proto: int = 0) -> socket.socket:
    """A non-blocking socket with ``bindto``/``bind_port``/``bind_if``/``fwmark`` applied."""
    sock = socket.socket(_family(conn.host), kind | socket.SOCK_CLOEXEC, proto)
    try:
        sock.setblocking(False)
        if conn.fwmark:
            sock.setsockopt(socket.SOL_SOCKET, SO_MARK, conn.fwmark)
        if conn.bind_if:
            sock.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, conn.bind_if.encode())
        if conn.bindto is not None or conn.bind_port:
            if conn.bind_port:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            default = "::" if sock.family == socket.AF_INET6 else "0.0.0.0"
            sock.bind((conn.bindto or default, conn.bind_port or 0))
    except BaseException:
        sock.close()
        raise
    return sock


async def tcp_connect(conn: ConnOpts) -> socket.socket:
    """Connect within ``conn.timeout``; the caller owns (and closes) the socket."""
    sock = open_socket(conn, socket.SOCK_STREAM)
    try:
        async with asyncio.timeout(conn.timeout):
            await asyncio.get_running_loop().sock_connect(sock, (conn.host, conn.port))
    except BaseException:
        sock.close()
        raise
    return sock


def _oserror(e: BaseException) -> str:
    if isinstance(e, TimeoutError):
        return "timeout"
    if isinstance(e, OSError) and e.errno:
        return os.strerror(e.errno)
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    return str(e) or type(e).__name__


# -- TCP_CHECK -------------------------------------------------------------------------


async def tcp_check(conn: ConnOpts) -> CheckResult:
    """TCP_CHECK: can we complete a TCP handshake with ``conn`` in time?"""
    try:
        sock = await tcp_connect(conn)
    except (OSError, TimeoutError) as e:
        return CheckResult(False, f"TCP connection to {conn} failed: {_oserror(e)}")
    sock.close()
    return CheckResult(True, f"TCP connection to {conn} success")


# -- HTTP_GET / SSL_GET ----------------------------------------------------------------

_ssl_ctx: ssl.SSLContext | None = None


def _client_ssl_context() -> ssl.SSLContext:
    """One shared context: building one costs milliseconds, far more than a check."""
    global _ssl_ctx
    if _ssl_ctx is None:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        _ssl_ctx = ctx
    return _ssl_ctx


def http_request(url: UrlSpec, conn: ConnOpts, protocol: str = "1.0") -> bytes:
    """The request keepalived sends (check_http.c ``request_template``)."""
    minor = 1 if protocol == "1.1" else 0
    close = "Connection: close\r\n" if protocol in ("1.1", "1.0C") else ""
    if url.virtualhost:
        host = url.virtualhost
    elif ":" in conn.host:
        host = f"[{conn.host}]:{conn.port}"
    else:
        host = f"{conn.host}:{conn.port}"
    return (f"GET {url.path} HTTP/1.{minor}\r\nUser-Agent: KeepAliveClient\r\n{close}"
            f"Host: {host}\r\n\r\n").encode("latin-1")


def _parse_head(head: bytes) -> tuple[int | None, int | None]:
    """(status code, Content-Length) of a response head; None where absent or garbled."""
    lines = head.split(b"\n")
    status = None
    parts = lines[0].split()
    if len(parts) >= 2 and parts[0].startswith(b"HTTP/") and parts[1].isdigit():
        status = int(parts[1])
    length = None
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if sep and name.strip().lower() == b"content-length":
            try:
                length = int(value.strip())
            except ValueError:
                length = None
    return status, length


async def _fetch(conn: ConnOpts, url: UrlSpec, params: HttpParams) -> CheckResult:
    sock = await tcp_connect(conn)
    writer: asyncio.StreamWriter | None = None
    try:
        async with asyncio.timeout(conn.timeout):
            if params.tls:
                reader, writer = await asyncio.open_connection(
                    sock=sock, ssl=_client_ssl_context(),
                    server_hostname=url.sni_name or "", ssl_handshake_timeout=conn.timeout)
            else:
                reader, writer = await asyncio.open_connection(sock=sock)
            writer.write(http_request(url, conn, params.http_protocol))
            await writer.drain()
        buf = b""
        md5 = hashlib.md5(usedforsecurity=False)
        head: bytes | None = None
        status = length = None
        received = 0
        while True:
            async with asyncio.timeout(conn.timeout):
                chunk = await reader.read(_HTTP_READ)
            if not chunk:
                break
            if head is None:
                buf += chunk
                end = buf.find(b"\r\n\r\n")
                sep = 4
                if end < 0:
                    end, sep = buf.find(b"\n\n"), 2
                if end < 0:
                    if len(buf) > 1 << 20:
                        return CheckResult(False, "HTTP header too long")
                    continue
                head, body = buf[:end], buf[end + sep:]
                status, length = _parse_head(head)
                buf = b""
            else:
                body = chunk
            md5.update(body)
            received += len(body)
            if length is not None and received >= length:
                break
        if head is None:
            return CheckResult(False, "Read, no data received" if not buf
                               else "HTTP response without header end")
    finally:
        if writer is not None:
            writer.transport.abort()
        else:
            sock.close()
    where = f"{conn} url({url.path})"
    if status is None or status not in url.status_codes:
        return CheckResult(False, f"HTTP status code error to {where}: {status}")
    if url.digest is not None:
        got = md5.hexdigest()
        if got != url.digest:
            return CheckResult(False, f"MD5 digest error to {where}: {got}")
        return CheckResult(True, f"MD5 digest success to {where}")
    return CheckResult(True, f"HTTP status code success to {where}")


async def http_check(conn: ConnOpts, params: HttpParams) -> CheckResult:
    """HTTP_GET / SSL_GET: every url must pass, each over its own connection."""
    result = CheckResult(False, "no url")
    for url in params.urls:
        try:
            result = await _fetch(conn, url, params)
        except (OSError, TimeoutError, ssl.SSLError, EOFError) as e:
            what = "SSL" if params.tls else "HTTP"
            return CheckResult(False, f"{what} connection to {conn} url({url.path}) failed:"
                               f" {_oserror(e)}")
        if not result.up:
            return result
    return result


# -- MISC_CHECK ------------------------------------------------------------------------


def _kill_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


async def misc_check(params: MiscParams) -> CheckResult:
    """MISC_CHECK: run the script in its own session, bounded by ``misc_timeout``."""
    kwargs: dict[str, object] = {}
    if params.user:
        kwargs["user"] = params.user
    try:
        proc = await asyncio.create_subprocess_exec(
            *params.args, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
            start_new_session=True, **kwargs)  # type: ignore[arg-type]
    except (OSError, ValueError, KeyError) as e:
        return CheckResult(False, f"Misc check {params.args[0]} cannot run: {_oserror(e)}")
    try:
        async with asyncio.timeout(params.timeout):
            code = await proc.wait()
    except TimeoutError:
        _kill_group(proc.pid, signal.SIGTERM)
        try:
            async with asyncio.timeout(MISC_KILL_GRACE):
                await proc.wait()
        except TimeoutError:
            _kill_group(proc.pid, signal.SIGKILL)
            await proc.wait()
        return CheckResult(False, f"Misc check {params.args[0]} timed out")
    except asyncio.CancelledError:
        _kill_group(proc.pid, signal.SIGKILL)
        raise
    if code < 0:
        return CheckResult(False, f"Misc check {params.args[0]} killed by signal {-code}")
    if code == 0:
        return CheckResult(True, f"Misc check {params.args[0]} succeeded")
    if params.dynamic and 2 <= code <= 255:
        return CheckResult(True, f"Misc check {params.args[0]} succeeded with weight"
                           f" {code - 2}", weight=code - 2)
    return CheckResult(False, f"Misc check {params.args[0]} failed: exited with status {code}")


# -- SMTP_CHECK ------------------------------------------------------------------------


async def _smtp_reply(reader: asyncio.StreamReader, timeout: float) -> int:
    """The code of one (possibly multi-line, ``250-``) SMTP reply; -1 if garbled."""
    while True:
        async with asyncio.timeout(timeout):
            line = await reader.readline()
        if not line:
            raise EOFError("connection closed")
        code = line[:3]
        if len(line) < 3 or not code.isdigit():
            return -1
        if line[3:4] == b"-":
            continue
        if line[3:4] not in (b" ", b"\r", b"\n", b""):
            return -1
        return int(code)


async def smtp_check(conn: ConnOpts, params: SmtpParams) -> CheckResult:
    """SMTP_CHECK: 220 banner, ``HELO`` -> 250, ``QUIT``."""
    try:
        sock = await tcp_connect(conn)
    except (OSError, TimeoutError) as e:
        return CheckResult(False, f"Error connecting to server {conn}: {_oserror(e)}")
    writer: asyncio.StreamWriter | None = None
    try:
        reader, writer = await asyncio.open_connection(sock=sock)
        if await _smtp_reply(reader, conn.timeout) != 220:
            return CheckResult(False, f"Bad greeting banner from server {conn}")
        writer.write(f"HELO {params.helo_name}\r\n".encode())
        async with asyncio.timeout(conn.timeout):
            await writer.drain()
        if await _smtp_reply(reader, conn.timeout) != 250:
            return CheckResult(False, f"Bad HELO response from server {conn}")
        writer.write(b"QUIT\r\n")
        async with asyncio.timeout(conn.timeout):
            await writer.drain()
        await _smtp_reply(reader, conn.timeout)
    except (OSError, TimeoutError, EOFError) as e:
        return CheckResult(False, f"SMTP dialogue with server {conn} failed: {_oserror(e)}")
    finally:
        if writer is not None:
            writer.transport.abort()
        else:
            sock.close()
    return CheckResult(True, f"SMTP connection to {conn} success")


# -- DNS_CHECK -------------------------------------------------------------------------


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
    """DNS_CHECK: one UDP query; replies with another id or without QR are skipped."""
    qid = random.getrandbits(16)
    loop = asyncio.get_running_loop()
    try:
        sock = open_socket(conn, socket.SOCK_DGRAM)
    except OSError as e:
        return CheckResult(False, f"DNS_CHECK ({conn}) socket: {_oserror(e)}")
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
        return CheckResult(False, f"DNS_CHECK ({conn}) failed: {_oserror(e)}")
    finally:
        sock.close()


# -- UDP_CHECK -------------------------------------------------------------------------


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
    """UDP_CHECK: silence is success unless a reply is required; an ICMP error is failure."""
    loop = asyncio.get_running_loop()
    try:
        sock = open_socket(conn, socket.SOCK_DGRAM)
    except OSError as e:
        return CheckResult(False, f"UDP socket for {conn}: {_oserror(e)}")
    try:
        if sock.family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVERR, 1)
        else:
            sock.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
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
        return CheckResult(False, f"UDP connection to {conn} failed: {_oserror(e)}")
    finally:
        sock.close()
    if params.reply_data is not None and not udp_reply_matches(data, params):
        return CheckResult(False, f"UDP check to {conn} reply data mismatch")
    return CheckResult(True, f"UDP connection to {conn} success")


# -- PING_CHECK ------------------------------------------------------------------------

#: family -> socket type that worked (SOCK_DGRAM "ping socket" or SOCK_RAW)
_icmp_kind: dict[int, int] = {}


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def _icmp_socket(conn: ConnOpts) -> socket.socket:
    fam = _family(conn.host)
    proto = socket.IPPROTO_ICMPV6 if fam == socket.AF_INET6 else socket.IPPROTO_ICMP
    kinds = [_icmp_kind[fam]] if fam in _icmp_kind else [socket.SOCK_DGRAM, socket.SOCK_RAW]
    err: OSError | None = None
    for kind in kinds:
        try:
            sock = open_socket(conn, kind, proto)
        except PermissionError as e:
            err = e
            continue
        _icmp_kind[fam] = kind
        return sock
    assert err is not None
    raise err


async def ping_check(conn: ConnOpts) -> CheckResult:
    """PING_CHECK: one ICMP(v6) echo request, answered within the timeout."""
    loop = asyncio.get_running_loop()
    try:
        sock = _icmp_socket(conn)
    except OSError as e:
        return CheckResult(False, f"ICMP socket for {conn.host}: {_oserror(e)}")
    v6 = sock.family == socket.AF_INET6
    raw = sock.type == socket.SOCK_RAW
    ident = random.getrandbits(16)
    seq = random.getrandbits(16)
    req_type, rep_type = (128, 129) if v6 else (8, 0)
    pkt = struct.pack("!BBHHH", req_type, 0, 0, ident, seq) + _ICMP_PAYLOAD
    if not v6:
        pkt = pkt[:2] + struct.pack("!H", _checksum(pkt)) + pkt[4:]
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
        return CheckResult(False, f"ICMP echo to {conn.host} failed: {_oserror(e)}")
    finally:
        sock.close()


# -- FILE_CHECK ------------------------------------------------------------------------


def read_track_file(path: str) -> int | None:
    """The number in a tracked file, read like keepalived (strtol base 0 of <=127 bytes).

    A missing or empty file, or text without a number, reads as 0; a number outside the
    32-bit range is invalid (None: keepalived logs it and keeps the previous value).
    """
    try:
        with open(path, "rb") as f:
            text = f.read(127).decode("latin-1")
    except OSError:
        return 0
    value = _strtol0(text)
    if value < -(2**31) or value > 2**31:
        return None
    return value


def _strtol0(text: str) -> int:
    s = text.lstrip(" \t\n\r\f\v")
    sign = 1
    if s[:1] in "+-" and s:
        sign = -1 if s[0] == "-" else 1
        s = s[1:]
    base = 10
    if s[:2].lower() == "0x" and len(s) > 2 and s[2] in "0123456789abcdefABCDEF":
        base, s = 16, s[2:]
    elif s[:1] == "0":
        base = 8
    digits = "0123456789abcdef"[:base]
    n = 0
    for c in s:
        d = digits.find(c.lower())
        if d < 0:
            break
        n = n * base + d
    return sign * n


def file_status(value: int, params: FileParams) -> CheckResult:
    """FILE_CHECK verdict for a file value (track_file.c ``update_track_file_status``).

    Weight 0: any non-zero value is a fault (``reverse``: zero is).  Otherwise the value times
    the weight (negated by ``reverse``) is added to the real server's weight, and a product at
    or below -2^31 is a fault.
    """
    if params.weight == 0:
        fault = (value != 0) != params.reverse
        return CheckResult(not fault, f"track file {params.path} = {value}"
                           + (" (fault)" if fault else ""), weight=0)
    status = value * params.weight * (-1 if params.reverse else 1)
    if status <= IPVS_WEIGHT_FAULT:
        return CheckResult(False, f"track file {params.path} = {value} (fault)", weight=0)
    status = min(status, IPVS_WEIGHT_LIMIT)
    return CheckResult(True, f"track file {params.path} = {value}, weight {status:+d}",
                       weight=status)
