"""One module per checker kind, named after its block keyword (``tcp_check.py`` ...).

Each exports ``KIND`` (a :class:`kaconf.checkers.base.CheckerKind`); modules starting with
``_`` are helpers. See :mod:`kaconf.checkers` and docs/checkers-dev.md.
"""
