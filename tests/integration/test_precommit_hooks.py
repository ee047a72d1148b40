"""The repository's ``.pre-commit-hooks.yaml``, run by the real pre-commit.

``pre-commit try-repo <this checkout> HOOK`` in a scratch git repository does what a user's
``repos: - repo: ...kaconf`` entry does: pre-commit fetches this checkout's HEAD (a copy
of it with uncommitted changes to tracked files, if any), builds the hook's Python
environment with ``pip install .`` (kaconf's dependencies come from the package index)
and runs the hook on the files its ``files`` pattern selects. The scratch repository
has a clean config, one with a lint error, one that lints clean but is badly laid out,
and a ``.conf`` file that is not keepalived's (and is not valid keepalived text).

pre-commit's conventions decide the expectations: a hook fails on a non-zero exit
(kaconf-lint, with the findings in its output), and a hook that modifies files fails
too, after rewriting them (kaconf-fmt, like black or ruff-format): the user reviews the
rewrite and commits again.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.support.paths import REPO

CLEAN = """\
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        192.0.2.10/24
    }
}
"""
#: line 5, column 5: KA021 (priority out of range); laid out canonically
BAD = CLEAN.replace("priority 100", "priority 300")
#: lints clean, but kaconf fmt rewrites it to CLEAN
MESSY = ("vrrp_instance VI_1 {\n  state BACKUP\n\tinterface eth0\n virtual_router_id 51\n"
         "      priority 100\n  virtual_ipaddress {\n 192.0.2.10/24\n   }\n}\n")
#: not keepalived's: the hooks must not look at it
OTHER = "server {\n    listen 80;\n}\n"

FILES = {
    "keepalived/good.conf": CLEAN,
    "keepalived-bad.conf": BAD,
    "etc/keepalived/conf.d/messy.conf": MESSY,
    "nginx/site.conf": OTHER,
}


def hooks() -> dict[str, dict[str, object]]:
    data = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    return {h["id"]: h for h in data}


@pytest.mark.parametrize(("path", "selected"), [
    ("keepalived.conf", True),
    ("keepalived-lb1.conf", True),
    ("etc/keepalived/keepalived.conf", True),
    ("keepalived/conf.d/vrrp.conf", True),
    ("roles/lb/files/keepalived/extra.conf", True),
    ("deploy/keepalived_backup.conf", True),
    ("templates/keepalived.conf.j2", False),
    ("keepalived.conf.bak", False),
    ("nginx.conf", False),
    ("mykeepalived.conf", False),
    ("keepalived.d/x.conf", False),
    ("keepalived/README.md", False),
    ("keepalivedX/y.conf", False),
])
def test_files_pattern(path: str, selected: bool) -> None:
    """keepalived*.conf anywhere, and *.conf anywhere under a folder named keepalived/
    (pre-commit matches ``files`` with re.search on the repository-relative path)."""
    found = hooks()
    assert set(found) == {"kaconf-lint", "kaconf-fmt"}
    for hook in found.values():
        assert hook["language"] == "python"
        assert bool(re.search(str(hook["files"]), path)) is selected


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One pre-commit cache for the module: the hook environment is built once."""
    yield tmp_path_factory.mktemp("pre-commit-home")


def _scratch_repo(root: Path) -> Path:
    work = root / "scratch"
    for name, text in FILES.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(text)
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    subprocess.run([git, "init", "-q", str(work)], check=True)
    subprocess.run([git, "add", "-A"], cwd=work, check=True)
    return work


def _try_repo(work: Path, home: Path, hook: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PRE_COMMIT_COLOR")}
    env.update({"PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"})
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), hook,
         "--color", "never", "--verbose", *args],
        cwd=work, env=env, capture_output=True, text=True, timeout=900,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.slow
def test_kaconf_lint_hook(tmp_path: Path, pre_commit_home: Path) -> None:
    work = _scratch_repo(tmp_path)
    run = _try_repo(work, pre_commit_home, "kaconf-lint", "--all-files")
    log = run.stdout + run.stderr
    assert run.returncode == 1, log
    assert re.search(r"kaconf lint\.+Failed", log), log
    assert "keepalived-bad.conf:5:5: KA021 error: number '300' outside range" in log
    assert "Found 1 error in 3 files." in log  # good, bad and messy: not nginx's
    assert "nginx" not in log

    clean = _try_repo(work, pre_commit_home, "kaconf-lint", "--files",
                      "keepalived/good.conf", "etc/keepalived/conf.d/messy.conf")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert re.search(r"kaconf lint\.+Passed", clean.stdout), clean.stdout
    assert (work / "etc/keepalived/conf.d/messy.conf").read_text() == MESSY  # lint writes nothing


@pytest.mark.slow
def test_kaconf_fmt_hook(tmp_path: Path, pre_commit_home: Path) -> None:
    work = _scratch_repo(tmp_path)
    run = _try_repo(work, pre_commit_home, "kaconf-fmt", "--all-files")
    log = run.stdout + run.stderr
    assert run.returncode == 1, log
    assert re.search(r"kaconf fmt\.+Failed", log), log
    assert "files were modified by this hook" in log
    assert "reformatted etc/keepalived/conf.d/messy.conf" in log
    assert (work / "etc/keepalived/conf.d/messy.conf").read_text() == CLEAN
    for name in ("keepalived/good.conf", "keepalived-bad.conf", "nginx/site.conf"):
        assert (work / name).read_text() == FILES[name], name

    again = _try_repo(work, pre_commit_home, "kaconf-fmt", "--all-files")
    assert again.returncode == 0, again.stdout + again.stderr
    assert re.search(r"kaconf fmt\.+Passed", again.stdout), again.stdout
