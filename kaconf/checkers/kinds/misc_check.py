"""MISC_CHECK: run a script; exit 0 is up, and with ``misc_dynamic`` 2..255 sets the weight.

keepalived 2.2.7 (check_misc.c): ``retry`` defaults to 0; the script runs in its own session,
bounded by ``misc_timeout`` (default: the virtual server's delay_loop), and is killed when it
overruns; with ``misc_dynamic`` exit codes 2..255 are "up with weight code-2", 1 is down. A
MISC_CHECK without a usable script is dropped while the configuration is read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from kaconf.checkers.base import (
    BuildContext,
    CheckerKind,
    CheckerSpec,
    CheckResult,
    ProbeContext,
    first_word,
)
from kaconf.effective.scriptsec import SC_INHIBIT, run_as
from kaconf.effective.values import TIMER_HZ, UINT_MAX, ScriptSpec, read_uint, script_words, words
from kaconf.model.objects import Checker, Config

if TYPE_CHECKING:
    from kaconf.effective.globals import GlobalState

#: How long a timed-out MISC_CHECK script gets between SIGTERM and SIGKILL.
MISC_KILL_GRACE = 2.0


class MiscCheck(Checker):
    """MISC_CHECK: run a script; its exit code is the verdict (or the weight if dynamic)."""

    user: str | None = None


class MiscParams(NamedTuple):
    args: tuple[str, ...]
    timeout: float
    dynamic: bool = False
    user: str | None = None
    #: the uid:gid the resolver chose (``user USER [GROUP]``, else the default script user)
    uid: int | None = None
    gid: int | None = None


_POLICY: list[tuple[Config, GlobalState]] = []


def _policy(config: Config) -> GlobalState:
    """The checker's script policy for ``config`` (one cached: every checker shares it)."""
    from kaconf.effective.globals import GlobalState
    from kaconf.effective.host import Host, resolve_script_path

    if not _POLICY or _POLICY[0][0] is not config:
        host = Host(system=True, resolve=resolve_script_path)
        _POLICY[:] = [(config, GlobalState(config, host))]
    return _POLICY[0][1]


def build(ck: Checker, ctx: BuildContext) -> list[CheckerSpec]:
    assert isinstance(ck, MiscCheck)
    if ck.misc_path is None or not ck.misc_path.args:
        ctx.warn("misc_path missing - ignoring the checker")
        return []
    args = tuple(ck.misc_path.args)
    gs = _policy(ctx.config)
    seen = len(gs.script_log)
    ids = gs.run_ids(words(ck.settings.get("user")))
    if ids is None:
        ctx.warnings.extend(gs.script_log[seen:])
        ctx.warn("no user to run misc_path as - ignoring the checker")
        return []
    _, verdict = gs.check(ScriptSpec(list(args), ids[0], ids[1]))
    ctx.warnings.extend(gs.script_log[seen:])
    if verdict.flags & SC_INHIBIT:
        # keepalived's check_misc_script_security; a missing script fails when probed
        ctx.warnings.append(f"Disabling misc script {ScriptSpec(list(args)).cmd_str()} "
                            "due to insecure")
        return []
    to = ck.misc_timeout if ck.misc_timeout else ctx.vs_delay_loop
    return [ctx.spec(None, MiscParams(args, float(to), bool(ck.misc_dynamic), ck.user,
                                      ids[0], ids[1]))]


def dump(ck: Checker, gs: GlobalState) -> list[str] | None:
    """check_misc.c ``dump_misc_check``; None when keepalived drops the checker."""
    st = ck.settings
    ms = st.get("misc_path")
    args = script_words(ms) if ms is not None else []
    if not args:
        return None
    ids = gs.run_ids(words(st.get("user")))
    if ids is None:
        return None
    spec = gs.secure(ScriptSpec(args, ids[0], ids[1]))
    if spec is None:
        return None
    to = read_uint(first_word(st.get("misc_timeout")), 0, UINT_MAX // TIMER_HZ) or 0
    return ["   Keepalive method = MISC_CHECK",
            f"   script = {spec.cmd_str()}",
            f"   timeout = {to}",
            f"   dynamic = {'YES' if st.get('misc_dynamic') is not None else 'NO'}",
            f"   uid:gid = {spec.uid}:{spec.gid}",
            "   Last ran = 0.000000 (Thu Jan  1 00:00:00 1970.000000)",
            "   Last status = 0"]


def _kill_group(pid: int, sig: int) -> None:
    import os

    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


async def misc_check(params: MiscParams) -> CheckResult:
    """Run the script in its own session, bounded by ``misc_timeout``."""
    import asyncio
    import signal

    from kaconf.checkers import net

    kwargs: dict[str, object] = {}
    if params.uid is not None and params.gid is not None:
        kwargs.update(run_as(params.uid, params.gid))
    elif params.user:
        kwargs["user"] = params.user
    try:
        proc = await asyncio.create_subprocess_exec(
            *params.args, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
            start_new_session=True, **kwargs)  # type: ignore[arg-type]
    except (OSError, ValueError, KeyError) as e:
        return CheckResult(False, f"Misc check {params.args[0]} cannot run: {net.oserror(e)}")
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


async def probe(spec: CheckerSpec, ctx: ProbeContext) -> CheckResult:
    assert isinstance(spec.params, MiscParams), spec.kind
    return await misc_check(spec.params)


KIND = CheckerKind("MISC_CHECK", MiscCheck, build, dump, probe, default_retry=0,
                   connection=False, weight="dynamic")
