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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support.netns import NETNS
from tests.support.tools import load_tool

# tools/side_by_side.py (which loads its sibling side_by_side_configs.py itself)
sbs = load_tool("side_by_side")
_configs = sys.modules["side_by_side_configs"]
Case = _configs.Case
corpus_cases = _configs.corpus_cases
generated_cases = _configs.generated_cases
seed_cases = _configs.seed_cases
seed_variants = _configs.seed_variants

pytestmark = [
    *NETNS,
    pytest.mark.oracle,
    pytest.mark.skipif(sbs.keepalived_path() is None, reason="keepalived is not installed"),
]

#: Names from tools/side_by_side_configs.py; chosen to cover owners, a down tracked
#: interface, failing/weighted scripts, unicast /24 peers, VRRPv3, instances on an
#: interface without an address (alone and in a sync group) and a generated file.
SUBSET = (
    "examples/serverB.conf",
    "serverA owner 255",
    "serverA track_interface down",
    "serverA track_script false",
    "serverA track_script false weighted",
    "serverA unicast /24 peers",
    "serverA VRRPv3",
    "keepalived.conf.vrrp",
    "keepalived.conf.vrrp.sync",
    "gen001",
)


def _subset() -> list[Case]:
    corpus, _ = corpus_cases()
    every = [*seed_cases(), *seed_variants(), *corpus, *generated_cases(11, 4)]
    chosen = [c for c in every if any(c.name == n or c.name.startswith(n + " (")
                                      for n in SUBSET)]
    return chosen


CASES = _subset()


def test_same_outcome_alone(tmp_path: Path) -> None:
    assert len(CASES) == len(SUBSET), f"subset changed: {[c.name for c in CASES]}"
    # Two configs at a time (four namespaces): every case is alone in its namespaces, so
    # they do not interact, and the whole subset stays well under 90 s.
    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(sbs.compare, case, tmp_path / f"c{i}")
                   for i, case in enumerate(CASES)]
        done = [f.result() for f in futures]
    problems = []
    for case, (result, logs) in zip(CASES, done, strict=True):
        if not result.keepalived.ran or not result.keepalived.states:
            problems.append(f"{case.name}: keepalived did not run it:\n{logs['keepalived']}")
        elif not (result.same_states and result.same_addresses):
            problems.append(f"{case.name}:\n  keepalived: {result.keepalived.describe()}\n"
                            f"  kaconf:     {result.kaconf.describe()}\n"
                            f"kaconf log (end):\n{logs['kaconf'][-2000:]}")
    assert not problems, "\n\n".join(problems)


def test_nopreempt_joiner_stays_backup_like_keepalived(tmp_path: Path) -> None:
    """serverB is MASTER; serverA (nopreempt, higher priority) joins and stays BACKUP."""
    with ThreadPoolExecutor(2) as pool:
        ref = pool.submit(sbs.run_pair, "B", {"A": "keepalived", "B": "keepalived"},
                          tmp_path / "ref")
        mix = pool.submit(sbs.run_pair, "B", {"A": "kaconf", "B": "keepalived"},
                          tmp_path / "mixed")
        reference, mixed = ref.result(), mix.result()
    assert dict(reference["A"].states) == {"VI_1": "BACKUP"}
    assert mixed == reference
