"""KA256: the user scripts should run as does not exist."""

from __future__ import annotations

import pwd
from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import scripts, tree
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA256",
    name="script-user-unknown",
    severity=Severity.ERROR,
    summary="script_user names an unknown user, or the default keepalived_script user is missing",
    rationale="With enable_script_security and no script_user, keepalived runs scripts as "
              "'keepalived_script'; if that user does not exist it reports \"Unable to set "
              "default user keepalived_script for script\" and drops the scripts. An unknown "
              "script_user gives \"Error setting global script uid/gid\". Checked against this "
              "host's users, like `keepalived -t`.",
    bad="global_defs {\n    script_user no_such_user_kaconf\n}\n",
    good="global_defs {\n    script_user root\n}\n",
    keepalived_check=(),
)


def _exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
    except KeyError:
        return user.isdigit()
    return True


def check(ctx: Context) -> Iterable[Diagnostic]:
    cfg = ctx.config
    for name, vs in cfg.vrrp_scripts.items():
        if vs.user is not None and not _exists(vs.user):
            yield ctx.diag(META, f"user {vs.user} of vrrp_script {name} does not exist on this "
                           "host - keepalived cannot set the script uid/gid and drops the script",
                           tree.setting_span(vs, "user"), "create the user or fix the name")
    g = cfg.global_defs
    if g.script_user is not None:
        if not _exists(g.script_user):
            yield ctx.diag(META, f"script_user {g.script_user} does not exist on this host - "
                           "keepalived reports an error setting the script uid/gid",
                           tree.setting_span(g, "script_user"), "create the user or fix the name")
        return
    if not g.enable_script_security:
        return
    uses = scripts.all_script_uses(ctx)
    needs = [x for x in uses
             if not (x.kind == "vrrp_script" and cfg.vrrp_scripts[x.owner].user is not None)]
    if needs and not _exists("keepalived_script"):
        yield ctx.diag(META, "enable_script_security without script_user, and the default user "
                       "keepalived_script does not exist on this host - keepalived cannot run the "
                       "scripts", tree.setting_span(g, "enable_script_security"),
                       "add 'script_user USER' to global_defs (or create keepalived_script)")
