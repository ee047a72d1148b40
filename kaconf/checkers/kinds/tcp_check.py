"""TCP_CHECK: up when a TCP handshake with the real server completes within connect_timeout."""

from __future__ import annotations

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
    from kaconf.effective.globals import GlobalState


class TcpCheck(Checker):
    """TCP_CHECK: a connect() to the real server (or connect_ip:connect_port)."""


def build(ck: Checker, ctx: BuildContext) -> list[CheckerSpec]:
    return [ctx.spec(ctx.conn(ck), None)]


def dump(ck: Checker, gs: GlobalState) -> list[str] | None:
    return ["   Keepalive method = TCP_CHECK"]


async def tcp_check(conn: ConnOpts) -> CheckResult:
    """Can we complete a TCP handshake with ``conn`` in time?"""
    from kaconf.checkers import net

    try:
        sock = await net.tcp_connect(conn)
    except (OSError, TimeoutError) as e:
        return CheckResult(False, f"TCP connection to {conn} failed: {net.oserror(e)}")
    sock.close()
    return CheckResult(True, f"TCP connection to {conn} success")


async def probe(spec: CheckerSpec, ctx: ProbeContext) -> CheckResult:
    assert spec.conn is not None, spec.kind
    return await tcp_check(spec.conn)


KIND = CheckerKind("TCP_CHECK", TcpCheck, build, dump, probe)
