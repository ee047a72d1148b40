"""packaging/kaconf.service: Type=notify, reload by SIGHUP, hardening that keeps the
capabilities VRRP needs, flags kaconf run accepts, and systemd's own verdict."""

from __future__ import annotations

import argparse
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from kaconfd.cli import add_arguments

from tests.support.paths import REPO

UNIT = REPO / "packaging" / "kaconf.service"


def _service() -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    section = ""
    for line in UNIT.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        values.setdefault(f"{section}.{key}", []).append(value)
    return values


def test_notify_reload_and_capabilities() -> None:
    svc = _service()
    assert svc["Service.Type"] == ["notify"]
    assert svc["Service.NotifyAccess"] == ["main"]
    assert svc["Service.ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    caps = svc["Service.CapabilityBoundingSet"][0].split()
    assert "CAP_NET_ADMIN" in caps and "CAP_NET_RAW" in caps
    assert svc["Service.RuntimeDirectoryMode"] == ["0700"]


def test_exec_start_is_a_foreground_kaconf_run() -> None:
    argv = shlex.split(_service()["Service.ExecStart"][0].replace("$KACONF_ARGS", ""))
    assert argv[:2] == ["/usr/bin/kaconf", "run"]
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(argv[2:])
    assert args.dont_fork  # Type=notify: systemd watches the process it started
    assert args.control == "/run/kaconfd/control.sock"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_accepts_it(tmp_path: Path) -> None:
    unit = tmp_path / "kaconf.service"
    # verify checks that the binary exists: point it at one that does
    unit.write_text(UNIT.read_text().replace("/usr/bin/kaconf", shutil.which("true") or ""))
    out = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "kaconf.service" not in out.stderr, out.stderr
