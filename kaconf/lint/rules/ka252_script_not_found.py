"""KA252: scripts keepalived cannot find on this host."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.rule import Context, RuleMeta
from kaconf.lint.rules import _util as u

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
    cfg = ctx.config
    uses = u.all_script_uses(cfg)
    for x in uses:
        sc = x.script
        if u.is_file_test(sc) or u.resolve_script(sc) is not None:
            continue
        where = "in PATH" if "/" not in sc.path else "on this host"
        if x.kind == "vrrp_script":
            yield ctx.diag(META, f"script {sc.path} of vrrp_script {x.owner} not found {where} - "
                           "keepalived disables the track script", x.span,
                           "install the script or fix its path")
        else:
            yield ctx.diag(META, f"{x.keyword} script {sc.path} ({x.owner}) not found {where} - "
                           "keepalived will not run it", x.span,
                           "install the script or fix its path", severity=Severity.WARNING)
