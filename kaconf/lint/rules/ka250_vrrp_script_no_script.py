"""KA250: a vrrp_script block without its script line."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA250",
    name="vrrp-script-without-script",
    severity=Severity.ERROR,
    summary="vrrp_script has no 'script' line",
    rationale="keepalived removes the block (\"No script set for vrrp_script S - removing\"), "
              "and every track_script that names it is dropped too. Often caused by a "
              "conditional (@host) script line that does not match this host.",
    bad="vrrp_script chk {\n    interval 2\n}\n",
    good="global_defs {\n    enable_script_security\n    script_user root\n}\n"
         "vrrp_script chk {\n    script \"/bin/true\"\n    interval 2\n}\n",
    keepalived_check=("script-empty",),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for name, vs in ctx.config.vrrp_scripts.items():
        if vs.script is None or not vs.script.args:
            yield ctx.diag(META, f"no script set for vrrp_script {name} - keepalived removes it",
                           tree.head(vs.span), "add 'script \"/path/to/check args\"'")
