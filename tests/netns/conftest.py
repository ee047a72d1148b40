"""Fixtures for the daemon's namespace tests: a lab per test, always torn down.

The daemon's test modules mark themselves ``netns`` (:data:`tests.support.netns.NETNS`), which also
skips them, with the reason, unless we are root and ``ip netns`` works.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.netns import Lab


@pytest.fixture
def lab(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Lab]:
    """An empty lab (switch namespace only); processes and namespaces go away at the end.

    When the test failed, the daemons' logs are printed so the failure can be read.
    """
    the_lab = Lab(tmp_path)
    try:
        yield the_lab
    finally:
        the_lab.close()
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            for proc in the_lab.procs:
                print(f"===== {proc.name} (pid {proc.pid})\n{proc.log()}")


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)
