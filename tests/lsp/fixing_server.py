"""``kaconf lsp`` with one extra rule that carries machine fixes, for the code-action tests.

Run as ``python -m tests.lsp.fixing_server``. The rule (KA999) reports every
``priority`` line and offers two fixes: a safe one (write ``priority 100``) and,
for ``priority 255``, an unsafe one that changes meaning. The real server code
does the rest, over stdio like an editor would drive it.
"""

from __future__ import annotations

from collections.abc import Iterator

from kaconf.diagnostics import Diagnostic, Edit, Fix, Severity
from kaconf.lint import registry
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta("KA999", "test-priority", Severity.WARNING, "a priority line (test rule)",
                "exercises code actions", "priority 50", "priority 100")


def check(ctx: Context) -> Iterator[Diagnostic]:
    for inst in ctx.config.vrrp_instances:
        for node in ctx.loaded.nodes:
            for child in node.children or []:
                if child.name != "priority" or node.args[0].text != inst.name:
                    continue
                span = child.head_span
                value = child.args[0]
                safe = value.text != "255"
                fix = Fix(f"set priority of {inst.name} to 100",
                          (Edit(span.file, value.line, value.col, value.line, value.end_col,
                                "100"),), safe=safe, changes_meaning=not safe)
                d = ctx.diag(META, f"priority {value.text}", span)
                d.fix = fix
                yield d


def main() -> None:
    rules = registry.all_rules() + (registry.Rule(META, check, __name__),)
    registry.all_rules = lambda: rules  # type: ignore[assignment]
    from kaconf.lsp.server import serve

    serve()


if __name__ == "__main__":
    main()
