"""Find the checker kinds: one module per kind in :mod:`kaconf.checkers.kinds`.

Kinds register themselves by existing, as lint rules do (:mod:`kaconf.lint.registry`):
a module ``kinds/<keyword>.py`` that exports ``KIND``, a :class:`~kaconf.checkers.base.CheckerKind`,
is all it takes. Discovery is a :mod:`pkgutil` directory listing, done once per process and
only when something asks: a configuration without virtual servers never imports a kind
module (lint start-up time), hence the lazy :data:`CHECKER_CLASSES` mapping the model
builder reads.

A broken kind module (no ``KIND``, a keyword twice, a model that is not a
:class:`~kaconf.model.objects.Checker`) raises :class:`CheckerRegistryError`: a kaconf bug,
found by the test suite (tests/unit/checkers/test_check_kinds.py).
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from kaconf.model.objects import Checker

if TYPE_CHECKING:  # imported when kinds are discovered: VRRP-only configs never need it
    from kaconf.checkers.base import CheckerKind

__all__ = ["CHECKER_CLASSES", "CheckerRegistryError", "all_kinds", "discover", "get"]

KINDS_PACKAGE = "kaconf.checkers.kinds"


class CheckerRegistryError(Exception):
    """A kind module does not follow the kind API (a kaconf bug, not a config problem)."""


def _validate(kind: object, where: str) -> CheckerKind:
    from kaconf.checkers.base import CheckerKind

    if not isinstance(kind, CheckerKind):
        raise CheckerRegistryError(f"{where}: KIND must be a kaconf.checkers.base.CheckerKind,"
                                   f" got {type(kind).__name__}")
    if not kind.keyword or kind.keyword != kind.keyword.upper():
        raise CheckerRegistryError(f"{where}: keyword {kind.keyword!r} is not an upper-case"
                                   " block keyword")
    if not (isinstance(kind.model, type) and issubclass(kind.model, Checker)):
        raise CheckerRegistryError(f"{where}: {kind.keyword} model must subclass Checker")
    if not callable(kind.build) or not callable(kind.dump):
        raise CheckerRegistryError(f"{where}: {kind.keyword} needs build() and dump()")
    if (kind.probe is None) != (kind.unsupported is not None):
        raise CheckerRegistryError(f"{where}: {kind.keyword} must have a probe, or say why"
                                   " not (unsupported)")
    return kind


def discover(package: str = KINDS_PACKAGE) -> tuple[CheckerKind, ...]:
    """Import every module of ``package`` and return its kinds, sorted by keyword.

    Modules whose name starts with ``_`` are helpers and are skipped. Not cached: use
    :func:`all_kinds` unless you want a fresh scan (tests).
    """
    pkg = importlib.import_module(package)
    found: dict[str, CheckerKind] = {}
    where: dict[str, str] = {}
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("_") or info.ispkg:
            continue
        modname = f"{package}.{info.name}"
        module = importlib.import_module(modname)
        if not hasattr(module, "KIND"):
            raise CheckerRegistryError(f"{modname}: kind module has no KIND")
        kind = _validate(module.KIND, modname)
        if kind.keyword in found:
            raise CheckerRegistryError(f"checker {kind.keyword} is defined twice: in "
                                       f"{where[kind.keyword]} and {modname}")
        found[kind.keyword] = kind
        where[kind.keyword] = modname
    return tuple(found[k] for k in sorted(found))


@functools.cache
def _by_keyword() -> dict[str, CheckerKind]:
    return {k.keyword: k for k in discover()}


def all_kinds() -> tuple[CheckerKind, ...]:
    """Every checker kind, sorted by keyword (discovered once)."""
    return tuple(_by_keyword().values())


def get(keyword: str) -> CheckerKind | None:
    """The kind of checker block ``keyword`` (``"TCP_CHECK"``), None when there is none."""
    return _by_keyword().get(keyword)


class _Classes(Mapping[str, type[Checker]]):
    """checker block keyword -> model class, discovered on first use."""

    def __getitem__(self, keyword: str) -> type[Checker]:
        return _by_keyword()[keyword].model

    def __iter__(self) -> Iterator[str]:
        return iter(_by_keyword())

    def __len__(self) -> int:
        return len(_by_keyword())


#: checker block keyword -> model class (what the model builder makes of the block)
CHECKER_CLASSES: Mapping[str, type[Checker]] = _Classes()


def clear_cache() -> None:
    """Forget the discovered kinds (for tests that add kind modules)."""
    _by_keyword.cache_clear()
