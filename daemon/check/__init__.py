"""The health-checker child of kaconfd (keepalived's "checker" process, imported as
``kaconfd.check``).

Layers, from pure to I/O (each module's docstring says why it is shaped so):

* :mod:`~kaconfd.check.spec`: the resolver's LVS state (:mod:`kaconf.effective.lvs`: the
  values keepalived 2.2.7 completes, inheritance checker -> real_server -> virtual_server
  -> default included) translated into run-time specs;
* :mod:`kaconf.checkers`: one module per checker kind (model class, defaults, settings
  builder, dump lines and probe, the coroutine returning a
  :class:`~kaconf.checkers.base.CheckResult`), found by its registry;
  :mod:`~kaconfd.check.probes` keeps the probes' old names;
* :mod:`~kaconfd.check.state`: sans-I/O pool logic (retries, real-server liveness, weights,
  quorum with hysteresis, sorry server, inhibit_on_failure) and the desired IPVS table;
* :mod:`~kaconfd.check.ipvs_plan`: pure diff of two IPVS tables into operations;
* :mod:`~kaconfd.check.ipvs_writer`: applies operations with pyroute2, or keeps the table in
  memory when the kernel has no IPVS;
* :mod:`~kaconfd.check.scheduler`: runs every checker on an injectable clock;
* :mod:`~kaconfd.check.child`: :func:`~kaconfd.check.child.run_checker`, the entry point the
  parent process calls.

See docs/checker.md.
"""
