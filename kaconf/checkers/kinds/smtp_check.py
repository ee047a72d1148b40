"""SMTP_CHECK: a 220 banner, ``HELO name`` answered 250, then ``QUIT`` (any answer).

keepalived 2.2.7 (check_smtp.c): the checker's own connection options make one check; each
``host`` block makes one more, with its own connection options (the checker's, real server's
and virtual server's timers); a checker with only ``host`` blocks checks only them.
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
from kaconf.model.objects import Checker

if TYPE_CHECKING:
    import asyncio

    from kaconf.effective.globals import GlobalState

SMTP_DEFAULT_HELO = "smtpchecker.keepalived.org"
_OWN_CONNECTION = ("connect_ip", "connect_port", "bindto", "bind_port", "bind_if", "fwmark",
                   "connect_timeout")


class SmtpCheck(Checker):
    """SMTP_CHECK: an SMTP dialogue (HELO) with the server or each ``host``."""

    helo_name: str | None = None


class SmtpParams(NamedTuple):
    helo_name: str = SMTP_DEFAULT_HELO


def build(ck: Checker, ctx: BuildContext) -> list[CheckerSpec]:
    assert isinstance(ck, SmtpCheck)
    params = SmtpParams(ck.helo_name or SMTP_DEFAULT_HELO)
    out = []
    if any(ck.given(k) for k in _OWN_CONNECTION) or not ck.hosts:
        out.append(ctx.spec(ctx.conn(ck), params))
    for h in ck.hosts:
        c = ctx.conn(h)
        out.append(ctx.spec(c, params, f"{ck.kind} {c} of VS {ctx.vs_label}"))
    return out


def dump(ck: Checker, gs: GlobalState) -> list[str] | None:
    helo = first_word(ck.settings.get("helo_name")) or gs.local_name
    return ["   Keepalive method = SMTP_CHECK", f"   helo = {helo}"]


async def _smtp_reply(reader: asyncio.StreamReader, timeout: float) -> int:
    """The code of one (possibly multi-line, ``250-``) SMTP reply; -1 if garbled."""
    import asyncio

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
    """220 banner, ``HELO`` -> 250, ``QUIT``."""
    import asyncio

    from kaconf.checkers import net

    try:
        sock = await net.tcp_connect(conn)
    except (OSError, TimeoutError) as e:
        return CheckResult(False, f"Error connecting to server {conn}: {net.oserror(e)}")
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
        return CheckResult(False, f"SMTP dialogue with server {conn} failed: {net.oserror(e)}")
    finally:
        if writer is not None:
            writer.transport.abort()
        else:
            sock.close()
    return CheckResult(True, f"SMTP connection to {conn} success")


async def probe(spec: CheckerSpec, ctx: ProbeContext) -> CheckResult:
    assert spec.conn is not None and isinstance(spec.params, SmtpParams), spec.kind
    return await smtp_check(spec.conn, spec.params)


KIND = CheckerKind("SMTP_CHECK", SmtpCheck, build, dump, probe)
