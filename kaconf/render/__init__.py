"""``kaconf render``: Jinja2 templates + vars -> lint-checked keepalived configs.

The pieces: :mod:`~kaconf.render.vars` (YAML/JSON/TOML vars, merge, ``--set``),
:mod:`~kaconf.render.filters` (address and quoting filters),
:mod:`~kaconf.render.engine` (sandboxed rendering with template line origins),
:mod:`~kaconf.render.gate` (lint of the rendered text before anything is written).

This package imports jinja2, so only ``kaconf render`` imports it: ``kaconf lint``
start-up must not pay for a template engine.
"""

from __future__ import annotations

from kaconf.render.engine import Origin, Rendered, TemplateRenderer, render_nodes
from kaconf.render.errors import STATUS_CONFIG, STATUS_INPUT, RenderError
from kaconf.render.vars import load_vars

__all__ = [
    "STATUS_CONFIG",
    "STATUS_INPUT",
    "Origin",
    "RenderError",
    "Rendered",
    "TemplateRenderer",
    "load_vars",
    "render_nodes",
]
