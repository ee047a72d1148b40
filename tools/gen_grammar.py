#!/usr/bin/env python3
"""Generate ``grammars/keepalived.json`` from the reference keyword table.

The reference table (``tests/fixtures/reference/keywords.tsv``) is the import
source: it was extracted by hand and script from keepalived's parsers and is
easy to review, but it is prose-heavy (ranges like ``0.01-255``, notes like
``same handler as lb_kind``).  kaconf itself must not parse prose at run time,
so this tool turns every row into structured, typed data once, and the JSON is
what gets committed and shipped (as the ``kaconf_grammars`` package).

The output is deterministic (sorted blocks and keywords, fixed field order,
``\\n`` line endings), so re-running the tool on an unchanged table gives a
byte-identical file and any diff in review is a real schema change.

Usage::

    python tools/gen_grammar.py                 # rewrite grammars/keepalived.json
    python tools/gen_grammar.py --check         # exit 1 if the committed file is stale
    python tools/gen_grammar.py --tsv X --output Y
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TSV = ROOT / "tests" / "fixtures" / "reference" / "keywords.tsv"
DEFAULT_OUTPUT = ROOT / "grammars" / "keepalived.json"

#: Bump when the JSON layout changes incompatibly (kaconf.schema checks it).
FORMAT_VERSION = 1

#: keepalived snapshots the table describes, oldest first; the TSV has one
#: ``in_<version>`` yes/no column per entry.
VERSIONS: tuple[str, ...] = ("1.2.2", "2.2.7", "master")

EXPECTED_COLUMNS: tuple[str, ...] = (
    "block_path",
    "keyword",
    "arg_syntax",
    "arg_type",
    "range_or_enum",
    "default",
    "in_1.2.2",
    "in_2.2.7",
    "in_master",
    "deprecated_or_alias",
    "handler",
    "source",
    "opens_block",
    "block_name_arg",
    "build_condition",
    "notes",
)

ARG_TYPES = frozenset(
    {
        "int",
        "time",
        "bool",
        "string",
        "none",
        "block",
        "enum",
        "ip",
        "sockaddr",
        "script",
        "path",
        "other",
        "float",
    }
)
OPENS = {"sublevel": "sublevel", "value_block": "value_block", "": None}

_NUM = r"-?\d+(?:\.\d+)?"
#: A whole-cell numeric range: ``1-255``, ``0.01-255``, ``-253-253``, ``-253..253``.
_RANGE_RE = re.compile(rf"^\s*({_NUM})\s*(?:\.\.|-)\s*({_NUM})\s*$")
#: A range whose upper bound is prose: ``0..(number of CPUs - 1)`` -> min only.
_OPEN_RANGE_RE = re.compile(rf"^\s*({_NUM})\s*\.\.\s*\D")
#: An enumeration: ``MASTER|BACKUP``, ``1.0|1.1|1.0C|1.0c``, or a lone word for enums.
_CHOICES_RE = re.compile(r"^[A-Za-z0-9_.+-]+(?:\|[A-Za-z0-9_.+-]+)*$")
_NAME = r"([A-Za-z_][A-Za-z0-9_-]*)"
_SAME_HANDLER_RE = re.compile(rf"\bsame handler as {_NAME}", re.IGNORECASE)
_ALIAS_RE = re.compile(rf"\b(?:alias|synonym) of {_NAME}", re.IGNORECASE)
_SPELLING_RE = re.compile(rf"\bdeprecated spelling of {_NAME}", re.IGNORECASE)
_DEPRECATED_RE = re.compile(r"deprecat", re.IGNORECASE)

_LB_FLAG_WHY = (
    "flag keyword: lbflags_handler only looks at the keyword itself (strvec slot 0) and takes "
    "no argument; the TSV listed the whole flag set as its argument"
)

#: Hand-verified corrections, keyed by (block_path, keyword).  Only for rows the
#: TSV clearly gets wrong; each was checked against keepalived's source (master).
#: ``why`` is appended to the keyword's notes so the correction stays visible in
#: the generated data.  Every key must exist in the TSV (stale overrides fail).
OVERRIDES: dict[tuple[str, str], dict[str, Any]] = {
    **{
        key: {
            "arg_type": "sockaddr",
            "why": "read by inet_stosockaddr, which ignores anything from '/' or '-' on "
                   "(192.0.2.1/24 is 192.0.2.1; keepalived 2.2.7 -t accepts it)",
        }
        for key in (("global_defs", "vrrp_mcast_group4"), ("global_defs", "vrrp_mcast_group6"),
                    ("vrrp_instance", "mcast_src_ip"), ("vrrp_instance", "unicast_src_ip"),
                    ("vrrp_instance", "mcast_dst_ip"))
    },
    **{
        ("global_defs" if kw != "garp_master_refresh" else "vrrp_instance", kw): {
            "arg_type": "int",
            "why": "keepalived 2.2.7 reads a whole number of seconds here (verified with -t)",
        }
        for kw in ("vrrp_garp_master_delay", "garp_master_refresh", "smtp_connect_timeout",
                   "startup_script_timeout", "shutdown_script_timeout")
    },
    **{
        ("global_defs", kw): {
            "arg_syntax": "[<string>]",
            "why": "the argument is optional in keepalived's handler",
        }
        for kw in ("smtp_helo_name", "reload_check_config", "nftables_ipvs")
    },
    ("global_defs", "vrrp_skip_check_adv_addr"): {
        "arg_type": "none",
        "choices": None,
        "why": "keepalived 2.2.7 sets the flag and ignores any argument",
    },
    ("global_defs", "max_auto_priority"): {
        "min": -1,
        "max": 99,
        "why": "range is -1 (off) to the highest SCHED_RR priority, 99 on Linux",
    },
    ("virtual_server", "persistence_granularity"): {
        "arg_type": "string",
        "min": None,
        "max": None,
        "why": "persistence_granularity takes a dotted netmask (255.255.255.0) or a prefix length",
    },
    ("virtual_server/real_server/DNS_CHECK", "type"): {
        "arg_type": "string",
        "why": "the record type is matched case-insensitively (a, A, aaaa ...)",
    },
    ("vrrp_instance", "notify_deleted"): {
        "arg_syntax": "[<script path> [args...]] (quoted allowed)",
        "why": "without a script keepalived only sends the 'deleted' notification "
        "(dump: 'Notify deleted = Deleted')",
    },
    ("global_defs", "smtp_server"): {
        "arg_type": "other",
        "why": "smtp_server takes a host name or an address, and an optional port",
    },
    ("global_defs", "umask"): {
        "arg_type": "string",
        "min": None,
        "max": None,
        "why": "umask also takes symbolic forms such as IWGRP|IWOTH",
    },
    **{
        (f"virtual_server/real_server/{chk}/url", "digest"): {
            "arg_type": "string",
            "min": None,
            "max": None,
            "why": "digest is an MD5 hex string (32 hex digits), not an integer",
        }
        for chk in ("HTTP_GET", "SSL_GET")
    },
    **{
        (f"virtual_server/real_server/{chk}/url", "status_code"): {
            "arg_type": "other",
            "min": None,
            "max": None,
            "why": "status_code takes codes and ranges such as 200-299 (several words)",
        }
        for chk in ("HTTP_GET", "SSL_GET")
    },
    **{
        ("virtual_server", flag): {
            "arg_syntax": "(no argument)",
            "arg_type": "none",
            "choices": None,
            "range_text": None,
            "why": _LB_FLAG_WHY,
        }
        for flag in (
            "hashed",
            "ops",
            "flag-1",
            "flag-2",
            "flag-3",
            "sh-port",
            "sh-fallback",
            "mh-port",
            "mh-fallback",
        )
    },
    ("vrrp_instance", "thread_timer_expired"): {
        "deprecated": "deprecated: handler reports "
        "'thread_timer_expired - please replace with keyword timer_expired_backup'",
        "replacement": "timer_expired_backup",
        "alias_of": "timer_expired_backup",
        "why": "the TSV's deprecated_or_alias cell held a source comment "
        "('Added to match the release notes'), not an alias/deprecation note",
    },
    ("virtual_server/real_server/HTTP_GET", "nb_get_retry"): {
        "replacement": "retry",
        "why": "handler reports \"nb_get_retry is deprecated - please use 'retry'\"",
    },
    ("virtual_server/real_server/SSL_GET", "nb_get_retry"): {
        "replacement": "retry",
        "why": "handler reports \"nb_get_retry is deprecated - please use 'retry'\"",
    },
    ("vrrp_sync_group", "global_tracking"): {
        "deprecated": "deprecated: handler reports "
        "'global_tracking is deprecated. Use track_interface/script/file on the sync group'",
        "why": "deprecation only mentioned in notes ('handler mentions deprecation')",
    },
    ("vrrp_instance", "linkbeat_use_polling"): {
        "deprecated": "deprecated: handler reports \"'linkbeat_use_polling' in vrrp instance "
        'deprecated - use linkbeat_interfaces block"',
        "replacement": "linkbeat_interfaces",
        "why": "deprecation only mentioned in notes; replacement is the top-level block",
    },
    ("vrrp_instance", "lvs_sync_daemon_interface"): {
        "deprecated": "Deprecated after v1.2.19: handler reports 'Please use global "
        "lvs_sync_daemon'",
        "replacement": "lvs_sync_daemon",
        "why": "deprecation only mentioned in notes; replacement lives in global_defs",
    },
    ("virtual_server/real_server", "SSL_GET"): {
        "alias_of": None,
        "why": "shares http_get_handler with HTTP_GET, but the handler checks the keyword to "
        "enable SSL, so it is not an interchangeable alias",
    },
    ("global_defs", "lvs_timeouts"): {
        "min": 0,
        "max": 2678400,
        "why": "range is embedded in prose ('each value 0-2678400'); applies to every value",
    },
    ("global_defs", "include_check"): {
        "choices": ["read", "match", "wildcard_match", "brace_match"],
        "why": "enum cell also carries a qualifier ('each optionally prefixed + or -')",
    },
}


def _number(text: str) -> int | float:
    """Return ``text`` as int when integral, so the JSON keeps 4294967295 exact."""
    return float(text) if "." in text else int(text)


def parse_range(
    text: str, arg_type: str
) -> tuple[int | float | None, int | float | None, list[str] | None]:
    """Split a ``range_or_enum`` cell into (min, max, choices).

    Numeric ranges win over enumerations (``0-4294`` also looks like a word);
    a lone word is only taken as a choice for ``enum`` keywords, because in any
    other type a single word is prose.  Unparseable prose yields all ``None``;
    the caller keeps the raw text as ``range_text`` either way.
    """
    if not text:
        return None, None, None
    m = _RANGE_RE.match(text)
    if m:
        lo, hi = _number(m.group(1)), _number(m.group(2))
        if lo > hi:
            raise ValueError(f"range {text!r} has min > max")
        return lo, hi, None
    m = _OPEN_RANGE_RE.match(text)
    if m:
        return _number(m.group(1)), None, None
    if _CHOICES_RE.match(text) and ("|" in text or arg_type == "enum"):
        return None, None, text.split("|")
    return None, None, None


def parse_alias_note(text: str, notes: str) -> tuple[str | None, str | None, str | None, bool]:
    """Interpret a ``deprecated_or_alias`` cell.

    Returns (deprecated, replacement, alias_of, recognised).  ``deprecated`` is
    the cell text when it speaks of deprecation (a bare "same handler as X" is
    an alias, not a deprecation).  ``alias_of`` is X in "same handler as X" /
    "alias of X" / "synonym of X".  ``replacement`` is only set for deprecated
    keywords: the alias target, else X in a "deprecated spelling of X" note.
    """
    if not text:
        return None, None, None, True
    deprecated = text if _DEPRECATED_RE.search(text) else None
    m = _SAME_HANDLER_RE.search(text) or _ALIAS_RE.search(text)
    alias_of = m.group(1) if m else None
    replacement = None
    if deprecated:
        replacement = alias_of
        if replacement is None:
            sm = _SPELLING_RE.search(notes)
            replacement = sm.group(1) if sm else None
    return deprecated, replacement, alias_of, bool(deprecated or alias_of)


def _opt(text: str) -> str | None:
    """Empty TSV cells become null, so consumers test ``is None`` not truthiness."""
    text = text.strip()
    return text or None


def convert_row(row: dict[str, str], line: int, warnings: list[str]) -> dict[str, Any]:
    """Turn one TSV row into the keyword record stored in the JSON."""
    path, kw = row["block_path"], row["keyword"]
    where = f"line {line} ({path or '<root>'}/{kw})"
    arg_type = row["arg_type"].strip()
    if arg_type not in ARG_TYPES:
        raise ValueError(f"{where}: unknown arg_type {arg_type!r}")
    opens_raw = row["opens_block"].strip()
    if opens_raw not in OPENS:
        raise ValueError(f"{where}: unknown opens_block {opens_raw!r}")
    named_raw = row["block_name_arg"].strip()
    if named_raw not in ("yes", "no", ""):
        raise ValueError(f"{where}: unknown block_name_arg {named_raw!r}")
    versions = []
    for v in VERSIONS:
        flag = row[f"in_{v}"].strip()
        if flag not in ("yes", "no"):
            raise ValueError(f"{where}: in_{v} is {flag!r}, expected yes/no")
        if flag == "yes":
            versions.append(v)
    if not versions:
        warnings.append(f"{where}: keyword is in no version")

    range_text = _opt(row["range_or_enum"])
    lo, hi, choices = parse_range(range_text or "", arg_type)
    if arg_type == "enum" and choices is None and lo is None and (path, kw) not in OVERRIDES:
        warnings.append(f"{where}: enum without parseable choices: {range_text!r}")

    notes = _opt(row["notes"])
    dep_text = row["deprecated_or_alias"].strip()
    deprecated, replacement, alias_of, recognised = parse_alias_note(dep_text, notes or "")
    if not recognised:
        if (path, kw) not in OVERRIDES:
            warnings.append(
                f"{where}: unrecognised deprecated_or_alias {dep_text!r} (kept in notes)"
            )
        notes = "; ".join(x for x in (notes, f"deprecated_or_alias: {dep_text}") if x)

    return {
        "arg_syntax": row["arg_syntax"].strip(),
        "arg_type": arg_type,
        "min": lo,
        "max": hi,
        "range_text": range_text,
        "choices": choices,
        "default": _opt(row["default"]),
        "versions": versions,
        "deprecated": deprecated,
        "replacement": replacement,
        "alias_of": alias_of,
        "opens": OPENS[opens_raw],
        "named": named_raw == "yes",
        "handler": _opt(row["handler"]),
        "source": _opt(row["source"]),
        "build_condition": _opt(row["build_condition"]),
        "notes": notes,
    }


def apply_override(record: dict[str, Any], override: dict[str, Any]) -> None:
    """Apply one OVERRIDES entry in place and record why in the notes."""
    for key, value in override.items():
        if key == "why":
            continue
        if key not in record:
            raise KeyError(f"override sets unknown field {key!r}")
        record[key] = value
    why = f"[gen_grammar override: {override['why']}]"
    record["notes"] = f"{record['notes']}; {why}" if record["notes"] else why


def build_grammar(tsv_path: Path, warnings: list[str]) -> dict[str, Any]:
    """Read the TSV and return the full grammar document (not yet serialised)."""
    raw = tsv_path.read_bytes()
    text = raw.decode("utf-8")
    reader = csv.DictReader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE)
    if tuple(reader.fieldnames or ()) != EXPECTED_COLUMNS:
        raise ValueError(f"{tsv_path}: unexpected header {reader.fieldnames!r}")

    records: dict[tuple[str, str], dict[str, Any]] = {}
    first_line: dict[tuple[str, str], int] = {}
    for line, row in enumerate(reader, start=2):
        if None in row or any(v is None for v in row.values()):
            raise ValueError(f"{tsv_path}:{line}: wrong number of columns")
        key = (row["block_path"].strip(), row["keyword"].strip())
        row["block_path"], row["keyword"] = key
        if not key[1]:
            raise ValueError(f"{tsv_path}:{line}: empty keyword")
        record = convert_row(row, line, warnings)
        if key in records:
            # Same keyword listed twice in one block: keep the first row's
            # details, union the versions, and say so in the notes.
            old = records[key]
            old["versions"] = [
                v for v in VERSIONS if v in old["versions"] or v in record["versions"]
            ]
            msg = f"merged duplicate TSV rows (lines {first_line[key]} and {line})"
            old["notes"] = f"{old['notes']}; {msg}" if old["notes"] else msg
            warnings.append(f"{tsv_path}:{line}: {key}: {msg}")
            continue
        records[key] = record
        first_line[key] = line

    for key, override in OVERRIDES.items():
        if key not in records:
            raise KeyError(f"OVERRIDES entry {key} matches no TSV row (stale override?)")
        apply_override(records[key], override)

    blocks: dict[str, dict[str, Any]] = {}
    for path, kw in sorted(records):
        blocks.setdefault(path, {"keywords": {}})["keywords"][kw] = records[(path, kw)]

    # Consistency: every nested block must be opened by a sublevel keyword in
    # its parent, and every sublevel keyword should have keywords of its own.
    for path in blocks:
        if not path:
            continue
        parent, _, name = path.rpartition("/")
        opener = blocks.get(parent, {}).get("keywords", {}).get(name)
        if opener is None or opener["opens"] != "sublevel":
            warnings.append(f"block {path!r} has no sublevel opener in {parent or '<root>'!r}")
    for (path, kw), rec in sorted(records.items()):
        child = f"{path}/{kw}" if path else kw
        if rec["opens"] == "sublevel" and child not in blocks:
            warnings.append(f"sublevel keyword {child!r} has no keywords of its own")

    try:
        source = tsv_path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        source = tsv_path.name
    return {
        "format": FORMAT_VERSION,
        "generated_by": "tools/gen_grammar.py",
        "source": source,
        "source_sha256": hashlib.sha256(raw).hexdigest(),
        "versions": list(VERSIONS),
        "blocks": blocks,
    }


def render(grammar: dict[str, Any]) -> str:
    """Serialise deterministically, one keyword per line.

    One line per keyword keeps the file compact (fast to load at run time) and
    makes review diffs line-per-keyword; the result is still plain JSON.
    """

    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    out = ["{"]
    for key, value in grammar.items():
        if key != "blocks":
            out.append(f" {dump(key)}: {dump(value)},")
    out.append(' "blocks": {')
    blocks = grammar["blocks"]
    for bi, (path, block) in enumerate(blocks.items()):
        out.append(f"  {dump(path)}: {{")
        out.append('   "keywords": {')
        keywords = block["keywords"]
        for ki, (kw, record) in enumerate(keywords.items()):
            comma = "," if ki < len(keywords) - 1 else ""
            out.append(f"    {dump(kw)}: {dump(record)}{comma}")
        out.append("   }")
        out.append("  }," if bi < len(blocks) - 1 else "  }")
    out.append(" }")
    out.append("}")
    text = "\n".join(out) + "\n"
    if json.loads(text) != grammar:  # cheap guard against a broken hand-written layout
        raise AssertionError("render() produced JSON that does not round-trip")
    return text


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit status."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--tsv", type=Path, default=DEFAULT_TSV, help="reference keyword table")
    ap.add_argument(
        "--output",
        "-o",
        type=Path,
        default=DEFAULT_OUTPUT,
        help="JSON file to write (default: grammars/keepalived.json)",
    )
    ap.add_argument(
        "--check",
        action="store_true",
        help="do not write; exit 1 if OUTPUT differs from what would be generated",
    )
    ap.add_argument("--quiet", "-q", action="store_true", help="do not print warnings/summary")
    args = ap.parse_args(argv)

    warnings: list[str] = []
    grammar = build_grammar(args.tsv, warnings)
    text = render(grammar)
    if not args.quiet:
        for w in warnings:
            print(f"gen_grammar: warning: {w}", file=sys.stderr)

    if args.check:
        try:
            current = args.output.read_text(encoding="utf-8")
        except FileNotFoundError:
            current = None
        if current != text:
            print(f"gen_grammar: {args.output} is stale; run tools/gen_grammar.py", file=sys.stderr)
            return 1
        return 0

    args.output.parent.mkdir(parents=True, exist_ok=True)
    with open(args.output, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    if not args.quiet:
        n_kw = sum(len(b["keywords"]) for b in grammar["blocks"].values())
        print(
            f"gen_grammar: wrote {args.output} ({n_kw} keywords in "
            f"{len(grammar['blocks'])} blocks)",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
