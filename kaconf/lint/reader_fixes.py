"""Fixes for findings of the reader and model stages (KA0xx, KA100).

Those findings are made while a config is read, before lint has a
:class:`~kaconf.lint.rule.Context`, so their fixes are attached afterwards, by
the lint engine, from the finding's position and the tree: one function per
code in :data:`FIXERS`. Documentation of the codes (with the ``fix`` text) is
in :mod:`kaconf.lint.reader_rules`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from kaconf.fix import build
from kaconf.lint.helpers import tree

if TYPE_CHECKING:
    from kaconf.diagnostics import Diagnostic, Fix
    from kaconf.lint.rule import Context
    from kaconf.schema import KeywordSpec
    from kaconf.tree import Node

__all__ = ["FIXERS", "attach"]

_DID_YOU_MEAN = re.compile(r"did you mean '([^']+)'\?")


def _spec_of(ctx: Context, node: Node) -> KeywordSpec | None:
    for n, _path, spec in tree.walk_with_paths(ctx):
        if n is node:
            return spec  # type: ignore[no-any-return]
    return None


def _later_state(ctx: Context, d: Diagnostic) -> Fix | None:
    """KA040: the later ``state`` line is the one keepalived ignores."""
    node = tree.node_at(ctx, d.span)
    if node is None or node.name != "state":
        return None
    return build.delete_node(ctx, node, "remove the ignored 'state' line")


def _known_keyword(ctx: Context, d: Diagnostic) -> Fix | None:
    """KA100: rename to the keyword the hint suggests (unsafe: it starts to apply)."""
    m = _DID_YOU_MEAN.search(d.hint)
    node = tree.node_at(ctx, d.span)
    if m is None or node is None:
        return None
    return build.replace_token(ctx, node.keyword, m.group(1), f"rename to '{m.group(1)}'",
                               safe=False, changes_meaning=True)


def _enum_case(ctx: Context, d: Diagnostic) -> Fix | None:
    """KA022: a value that is one of the accepted words but for its case."""
    node = tree.node_at(ctx, d.span)
    if node is None or len(node.args) != 1:
        return None
    spec = _spec_of(ctx, node)
    if spec is None or not spec.choices:
        return None
    tok = node.args[0]
    same = [c for c in spec.choices if c.casefold() == tok.text.casefold()]
    if len(same) != 1 or tok.quoted:
        return None
    return build.replace_token(ctx, tok, same[0], f"write '{same[0]}'", safe=False,
                               changes_meaning=True)


def _stray_brace(ctx: Context, d: Diagnostic) -> Fix | None:
    """KA010: remove a '}' that closes nothing (keepalived skips it as a keyword)."""
    return build.delete_item(ctx, d.span, "}", "remove the extra '}'", safe=False)


def _close_at_end(ctx: Context, d: Diagnostic) -> Fix | None:
    """KA012: close the block at the end of its file, where keepalived closes it anyway.

    Unsafe: the missing brace is usually further up (everything after it has been
    read into the block), which only a person can tell.
    """
    from kaconf.diagnostics import Edit, Fix

    lines = ctx.loaded.texts.get(d.span.file)
    if not lines or d.span.file != ctx.path:
        return None  # an included file's block: where it ends depends on the includer
    last = lines[-1]
    end = len(last.rstrip("\r")) + 1
    eol = "\r\n" if last.endswith("\r") else "\n"
    return Fix("add the missing '}' at the end of the file",
               (Edit(d.span.file, len(lines), end, len(lines), end, eol + "}"),), safe=False)


_PREFIX = re.compile(r"invalid prefix length '/(\d+)' for (\S+) - keepalived uses /(\d+)")


def _host_prefix(ctx: Context, d: Diagnostic) -> Fix | None:
    """KA031: write the host prefix keepalived uses instead (unsafe: /24 was likely meant)."""
    m = _PREFIX.search(d.message)
    if m is None:
        return None
    bad, addr, used = m.groups()
    return build.replace_word(ctx, d.span, f"{addr}/{bad}", f"{addr}/{used}",
                              f"write {addr}/{used}", safe=False)


#: code -> function making the fix of one of its findings (or None)
FIXERS: dict[str, Callable[[Context, Diagnostic], Fix | None]] = {
    "KA010": _stray_brace,
    "KA012": _close_at_end,
    "KA031": _host_prefix,
    "KA022": _enum_case,
    "KA040": _later_state,
    "KA100": _known_keyword,
}


def attach(ctx: Context, diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    """``diags`` with the fixes :data:`FIXERS` can make attached."""
    out: list[Diagnostic] = []
    for d in diags:
        fixer = FIXERS.get(d.code)
        if fixer is not None and d.fix is None and d.span.file in ctx.loaded.texts:
            fix = fixer(ctx, d)
            if fix is not None:
                d = dataclasses.replace(d, fix=fix)
        out.append(d)
    return out
