"""The resolver's LVS fix-ups are keepalived's own log lines (kaconf/effective/lvs.py).

Lint (KA271-KA276) reports these notes and the checker child logs them, so each must be
a line ``keepalived -t`` prints for the same config, in the same order.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import kaconf
from kaconf.effective import resolve
from kaconf.effective.host import Host
from tests.support.oracle import OracleNetns, keepalived_available
from tests.support.paths import FIXTURES

pytestmark = pytest.mark.oracle

CASES = sorted((FIXTURES / "lvs_notes").glob("*.conf"))


def _notes(path: Path) -> list[str]:
    loaded = kaconf.load_full(str(path))
    st = resolve(loaded.config, Host.local()).lvs  # keepalived runs on this host too
    assert st is not None
    return st.warnings


@pytest.mark.parametrize("conf", CASES, ids=[c.name for c in CASES])
def test_notes_are_keepalived_lines(conf: Path) -> None:
    reason = keepalived_available()
    if reason is not None:
        pytest.skip(f"keepalived oracle unavailable: {reason}")
    with OracleNetns() as ns:
        out = ns.check(conf).output
    theirs = [line.strip() for line in out.splitlines() if line.strip()]
    ours = _notes(conf)
    assert ours, "the fixture must make keepalived fix something up"
    # the fixtures are LVS-only: everything keepalived logs is a fix-up, and each is a note
    assert ours == theirs
