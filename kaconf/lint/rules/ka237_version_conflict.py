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
        node = tree.instance_node(ctx, inst)
        if "version" not in tree.statement_names(ctx, node):
            continue  # only a version line can conflict
        fam: int | None = None
        ver: int | None = None
        for c in tree.statements(ctx, node):
            kw = c.name
            if kw == "native_ipv6":
                if fam != 4:
                    fam, ver = 6, 3
            elif kw in ("virtual_ipaddress", "unicast_peer") and c.children:
                for item in tree.children(c):
                    f = _fam(item.name)
                    if fam is None and f is not None:
                        fam = f
            elif kw in ("unicast_src_ip", "mcast_src_ip", "mcast_dst_ip") and c.args:
                f = _fam(c.args[0].text)
                if fam is None and f is not None:
                    fam = f
            elif kw == "version" and c.args and c.args[0].text in ("2", "3"):
                v = int(c.args[0].text)
                if (ver is not None and ver != v) or (v == 2 and fam == 6):
                    yield ctx.diag(META, f"({inst.name}) vrrp_version {v} conflicts with the "
                                   f"configured or deduced version {ver or 3} - keepalived "
                                   "ignores it", c.head_span, "remove the line or use version 3")
                    continue
                ver = v


def _fam(text: str) -> int | None:
    import ipaddress

    try:
        return ipaddress.ip_address(text.split("/", 1)[0]).version
    except ValueError:
        return None
