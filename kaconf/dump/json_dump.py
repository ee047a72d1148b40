"""The JSON rendering of the model (``kaconf dump --format json``).

Stable and documented in docs/json-format.md: every model object becomes an
object with its fields in declaration order (``Block.FIELDS``), addresses
become strings, spans become ``{"file", "line", "column", "end_line",
"end_column"}``, and ``settings`` maps each keyword given to its converted
value. Keys are never renamed between releases without a ``format`` bump.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from kaconf.diagnostics import Span
from kaconf.model.objects import Block, Config, Script, Setting

FORMAT_VERSION = 1


def to_data(obj: Any, *, spans: bool = True) -> Any:
    """Convert a model object (or value) into JSON-compatible data."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, (ipaddress.IPv4Address, ipaddress.IPv6Address,
                        ipaddress.IPv4Interface, ipaddress.IPv6Interface,
                        ipaddress.IPv4Network, ipaddress.IPv6Network)):
        return str(obj)
    if isinstance(obj, Span):
        return {"file": obj.file, "line": obj.line, "column": obj.col,
                "end_line": obj.end_line, "end_column": obj.end_col} if spans else None
    if isinstance(obj, Setting):
        return to_data(obj.value, spans=spans)
    if isinstance(obj, dict):
        return {str(k): to_data(v, spans=spans) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_data(v, spans=spans) for v in obj]
    if isinstance(obj, Block):
        out: dict[str, Any] = {"type": type(obj).__name__}
        for name in obj.FIELDS:
            if name == "span" and not spans:
                continue
            if name == "group_spans":
                continue
            out[name.rstrip("_")] = to_data(getattr(obj, name), spans=spans)
        return out
    if isinstance(obj, Script):
        script: dict[str, Any] = {"type": "Script", "args": to_data(obj.args, spans=spans),
                                  "raw": obj.raw}
        if spans:
            script["span"] = to_data(obj.span, spans=spans)
        return script
    return str(obj)


def dump_json(cfg: Config, *, spans: bool = True) -> str:
    """The whole config as pretty-printed, key-stable JSON."""
    data = {"format": FORMAT_VERSION, "config": to_data(cfg, spans=spans)}
    return json.dumps(data, indent=2, sort_keys=False)
