"""Applying fixes: the edits lint rules attach to their findings, checked by the dump.

A rule that knows a mechanical repair attaches a :class:`~kaconf.diagnostics.Fix`
(a title and :class:`~kaconf.diagnostics.Edit` records) to its diagnostic. Three
front ends apply them: ``kaconf lint --fix``, ``kaconf migrate`` and the language
server's code actions. They share this package so they agree on what an edit
does and on when a fix is refused:

* :mod:`kaconf.fix.edits` - pure text edits (positions, overlap, CRLF, bytes);
* :mod:`kaconf.fix.build` - helpers rules use to make fixes that touch only the
  text they mean (a token, a statement's lines, a brace);
* :mod:`kaconf.fix.meaning` - what a set of files means: ``kaconf dump``'s text;
* :mod:`kaconf.fix.apply` - the loop: find, apply, re-read, check the meaning.
"""
