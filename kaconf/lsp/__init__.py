"""The kaconf language server (``kaconf lsp``), one module per concern.

``server`` wires the protocol; ``session`` holds each document's settings and
findings; ``cursor`` and ``names`` are pure (block path at the cursor, named
objects and references); ``diagnostics``, ``hover``, ``completion``,
``definition``, ``symbols``, ``formatting`` and ``actions`` answer one kind of
request each. Importing this package imports nothing: pygls loads with ``server``.
"""
