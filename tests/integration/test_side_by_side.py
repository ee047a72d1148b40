"""keepalived and ``kaconf run`` end in the same place on a fixed set of configs.

A small, fixed subset of what tools/side_by_side.py measures (see docs/agreement.md): each
config runs under keepalived 2.2.7 and under ``kaconf run``, each alone in a namespace of
its own with the interfaces the config names, and both must end with the same instance
states and the same addresses added. One two-node case puts the seed pair on a bridge with
serverB (keepalived) already MASTER and serverA (kaconf, nopreempt) joining: it must stay
BACKUP exactly as a keepalived serverA does. About 80 s.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from .netns import NETNS

_TOOLS = Path(__file__).resolve().parents[2] / "tools"
if str(_TOOLS) not in sys.path:
    sys.path.insert(0, str(_TOOLS))

import side_by_side as sbs  # noqa: E402
from side_by_side_configs import (  # noqa: E402
    Case,
    corpus_cases,
    generated_cases,
    seed_cases,
    seed_variants,
)

pytestmark = [
    *NETNS,
    pytest.mark.oracle,
    pytest.mark.skipif(sbs.keepalived_path() is None, reason="keepalived is not installed"),
]

#: Names from tools/side_by_side_configs.py; chosen to cover owners, a down tracked
#: interface, failing/weighted scripts, unicast /24 peers, VRRPv3 and a sync group.
SUBSET = (
    "examples/serverB.conf",
    "serverA owner 255",
    "serverA track_interface down",
    "serverA track_script false",
    "serverA track_script false weighted",
    "serverA unicast /24 peers",
    "serverA VRRPv3",
    "keepalived.conf.vrrp.sync",
    "gen001",
)


def _subset() -> list[Case]:
    corpus, _ = corpus_cases()
    every = [*seed_cases(), *seed_variants(), *corpus, *generated_cases(11, 4)]
    chosen = [c for c in every if any(c.name == n or c.name.startswith(n + " ")
                                      for n in SUBSET)]
    return chosen


CASES = _subset()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_same_outcome_alone(case: Case, tmp_path: Path) -> None:
    result, logs = sbs.compare(case, tmp_path)
    assert result.keepalived.ran, f"keepalived did not run {case.name}:\n{logs['keepalived']}"
    assert result.kaconf.ran, f"kaconf did not run {case.name}:\n{logs['kaconf']}"
    assert result.keepalived.states, f"no instance state from keepalived:\n{logs['keepalived']}"
    assert (result.kaconf.states, result.kaconf.added, result.kaconf.removed) == (
        result.keepalived.states, result.keepalived.added, result.keepalived.removed), (
        f"keepalived: {result.keepalived.describe()}\nkaconf: {result.kaconf.describe()}\n"
        f"kaconf log:\n{logs['kaconf'][-3000:]}")


def test_nopreempt_joiner_stays_backup_like_keepalived(tmp_path: Path) -> None:
    reference = sbs.run_pair("B", {"A": "keepalived", "B": "keepalived"}, tmp_path / "ref")
    mixed = sbs.run_pair("B", {"A": "kaconf", "B": "keepalived"}, tmp_path / "mixed")
    assert dict(reference["A"].states) == {"VI_1": "BACKUP"}
    assert mixed == reference
