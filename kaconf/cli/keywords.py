"""``kaconf keywords``: look up keepalived keywords in the bundled schema.

Answers "where is this keyword valid, what does it take, since when, and what
does it do?" without reading keepalived's source.  Output is plain text (one
keyword per line, greppable; ``--describe`` adds the keyword's description from
``grammars/descriptions.json`` on an indented line below it) or JSON (for
scripts; always with a ``description`` field); the command deliberately avoids
rich so it can be piped.

Exit status: 0 when something matched, 1 when nothing did, 2 for a bad
``--target-version``.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import sys
from collections.abc import Sequence

from kaconf.exitstatus import ExitStatus
from kaconf.schema import (
    VERSIONS,
    KeywordSpec,
    keyword_description,
    load_schema,
    normalize_version,
)

__all__ = ["add_arguments", "run", "select", "to_json_dict"]

_GLOB_CHARS = frozenset("*?[")
_ROOT_LABEL = "(root)"
#: Indentation of the description line under a keyword in ``--describe`` output:
#: keyword lines never start with blanks, so ``grep -v '^ '`` drops descriptions.
_DESCRIBE_INDENT = "    "


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``kaconf keywords`` (its help lives in :mod:`kaconf.cli.commands`)."""
    p.add_argument(
        "pattern",
        nargs="?",
        default=None,
        metavar="PATTERN",
        help="glob or substring to match (default: all keywords)",
    )
    p.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    p.add_argument(
        "--target-version",
        metavar="V",
        default=None,
        help="only keywords known in keepalived version V (e.g. 2.2.7, 2.3.1, master)",
    )
    p.add_argument(
        "-d",
        "--describe",
        action="store_true",
        help="text output: print what each keyword does on an indented line below it "
        "(JSON output always has a 'description' field)",
    )


def _matches(spec: KeywordSpec, pattern: str) -> bool:
    """Glob or substring match, case-insensitively, on name and full path."""
    pat = pattern.casefold()
    candidates = (spec.name.casefold(), spec.child_path.casefold())
    if _GLOB_CHARS.intersection(pat):
        return any(fnmatch.fnmatchcase(c, pat) for c in candidates)
    return any(pat in c for c in candidates)


def select(pattern: str | None = None, target_version: str | None = None) -> list[KeywordSpec]:
    """Specs matching ``pattern`` and known in ``target_version`` (both optional).

    Raises ValueError (from :func:`normalize_version`) for a malformed version.
    """
    snapshot = normalize_version(target_version) if target_version is not None else None
    return [
        spec
        for spec in load_schema().all()
        if (snapshot is None or snapshot in spec.versions)
        and (not pattern or _matches(spec, pattern))
    ]


def to_json_dict(spec: KeywordSpec) -> dict[str, object]:
    """``spec.to_dict()`` plus its ``description`` (``None`` when none is written)."""
    return {**spec.to_dict(), "description": keyword_description(spec.block_path, spec.name)}


def _text_lines(specs: Sequence[KeywordSpec], describe: bool = False) -> list[str]:
    """One aligned line per keyword: path, keyword, syntax, versions, deprecation.

    With ``describe``, each keyword line is followed by its description,
    indented, so the keyword lines stay greppable on their own.
    """
    path_w = max(len(s.block_path or _ROOT_LABEL) for s in specs)
    name_w = max(len(s.name) for s in specs)
    lines = []
    for s in specs:
        versions = ",".join(v for v in VERSIONS if v in s.versions)
        parts = [
            (s.block_path or _ROOT_LABEL).ljust(path_w),
            s.name.ljust(name_w),
            s.arg_syntax,
            f"[{versions}]",
        ]
        if s.deprecated:
            dep = s.deprecated
            if s.replacement and s.replacement not in dep:
                dep += f"; use {s.replacement}"
            parts.append(f"[deprecated: {dep}]")
        lines.append("  ".join(parts))
        if describe:
            text = keyword_description(s.block_path, s.name) or "(no description)"
            lines.append(_DESCRIBE_INDENT + text)
    return lines


def run(args: argparse.Namespace) -> int:
    """Execute ``kaconf keywords`` for parsed ``args``; returns the exit status."""
    pattern: str | None = getattr(args, "pattern", None)
    fmt: str = getattr(args, "format", "text")
    target: str | None = getattr(args, "target_version", None)
    describe: bool = getattr(args, "describe", False)
    try:
        specs = select(pattern, target)
    except ValueError as exc:
        print(f"kaconf keywords: error: {exc}", file=sys.stderr)
        return ExitStatus.USAGE

    if fmt == "json":
        print(json.dumps([to_json_dict(s) for s in specs], indent=2, ensure_ascii=False))
    elif specs:
        print("\n".join(_text_lines(specs, describe)))
    if not specs:
        what = f"matching {pattern!r}" if pattern else "at all"
        where = f" in keepalived {target}" if target else ""
        print(f"kaconf keywords: no keywords {what}{where}", file=sys.stderr)
        return ExitStatus.CONFIG
    return ExitStatus.OK
