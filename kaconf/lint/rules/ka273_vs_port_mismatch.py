"""KA273: DR/TUN real servers must listen on the virtual server's port."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import lvs
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA273",
    name="real-server-port-mismatch",
    severity=Severity.ERROR,
    summary="DR/TUN real server port differs from the virtual server port (or is set on fwmark)",
    rationale="Only NAT rewrites the destination port; with DR or TUN the packet keeps the "
              "virtual port, so keepalived overrides the real server's port (\"ports don't "
              "match - resetting\"; for fwmark services: \"has port specified - clearing\"). "
              "Health checks then probe a different port than configured.",
    bad="virtual_server 10.0.0.10 80 {\n    lb_algo rr\n    lb_kind DR\n    protocol TCP\n"
        "    real_server 10.0.1.1 8080 {\n        weight 1\n    }\n}\n",
    good="virtual_server 10.0.0.10 80 {\n    lb_algo rr\n    lb_kind DR\n    protocol TCP\n"
         "    real_server 10.0.1.1 80 {\n        weight 1\n    }\n}\n",
    keepalived_check=("vs-rs-port", "vs-fwm-rs-port"),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    seen: set[int] = set()  # one finding per real server of a group (its first entry)
    for n in lvs.notes(ctx, "rs-port-reset", "rs-port-cleared", "rs-port-ignored",
                       "rs-group-port"):
        rs, name, where = n.rs, lvs.vs_name(n.vs), lvs.note_span(n)
        assert rs is not None
        server = f"{rs.address}:{rs.port}"
        if n.kind == "rs-port-cleared":
            yield ctx.diag(META, f"fwmark virtual server {name}, real server {server} has a port"
                           " - keepalived clears it", where, "remove the port of the real server")
        elif n.kind == "rs-port-ignored":
            yield ctx.diag(META, f"fwmark virtual server {name}, real server {server} has a port"
                           " - keepalived ignores it", where, "remove the port of the real server")
        elif n.kind == "rs-port-reset":
            port = n.values["port"]
            yield ctx.diag(META, f"virtual server {name} and real server {server} ports don't "
                           f"match - keepalived uses {port}", where,
                           f"use port {port} or lb_kind NAT")
        elif id(rs) not in seen:
            seen.add(id(rs))
            yield ctx.diag(META, f"virtual server {name} entry {n.values['entry']} and real "
                           f"server {server} ports don't match", where,
                           "use the same port, or lb_kind NAT")
