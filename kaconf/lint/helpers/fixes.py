"""Fixes for settings of model objects: the lint side of :mod:`kaconf.fix.build`.

Rules find problems on model objects (an instance's ``preempt_delay``); the
fixes edit the statement those came from. These helpers find that statement
(:func:`kaconf.lint.helpers.tree.node_at`) and build the edit, or return
``None`` when there is nothing literal to edit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kaconf.fix import build
from kaconf.lint.helpers import tree

if TYPE_CHECKING:
    from kaconf.diagnostics import Fix
    from kaconf.lint.rule import Context
    from kaconf.model.objects import Block
    from kaconf.tree import Node

__all__ = ["remove_block", "remove_setting", "replace_value", "setting_node"]


def setting_node(ctx: Context, block: Block, keyword: str) -> Node | None:
    """The statement ``keyword`` of ``block`` was read from (the one the model kept)."""
    s = block.settings.get(keyword)
    if s is None:
        return None
    node = tree.node_at(ctx, s.span)
    return node if node is not None and node.name == keyword else None


def remove_setting(ctx: Context, block: Block, keyword: str, title: str = "", *,
                   safe: bool = True, changes_meaning: bool = False) -> Fix | None:
    """Remove the line (or block) of ``keyword`` in ``block``."""
    node = setting_node(ctx, block, keyword)
    if node is None:
        return None
    return build.delete_node(ctx, node, title or f"remove '{keyword}'", safe=safe,
                             changes_meaning=changes_meaning)


def replace_value(ctx: Context, block: Block, keyword: str, new: str, title: str = "", *,
                  safe: bool = True, changes_meaning: bool = False) -> Fix | None:
    """Replace the single value of ``keyword`` in ``block`` with ``new``."""
    node = setting_node(ctx, block, keyword)
    if node is None or len(node.args) != 1:
        return None
    return build.replace_token(ctx, node.args[0], new, title or f"use '{keyword} {new}'",
                               safe=safe, changes_meaning=changes_meaning)


def remove_block(ctx: Context, block: Block, title: str, *, safe: bool = True,
                 changes_meaning: bool = False) -> Fix | None:
    """Remove the whole block a model object (``authentication {...}``) was read from."""
    node = tree.node_of(ctx, block)
    if node is None:
        return None
    return build.delete_node(ctx, node, title, safe=safe, changes_meaning=changes_meaning)
