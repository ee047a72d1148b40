"""Where the repository's test data lives, computed once here so test files can move freely.

Test modules import these instead of counting ``Path(__file__).parents[N]``, which breaks
whenever a test file changes folder depth.
"""

from __future__ import annotations

from pathlib import Path

#: the repository root (the folder holding pyproject.toml)
REPO = Path(__file__).resolve().parents[2]
#: tests/
TESTS = REPO / "tests"
#: tests/fixtures: recorded keepalived outputs, corpus, validation configs
FIXTURES = TESTS / "fixtures"
#: tests/snapshots: per-rule lint snapshots
SNAPSHOTS = TESTS / "snapshots"
#: examples/: the example configs shipped with kaconf
EXAMPLES = REPO / "examples"
