"""KA251: scripts run as root without script security."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import host, scripts
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA251",
    name="script-security-disabled",
    severity=Severity.ERROR,
    summary="scripts are configured but enable_script_security is not set",
    rationale="Without script security keepalived runs notify/check scripts as root without "
              "checking who can modify them; it reports \"SECURITY VIOLATION - scripts are "
              "being executed but script_security not enabled\" and `keepalived -t` exits 6. "
              "keepalived only counts scripts it finds on the host, so kaconf reports an error "
              "when a script exists here and a warning otherwise.",
    bad="vrrp_script chk {\n    script \"/bin/true\"\n}\n"
        "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n    track_script {\n"
        "        chk\n    }\n}\n",
    good="global_defs {\n    enable_script_security\n    script_user root\n}\n"
         "vrrp_script chk {\n    script \"/bin/true\"\n}\n"
         "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n    track_script {\n"
         "        chk\n    }\n}\n",
    keepalived_check=("script-security", "check-security"),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    cfg = ctx.config
    if cfg.global_defs.enable_script_security:
        return
    uses = scripts.executed_script_uses(ctx)
    if not uses:
        return
    found = [x for x in uses if host.script_found(x.script)]
    first = (found or uses)[0]
    hint = "add 'enable_script_security' (and 'script_user USER') to global_defs"
    if found:
        yield ctx.diag(META, "SECURITY VIOLATION - scripts are being executed but script "
                       f"security is not enabled (e.g. {first.script.path})", first.span, hint)
    else:
        yield ctx.diag(META, "scripts are configured without script security; keepalived "
                       "reports a SECURITY VIOLATION on a host where they exist "
                       f"(e.g. {first.script.path})", first.span, hint,
                       severity=Severity.WARNING)
