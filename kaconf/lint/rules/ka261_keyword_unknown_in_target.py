"""KA261: keywords the targeted keepalived version does not know."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import tree
from kaconf.lint.rule import Context, RuleMeta
from kaconf.schema import normalize_version

META = RuleMeta(
    code="KA261",
    name="keyword-not-in-target-version",
    severity=Severity.ERROR,
    summary="keyword exists in some keepalived version but not in the targeted one",
    rationale="kaconf's reader knows the keywords of every supported release; the release you "
              "deploy to skips what it does not know (\"Unknown keyword\"), so the setting has "
              "no effect there. Use --target-version to say which keepalived runs the config.",
    bad="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    no_virtual_ipaddress\n}\n",
    good="vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=("unknown-keyword",),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    try:
        target = normalize_version(ctx.target_version)
    except ValueError:
        return
    unknown = {id(s) for s in tree.distinct_specs(ctx) if not s.known_in(target)}
    if not unknown:
        return  # the usual case: every keyword is known, no need to look at lines
    for node, path, spec in tree.walk_with_paths(ctx):
        if id(spec) not in unknown:
            continue
        where = f" in {path}" if path else ""
        known = ", ".join(v for v in ("1.2.2", "2.2.7", "master") if v in spec.versions)
        yield ctx.diag(META, f"keepalived {ctx.target_version} does not know '{spec.name}'"
                       f"{where} - it is skipped as an unknown keyword", node.head_span,
                       f"'{spec.name}' exists in keepalived {known}; check --target-version")
