"""Lint rules ask the resolver (``ctx.effective``) instead of recomputing what keepalived
derives (kaconf issue 11, item 1).

Values keepalived derives (default priority and state, family, version, strict mode,
kept authentication, tracking weights, sync-group membership) are computed once, in
:mod:`kaconf.effective`. These tests fail when lint grows its own copy again: the
helper functions that used to recompute them must not come back under kaconf/lint, and
rule code must not spell out keepalived's defaults.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

from kaconf.lint.rule import Context
from kaconf.loader import load_full
from tests.support.paths import REPO

ROOT = REPO
LINT = ROOT / "kaconf" / "lint"
RULES = LINT / "rules"

#: the recomputing helpers lint had before it asked the resolver (semantics.py, family.py,
#: KA404): the resolver answers these now, so no module under kaconf/lint may define them
REMOVED_HELPERS = frozenset({
    "priority", "want_state", "version", "family", "strict", "unicast_configured",
    "valid_peers", "is_unicast", "kept_auth", "script_weight", "file_weight", "bfd_weight",
    "family_facts", "effective_auth", "_ref_weight",
    # the checker side: the resolver's LVS notes (kaconf.effective.lvs) answer these
    "rs_method", "rs_weight", "vs_by_address", "vs_fwmark_only", "real_servers",
})

#: keepalived defaults and inheritance spelt out in code (strings and comments excluded)
DEFAULT_PATTERNS = {
    "priority default 100": re.compile(r"\bor\s+100\b|\belse\s+100\b"),
    "owner priority literal": re.compile(r"[=!]=\s*255\b|\b255\s*[=!]="),
    "version default": re.compile(r"\bversion\s+or\b|\bvrrp_version\b"),
    "global strict default": re.compile(r"\bvrrp_strict\b|\bstrict_mode\b"),
    "default priority constant": re.compile(r"\bDEFAULT_PRIORITY\b"),
    "tracked object's weight inherited": re.compile(r"\.weight_reverse\b|\bweight\s+or\b"),
    "default multicast group": re.compile(r"\bvrrp_mcast_group[46]\b"),
}

#: global_defs settings read by name (a string) to inherit them
GLOBAL_READS = re.compile(r"global_defs\.get\([^)]*(vrrp_version|vrrp_strict|vrrp_mcast_group)")


def _lint_modules() -> list[Path]:
    return sorted(LINT.rglob("*.py"))


def _code_only(source: str) -> str:
    """``source`` with strings, comments and docstrings blanked out, layout kept (META
    examples and messages talk about priority 255 and defaults; only code is checked)."""
    lines = source.splitlines(keepends=True)
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type not in (tokenize.STRING, tokenize.COMMENT):
            continue
        (r0, c0), (r1, c1) = tok.start, tok.end
        for r in range(r0, r1 + 1):
            line = lines[r - 1]
            a = c0 if r == r0 else 0
            b = c1 if r == r1 else len(line.rstrip("\n"))
            lines[r - 1] = line[:a] + " " * (b - a) + line[b:]
    return "".join(lines)


@pytest.mark.parametrize("path", _lint_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_removed_helpers_stay_removed(path: Path) -> None:
    body = ast.parse(path.read_text(encoding="utf-8")).body  # module level: what rules import
    defined = {n.name for n in body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    assigned = {t.id for n in body if isinstance(n, ast.Assign)
                for t in n.targets if isinstance(t, ast.Name)}
    again = sorted((defined | assigned) & REMOVED_HELPERS)
    assert not again, (f"{path.relative_to(ROOT)} defines {again}: ask the resolver "
                       "(ctx.effective / ctx.resolved(inst)) instead")


@pytest.mark.parametrize("path", sorted(RULES.glob("ka*.py")), ids=lambda p: p.stem)
def test_rules_compute_no_defaults(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    code = _code_only(source)
    found = [what for what, rx in DEFAULT_PATTERNS.items() if rx.search(code)]
    if GLOBAL_READS.search(source):
        found.append("a global_defs default read by name")
    assert not found, (f"{path.name} computes {found} itself: the resolver "
                       "(kaconf/effective) owns keepalived's defaults")


def test_code_only_drops_strings() -> None:
    code = _code_only('x = "priority 255"  # == 255\ny = a == 255\nz = f"{a == 255}"\n')
    assert "priority 255" not in code and "#" not in code
    assert len(DEFAULT_PATTERNS["owner priority literal"].findall(code)) == 1
    assert DEFAULT_PATTERNS["tracked object's weight inherited"].search(
        _code_only("r = scripts[n].weight_reverse\n"))


def _context(tmp_path: Path, text: str) -> Context:
    p = tmp_path / "k.conf"
    p.write_text(text, encoding="utf-8")
    return Context(loaded=load_full(str(p)), path=str(p))


TWICE = """\
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    virtual_ipaddress {
        10.0.0.10/24
    }
}
vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 52
    virtual_ipaddress {
        2001:db8::10/64
    }
}
"""


def test_effective_resolved_once_and_per_instance(tmp_path: Path) -> None:
    ctx = _context(tmp_path, TWICE)
    assert ctx.effective is ctx.effective
    first, second = ctx.config.vrrp_instances
    a, b = ctx.resolved(first), ctx.resolved(second)
    assert (a.base_priority, a.configured_wantstate, a.family, a.version) == \
        (100, "BACKUP", 4, 2)
    # the resolver keeps only the first VI_1; the second is still answered, on its own
    assert (b.base_priority, b.configured_wantstate, b.family, b.version) == \
        (255, "MASTER", 6, 3)
    assert ctx.resolved(second) is b
