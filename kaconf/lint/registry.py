"""Find the lint rules: one module per rule in :mod:`kaconf.lint.rules`.

Rules register themselves by existing: dropping ``ka2xx_something.py`` with a
``META`` and a ``check`` into the package is all it takes, so nobody has to
keep a central list in sync (ruff's layout). Discovery uses :mod:`pkgutil`
(a directory listing, no file parsing) and runs once per process; the result
is cached because ``kaconf lint``, ``kaconf rules`` and the docs generator all
ask for it, sometimes several times.

The reader/model stages report codes KA0xx/KA100 themselves; they have no
``check`` but are documented by :mod:`kaconf.lint.reader_rules`, and
:func:`all_rules` includes them so ``kaconf rules``, SARIF and docs/rules.md
cover every code a user can see.

A broken rule module (no ``META``, no ``check``, a duplicate code) raises
:class:`RuleRegistryError`: that is a bug in kaconf, found by the test suite,
not something to paper over at run time.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.rule import RuleMeta

__all__ = [
    "CODE_RE",
    "Rule",
    "RuleRegistryError",
    "all_rules",
    "discover",
    "get",
    "rules_for_scope",
]

#: What a rule code looks like: ``KA`` and three digits.
CODE_RE = re.compile(r"KA\d{3}")

RULES_PACKAGE = "kaconf.lint.rules"


class RuleRegistryError(Exception):
    """A rule module does not follow the rule API (a kaconf bug, not a config problem)."""


@dataclass(frozen=True)
class Rule:
    """A rule as the engine runs it: metadata, check function and where it came from.

    ``check`` is ``None`` for reader/model codes, which are produced while
    loading and only documented here.
    """

    meta: RuleMeta
    check: Callable[[Any], Iterable[Diagnostic]] | None
    module: str

    @property
    def code(self) -> str:
        return self.meta.code

    @property
    def scope(self) -> str:
        return self.meta.scope


def _validate_meta(meta: object, where: str) -> RuleMeta:
    """Reject metadata the docs/CLI could not render, naming the culprit module."""
    if not isinstance(meta, RuleMeta):
        raise RuleRegistryError(f"{where}: META must be a kaconf.lint.rule.RuleMeta, "
                                f"got {type(meta).__name__}")
    if not CODE_RE.fullmatch(meta.code):
        raise RuleRegistryError(f"{where}: rule code {meta.code!r} is not KA followed by "
                                "three digits")
    if not isinstance(meta.severity, Severity):
        raise RuleRegistryError(f"{where}: {meta.code} severity must be a Severity")
    if meta.scope not in ("config", "cluster", "reader"):
        raise RuleRegistryError(f"{where}: {meta.code} has unknown scope {meta.scope!r}")
    for attr in ("name", "summary"):
        if not getattr(meta, attr):
            raise RuleRegistryError(f"{where}: {meta.code} has an empty {attr}")
    return meta


def discover(package: str = RULES_PACKAGE) -> tuple[Rule, ...]:
    """Import every module of ``package`` and return its rules, sorted by code.

    Modules whose name starts with ``_`` are helpers and are skipped. Not
    cached: use :func:`all_rules` unless you want a fresh scan (tests).
    """
    pkg = importlib.import_module(package)
    found: list[Rule] = []
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("_") or info.ispkg:
            continue
        modname = f"{package}.{info.name}"
        module = importlib.import_module(modname)
        if not hasattr(module, "META"):
            raise RuleRegistryError(f"{modname}: rule module has no META")
        meta = _validate_meta(module.META, modname)
        if meta.scope == "reader":
            raise RuleRegistryError(f"{modname}: scope 'reader' is reserved for "
                                    "kaconf.lint.reader_rules")
        check = getattr(module, "check", None)
        if not callable(check):
            raise RuleRegistryError(f"{modname}: rule module has no check() function")
        found.append(Rule(meta, check, modname))
    return tuple(sorted(found, key=lambda r: r.code))


def _reader() -> tuple[Rule, ...]:
    from kaconf.lint.reader_rules import READER_RULES

    return tuple(Rule(_validate_meta(m, "kaconf.lint.reader_rules"), None,
                      "kaconf.lint.reader_rules") for m in READER_RULES)


@functools.cache
def _all() -> tuple[Rule, ...]:
    rules = _reader() + discover()
    seen: dict[str, str] = {}
    for r in rules:
        if r.code in seen:
            raise RuleRegistryError(f"rule code {r.code} is defined twice: in {seen[r.code]} "
                                    f"and {r.module}")
        seen[r.code] = r.module
    return tuple(sorted(rules, key=lambda r: r.code))


def all_rules() -> tuple[Rule, ...]:
    """Every known code, reader codes included, sorted by code (cached)."""
    return _all()


def rules_for_scope(scope: str) -> tuple[Rule, ...]:
    """The rules of one scope (``"config"``, ``"cluster"`` or ``"reader"``).

    Goes through :func:`all_rules` at call time so tests can monkeypatch it.
    """
    return tuple(r for r in all_rules() if r.scope == scope)


def get(code: str) -> Rule | None:
    """The rule with ``code``, or ``None`` when no rule has it."""
    for r in all_rules():
        if r.code == code:
            return r
    return None


def clear_cache() -> None:
    """Forget the discovered rules (for tests that add rule modules)."""
    _all.cache_clear()
