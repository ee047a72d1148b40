#!/usr/bin/env python3
"""Keep ``grammars/descriptions.json`` in its canonical layout and report gaps.

The descriptions are hand-written prose (what each keyword does, in the
project's own words), kept apart from the generated ``keepalived.json`` so that
regenerating the grammar never loses them.  Because people edit the file by
hand, this tool rewrites it in one fixed layout -- ``format`` first, then
blocks and keywords sorted, one keyword per line -- so a review diff shows only
the descriptions that changed.  It also lists what is missing or stale against
the grammar, which is what a contributor needs after adding a keyword.

Usage::

    python tools/fmt_descriptions.py            # rewrite in canonical layout
    python tools/fmt_descriptions.py --check    # exit 1 if not canonical, or gaps/stale entries
    python tools/fmt_descriptions.py --missing  # list keywords that have no description
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DESCRIPTIONS = ROOT / "grammars" / "descriptions.json"
GRAMMAR = ROOT / "grammars" / "keepalived.json"

#: Layout version of descriptions.json (kaconf.schema reads ``blocks`` only).
FORMAT_VERSION = 1


def canonical_text(blocks: Mapping[str, Mapping[str, str]]) -> str:
    """The file text for ``blocks``: format first, sorted, one keyword per line."""
    lines = ["{", f' "format": {FORMAT_VERSION},', ' "blocks": {']
    paths = sorted(blocks)
    for i, path in enumerate(paths):
        kws = blocks[path]
        lines.append(f"  {json.dumps(path)}: {{")
        names = sorted(kws)
        for j, name in enumerate(names):
            comma = "," if j < len(names) - 1 else ""
            text = json.dumps(kws[name], ensure_ascii=False)
            lines.append(f"   {json.dumps(name)}: {text}{comma}")
        lines.append("  }" + ("," if i < len(paths) - 1 else ""))
    lines += [" }", "}"]
    return "\n".join(lines) + "\n"


def grammar_keywords(grammar: Mapping[str, object]) -> dict[str, set[str]]:
    """Block path -> keyword names, from the parsed grammar document."""
    blocks = grammar["blocks"]
    assert isinstance(blocks, dict)
    return {path: set(block["keywords"]) for path, block in blocks.items()}


def missing(known: Mapping[str, set[str]], blocks: Mapping[str, Mapping[str, str]]) -> list[str]:
    """``path<TAB>keyword`` for every grammar keyword without a non-empty description."""
    return [
        f"{path}\t{name}"
        for path in sorted(known)
        for name in sorted(known[path])
        if not blocks.get(path, {}).get(name, "").strip()
    ]


def stale(known: Mapping[str, set[str]], blocks: Mapping[str, Mapping[str, str]]) -> list[str]:
    """``path<TAB>keyword`` for every description of a keyword the grammar does not have."""
    return [
        f"{path}\t{name}"
        for path in sorted(blocks)
        for name in sorted(blocks[path])
        if name not in known.get(path, set())
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if not canonical or incomplete")
    ap.add_argument("--missing", action="store_true", help="list keywords without a description")
    args = ap.parse_args(argv)

    raw = DESCRIPTIONS.read_text(encoding="utf-8")
    data = json.loads(raw)
    if data.get("format") != FORMAT_VERSION:
        print(f"{DESCRIPTIONS}: unsupported format {data.get('format')!r}", file=sys.stderr)
        return 1
    blocks: dict[str, dict[str, str]] = data.get("blocks", {})
    known = grammar_keywords(json.loads(GRAMMAR.read_text(encoding="utf-8")))
    gaps, old = missing(known, blocks), stale(known, blocks)

    if args.missing:
        print("\n".join(gaps) if gaps else "every keyword has a description")
        return 0
    text = canonical_text(blocks)
    if args.check:
        status = 0
        if text != raw:
            print(f"{DESCRIPTIONS} is not in canonical layout: run tools/fmt_descriptions.py")
            status = 1
        for what, rows in (("no description", gaps), ("stale description", old)):
            for row in rows:
                print(f"{what}: {row}")
                status = 1
        return status
    if text != raw:
        DESCRIPTIONS.write_text(text, encoding="utf-8")
    for row in old:
        print(f"stale description (not in the grammar): {row}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
