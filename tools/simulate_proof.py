"""Prove ``kaconf simulate`` against real keepalived and record the figures.

Runs every scenario of tests/fixtures/simulate twice, on real keepalived 2.2.7 nodes in
network namespaces and in the simulator (tests/support/simproof.py, the same code the
namespace test tests/netns/test_simulate_vs_keepalived.py asserts with), and writes, per
scenario, how many transitions matched and the largest time difference into
docs/simulate.md between the ``simulate_proof`` markers (the rest of the file is not
touched; the markers are added in a section of their own when missing).

    sudo python3 tools/simulate_proof.py [--only NAME ...] [--json DIR] [--no-write] [-v]

Needs root (namespaces) and keepalived; about 30 s. Exit status 1 when a scenario
disagrees (the figures are written anyway, with the disagreement).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import textwrap
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.cluster import keepalived_available  # noqa: E402
from tests.support.simproof import KNOWN_GAPS, NOTES, Proof, prove_all  # noqa: E402

DOC = ROOT / "docs" / "simulate.md"
BEGIN, END = "<!-- simulate_proof:begin -->", "<!-- simulate_proof:end -->"
SECTION = "## Proof against keepalived"


def figures(proofs: Sequence[Proof], version: str) -> str:
    """The Markdown between the markers."""
    intro = (
        f"Written by `sudo python3 tools/simulate_proof.py` ({version}); the same runs "
        "are asserted by `tests/netns/test_simulate_vs_keepalived.py`. Each scenario "
        "(`tests/fixtures/simulate/NAME/`: one config per node and `scenario.yaml`) runs "
        "on real keepalived nodes, one network namespace each on a bridged LAN, and in "
        "the simulator. Transitions come from keepalived's `Entering X STATE` lines, VIP "
        "holders from the addresses in each namespace (`ip monitor address`), both "
        "stamped with a monotonic clock. Allowed: one advert interval + 50 ms per "
        "transition; holder intervals under 25 ms (the instant of a hand-over) are "
        "ignored on both sides.")
    compared = [p.comparison for p in proofs if p.comparison is not None]
    agree = sum(c.ok for c in compared)
    matched = sum(c.matched for c in compared if c.ok)
    total = sum(c.transitions for c in compared if c.ok)
    worst = max((c.max_diff for c in compared if c.ok), default=0.0)
    summary = (f"{agree} of {len(proofs)} scenarios agree: {matched}/{total} transitions, "
               f"the largest time difference {worst * 1000:.0f} ms.")
    lines = [
        *textwrap.wrap(intro, 90),
        "",
        summary,
        "",
        "| scenario | nodes | events | transitions matched | max time difference "
        "| VIP holder changes matched | max VIP time difference | verdict |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for p in proofs:
        c = p.comparison
        nodes = ", ".join(p.real["nodes"])
        events = len(p.real["events"])
        if c is None:
            lines.append(f"| {p.name} | {nodes} | {events} | - | - | - | - | "
                         f"simulator failed: {p.error} |")
            continue
        verdict = "agree" if c.ok else "DISAGREE: " + "; ".join(c.problems)
        if not c.ok and p.name in KNOWN_GAPS:
            verdict = f"known simulator gap: {KNOWN_GAPS[p.name]}"
        elif c.ok and p.name in NOTES:
            verdict = f"agree ({NOTES[p.name]})"
        if p.attempts > 1:
            verdict += " (second measurement)"
        lines.append(f"| {p.name} | {nodes} | {events} | {c.matched}/{c.transitions} "
                     f"| {c.max_diff * 1000:.0f} ms | {c.vip_matched}/{c.vip_changes} "
                     f"| {c.vip_max_diff * 1000:.0f} ms | {verdict} |")
    return "\n".join(lines)


def write_doc(body: str, doc: Path = DOC) -> None:
    """Replace what is between the markers; add them in a section of their own if absent."""
    block = f"{BEGIN}\n{body}\n{END}"
    old = doc.read_text() if doc.exists() else "# kaconf simulate\n"
    if BEGIN in old and END in old:
        head, rest = old.split(BEGIN, 1)
        new = head + block + rest.split(END, 1)[1]
    else:
        new = old.rstrip("\n") + f"\n\n{SECTION}\n\n{block}\n"
    doc.write_text(new)


def keepalived_version() -> str:
    import subprocess

    out = subprocess.run(["keepalived", "-v"], capture_output=True, text=True, timeout=10)
    first = (out.stderr or out.stdout).splitlines()
    return first[0].strip() if first else "keepalived"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help="run only this scenario (repeatable; the doc is not written)")
    parser.add_argument("--json", type=Path, metavar="DIR",
                        help="also write NAME.real.json and NAME.sim.json there")
    parser.add_argument("--no-write", action="store_true", help="print, do not write the doc")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="print both timelines and the logs of every scenario")
    args = parser.parse_args(argv)
    reason = keepalived_available()
    if reason is not None:
        print(reason, file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="simproof-") as tmp:
        proofs = prove_all(Path(tmp), args.only)
    if args.json is not None:
        args.json.mkdir(parents=True, exist_ok=True)
        for p in proofs:
            (args.json / f"{p.name}.real.json").write_text(json.dumps(p.real, indent=1))
            if p.sim is not None:
                (args.json / f"{p.name}.sim.json").write_text(json.dumps(p.sim, indent=1))
    body = figures(proofs, keepalived_version())
    print(body)
    failed = [p for p in proofs if (p.comparison is None or not p.comparison.ok)
              and p.name not in KNOWN_GAPS]
    for p in proofs if args.verbose else failed:
        print("\n" + p.report(), file=sys.stderr)
    if not args.only and not args.no_write:
        write_doc(body)
        print(f"wrote {os.path.relpath(DOC)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
