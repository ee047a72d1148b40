"""KA257: keepalived 2.2.5-2.2.7 `-t` kills itself on scripts run as another user."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import host, scripts, versions
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA257",
    name="test-mode-script-user-crash",
    severity=Severity.WARNING,
    summary="`keepalived -t` 2.2.5-2.2.7 terminates itself when a script runs as a non-root user",
    rationale="When keepalived checks a script that runs as another user it switches uid and, "
              "on the way back, kills itself if its parent is not the keepalived main process; "
              "in config-test mode there is no such parent, so `keepalived -t` ends with "
              "SIGTERM (exit 143) without printing anything. The daemon itself runs the config "
              "fine (fixed in 2.2.8, commit aae8e910). kaconf does not call this an error: the "
              "configuration is correct, only the test mode of these releases cannot check it.",
    bad="global_defs {\n    enable_script_security\n    script_user nobody\n}\n"
        "vrrp_script chk {\n    script \"/bin/true\"\n}\n"
        "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    track_script {\n        chk\n    }\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    good="global_defs {\n    enable_script_security\n    script_user root\n}\n"
         "vrrp_script chk {\n    script \"/bin/true\"\n}\n"
         "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    track_script {\n        chk\n    }\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=(),
)

_AFFECTED = ("2.2.5", "2.2.8")


def check(ctx: Context) -> Iterable[Diagnostic]:
    v = versions.version_key(ctx.target_version)
    if not (versions.version_key(_AFFECTED[0]) <= v < versions.version_key(_AFFECTED[1])):
        return
    cfg = ctx.config
    for x in scripts.executed_script_uses(ctx):
        if "/" not in x.script.path and host.resolve_script(x.script) is None:
            continue  # not found by the PATH search: keepalived gives up before switching uid
        user = host.script_run_user(cfg, x)
        if user in ("root", "0"):
            continue
        yield ctx.diag(META, f"`keepalived -t` {ctx.target_version} will terminate itself "
                       f"(SIGTERM) checking {x.script.path}, which runs as '{user}' - a test-mode "
                       "bug fixed in 2.2.8; the daemon runs this config fine", x.span,
                       "ignore a -t exit of 143 here, or check with keepalived >= 2.2.8")
        return
