"""KA254: scripts given without an absolute path."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import host, scripts
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA254",
    name="script-relative-path",
    severity=Severity.WARNING,
    summary="script given by a bare name or a relative path",
    rationale="keepalived resolves a bare name through PATH (\"resolved by path search ... "
              "Please specify full path\") and a relative path against its working directory, "
              "so what runs depends on the environment keepalived was started from.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    notify_master \"scripts/master.sh\"\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=(),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for x in scripts.executed_script_uses(ctx):
        sc = x.script
        if sc.path.startswith("/"):
            continue
        found = host.resolve_script(sc) if "/" not in sc.path else None
        hint = f"write the full path{f' ({found})' if found else ''}"
        yield ctx.diag(META, f"{scripts.script_what(x, quote=True)} is not an absolute path - what "
                       "runs depends on keepalived's PATH and working directory", x.span, hint)
