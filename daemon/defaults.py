"""Paths the daemon and its client commands agree on, in a module that imports nothing.

``kaconf run`` listens where ``kaconf status`` asks; both read the default from here, and
both build their argument parsers without importing the daemon proper.
"""

#: The parent's control socket (``kaconf run --control``, ``kaconf status --control``).
DEFAULT_CONTROL = "/run/kaconfd/control.sock"
