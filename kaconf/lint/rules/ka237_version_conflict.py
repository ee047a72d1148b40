"""KA237: a version line that contradicts an earlier one or the address family."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA237",
    name="vrrp-version-conflict",
    severity=Severity.ERROR,
    summary="'version 2' after IPv6 addresses/native_ipv6, or two different version lines",
    rationale="IPv6 needs VRRPv3, and the version is fixed by the first statement that implies "
              "it; keepalived ignores the contradicting line (\"vrrp_version N conflicts with "
              "configured or deduced version M; ignoring\").",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    native_ipv6\n    version 2\n    virtual_ipaddress {\n        fe80::10\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    native_ipv6\n    version 3\n    virtual_ipaddress {\n        fe80::10\n    }\n}\n",
    keepalived_check=("version-conflict",),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    if "version" not in tree.names_in(ctx, "vrrp_instance"):
        return  # the usual case: no instance has a version line
    for inst in ctx.config.vrrp_instances:
        if not inst.given("version"):
            continue  # only a version line can conflict
        for span, v, ver in ctx.resolved(inst).version_ignored:
            yield ctx.diag(META, f"({inst.name}) vrrp_version {v} conflicts with the "
                           f"configured or deduced version {ver} - keepalived ignores it",
                           span, "remove the line or use version 3")
