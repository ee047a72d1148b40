"""KA270: a virtual server without real servers is dropped."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import lvs
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA270",
    name="virtual-server-without-real-servers",
    severity=Severity.ERROR,
    summary="virtual_server without any real_server",
    rationale="keepalived ignores the whole virtual server (\"Virtual server VS has no real "
              "servers - ignoring\"): it is not created in IPVS, not even with a sorry server.",
    bad="virtual_server 10.0.0.10 80 {\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n}\n",
    good="virtual_server 10.0.0.10 80 {\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n"
         "    real_server 10.0.1.1 80 {\n        weight 1\n    }\n}\n",
    keepalived_check=("vs-no-rs",),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for vs in ctx.config.virtual_servers:
        fam = vs.address.version if vs.address is not None else None
        if any(fam is None or rs.address is None or rs.address.version == fam
               for rs in vs.real_server):
            continue  # keepalived keeps the virtual server
        what = "has no real servers" if not vs.real_server else \
            "has no real servers of its address family"
        yield ctx.diag(META, f"virtual server {lvs.vs_name(vs)} {what} - keepalived ignores it",
                       lvs.vs_head(vs), "add at least one real_server block")
