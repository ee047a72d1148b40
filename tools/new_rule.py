#!/usr/bin/env python3
"""Scaffold a new lint rule, or refresh the generated files of one.

A rule is one module in ``kaconf/lint/rules/`` (``META`` + ``check``); its
documentation (docs/rules.md) and its snapshot (tests/snapshots/rules/CODE.txt,
what ``META.bad`` reports) are generated from it. This tool writes the module from
a template and regenerates both, so adding a rule touches exactly: the rule module,
its snapshot, docs/rules.md (see docs/contributing-rules.md for the whole recipe).

Usage::

    python tools/new_rule.py KA296 some-rule-name "one-line summary"  # scaffold
        [--severity error|warning|info]
    python tools/new_rule.py --refresh KA296   # after editing: snapshot + docs again

The scaffolded ``check`` reports nothing and the examples are placeholders, so the
rule tests fail until the rule is written: that is the point.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
RULES_DIR = ROOT / "kaconf" / "lint" / "rules"
SNAPSHOTS = ROOT / "tests" / "snapshots" / "rules"

if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

CODE_RE = re.compile(r"KA[24]\d\d")
NAME_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

_CONFIG_TEMPLATE = '''\
"""{code}: {summary}."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="{code}",
    name="{name}",
    severity=Severity.{severity},
    summary={summary!r},
    rationale="TODO: why it matters, and what keepalived does (quote its message: "
              "\\"...\\").",
    bad="TODO: the smallest config that triggers the rule\\n",
    good="TODO: the same config, fixed\\n",
    keepalived_check=(),  # the validation-rules.md ids this mirrors, if any
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    """TODO: find the problem; report it at the line (or word) that causes it.

    Derived values come from the resolver: ctx.resolved(inst) (priority, family,
    version...). Helpers: kaconf.lint.helpers.semantics, .tree (raw statements,
    setting_span), .scripts, .lvs, .sync... e.g.
    ``yield ctx.diag(META, "message", tree.setting_span(inst, "keyword"), "hint")``.
    """
    yield from ()
'''

_CLUSTER_TEMPLATE = '''\
"""{code}: {summary}."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.rule import ClusterContext, RuleMeta

META = RuleMeta(
    code="{code}",
    name="{name}",
    severity=Severity.{severity},
    summary={summary!r},
    rationale="TODO: why nodes that disagree on this break failover.",
    bad="TODO: node 1 config\\n---\\nTODO: node 2 config\\n",
    good="TODO: node 1 config\\n---\\nTODO: node 2 config\\n",
    scope="cluster",
)


def check(cctx: ClusterContext) -> Iterable[Diagnostic]:
    """TODO: compare the nodes (kaconf.lint.helpers.cluster pairs their instances)."""
    yield from ()
'''


def module_path(code: str, name: str) -> Path:
    """Where the rule module of ``code``/``name`` lives (``ka296_some_rule_name.py``)."""
    return RULES_DIR / f"{code.lower()}_{name.replace('-', '_')}.py"


def existing(code: str) -> Path | None:
    """The module of rule ``code``, if there is one."""
    found = sorted(RULES_DIR.glob(f"{code.lower()}_*.py"))
    return found[0] if found else None


def scaffold(code: str, name: str, summary: str, severity: str) -> Path:
    """Write the rule module from the template (refusing to overwrite anything)."""
    if not CODE_RE.fullmatch(code):
        raise SystemExit(f"{code}: a rule code is KA2xx (one config) or KA4xx (cluster)")
    if not NAME_RE.fullmatch(name):
        raise SystemExit(f"{name}: a rule name is lower-case words joined by '-'")
    if "\n" in summary or not summary.strip():
        raise SystemExit("the summary is one non-empty line")
    if existing(code) is not None:
        raise SystemExit(f"{code} exists already: {existing(code)}")
    taken = [p for p in RULES_DIR.glob("ka*.py") if f'name="{name}"' in p.read_text()]
    if taken:
        raise SystemExit(f"rule name {name} is taken by {taken[0].name}")
    template = _CLUSTER_TEMPLATE if code.startswith("KA4") else _CONFIG_TEMPLATE
    path = module_path(code, name)
    path.write_text(template.format(code=code, name=name, summary=summary.rstrip("."),
                                    severity=severity.upper()), encoding="utf-8")
    return path


def refresh(code: str) -> list[Path]:
    """Regenerate the snapshot of rule ``code`` and docs/rules.md; returns what it wrote."""
    from kaconf.lint.examples import render_snapshot

    path = existing(code)
    if path is None:
        raise SystemExit(f"no rule module for {code} in {RULES_DIR}")
    mod = importlib.import_module(f"kaconf.lint.rules.{path.stem}")
    with tempfile.TemporaryDirectory() as work:
        text = render_snapshot(mod, Path(work))
    snap = SNAPSHOTS / f"{code}.txt"
    snap.parent.mkdir(parents=True, exist_ok=True)
    snap.write_text(text, encoding="utf-8")
    gen = _load_doc_generator()
    if gen.main([]) != 0:
        raise SystemExit("tools/gen_rules_doc.py failed")
    return [snap, gen.DEFAULT_OUTPUT]


def _load_doc_generator() -> ModuleType:
    """tools/gen_rules_doc.py (a script, not a package module), loaded by path."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen_rules_doc",
                                                  ROOT / "tools" / "gen_rules_doc.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: Sequence[str] | None = None) -> int:
    """Scaffold (CODE NAME SUMMARY) or ``--refresh CODE``; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--refresh", metavar="CODE",
                        help="only regenerate the snapshot of CODE and docs/rules.md")
    parser.add_argument("--severity", choices=("error", "warning", "info"), default="error")
    parser.add_argument("args", nargs="*", metavar="CODE NAME SUMMARY")
    opts = parser.parse_args(argv)
    if opts.refresh:
        if opts.args:
            parser.error("--refresh takes only the code")
        written = refresh(opts.refresh)
    else:
        if len(opts.args) != 3:
            parser.error("give CODE NAME SUMMARY (or --refresh CODE)")
        code, name, summary = opts.args
        written = [scaffold(code, name, summary, opts.severity), *refresh(code)]
    for p in written:
        print(f"wrote {p.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
