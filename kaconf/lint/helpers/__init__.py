"""Helpers shared by the lint rules, one module per topic.

The rules (:mod:`kaconf.lint.rules`, one per file) mirror what ``keepalived -t``
(2.2.7) decides after parsing; what several of them need lives here once, so two
rules can never disagree:

* :mod:`.semantics`: effective VRRP values as keepalived derives them (priority,
  family, version, strict mode, kept authentication, tracking weights). Kept in one
  module so a shared resolver of effective values can replace it in one place.
* :mod:`.family`: the address-bearing statements that fix an instance's family.
* :mod:`.tree` and :mod:`.index`: reading the raw tree (statements, sections,
  keyword names, spans) through one shared walk per lint context.
* :mod:`.versions`: ordering keepalived versions (``--target-version``).
* :mod:`.lists`: tracking entries and route/rule/address lines across the config.
* :mod:`.sync`: sync-group membership as keepalived resolves it.
* :mod:`.scripts`: the scripts keepalived checks; :mod:`.host`: what depends on the
  machine (interfaces, ``PATH`` and file look-ups, users, ``KACONF_INTERFACES``).
* :mod:`.lvs`: virtual/real servers; :mod:`.cluster`: comparing cluster nodes.
"""
