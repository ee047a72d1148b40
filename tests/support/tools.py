"""Import a script from tools/ (not a package) as a module, without touching sys.path.

Several tests check the generators and tools they guard (docs/rules.md and the grammar are
regenerated in memory, the rule scaffold is written to a temporary folder, the reader
agreement runs tools/agreement.py's mutations); each call loads a fresh module, so one
test's changes to module state cannot leak into another's.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from tests.support.paths import REPO


def load_tool(name: str) -> ModuleType:
    """tools/NAME.py as a fresh module named NAME (replacing any earlier one in sys.modules)."""
    spec = importlib.util.spec_from_file_location(name, REPO / "tools" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module
