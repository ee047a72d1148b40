"""Every lint rule's documented examples are true, and kaconf agrees with recorded `keepalived -t`.

The rules live one per module in :mod:`kaconf.lint.rules`; this file finds them the way the
engine does (pkgutil, skipping ``_`` modules) and runs them through a tiny local runner, so
the tests do not depend on the engine or CLI:

* for every rule, ``META.bad`` triggers it and ``META.good`` does not (the guarantee that the
  examples printed by ``kaconf rules`` are true);
* for every recorded validation fixture and upstream sample, kaconf reports an error-severity
  finding exactly when the recorded ``keepalived -t`` exit code is non-zero;
* the seed scenario (examples/serverA.conf, serverB.conf) behaves as the design asks.
"""

from __future__ import annotations

import csv
import importlib
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import kaconf.lint.rules as rules_pkg
from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.examples import EXAMPLE_INTERFACES, load_example, run_example
from kaconf.lint.rule import ClusterContext, Context
from tests.support.paths import REPO as ROOT

VALIDATION = ROOT / "tests" / "fixtures" / "validation"
SAMPLES = ROOT / "tests" / "fixtures" / "corpus" / "keepalived-samples"
EXAMPLES = ROOT / "examples"

#: the interfaces of the namespace the fixtures were recorded in (see tests/support/oracle.py)
FIXTURE_INTERFACES = EXAMPLE_INTERFACES


def _modules() -> list[ModuleType]:
    out = []
    for info in pkgutil.iter_modules(rules_pkg.__path__):
        if not info.name.startswith("_"):
            out.append(importlib.import_module(f"{rules_pkg.__name__}.{info.name}"))
    return sorted(out, key=lambda m: m.META.code)


RULES = _modules()
CONFIG_RULES = [m for m in RULES if m.META.scope == "config"]
CLUSTER_RULES = [m for m in RULES if m.META.scope == "cluster"]


@pytest.fixture(autouse=True)
def _fixture_host(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lint as if on the host the fixtures were recorded on (interfaces are opt-in)."""
    monkeypatch.setenv("KACONF_INTERFACES", FIXTURE_INTERFACES)


def _load(path: Path, version: str = "2.2.7") -> Context:
    return load_example(path, version)


def lint(path: Path, version: str = "2.2.7") -> list[Diagnostic]:
    """Reader findings plus every single-config rule's findings for ``path``."""
    ctx = _load(path, version)
    found = list(ctx.loaded.diagnostics)
    for m in CONFIG_RULES:
        found.extend(m.check(ctx))
    return found


def lint_cluster(paths: list[Path], version: str = "2.2.7") -> list[Diagnostic]:
    """Per-file findings for every node plus the cluster rules' findings."""
    found: list[Diagnostic] = []
    ctxs = []
    for p in paths:
        found.extend(lint(p, version))
        ctxs.append(_load(p, version))
    cctx = ClusterContext(nodes=ctxs, target_version=version)
    for m in CLUSTER_RULES:
        found.extend(m.check(cctx))
    return found


def _run_rule(mod: ModuleType, text: str, tmp_path: Path) -> list[Diagnostic]:
    """What ``mod`` reports on example ``text`` (the runner the snapshots use too)."""
    return run_example(mod, text, tmp_path)


def _ids(mods: list[ModuleType]) -> list[str]:
    return [f"{m.META.code}-{m.META.name}" for m in mods]


# -- metadata -------------------------------------------------------------------------------


def test_enough_rules() -> None:
    assert len(RULES) >= 60
    assert CLUSTER_RULES


def test_codes_and_names_unique() -> None:
    codes = [m.META.code for m in RULES]
    names = [m.META.name for m in RULES]
    assert len(set(codes)) == len(codes)
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("mod", RULES, ids=_ids(RULES))
def test_meta_is_complete(mod: ModuleType) -> None:
    meta = mod.META
    assert re.fullmatch(r"KA[24]\d\d", meta.code)
    assert meta.code.startswith("KA4") == (meta.scope == "cluster")
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", meta.name)
    assert mod.__name__.rsplit(".", 1)[1].startswith(meta.code.lower() + "_")
    assert meta.summary and "\n" not in meta.summary
    assert meta.rationale and meta.bad and meta.good
    assert isinstance(meta.severity, Severity)
    assert callable(mod.check)
    assert mod.__doc__


# -- the examples are true --------------------------------------------------------------------


@pytest.mark.parametrize("mod", RULES, ids=_ids(RULES))
def test_bad_example_triggers(mod: ModuleType, tmp_path: Path) -> None:
    found = _run_rule(mod, mod.META.bad, tmp_path)
    assert any(d.code == mod.META.code for d in found), f"{mod.META.code} silent on META.bad"


@pytest.mark.parametrize("mod", RULES, ids=_ids(RULES))
def test_good_example_is_clean(mod: ModuleType, tmp_path: Path) -> None:
    found = _run_rule(mod, mod.META.good, tmp_path)
    assert not [d for d in found if d.code == mod.META.code], [str(d) for d in found]


# -- agreement with recorded keepalived -t verdicts ------------------------------------------------


def _tsv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def _validation_cases() -> Iterator[tuple[Path, int]]:
    codes = {r["test"]: int(r["exit_code"]) for r in _tsv(VALIDATION / "results.tsv")}
    for conf in sorted(VALIDATION.glob("*.conf")):
        yield conf, codes[conf.stem]


def _sample_cases() -> Iterator[tuple[Path, int]]:
    for r in _tsv(SAMPLES / "verdicts.tsv"):
        yield SAMPLES / r["file"], int(r["exit_code"])


def _errors(found: list[Diagnostic]) -> list[str]:
    return [str(d) for d in found if d.severity >= Severity.ERROR]


@pytest.mark.parametrize(("conf", "exit_code"), list(_validation_cases()),
                         ids=lambda v: v.stem if isinstance(v, Path) else str(v))
def test_validation_fixture_verdict(conf: Path, exit_code: int,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(conf.parent)
    errors = _errors(lint(Path(conf.name)))
    assert bool(errors) == (exit_code != 0), (
        f"keepalived -t exit {exit_code}, kaconf errors: {errors}"
    )


@pytest.mark.parametrize(("conf", "exit_code"), list(_sample_cases()),
                         ids=lambda v: v.name if isinstance(v, Path) else str(v))
def test_upstream_sample_verdict(conf: Path, exit_code: int,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(conf.parent)
    errors = _errors(lint(Path(conf.name)))
    assert bool(errors) == (exit_code != 0), (
        f"keepalived -t exit {exit_code}, kaconf errors: {errors}"
    )


# -- targeted checks ------------------------------------------------------------------------------


def test_interface_rule_is_opt_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KACONF_INTERFACES", raising=False)
    assert not [d for d in lint(VALIDATION / "interface_missing.conf") if d.code == "KA223"]


def test_seed_old_target_flags_own_line_brace() -> None:
    found = lint(EXAMPLES / "serverA.conf", version="1.2.2")
    hits = [d for d in found if d.code == "KA262"]
    assert [d.line for d in hits] == [14]
    assert hits[0].severity == Severity.ERROR
    assert "invalid VIP {" in hits[0].message


def test_seed_current_target_accepts_own_line_brace() -> None:
    assert not [d for d in lint(EXAMPLES / "serverA.conf") if d.code == "KA262"]
    assert not _errors(lint(EXAMPLES / "serverA.conf"))


def test_seed_state_master_flags_nopreempt_line(tmp_path: Path) -> None:
    text = (EXAMPLES / "serverA.conf").read_text().replace("state BACKUP", "state MASTER")
    p = tmp_path / "serverA-master.conf"
    p.write_text(text)
    hits = [d for d in lint(p) if d.code == "KA202"]
    nopreempt_line = text.splitlines().index("nopreempt") + 1
    assert [d.line for d in hits] == [nopreempt_line]
    assert "clears nopreempt" in hits[0].message


def test_seed_cluster_is_clean() -> None:
    found = lint_cluster([EXAMPLES / "serverA.conf", EXAMPLES / "serverB.conf"])
    assert not [str(d) for d in found if d.severity >= Severity.WARNING]


def test_seed_cluster_with_other_vrid_is_not(tmp_path: Path) -> None:
    b = tmp_path / "serverB.conf"
    b.write_text((EXAMPLES / "serverB.conf").read_text().replace("virtual_router_id 90",
                                                                 "virtual_router_id 91"))
    found = lint_cluster([EXAMPLES / "serverA.conf", b])
    assert [d for d in found if d.code == "KA401" and d.severity == Severity.ERROR]


def test_nopreempt_on_lower_node_warns(tmp_path: Path) -> None:
    a = tmp_path / "a.conf"
    b = tmp_path / "b.conf"
    a.write_text((EXAMPLES / "serverA.conf").read_text().replace("nopreempt\n", ""))
    b.write_text((EXAMPLES / "serverB.conf").read_text().replace("priority 99",
                                                                 "priority 99\nnopreempt"))
    found = lint_cluster([a, b])
    assert [d for d in found if d.code == "KA408"]


def _codes_for(text: str, tmp_path: Path, version: str = "2.2.7") -> set[str]:
    p = tmp_path / "t.conf"
    p.write_text(text)
    return {d.code for d in lint(p, version)}


_UNICAST = ("vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n"
            "    priority 100\n    unicast_peer {\n        192.168.200.2\n    }\n"
            "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n")


def test_keyword_unknown_in_old_target(tmp_path: Path) -> None:
    # unicast_peer arrived after 1.2.2: fine for 2.2.7, unknown to a 1.2.2 target
    assert "KA261" not in _codes_for(_UNICAST, tmp_path)
    assert "KA261" in _codes_for(_UNICAST, tmp_path, "1.2.2")


def test_deprecations_are_not_applied_to_old_targets(tmp_path: Path) -> None:
    text = _UNICAST.replace("priority 100", "priority 100\n    lvs_sync_daemon_interface eth0")
    assert "KA260" in _codes_for(text, tmp_path)
    assert "KA260" not in _codes_for(text, tmp_path, "1.2.2")


def test_test_mode_crash_only_for_affected_releases(tmp_path: Path) -> None:
    mod = next(m for m in RULES if m.META.code == "KA257")
    for version, expected in (("2.2.7", True), ("2.2.5", True), ("2.2.8", False),
                              ("2.2.4", False), ("master", False)):
        p = tmp_path / "x.conf"
        p.write_text(mod.META.bad)
        hits = list(mod.check(_load(p, version)))
        assert bool(hits) == expected, version


def test_interfaces_auto_uses_this_host(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import socket

    monkeypatch.setenv("KACONF_INTERFACES", "auto")
    local = sorted(name for _, name in socket.if_nameindex())
    text = _UNICAST.replace("interface eth0", f"interface {local[0]}")
    assert "KA223" not in _codes_for(text, tmp_path)
    assert "KA223" in _codes_for(_UNICAST.replace("interface eth0", "interface nosuch0"),
                                 tmp_path)


def test_repeated_bad_value_still_reported(tmp_path: Path) -> None:
    """keepalived reports a bad line even when a later line sets a good value."""
    text = _UNICAST.replace("priority 100", "priority 100\n    mcast_dst_ip 10.0.0.1\n"
                            "    mcast_dst_ip 224.0.0.20")
    assert "KA220" in _codes_for(text, tmp_path)
