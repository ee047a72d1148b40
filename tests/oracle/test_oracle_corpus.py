"""The keepalived oracle must reproduce the recorded ``keepalived -t`` verdicts.

kaconf's lint expectations are checked against files recorded once by hand
(``corpus/keepalived-samples/verdicts.tsv`` and ``validation/results.tsv``, with the full
outputs in ``verdicts/FILE.txt`` and ``validation/NAME.out``).  If the oracle in
``tests/support/oracle.py`` gives the same exit codes on those files, then both the recordings and
the oracle's namespace setup are trustworthy, and the oracle can be used to judge new configs
that have no recording.  A mismatch means the environment drifted (interfaces, addresses,
keepalived version) and every oracle-based test would be suspect.

Skipped, with the reason, when keepalived cannot be run here (not root, no binary, no netns).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.support.oracle import OracleNetns, keepalived_available
from tests.support.paths import FIXTURES

SAMPLES = FIXTURES / "corpus" / "keepalived-samples"
VALIDATION = FIXTURES / "validation"

pytestmark = pytest.mark.oracle


def _read_tsv(path: Path) -> list[dict[str, str]]:
    """Rows of a tab-separated file with a header line (no quoting: outputs contain quotes)."""
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def _sample_cases() -> list[tuple[Path, int]]:
    return [
        (SAMPLES / row["file"], int(row["exit_code"]))
        for row in _read_tsv(SAMPLES / "verdicts.tsv")
    ]


def _validation_cases() -> list[tuple[Path, int]]:
    # results.tsv columns: test, exit_code, output ('|'-joined lines); test = NAME of NAME.conf
    recorded = {row["test"]: int(row["exit_code"]) for row in _read_tsv(VALIDATION / "results.tsv")}
    cases = []
    for conf in sorted(VALIDATION.glob("*.conf")):
        # A config without a recorded verdict is a fixture bug: fail it rather than skip it.
        cases.append((conf, recorded.get(conf.stem, -1)))
    return cases


@pytest.fixture(scope="module")
def netns(request: pytest.FixtureRequest) -> OracleNetns:
    """One namespace for the whole module: building one costs ~20 ip calls, a check ~10 ms."""
    reason = keepalived_available()
    if reason is not None:
        pytest.skip(f"keepalived oracle unavailable: {reason}")
    ns = OracleNetns()
    ns.__enter__()
    request.addfinalizer(ns.close)
    return ns


@pytest.mark.parametrize(
    ("conf", "expected"),
    _sample_cases(),
    ids=lambda v: v.name if isinstance(v, Path) else str(v),
)
def test_sample_verdict(netns: OracleNetns, conf: Path, expected: int) -> None:
    result = netns.check(conf)
    assert result.exit_code == expected, f"{conf.name}: output was\n{result.output}"


@pytest.mark.parametrize(
    ("conf", "expected"),
    _validation_cases(),
    ids=lambda v: v.name if isinstance(v, Path) else str(v),
)
def test_validation_verdict(netns: OracleNetns, conf: Path, expected: int) -> None:
    assert expected != -1, f"{conf.name} has no row in validation/results.tsv"
    result = netns.check(conf)
    assert result.exit_code == expected, f"{conf.name}: output was\n{result.output}"


def _first_lines(text: str, limit: int = 200) -> list[str]:
    """The verdict files keep at most 200 lines of output."""
    return text.splitlines()[:limit]


@pytest.mark.parametrize(
    "conf",
    [conf for conf, _ in _sample_cases()] + [conf for conf, _ in _validation_cases()],
    ids=lambda v: v.name,
)
def test_recorded_output(netns: OracleNetns, conf: Path) -> None:
    """Stronger than the exit code: the messages themselves match what was recorded, which
    also proves the file-name prefix ``(NAME: Line N)`` and the interface set are the same."""
    if conf.parent == SAMPLES:
        recorded = (SAMPLES / "verdicts" / f"{conf.name}.txt").read_text(encoding="utf-8")
    else:
        recorded = conf.with_suffix(".out").read_text(encoding="utf-8")
    assert _first_lines(netns.check(conf).output) == _first_lines(recorded)


def test_every_recorded_verdict_has_a_file() -> None:
    """Guards the parametrisation above: a row whose file vanished would silently not run."""
    missing = [str(p) for p, _ in _sample_cases() if not p.is_file()]
    recorded = {row["test"] for row in _read_tsv(VALIDATION / "results.tsv")}
    missing += [name for name in recorded if not (VALIDATION / f"{name}.conf").is_file()]
    assert not missing
