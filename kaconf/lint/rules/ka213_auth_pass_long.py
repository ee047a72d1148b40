"""KA213: VRRPv2 passwords are 8 bytes."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Fix, Severity, Span
from kaconf.fix import build
from kaconf.lint.helpers import tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA213",
    name="auth-pass-too-long",
    severity=Severity.ERROR,
    summary="auth_pass longer than 8 characters",
    rationale="The VRRPv2 authentication field holds 8 bytes; keepalived truncates the password "
              "(\"Truncating auth_pass to 8 characters\"). Two nodes whose passwords differ only "
              "after the 8th character will agree, which is rarely what was meant.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    authentication {\n        auth_type PASS\n        auth_pass verysecret123\n    }\n"
        "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    authentication {\n        auth_type PASS\n        auth_pass secret12\n    }\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=("auth-pass-long",),
    fix="cut the password to the 8 characters keepalived uses (what the nodes already send)",
)


def _fix(ctx: Context, span: Span) -> Fix | None:
    node = tree.node_at(ctx, span)
    if node is None or len(node.args) != 1:
        return None
    tok = node.args[0]
    short = tok.text[:8]
    new = f'"{short}"' if tok.quoted else short
    return build.replace_token(ctx, tok, new, f"cut auth_pass to '{short}'")


def check(ctx: Context) -> Iterable[Diagnostic]:
    for inst in ctx.config.vrrp_instances:
        auth = inst.authentication
        if auth is None or auth.auth_pass is None or len(auth.auth_pass) <= 8:
            continue
        s = auth.settings.get("auth_pass")
        yield ctx.diag(META, f"({inst.name}) auth_pass is {len(auth.auth_pass)} characters - "
                       f"keepalived truncates it to '{auth.auth_pass[:8]}'",
                       s.span if s else None, "use at most 8 characters",
                       fix=_fix(ctx, s.span) if s else None)
