"""``kaconf diff``: two configs compared by what keepalived runs, not by their text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BASE = """vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        10.0.0.1
    }
}
"""


def _diff(tmp: Path, old: str, new: str) -> subprocess.CompletedProcess[str]:
    (tmp / "old.conf").write_text(old)
    (tmp / "new.conf").write_text(new)
    return subprocess.run([sys.executable, "-m", "kaconf.cli", "diff", str(tmp / "old.conf"),
                           str(tmp / "new.conf")], capture_output=True, text=True, timeout=60)


def test_layout_only_edit_changes_nothing(tmp_path: Path) -> None:
    # reindented, default written out, braces moved: keepalived runs the same thing
    new = BASE.replace("    priority 100\n", "    priority 100\n    advert_int 1\n") \
        .replace("    ", "\t")
    proc = _diff(tmp_path, BASE, new)
    assert (proc.returncode, proc.stdout) == (0, "")


def test_a_global_reaching_the_instance_is_shown(tmp_path: Path) -> None:
    new = "global_defs {\n    vrrp_mcast_group4 224.0.0.19\n}\n" + BASE
    proc = _diff(tmp_path, BASE, new)
    assert proc.returncode == 1
    changed = [line for line in proc.stdout.splitlines()
               if line.startswith(("-", "+")) and not line.startswith(("---", "+++"))]
    assert "-   Multicast address 224.0.0.18" in changed
    assert "+   Multicast address 224.0.0.19" in changed


def test_unreadable_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "old.conf").write_text(BASE)
    proc = subprocess.run([sys.executable, "-m", "kaconf.cli", "diff",
                           str(tmp_path / "old.conf"), str(tmp_path / "missing.conf")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "missing.conf" in proc.stderr
