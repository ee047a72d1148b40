"""KA253: scripts that exist but cannot be executed."""

from __future__ import annotations

import os
from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import host, scripts
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA253",
    name="script-not-executable",
    severity=Severity.WARNING,
    summary="a configured script exists but is not executable",
    rationale="keepalived logs \"script ... is not executable - disabling\" and never runs it: "
              "a track script that cannot run never fails over, a notify script never "
              "notifies. `keepalived -t` does not fail for this, so it is a warning.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    notify_master /etc/passwd\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=(),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for x in scripts.executed_script_uses(ctx):
        path = host.resolve_script(x.script)
        if path is None:
            continue
        if os.path.isdir(path) or not os.access(path, os.X_OK):
            yield ctx.diag(META, f"script {path} ({x.keyword} of {x.owner}) is not executable - "
                           "keepalived will not run it", x.span,
                           f"chmod +x {path} (and start it with a #! line)")
