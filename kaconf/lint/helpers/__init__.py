"""Helpers shared by the lint rules, one module per topic.

The rules (:mod:`kaconf.lint.rules`, one per file) mirror what ``keepalived -t``
(2.2.7) decides after parsing; what several of them need lives here once, so two
rules can never disagree:

* :mod:`.resolved`: the config resolved by :func:`kaconf.resolve` once per context
  (``ctx.effective``, per instance ``ctx.resolved(inst)``): every value keepalived
  derives (priority, state, family, version, strict mode, unicast, kept
  authentication, tracking weights, sync membership) comes from there, never from
  lint's own arithmetic (tests/unit/test_lint_asks_resolver.py keeps it so).
* :mod:`.semantics`: the questions several rules ask the resolver (address owner,
  starts as MASTER, kept authentication, a tracking line's weight).
* :mod:`.family`: the address-bearing statements of an instance (KA221 points at
  the ones the resolver skipped).
* :mod:`.tree` and :mod:`.index`: reading the raw tree (statements, sections,
  keyword names, spans) through one shared walk per lint context.
* :mod:`.versions`: ordering keepalived versions (``--target-version``).
* :mod:`.lists`: tracking entries and route/rule/address lines across the config.
* :mod:`.sync`: sync-group membership as the resolver decided it, with model spans.
* :mod:`.scripts`: the scripts keepalived checks; :mod:`.host`: what depends on the
  machine (interfaces, ``PATH`` and file look-ups, users, ``KACONF_INTERFACES``).
* :mod:`.lvs`: virtual/real servers; :mod:`.cluster`: comparing cluster nodes.
"""
