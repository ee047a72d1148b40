"""HTTP_GET: every ``url`` answers with an accepted status code (and body digest).

keepalived 2.2.7 (check_http.c): each url in turn is fetched over its own connection with
``GET path HTTP/1.0``, ``User-Agent: KeepAliveClient`` and ``Host:`` the virtualhost or
``addr:port``; the status must be in the url's ``status_code`` set (default 200-299) and,
with ``digest``, the MD5 of the body must match. ``delay_before_retry`` defaults to 3 s.
The deprecated ``nb_get_retry`` sets ``retry`` (keepalived reports it and sets the same
value; the last of the two given wins). SSL_GET (:mod:`.ssl_get`) is the same over TLS and
reuses this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

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
from kaconf.model.objects import Checker, Url

if TYPE_CHECKING:
    import ssl

    from kaconf.effective.globals import GlobalState

HTTP_DEFAULT_STATUS = frozenset(range(200, 300))
_HTTP_READ = 65536


class HttpGet(Checker):
    """HTTP_GET: fetch each ``url`` and compare status code / digest."""

    virtualhost: str | None = None
    http_protocol: str | None = None
    enable_sni: bool | None = None
    sni_name: str | None = None
    fast_recovery: bool | None = None
    tls_compliant: bool | None = None


class UrlSpec(NamedTuple):
    """One ``url`` block of HTTP_GET/SSL_GET with its defaults applied."""

    path: str
    digest: str | None = None  # lower-case hex MD5 of the body
    status_codes: frozenset[int] = HTTP_DEFAULT_STATUS
    virtualhost: str | None = None  # the Host header for this url (already inherited)
    sni_name: str | None = None  # server_name for TLS, when enable_sni


class HttpParams(NamedTuple):
    urls: tuple[UrlSpec, ...]
    tls: bool = False
    http_protocol: str = "1.0"  # 1.0 | 1.1 | 1.0C


# -- settings --------------------------------------------------------------------------


def parse_status_codes(words: list[str]) -> tuple[frozenset[int], list[str]]:
    """``status_code 200 301-302``: codes and ranges in 100..599; bad words are reported."""
    codes: set[int] = set()
    bad: list[str] = []
    for w in words:
        lo_s, sep, hi_s = w.partition("-")
        try:
            lo = int(lo_s, 10)
            hi = int(hi_s, 10) if sep else lo
        except ValueError:
            bad.append(w)
            continue
        if not (100 <= lo <= 599 and 100 <= hi <= 599 and lo <= hi):
            bad.append(w)
            continue
        codes.update(range(lo, hi + 1))
    return frozenset(codes), bad


def _first(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


def build(ck: Checker, ctx: BuildContext) -> list[CheckerSpec]:
    assert isinstance(ck, HttpGet)
    what = ctx.what
    urls: list[UrlSpec] = []
    vs_vhost = ctx.vs.get("virtualhost")
    rs_vhost = ctx.rs.get("virtualhost")
    for u in ck.url:
        if not u.path:
            ctx.warn("url without path - ignoring the url")
            continue
        codes = HTTP_DEFAULT_STATUS
        if u.status_code:
            codes, bad = parse_status_codes([str(w) for w in u.status_code])
            for b in bad:
                ctx.warnings.append(f"{what}: Invalid HTTP_GET status code '{b}'")
            if not codes:
                codes = HTTP_DEFAULT_STATUS
        digest = None
        if u.digest:
            d = str(u.digest).lower()
            if len(d) == 32 and all(c in "0123456789abcdef" for c in d):
                digest = d
            else:
                ctx.warn(f"digest '{u.digest}' is not 32 hex digits - ignoring")
        vhost = _first(u.virtualhost, ck.virtualhost, rs_vhost, vs_vhost)
        sni = None
        if ck.enable_sni:
            sni = _first(ck.sni_name, u.virtualhost, ck.virtualhost, vs_vhost)
        urls.append(UrlSpec(u.path, digest, codes, vhost, sni))
    if not urls:
        ctx.warn("no url - ignoring the checker")
        return []
    proto = ck.http_protocol or "1.0"
    return [ctx.spec(ctx.conn(ck), HttpParams(tuple(urls), ck.kind == "SSL_GET",
                                              str(proto).upper()))]


# -- dump ------------------------------------------------------------------------------


def status_ranges(url: Url) -> list[str]:
    """A url's accepted status codes as the dump lists them (``200-299``, ``301``)."""
    codes: set[int] = set()
    sc = getattr(url, "status_code", None)
    items: list[str] = []
    if isinstance(sc, list):
        items = [str(x) for x in sc]
    elif sc is not None:
        items = str(sc).replace(",", " ").split()
    for it in items:
        lo_s, _, hi_s = it.partition("-")
        lo = read_uint(lo_s, 100, 599)
        hi = read_uint(hi_s, 100, 599) if hi_s else lo
        if lo is None or hi is None or hi < lo:
            continue
        codes.update(range(lo, hi + 1))
    if not codes:
        codes = set(range(200, 300))
    out: list[str] = []
    start = prev = None
    for c in sorted(codes) + [None]:  # type: ignore[list-item]
        if c is not None and prev is not None and c == prev + 1:
            prev = c
            continue
        if start is not None:
            out.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = c
    return out


def dump(ck: Checker, gs: GlobalState) -> list[str] | None:
    """check_http.c ``dump_http_get_check`` (SSL_GET prints ``SSL_GET``)."""
    st = ck.settings
    hp = first_word(st.get("http_protocol"))
    proto = {"1.1": "1.1", "1.0C": "1.0C", "1.0c": "1.0C"}.get(hp or "", "1.0")
    out = [f"   Keepalive method = {'HTTP' if ck.kind == 'HTTP_GET' else 'SSL'}_GET, "
           f"http protocol {proto}"]
    vh = first_word(st.get("virtualhost"))
    if vh:
        out.append(f"   Virtualhost = {vh}")
    out.append(f"   Enable SNI {'' if st.get('enable_sni') is not None else 'un'}set")
    out.append(f"   Fast recovery {'' if st.get('fast_recovery') is not None else 'un'}set")
    for url in ck.url:
        if not url.path:
            continue
        out.append(f"   Checked url = {url.path}")
        if url.digest:
            out.append(f"     digest = {url.digest.lower()}")
        out.append("     HTTP Status Code(s)")
        out.extend(f"       {x}" for x in status_ranges(url))
        if url.virtualhost:
            out.append(f"     Virtual host = {url.virtualhost}")
    return out


# -- probe -----------------------------------------------------------------------------

_ssl_ctx: ssl.SSLContext | None = None


def _client_ssl_context() -> ssl.SSLContext:
    """One shared context: building one costs milliseconds, far more than a check.

    Certificates are not verified (keepalived's default without an ``SSL`` block).
    """
    import ssl

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


def parse_head(head: bytes) -> tuple[int | None, int | None]:
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
    import asyncio
    import hashlib

    from kaconf.checkers import net

    sock = await net.tcp_connect(conn)
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
                status, length = parse_head(head)
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
    import ssl

    from kaconf.checkers import net

    result = CheckResult(False, "no url")
    for url in params.urls:
        try:
            result = await _fetch(conn, url, params)
        except (OSError, TimeoutError, ssl.SSLError, EOFError) as e:
            what = "SSL" if params.tls else "HTTP"
            return CheckResult(False, f"{what} connection to {conn} url({url.path}) failed:"
                               f" {net.oserror(e)}")
        if not result.up:
            return result
    return result


async def probe(spec: CheckerSpec, ctx: ProbeContext) -> CheckResult:
    assert spec.conn is not None and isinstance(spec.params, HttpParams), spec.kind
    return await http_check(spec.conn, spec.params)


KIND = CheckerKind("HTTP_GET", HttpGet, build, dump, probe, default_delay_before_retry=3.0,
                   aliases={"nb_get_retry": "retry"})
