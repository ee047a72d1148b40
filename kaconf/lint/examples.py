"""Running a rule's documented examples, and rendering what they report as a snapshot.

Every rule's ``META`` carries a bad and a good example; docs/rules.md and ``kaconf
rules`` print them, so they must be true. The rule tests run them here, and compare
what the bad example reports (code, ``file:line:col``, message, hint) with a stored
snapshot (tests/snapshots/rules/CODE.txt), so a change of wording or of the line a
finding points at shows up in review. tools/new_rule.py writes the snapshot of a new
rule with the same function, so the test and the tool cannot disagree.

Examples run as files in a work directory (some rules look at files next to the
config), with the interfaces of the host the validation fixtures were recorded on,
and at the rule's ``EXAMPLE_TARGET`` keepalived version when the module sets one.
Cluster examples hold one node per part, separated by a line holding only ``---``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from kaconf.diagnostics import Diagnostic
from kaconf.lint.rule import ClusterContext, Context
from kaconf.loader import load_full

#: the interfaces of the namespace the validation fixtures were recorded in
EXAMPLE_INTERFACES = "eth0,eth0.1,eth1,eth2,eth3"


def split_nodes(text: str) -> list[str]:
    """Cluster examples separate the node files with a line holding only '---'."""
    return re.split(r"(?m)^---\n", text)


def load_example(path: Path, version: str = "2.2.7") -> Context:
    """A lint context for ``path`` at target ``version`` (1.2.2 reads the old grammar)."""
    loaded = load_full(str(path), version="1.2.2" if version == "1.2.2" else "2.2.7")
    return Context(loaded=loaded, target_version=version, path=str(path))


def example_files(mod: ModuleType, text: str) -> list[tuple[str, str]]:
    """(file name, text) of each file an example is run as."""
    if mod.META.scope == "cluster":
        return [(f"node{n}.conf", part) for n, part in enumerate(split_nodes(text))]
    return [("example.conf", text)]


@contextmanager
def example_host() -> Iterator[None]:
    """Lint as if on the host the fixtures were recorded on (interfaces are opt-in)."""
    old = os.environ.get("KACONF_INTERFACES")
    os.environ["KACONF_INTERFACES"] = EXAMPLE_INTERFACES
    try:
        yield
    finally:
        if old is None:
            del os.environ["KACONF_INTERFACES"]
        else:
            os.environ["KACONF_INTERFACES"] = old


def run_example(mod: ModuleType, text: str, workdir: Path) -> list[Diagnostic]:
    """What rule module ``mod`` reports on example ``text`` (written into ``workdir``)."""
    version = getattr(mod, "EXAMPLE_TARGET", "2.2.7")
    paths = []
    for name, part in example_files(mod, text):
        p = workdir / name
        p.write_text(part)
        paths.append(p)
    with example_host():
        if mod.META.scope == "cluster":
            ctxs = [load_example(p, version) for p in paths]
            return list(mod.check(ClusterContext(nodes=ctxs, target_version=version)))
        return list(mod.check(load_example(paths[0], version)))


def render_snapshot(mod: ModuleType, workdir: Path) -> str:
    """The snapshot text of ``mod``: its bad example, numbered, and what it reports.

    Only the rule's own code is shown (other rules and the reader may also speak
    about an example; their findings are their own snapshots' business). File names
    are relative to ``workdir`` (in messages too) so the text does not depend on
    where it ran.
    """
    meta = mod.META
    found = [d for d in run_example(mod, meta.bad, workdir) if d.code == meta.code]
    out = [f"# {meta.code} {meta.name}: what META.bad reports",
           "# regenerate: KACONF_UPDATE_SNAPSHOTS=1 python3 -m pytest "
           "tests/unit/lint/test_rules_snapshots.py"]
    for name, part in example_files(mod, meta.bad):
        out.append(f"# --- {name}")
        out += [f"# {n:3} | {line}".rstrip() for n, line in enumerate(part.splitlines(), 1)]
    out.append("")
    prefix = str(workdir) + os.sep
    for d in found:
        line = f"{d.span}: {d.code} {d.severity}: {d.message}"
        if d.hint:
            line += f"\n    hint: {d.hint}"
        out.append(line.replace(prefix, ""))  # messages may name the files too
    if not found:
        out.append("(no diagnostic)")
    return "\n".join(out) + "\n"
