"""Template variables: YAML, JSON or TOML files, deep-merged, then ``--set`` overrides.

The format is chosen by extension (``.yaml``/``.yml``, ``.json``, ``.toml``) rather
than sniffed, so a typo in a file never silently switches parsers. Merge rule:
mappings merge key by key, recursively; anything else (lists included) in a later
source replaces the earlier value, so a node can replace a list instead of being
stuck with the union.

Parse errors carry the line of the vars file; duplicate keys in YAML or JSON are
errors too (both parsers would otherwise keep the last one without a word, and a
duplicated ``priority`` in a cluster's vars is exactly the mistake to catch).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

from kaconf.render.errors import STATUS_INPUT, RenderError

__all__ = ["apply_set", "deep_merge", "load_vars", "load_vars_file", "parse_set"]

_EXTENSIONS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".toml": "toml"}
_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` on top of ``base``: mappings merge recursively, other values replace.

    Neither input is modified (node overlays reuse the common vars for every node).
    """
    out: dict[str, Any] = dict(base)
    for key, value in over.items():
        old = out.get(key)
        if isinstance(old, Mapping) and isinstance(value, Mapping):
            out[key] = deep_merge(old, value)
        else:
            out[key] = value
    return out


def _yaml_loader() -> type:
    """A SafeLoader that rejects duplicate mapping keys (with their line)."""
    import yaml

    class UniqueKeyLoader(yaml.SafeLoader):
        pass

    def construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = loader.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
            try:
                dup = key in seen
                seen.add(key)
            except TypeError:  # unhashable key: SafeLoader reports it itself
                continue
            if dup:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
        return loader.construct_mapping(node, deep=True)

    UniqueKeyLoader.add_constructor(
        yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return UniqueKeyLoader


def _load_yaml(text: str, path: str) -> Any:
    import yaml

    try:
        return yaml.load(text, Loader=_yaml_loader())  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = ": ".join(str(x) for x in (exc.context, exc.problem) if x) or "syntax error"
        raise RenderError(f"invalid YAML: {what}", file=path,
                          line=mark.line + 1 if mark is not None else None) from None
    except yaml.YAMLError as exc:
        raise RenderError(f"invalid YAML: {exc}", file=path) from None


def _load_json(text: str, path: str) -> Any:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in items:
            if k in out:
                raise RenderError(f"invalid JSON: duplicate key {k!r}", file=path)
            out[k] = v
        return out

    try:
        return json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise RenderError(f"invalid JSON: {exc.msg} (column {exc.colno})", file=path,
                          line=exc.lineno) from None


def _load_toml(text: str, path: str) -> Any:
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _TOML_POS.search(msg)
        line = int(m.group(1)) if m else None
        msg = _TOML_POS.sub(f"(column {m.group(2)})", msg) if m else msg
        raise RenderError(f"invalid TOML: {msg}", file=path, line=line) from None


def load_vars_file(path: str) -> dict[str, Any]:
    """Read one vars file into a mapping; :class:`RenderError` for anything wrong.

    Unreadable or unknown-type files are input errors (exit 2); a file that reads
    but is malformed, or is not a mapping at the top level, is a config error (1).
    """
    ext = os.path.splitext(path)[1].lower()
    kind = _EXTENSIONS.get(ext)
    if kind is None:
        raise RenderError(f"unknown vars file type '{ext or path}': use .yaml, .yml, .json "
                          "or .toml", file=path, status=STATUS_INPUT)
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise RenderError(f"cannot read vars file: {exc.strerror or exc}", file=path,
                          status=STATUS_INPUT) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RenderError("vars file is not UTF-8", file=path, line=line) from None
    if kind == "yaml":
        doc = _load_yaml(text, path)
    elif kind == "json":
        doc = _load_json(text, path)
    else:
        doc = _load_toml(text, path)
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise RenderError(f"vars file must hold a mapping at the top level, not "
                          f"{type(doc).__name__}", file=path, line=1)
    bad = [k for k in doc if not isinstance(k, str)]
    if bad:
        raise RenderError(f"top-level keys must be names, not {bad[0]!r}", file=path)
    return doc


def parse_set(spec: str) -> tuple[list[str], Any]:
    """``a.b=value`` -> (["a", "b"], value typed by YAML: ``90`` is a number, ``x`` a string).

    An empty value is the empty string (YAML would make it null, which no template
    wants from ``--set key=``).
    """
    key, sep, raw = spec.partition("=")
    parts = key.strip().split(".")
    if not sep or not all(p.strip() for p in parts):
        raise RenderError(f"--set needs KEY=VALUE with a dotted KEY, got {spec!r}",
                          status=STATUS_INPUT)
    if raw == "":
        return [p.strip() for p in parts], ""
    import yaml

    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RenderError(f"--set {key}: value is not valid YAML ({problem}); quote it, "
                          f"e.g. --set '{key}=\"...\"'", status=STATUS_INPUT) from None
    return [p.strip() for p in parts], value


def apply_set(doc: dict[str, Any], path: list[str], value: Any) -> dict[str, Any]:
    """Return ``doc`` with ``value`` at ``path``, creating mappings on the way."""
    out = dict(doc)
    cur = out
    for i, part in enumerate(path[:-1]):
        nxt = cur.get(part)
        if nxt is None:
            nxt = {}
        elif not isinstance(nxt, Mapping):
            where = ".".join(path[: i + 1])
            raise RenderError(f"--set {'.'.join(path)}: '{where}' is a "
                              f"{type(nxt).__name__}, not a mapping", status=STATUS_INPUT)
        nxt = dict(nxt)
        cur[part] = nxt
        cur = nxt
    cur[path[-1]] = value
    return out


def load_vars(files: Iterable[str], sets: Iterable[str] = ()) -> dict[str, Any]:
    """All vars files merged left to right, then every ``--set`` in order."""
    doc: dict[str, Any] = {}
    for path in files:
        doc = deep_merge(doc, load_vars_file(path))
    for spec in sets:
        keys, value = parse_set(spec)
        doc = apply_set(doc, keys, value)
    return doc

