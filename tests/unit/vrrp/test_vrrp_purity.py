"""The VRRP protocol core stays sans-I/O: importing it pulls in no socket or process code.

:mod:`kaconfd.vrrp.fsm` (with :mod:`.params` and :mod:`.events`), :mod:`.sync` and
:mod:`.packet` decide and encode; the child executes. Checked in a fresh interpreter,
since this test process has long imported asyncio and sockets for other tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.support.paths import REPO as ROOT

#: Modules whose presence would mean I/O crept into the pure core.
FORBIDDEN = ("socket", "_socket", "subprocess", "pyroute2", "asyncio", "ssl", "_ssl",
             "select", "selectors")
PURE = ("kaconfd.vrrp.fsm", "kaconfd.vrrp.params", "kaconfd.vrrp.events",
        "kaconfd.vrrp.sync", "kaconfd.vrrp.packet", "kaconfd.vrrp.ah", "kaconfd.vrrp.core",
        "kaconfd.vrrp.process_match", "kaconfd.vrrp.bpf", "kaconfd.vrrp.ifaddrs")

_PROBE = """
import importlib, json, sys
before = set(sys.modules)
importlib.import_module(sys.argv[1])
print(json.dumps(sorted(set(sys.modules) - before)))
"""


@pytest.mark.parametrize("module", PURE)
def test_pure_module_imports_no_io(module: str) -> None:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p))
    out = subprocess.run([sys.executable, "-c", _PROBE, module], capture_output=True,
                         text=True, check=True, env=env, cwd=ROOT)
    loaded = json.loads(out.stdout)
    assert module in loaded
    bad = [m for m in loaded if m.split(".")[0] in FORBIDDEN]
    assert not bad, f"{module} imports I/O modules: {bad}"
