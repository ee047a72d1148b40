"""End to end: headless Neovim with kaconf as its language server shows lint's findings.

Neovim is Debian's package (``neovim``, installed by scripts/test.sh); the test skips
where it is missing. Neovim starts ``kaconf lsp`` itself (tests/lsp/nvim/init.lua),
waits for diagnostics (30 s at most), edits the buffer without saving, waits for the
finding the edit removes to go, and writes ``vim.diagnostic.get()`` of both moments to a file.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kaconf.lint.engine import lint_paths
from tests.lsp.support import EXTRA, MAIN, SERVER_ENV

NVIM = shutil.which("nvim")
INIT = Path(__file__).parent / "nvim" / "init.lua"


@pytest.mark.skipif(NVIM is None, reason="Neovim is not installed (Debian package 'neovim'; "
                    "scripts/test.sh installs it)")
def test_neovim_shows_the_findings_of_kaconf_lint(tmp_path: Path) -> None:
    assert NVIM is not None
    (tmp_path / "keepalived.conf").write_text(MAIN)
    (tmp_path / "extra.conf").write_text(EXTRA)
    out = tmp_path / "diagnostics.json"
    env = {**SERVER_ENV, "HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state"),
           "KACONF_NVIM_OUT": str(out),
           "KACONF_LSP_CMD": json.dumps([sys.executable, "-m", "kaconf.cli", "lsp"])}
    env.pop("NVIM_LISTEN_ADDRESS", None)
    proc = subprocess.run([NVIM, "--headless", "--clean", "-u", str(INIT), "keepalived.conf",
                           "-c", "lua KaconfCheck()"], cwd=tmp_path, env=env, timeout=90,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True)
    assert out.exists(), f"Neovim wrote no diagnostics (exit {proc.returncode}): {proc.stderr}"
    result = json.loads(out.read_text())
    got = result["opened"]
    main = str(tmp_path / "keepalived.conf")
    want = [d for d in lint_paths([main]).diagnostics if d.span.file == main]
    assert want
    got.sort(key=lambda d: (d["lnum"], d["col"], d["code"]))
    assert [(d["code"], d["lnum"], d["col"]) for d in got] == \
        [(d.code, d.line - 1, d.column - 1) for d in want]
    assert all(d["message"].startswith(w.message) for d, w in zip(got, want, strict=True))
    changed = {d["code"] for d in result["changed"]}
    assert "KA021" not in changed and changed  # the edit was linted, the rest stays
    assert (tmp_path / "keepalived.conf").read_text() == MAIN  # unsaved: nothing written
