"""The ``kaconf`` command table, the plugin hook, exit statuses and import hygiene.

The table in :mod:`kaconf.cli.commands` is the only place a sub-command's name
and help text are written: these tests check that ``kaconf --help`` and each
``kaconf NAME --help`` show exactly its text, that ``kaconf run`` comes from the
daemon through the plugin hook (kaconf itself never imports kaconfd), that exit
statuses are :class:`~kaconf.exitstatus.ExitStatus` members, that ``kaconf lint``
starts without the heavy libraries, and that only process entry points tune
the garbage collector.
"""

from __future__ import annotations

import ast
import gc
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kaconf.cli import build_parser, commands, main
from kaconf.cli.commands import BUILTIN, PLUGIN_FALLBACKS, Command, load_plugin
from kaconf.exitstatus import ExitStatus
from kaconf.render import errors as render_errors
from tests.support.paths import REPO

FIXTURE = REPO / "tests" / "fixtures" / "validation" / "advert_v2_frac.conf"


def _all_commands() -> list[Command]:
    """The built-in rows and the plugin rows (the daemon's ``run``)."""
    return [*BUILTIN, *(load_plugin(n, r) for n, r in commands.plugin_refs().items())]


def _words(text: str) -> str:
    """Text without whitespace (argparse re-wraps descriptions, even after hyphens)."""
    return "".join(text.split())


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--help"])
    assert exc.value.code == 0
    return capsys.readouterr().out


# --------------------------------------------------------------------------- the table


def test_top_help_lists_every_command_from_the_table(
        capsys: pytest.CaptureFixture[str]) -> None:
    out = _help(capsys)
    listed = re.findall(r"^    (\S+)\s+(.+)$", out, flags=re.MULTILINE)
    expected = [(c.name, c.help) for c in _all_commands()]
    assert listed == expected
    assert [n for n, _ in listed][: len(BUILTIN)] == [c.name for c in BUILTIN]
    assert "run" in dict(listed)


@pytest.mark.parametrize("name", [c.name for c in BUILTIN] + list(PLUGIN_FALLBACKS))
def test_command_help_comes_from_the_table(capsys: pytest.CaptureFixture[str],
                                           name: str) -> None:
    cmd = next(c for c in _all_commands() if c.name == name)
    out = _help(capsys, name)
    assert out.startswith(f"usage: kaconf {name}")
    assert _words(cmd.description or cmd.help) in _words(out)


def test_each_row_names_a_module_with_its_two_functions() -> None:
    for cmd in _all_commands():
        adder, handler = cmd.load()
        assert callable(adder) and callable(handler), cmd.name


def test_only_the_chosen_command_is_built() -> None:
    """Other commands are bare listings: their modules' arguments are not added."""
    parser = build_parser(["lint", "x.conf"])
    sub = next(a for a in parser._actions if a.dest == "command")
    choices = sub.choices  # type: ignore[attr-defined]
    assert set(choices) == {c.name for c in BUILTIN} | set(PLUGIN_FALLBACKS)
    assert any(a.dest == "cluster" for a in choices["lint"]._actions)
    assert [a.dest for a in choices["fmt"]._actions] == ["help"]


def test_builtin_names_are_unique_and_not_plugins() -> None:
    names = [c.name for c in BUILTIN]
    assert len(names) == len(set(names))
    assert not set(names) & set(PLUGIN_FALLBACKS)


# --------------------------------------------------------------------------- plugins


def test_run_is_the_daemons_command() -> None:
    from kaconfd.cli import COMMAND

    assert commands.plugin_refs()["run"] == "kaconfd.cli:COMMAND"
    assert load_plugin("run", "kaconfd.cli:COMMAND") is COMMAND
    assert COMMAND.module == "kaconfd.cli"


def test_declared_entry_point_matches_the_fallback() -> None:
    """pyproject's entry point and the fallback name the same object."""
    import tomllib

    data = tomllib.loads((REPO / "pyproject.toml").read_text())
    declared = data["project"]["entry-points"][commands.PLUGIN_GROUP]
    assert declared == PLUGIN_FALLBACKS


def test_missing_plugin_is_listed_and_fails_cleanly(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(PLUGIN_FALLBACKS, "ghost", "kaconf_no_such_module:COMMAND")
    out = _help(capsys)
    assert re.search(r"^    ghost\s+\(not installed\)$", out, flags=re.MULTILINE)
    assert main(["ghost"]) == ExitStatus.USAGE
    assert "not installed" in capsys.readouterr().err


def test_plugin_must_be_a_command() -> None:
    with pytest.raises(TypeError):
        load_plugin("run", "kaconf.cli.commands:BUILTIN")
    with pytest.raises(TypeError):
        load_plugin("lint", "kaconfd.cli:COMMAND")  # a Command, but for another name


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_kaconf_never_imports_kaconfd() -> None:
    """The daemon depends on the library, never the reverse (it plugs itself in)."""
    offenders = {
        str(p.relative_to(REPO)): sorted(n for n in _imports(p)
                                         if n == "kaconfd" or n.startswith("kaconfd."))
        for p in sorted((REPO / "kaconf").rglob("*.py"))
    }
    assert {p: n for p, n in offenders.items() if n} == {}


# --------------------------------------------------------------------------- exit statuses


def test_exit_status_values_are_the_contract() -> None:
    assert {s.name: int(s) for s in ExitStatus} == {
        "OK": 0, "CONFIG": 1, "USAGE": 2, "RUN_CONFIG": 3, "CHILD_FATAL": 4,
        "INTERRUPTED": 130}


def test_commands_return_enum_members(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.conf"
    bad.write_text("vrrp_instance VI_1 {\n  priority 900\n}\n")
    assert main(["lint", str(bad)]) is ExitStatus.CONFIG
    assert main(["lint", str(tmp_path / "missing.conf")]) is ExitStatus.USAGE
    assert main(["dump", str(FIXTURE)]) is ExitStatus.OK
    assert main(["rules", "KA999"]) is ExitStatus.CONFIG
    assert main(["keywords", "--target-version", "nonsense"]) is ExitStatus.USAGE
    assert main([]) is ExitStatus.USAGE
    capsys.readouterr()


def test_status_names_elsewhere_are_enum_members() -> None:
    from kaconfd import parent

    assert render_errors.STATUS_CONFIG is ExitStatus.CONFIG
    assert render_errors.STATUS_INPUT is ExitStatus.USAGE
    assert set(parent.PERMANENT_CHILD_STATUSES) == {ExitStatus.RUN_CONFIG,
                                                    ExitStatus.CHILD_FATAL}


def test_no_other_numeric_exit_constants() -> None:
    """``EXIT_x = <number>`` is defined nowhere but in the enum."""
    pattern = re.compile(r"^(EXIT|STATUS)_[A-Z]+\s*=\s*\d", flags=re.MULTILINE)
    files = [*(REPO / "kaconf").rglob("*.py"), *(REPO / "daemon").rglob("*.py")]
    found = [str(p.relative_to(REPO)) for p in files if pattern.search(p.read_text())]
    assert found == []


# --------------------------------------------------------------------------- start-up


def test_lint_start_up_imports_no_heavy_module() -> None:
    """``kaconf lint`` loads neither rich, jinja2, pyroute2, pygls, the daemon nor entry points.

    Checked through ``sys.modules`` in a fresh interpreter: ``-X importtime`` does
    not list modules loaded by ``importlib.import_module`` (the command modules).
    """
    code = ("import json, sys; from kaconf.cli import main; s = main(['lint', sys.argv[1]]); "
            "sys.stdout.flush(); print(json.dumps(sorted(sys.modules))); sys.exit(s)")
    proc = subprocess.run([sys.executable, "-c", code, str(FIXTURE)], capture_output=True,
                          text=True, cwd=REPO)
    assert proc.returncode in (0, 1), proc.stderr
    modules = set(json.loads(proc.stdout.splitlines()[-1]))
    assert "kaconf.cli.lint" in modules
    heavy = {m for m in modules
             if m.split(".")[0] in {"rich", "jinja2", "pyroute2", "kaconfd", "yaml", "pygls",
                                    "lsprotocol", "cattrs"}
             or m == "importlib.metadata"
             or m in {"kaconf.cli.render", "kaconf.cli.fmt", "kaconf.cli.dump", "kaconf.cli.lsp",
                      "kaconf.lsp"}}
    assert heavy == set()


def test_module_entry_point_runs() -> None:
    proc = subprocess.run([sys.executable, "-m", "kaconf.cli", "--version"],
                          capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0 and proc.stdout.startswith("kaconf ")


# --------------------------------------------------------------------------- GC


def test_loading_leaves_the_collector_alone() -> None:
    from kaconf.loader import load_full

    enabled, frozen = gc.isenabled(), gc.get_freeze_count()
    load_full(str(FIXTURE))
    assert (gc.isenabled(), gc.get_freeze_count()) == (enabled, frozen)


def _gc_tuning_calls(path: Path) -> list[str]:
    calls = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "gc"
                and node.func.attr in {"disable", "enable", "freeze", "unfreeze"}):
            calls.append(f"{path.relative_to(REPO)}:{node.lineno}")
    return calls


def test_gc_is_tuned_only_at_process_entry_points() -> None:
    """kaconf's console entry, the long-lived processes' starts (the daemon's parent,
    ``kaconf lsp``); no library code."""
    files = [*(REPO / "kaconf").rglob("*.py"), *(REPO / "daemon").rglob("*.py")]
    where = {c.split(":")[0] for p in files for c in _gc_tuning_calls(p)}
    assert where <= {"kaconf/cli/__init__.py", "daemon/parent.py", "kaconf/cli/lsp.py"}
