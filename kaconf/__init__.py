"""kaconf: read, lint, dump, render and run keepalived configurations.

Public API: :func:`load` (path -> typed :class:`Config`), :func:`load_full`
(the model plus tree, comments and diagnostics) and :func:`resolve` (a model ->
the :class:`Effective` configuration keepalived would run on a host). Attributes are resolved
lazily so that ``import kaconf.schema`` or ``kaconf keywords`` do not pay for
the whole pipeline, and heavy libraries (rich, jinja2, pyroute2) are imported
only by the commands that need them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kaconf.effective import Effective, resolve
    from kaconf.loader import Loaded, load, load_full
    from kaconf.model.objects import Config

__all__ = ["Config", "Effective", "Loaded", "load", "load_full", "resolve"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name in ("load", "load_full", "Loaded"):
        from kaconf import loader

        return getattr(loader, name)
    if name in ("resolve", "Effective"):
        from kaconf import effective

        return getattr(effective, name)
    if name == "Config":
        from kaconf.model.objects import Config

        return Config
    raise AttributeError(f"module 'kaconf' has no attribute {name!r}")
