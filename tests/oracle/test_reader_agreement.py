"""kaconf's reader places broken configs' lines where keepalived's parser does.

Runs the mutation generator of tools/agreement.py (missing/extra braces, inline block
values, ``${}``/``#X#``/``<x>`` placeholders, CRLF, tabs, stray text, shell prompts) with a
small fixed seed, asks ``keepalived -t`` (tests/support/oracle.py) and ``kaconf lint`` about
every file, and checks the numbered-line coverage (lines keepalived reports as ``(Line N)``
where kaconf reports an error) against the figure measured by the tool (docs/agreement.md,
98.4%, rounded down; this subset measures 789 / 797 = 98.996%, which rounds down to 98% too).
Skipped, with the reason, where keepalived cannot run here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.oracle import keepalived_available
from tests.support.tools import load_tool

agreement = load_tool("agreement")

pytestmark = pytest.mark.oracle

#: docs/agreement.md's numbered-line coverage, rounded down to a whole percent (seed 7 here
#: measures 789 / 797: 0.99 would fail)
COVERAGE_FLOOR = 0.98


def test_mutations_read_like_keepalived(tmp_path: Path) -> None:
    reason = keepalived_available()
    if reason is not None:
        pytest.skip(f"keepalived oracle unavailable: {reason}")
    cases = list(agreement.generate(seed=7, count=200))
    assert len(cases) == 200
    agreement.judge(cases, tmp_path)
    fig = agreement.figures(cases)
    misses = [(c.name, c.category, n, m) for c in cases for n, m in c.missed.items()]
    assert fig.lines_reported > 100
    assert fig.coverage >= COVERAGE_FLOOR, misses


def test_generator_is_seeded() -> None:
    """Same seed, same files: the floor above is measured on a fixed set."""
    one = [(c.name, c.text) for c in agreement.generate(seed=3, count=20)]
    two = [(c.name, c.text) for c in agreement.generate(seed=3, count=20)]
    assert one == two
