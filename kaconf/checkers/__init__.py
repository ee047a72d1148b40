"""Health-checker kinds (TCP_CHECK, HTTP_GET, ...): one module per kind, found by the registry.

Why a package of self-registering modules (the layout of :mod:`kaconf.lint.rules`): a checker
kind used to be spread over the model, the daemon's settings resolver, its scheduler and
probes, and the dump, each with its own ``isinstance`` chain. Now everything that differs
between kinds is declared once, in ``kaconf/checkers/kinds/<keyword>.py``:

* the model class (the block's typed fields) and the kind's defaults as keepalived 2.2.7
  completes them (``retry``, ``delay_before_retry``, whether it has a connection, ...);
* the spec builder: the kind's effective run-time parameters (``build``);
* the dump printer: the lines ``keepalived -d`` prints for it (``dump``);
* the probe: the coroutine that runs one check (``probe``). Probes are plain standard-library
  asyncio/socket/ssl code, but they import it *inside* their functions (and the shared
  socket helpers of :mod:`kaconf.checkers.net`), so ``kaconf lint`` and ``kaconf dump``,
  which import every kind module, never import asyncio, ssl or socket.

The common machinery reads those declarations through :mod:`kaconf.checkers.registry`:
the model builder (which class a checker block gets), :mod:`kaconfd.check.spec` (inherited
settings), :mod:`kaconfd.check.state` and :mod:`kaconfd.check.scheduler` (how a kind's results
count and when it runs) and :mod:`kaconf.dump.checker`. Adding a kind is one new module here
plus its tests and docs (docs/checkers-dev.md).
"""
