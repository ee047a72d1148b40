"""KA252: scripts keepalived cannot find on this host."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import host, scripts
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA252",
    name="script-not-found",
    severity=Severity.ERROR,
    summary="a vrrp_script, notify or check script does not exist on this host",
    rationale="keepalived checks every script at start-up: a missing vrrp_script is disabled "
              "(\"Disabling track script S since not found/accessible\", an error for -t), a "
              "missing notify script is silently not run. The check is done on the machine "
              "kaconf runs on, like `keepalived -t`; notify/check scripts only get a warning.",
    bad="vrrp_script chk {\n    script \"/nonexistent/check.sh\"\n}\n"
        "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n    track_script {\n"
        "        chk\n    }\n}\n",
    good="global_defs {\n    enable_script_security\n    script_user root\n}\n"
         "vrrp_script chk {\n    script \"/bin/true\"\n}\n"
         "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n    track_script {\n"
         "        chk\n    }\n}\n",
    keepalived_check=(),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for x in scripts.executed_script_uses(ctx):
        if host.resolve_script(x.script) is not None:
            continue
        where = "in PATH" if "/" not in x.script.path else "on this host"
        if x.kind == "vrrp_script":
            yield ctx.diag(META, f"{scripts.script_what(x)} not found {where} - "
                           "keepalived disables the track script", x.span,
                           "install the script or fix its path")
        else:
            yield ctx.diag(META, f"{scripts.script_what(x)} not found {where} - "
                           "keepalived will not run it", x.span,
                           "install the script or fix its path",
                           severity=Severity.WARNING)
