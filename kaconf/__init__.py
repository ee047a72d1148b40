"""kaconf: read, lint, dump, render and run keepalived configurations.

Public API: :func:`load` (path -> typed :class:`Config`) and :func:`load_full`
(the model plus tree, comments and diagnostics). Heavy libraries (rich,
jinja2, pyroute2) are imported only by the commands that need them.
"""

from kaconf.loader import Loaded, load, load_full
from kaconf.model.objects import Config

__all__ = ["Config", "Loaded", "load", "load_full"]
__version__ = "0.1.0"
