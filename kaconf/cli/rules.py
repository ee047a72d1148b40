"""``kaconf rules``: list every code kaconf can report, or explain some of them.

A user who sees ``KA021`` in CI output should be able to look it up offline,
in the version of kaconf that produced it; this command prints the same
metadata docs/rules.md is generated from (reader codes KA0xx/KA100 included).

``kaconf rules`` lists all codes, one per line; ``kaconf rules KA2`` only those
starting with the prefix; a single exact match prints the full explanation.
``--format json`` gives all metadata for scripts (editor plugins, dashboards).

Exit status: 0 when something matched, 1 when nothing did, 2 for a malformed code.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from kaconf.exitstatus import ExitStatus

if TYPE_CHECKING:
    from kaconf.lint.registry import Rule

__all__ = ["add_arguments", "fix_label", "rule_dict", "run"]


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``kaconf rules`` (its help line lives in :mod:`kaconf.cli.commands`)."""
    p.add_argument("codes", nargs="*", metavar="CODE",
                   help="codes or prefixes to show (default: all)")
    p.add_argument("--format", choices=["text", "json"], default="text",
                   help="output format (default: text)")


def rule_dict(rule: Rule) -> dict[str, object]:
    """All of a rule's metadata as JSON-ready values."""
    m = rule.meta
    return {
        "code": m.code,
        "name": m.name,
        "severity": str(m.severity),
        "scope": m.scope,
        "summary": m.summary,
        "rationale": m.rationale,
        "bad": m.bad,
        "good": m.good,
        "keepalived_check": list(m.keepalived_check),
        "fix": m.fix,
        "fix_safe": m.fix_safe if m.fix else None,
    }


def fix_label(rule: Rule) -> str:
    """``safe-fix``, ``unsafe-fix`` or ``""``: whether ``kaconf lint --fix`` repairs it."""
    m = rule.meta
    if not m.fix:
        return ""
    return "safe-fix" if m.fix_safe else "unsafe-fix"


def _explain(rule: Rule) -> str:
    m = rule.meta
    lines = [f"{m.code} {m.name} ({m.severity}, {m.scope})", "", m.summary, ""]
    if m.rationale:
        lines += [m.rationale, ""]
    if m.keepalived_check:
        lines += [f"Mirrors keepalived check: {', '.join(m.keepalived_check)}", ""]
    if m.fix:
        how = "kaconf lint --fix" if m.fix_safe else "kaconf lint --fix --unsafe-fixes"
        lines += [f"Fix ({how}): {m.fix}", ""]
    for label, text in (("Bad:", m.bad), ("Good:", m.good)):
        if text:
            lines.append(label)
            lines.extend("    " + t for t in text.rstrip("\n").split("\n"))
            lines.append("")
    return "\n".join(lines).rstrip("\n")


def run(args: argparse.Namespace) -> int:
    """Execute ``kaconf rules`` for parsed ``args``; returns the exit status."""
    from kaconf.lint.registry import all_rules
    from kaconf.lint.settings import SettingsError, parse_codes

    try:
        prefixes = parse_codes(args.codes, "") if args.codes else ("",)
    except SettingsError as exc:
        print(f"kaconf rules: error: {exc}", file=sys.stderr)
        return ExitStatus.USAGE
    rules = [r for r in all_rules() if any(r.code.startswith(p) for p in prefixes)]
    if not rules:
        print(f"kaconf rules: no rule matches {' '.join(args.codes)}", file=sys.stderr)
        return ExitStatus.CONFIG
    if args.format == "json":
        print(json.dumps([rule_dict(r) for r in rules], indent=2, ensure_ascii=False))
    elif len(rules) == 1 and args.codes:
        print(_explain(rules[0]))
    else:
        name_w = max(len(r.meta.name) for r in rules)
        for r in rules:
            m = r.meta
            print(f"{m.code}  {m.name.ljust(name_w)}  {str(m.severity).ljust(7)}  "
                  f"{fix_label(r).ljust(10)}  {m.summary}")
    return ExitStatus.OK
