"""Code actions: each finding's machine fix (:attr:`kaconf.diagnostics.Diagnostic.fix`).

A finding on the requested range that carries a :class:`~kaconf.diagnostics.Fix`
becomes a ``quickfix`` action whose workspace edit is the fix's edits (a fix may
touch several files: each edit goes to its file's URI). Safe fixes that do not
change meaning are marked preferred, so "apply the preferred fix" does what
``kaconf lint --fix`` would. ``source.fixAll.kaconf`` applies every safe fix of
the document at once, skipping a fix whose edits overlap one already taken
(``kaconf lint --fix`` re-reads and tries again; an editor can ask again).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from lsprotocol import types

from kaconf.diagnostics import Diagnostic, Edit, Fix
from kaconf.lsp.diagnostics import to_lsp_diagnostic, uri_of
from kaconf.lsp.positions import span_range, to_lsp_range

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

    from kaconf.lsp.session import Analysis

__all__ = ["FIX_ALL", "KINDS", "code_actions"]

#: The kind of the "apply every safe fix" action.
FIX_ALL = "source.fixAll.kaconf"
KINDS = [types.CodeActionKind.QuickFix, FIX_ALL]


def _edit(server: LanguageServer, an: Analysis, edits: Iterable[Edit]) -> types.WorkspaceEdit:
    codec = server.workspace.position_codec
    changes: dict[str, list[types.TextEdit]] = {}
    for e in edits:
        rng = to_lsp_range(codec, an.lines_of(e.file), e.line, e.col, e.end_line, e.end_col)
        changes.setdefault(uri_of(e.file, an.uri, an.path), []).append(
            types.TextEdit(range=rng, new_text=e.text))
    return types.WorkspaceEdit(changes=changes)


def _overlaps(range_: types.Range, other: types.Range) -> bool:
    a = (range_.start.line, range_.start.character), (range_.end.line, range_.end.character)
    b = (other.start.line, other.start.character), (other.end.line, other.end.character)
    return a[0] <= b[1] and b[0] <= a[1]


def _quickfix(server: LanguageServer, an: Analysis, d: Diagnostic, fix: Fix
              ) -> types.CodeAction:
    title = fix.title + ("" if fix.safe else " (unsafe)")
    return types.CodeAction(
        title=title, kind=types.CodeActionKind.QuickFix,
        diagnostics=[to_lsp_diagnostic(server, an, d)],
        edit=_edit(server, an, fix.edits),
        is_preferred=fix.safe and not fix.changes_meaning)


def _fix_all(server: LanguageServer, an: Analysis) -> types.CodeAction | None:
    taken: list[Edit] = []
    for d in an.result.diagnostics:
        fix = d.fix
        if fix is None or not fix.safe or fix.changes_meaning:
            continue
        keys = [(e.file, (e.line, e.col), (e.end_line, e.end_col)) for e in fix.edits]
        clash = any(f == t.file and s <= (t.end_line, t.end_col) and (t.line, t.col) <= x
                    for f, s, x in keys for t in taken)
        if not clash:
            taken.extend(fix.edits)
    if not taken:
        return None
    return types.CodeAction(title="kaconf: apply every safe fix", kind=FIX_ALL,
                            edit=_edit(server, an, taken))


def code_actions(server: LanguageServer, an: Analysis, params: types.CodeActionParams
                 ) -> list[types.CodeAction]:
    """The actions for the findings on ``params.range``."""
    only = params.context.only
    out: list[types.CodeAction] = []
    codec = server.workspace.position_codec
    lines = an.lines_of(an.path)
    if not only or any(k.startswith(types.CodeActionKind.QuickFix) for k in only):
        for d in an.by_file.get(an.path, []):
            if d.fix is not None and _overlaps(span_range(codec, lines, d.span), params.range):
                out.append(_quickfix(server, an, d, d.fix))
    if not only or any(FIX_ALL.startswith(k) for k in only):
        action = _fix_all(server, an)
        if action is not None:
            out.append(action)
    return out
