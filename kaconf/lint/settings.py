"""Lint settings: ``[tool.kaconf]`` in pyproject.toml or a ``.kaconf.toml``, and code selection.

A team keeps its lint policy (which codes to check, which keepalived version
the configs target, whether warnings fail CI) next to the configs instead of
repeating flags in every Makefile, CI job and Ansible task. The file is found
the way ruff finds its settings: from the current directory upwards, the first
directory with a ``.kaconf.toml`` or a ``pyproject.toml`` that has a
``[tool.kaconf]`` table wins (``.kaconf.toml`` first within one directory).

``.kaconf.toml`` holds the keys at top level (a ``[tool.kaconf]`` table is
accepted too, so a snippet can be moved between the two files unchanged)::

    select = ["KA0", "KA1", "KA2"]
    ignore = ["KA205"]
    target-version = "2.2.7"
    strict = true
    config-id = "lb1"
    [severity]          # in pyproject.toml: [tool.kaconf.severity]
    KA210 = "error"

Unknown keys and malformed values are errors (exit status 2): a misspelt
``ignroe`` that silently did nothing would be worse than no settings file.

Code selection follows ruff: entries are code prefixes (``"KA2"`` means every
KA2xx code, ``"ALL"`` everything); within one layer the most specific match
between ``select`` and ``ignore`` wins (a tie goes to ``ignore``); a later layer
(the command line) replaces ``select`` when it gives one and always adds its
``ignore``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kaconf.diagnostics import Severity

__all__ = [
    "CodeSelection",
    "Settings",
    "SettingsError",
    "find_settings_file",
    "load_settings",
    "parse_codes",
    "parse_severity",
    "prefix_lookup",
]

_CODE_PREFIX = re.compile(r"KA\d{0,3}")
_KEYS = frozenset({"select", "ignore", "target-version", "strict", "config-id", "severity"})
_SEVERITIES = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO}


class SettingsError(ValueError):
    """The settings file or a code list is malformed; kaconf exits with status 2."""


def parse_codes(value: str | Iterable[str], where: str = "") -> tuple[str, ...]:
    """Normalise a list of code prefixes (a list, or a comma/space-separated string).

    ``"ALL"`` becomes the empty prefix, which matches every code. Anything that
    is not ``KA`` plus up to three digits is rejected, so a typo such as
    ``KA1OO`` is an error rather than a silently empty selection.
    """
    items: list[str] = []
    if isinstance(value, str):
        value = [value]
    for chunk in value:
        if not isinstance(chunk, str):
            raise SettingsError(f"{where}code list entries must be strings, got {chunk!r}")
        items.extend(p for p in re.split(r"[,\s]+", chunk) if p)
    out: list[str] = []
    for item in items:
        code = item.strip().upper()
        if code == "ALL":
            out.append("")
        elif _CODE_PREFIX.fullmatch(code):
            out.append(code)
        else:
            raise SettingsError(f"{where}invalid rule code or prefix {item!r} "
                                "(expected e.g. KA201, KA2 or ALL)")
    return tuple(out)


def parse_severity(value: Mapping[str, Any], where: str = "") -> dict[str, Severity]:
    """``{"KA210": "error"}`` -> ``{"KA210": Severity.ERROR}``, keys being code prefixes."""
    out: dict[str, Severity] = {}
    for key, level in value.items():
        prefixes = parse_codes([key], where)
        if len(prefixes) != 1:
            raise SettingsError(f"{where}severity keys are single codes or prefixes, got {key!r}")
        prefix = prefixes[0]
        if not isinstance(level, str) or level.lower() not in _SEVERITIES:
            raise SettingsError(f"{where}severity for {key!r} must be one of "
                                f"{', '.join(_SEVERITIES)}, got {level!r}")
        out[prefix] = _SEVERITIES[level.lower()]
    return out


def prefix_lookup(code: str, prefixes: Iterable[str]) -> str | None:
    """The longest of ``prefixes`` that ``code`` starts with, or ``None``."""
    best: str | None = None
    for p in prefixes:
        if code.startswith(p) and (best is None or len(p) > len(best)):
            best = p
    return best


@dataclass(frozen=True)
class CodeSelection:
    """Which codes are reported, from layers of (select, ignore) like ruff's.

    ``select=None`` in a layer keeps what earlier layers selected. The answer
    per code is memoised: the engine asks once per finding, and a large config
    has thousands of findings with a handful of distinct codes.
    """

    layers: tuple[tuple[tuple[str, ...] | None, tuple[str, ...]], ...] = ()
    _memo: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, select: Sequence[str] | None = None, ignore: Sequence[str] = ()) -> CodeSelection:
        """A single layer, with already-normalised prefixes."""
        return cls(((tuple(select) if select is not None else None, tuple(ignore)),))

    def enabled(self, code: str) -> bool:
        """Whether findings with ``code`` are reported."""
        hit = self._memo.get(code)
        if hit is not None:
            return hit
        on = True
        for select, ignore in self.layers:
            ign = prefix_lookup(code, ignore)
            if select is None:
                if ign is not None:
                    on = False
                continue
            sel = prefix_lookup(code, select)
            on = sel is not None and (ign is None or len(sel) > len(ign))
        self._memo[code] = on
        return on


@dataclass
class Settings:
    """The values read from a settings file; ``None`` means "not set there"."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    target_version: str | None = None
    strict: bool | None = None
    config_id: str | None = None
    severity: dict[str, Severity] = field(default_factory=dict)
    #: the file the values came from, for messages
    source: Path | None = None


def _read_toml(path: Path) -> dict[str, Any]:
    import tomllib  # only when a settings file exists: not on every lint's start-up path

    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: invalid TOML: {exc}") from exc
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def _kaconf_table(path: Path) -> dict[str, Any] | None:
    """The kaconf table of ``path``; ``None`` for a pyproject.toml without one."""
    data = _read_toml(path)
    tool = data.get("tool")
    table = tool.get("kaconf") if isinstance(tool, dict) else None
    if path.name == "pyproject.toml":
        return table if isinstance(table, dict) else None
    if isinstance(table, dict):
        return table
    return data


def find_settings_file(start: Path | None = None) -> tuple[Path, dict[str, Any]] | None:
    """The nearest settings file from ``start`` (default: the cwd) upwards, with its table."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for name in (".kaconf.toml", "pyproject.toml"):
            candidate = folder / name
            if candidate.is_file():
                table = _kaconf_table(candidate)
                if table is not None:
                    return candidate, table
    return None


def settings_from_table(table: Mapping[str, Any], source: Path | None = None) -> Settings:
    """Validate a ``[tool.kaconf]`` table into :class:`Settings`."""
    where = f"{source}: " if source else ""
    norm = {str(k).replace("_", "-"): v for k, v in table.items()}
    unknown = sorted(set(norm) - _KEYS)
    if unknown:
        raise SettingsError(f"{where}unknown setting(s) {', '.join(unknown)}; "
                            f"known: {', '.join(sorted(_KEYS))}")
    s = Settings(source=source)
    if "select" in norm:
        s.select = parse_codes(_str_list(norm["select"], "select", where), where)
    if "ignore" in norm:
        s.ignore = parse_codes(_str_list(norm["ignore"], "ignore", where), where)
    if "target-version" in norm:
        v = norm["target-version"]
        if not isinstance(v, str):
            raise SettingsError(f"{where}target-version must be a string such as \"2.2.7\"")
        s.target_version = v
    if "strict" in norm:
        if not isinstance(norm["strict"], bool):
            raise SettingsError(f"{where}strict must be true or false")
        s.strict = norm["strict"]
    if "config-id" in norm:
        if not isinstance(norm["config-id"], str):
            raise SettingsError(f"{where}config-id must be a string")
        s.config_id = norm["config-id"]
    if "severity" in norm:
        if not isinstance(norm["severity"], dict):
            raise SettingsError(f"{where}severity must be a table of CODE = \"level\"")
        s.severity = parse_severity(norm["severity"], where)
    return s


def _str_list(value: Any, key: str, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise SettingsError(f"{where}{key} must be a list of rule codes")


def load_settings(start: Path | None = None) -> Settings:
    """Settings from the nearest settings file, or defaults when there is none."""
    found = find_settings_file(start)
    if found is None:
        return Settings()
    path, table = found
    return settings_from_table(table, path)
