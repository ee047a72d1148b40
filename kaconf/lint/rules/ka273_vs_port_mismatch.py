"""KA273: DR/TUN real servers must listen on the virtual server's port."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import lvs, tree
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
    cfg = ctx.config
    for vs in cfg.virtual_servers:
        if vs.group is not None:
            yield from _group(ctx, vs)
            continue
        for rs in lvs.real_servers(ctx, vs).kept:  # duplicates are removed first
            if lvs.rs_method(vs, rs) == "NAT" or not rs.port:
                continue
            if vs.fwmark is not None:
                yield ctx.diag(META, f"fwmark virtual server {lvs.vs_name(vs)}, real server "
                               f"{rs.address}:{rs.port} has a port - keepalived clears it",
                               tree.head(rs.span), "remove the port of the real server")
            elif vs.port is not None and rs.port != vs.port:
                yield ctx.diag(META, f"virtual server {lvs.vs_name(vs)} and real server "
                               f"{rs.address}:"
                               f"{rs.port} ports don't match - keepalived uses {vs.port}",
                               tree.head(rs.span), f"use port {vs.port} or lb_kind NAT")


def _group(ctx: Context, vs: object) -> Iterable[Diagnostic]:
    """Group services: fwmark entries want no port, address entries the entry's port."""
    from kaconf.model.objects import VirtualServer

    assert isinstance(vs, VirtualServer)
    vsg = ctx.config.virtual_server_groups.get(vs.group or "")
    if vsg is None:
        return
    for rs in vs.real_server:
        if lvs.rs_method(vs, rs) == "NAT" or not rs.port:
            continue
        if any(e.kind == "fwmark" for e in vsg.entries):
            yield ctx.diag(META, f"fwmark virtual server {lvs.vs_name(vs)}, real server "
                           f"{rs.address}:"
                           f"{rs.port} has a port - keepalived ignores it", tree.head(rs.span),
                           "remove the port of the real server")
        for e in vsg.entries:
            if e.kind != "fwmark" and e.port and e.port != rs.port:
                yield ctx.diag(META, f"virtual server {lvs.vs_name(vs)} entry {e.text} and real "
                               f"server {rs.address}:{rs.port} ports don't match",
                               tree.head(rs.span),
                               "use the same port, or lb_kind NAT")
                break
