"""KA260: deprecated keywords, with their replacement."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from kaconf.diagnostics import Diagnostic, Fix, Severity
from kaconf.fix import build
from kaconf.lint.helpers import tree
from kaconf.lint.rule import Context, RuleMeta
from kaconf.schema import KeywordSpec, load_schema, normalize_version

if TYPE_CHECKING:
    from kaconf.tree import Node

META = RuleMeta(
    code="KA260",
    name="keyword-deprecated",
    severity=Severity.ERROR,
    summary="deprecated keyword (error where keepalived reports it, else a warning)",
    rationale="Deprecated keywords may disappear in the next release. Several of them make "
              "keepalived print a deprecation error (nb_get_retry, lvs_sync_daemon_interface in "
              "an instance, global_tracking, vmac_garp_intvl, ...), which `keepalived -t` counts "
              "as a failure; the others are only logged.",
    bad="virtual_server 10.0.0.10 80 {\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n"
        "    real_server 10.0.1.1 80 {\n        HTTP_GET {\n            url {\n"
        "                path /\n                status_code 200\n            }\n"
        "            nb_get_retry 3\n        }\n    }\n}\n",
    good="virtual_server 10.0.0.10 80 {\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n"
         "    real_server 10.0.1.1 80 {\n        HTTP_GET {\n            url {\n"
         "                path /\n                status_code 200\n            }\n"
         "            retry 3\n        }\n    }\n}\n",
    keepalived_check=("lvs-syncd-in-vrrp",),
    fix="rename the keyword to its replacement, when that is a keyword of the same block",
)

#: keywords whose handler reports the deprecation through keepalived's error channel
_REPORTED = {
    ("virtual_server/real_server/HTTP_GET", "nb_get_retry"),
    ("virtual_server/real_server/SSL_GET", "nb_get_retry"),
    ("global_defs", "vrrp_vmac_garp_intvl"),
    ("vrrp_instance", "vmac_garp_intvl"),
    ("vrrp_instance", "linkbeat_use_polling"),
    ("vrrp_instance", "lvs_sync_daemon_interface"),
    ("vrrp_instance", "thread_timer_expired"),
    ("vrrp_sync_group", "global_tracking"),
}


def check(ctx: Context) -> Iterable[Diagnostic]:
    try:
        target = normalize_version(ctx.target_version)
    except ValueError:
        target = "2.2.7"
    if target == "1.2.2":
        return  # the deprecations date from later releases
    wanted = {id(s) for s in tree.distinct_specs(ctx) if s.deprecated and s.known_in(target)}
    if not wanted:
        return  # the usual case: no deprecated keyword anywhere, no need to look at lines
    for node, path, spec in tree.walk_with_paths(ctx):
        if id(spec) not in wanted:
            continue
        reported = (path, spec.name) in _REPORTED
        repl = f"; use '{spec.replacement}'" if spec.replacement else ""
        msg = f"'{spec.name}' is deprecated{repl}"
        if reported:
            msg += " - keepalived reports the deprecation"
        yield ctx.diag(META, msg, node.head_span,
                       f"replace it with '{spec.replacement}'" if spec.replacement
                       else "remove it", severity=None if reported else Severity.WARNING,
                       fix=rename_fix(ctx, node, path, spec, target))


def rename_fix(ctx: Context, node: Node, path: str, spec: KeywordSpec, target: str
               ) -> Fix | None:
    """Rename a keyword to its replacement when the target knows that in the same block.

    Shared with KA261 (a keyword the target dropped for another name) and
    ``kaconf migrate``.
    """
    repl = spec.replacement
    if not repl:
        return None
    new = load_schema().lookup(path, repl)
    if new is None or not new.known_in(target):
        return None  # the replacement lives elsewhere (a global keyword...): no mechanical fix
    if spec.alias_of != repl and (new.opens, new.arg_syntax) != (spec.opens, spec.arg_syntax):
        return None  # not the same statement under another name
    return build.replace_token(ctx, node.keyword, repl, f"rename '{spec.name}' to '{repl}'")
