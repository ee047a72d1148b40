"""One keyword occurrence in the model: :class:`Setting` (and :class:`BlockSetting`).

Every model object (:mod:`kaconf.model.objects`) keeps each keyword it was given,
converted, with where it was written; kept apart from the objects so that both stay
small.
"""

from __future__ import annotations

from typing import Any, Protocol

from kaconf.diagnostics import Span


class HasHeadSpan(Protocol):
    @property
    def head_span(self) -> Span: ...


class HasSpans(HasHeadSpan, Protocol):
    @property
    def span(self) -> Span: ...

    def position(self) -> tuple[str, int, int]: ...


class Setting:
    """One keyword occurrence, converted according to the schema.

    ``span`` may be given as the statement it comes from (``node=``): the
    builder makes tens of thousands of settings and most spans are never
    looked at, so the span is worked out on first use.
    """

    __slots__ = ("keyword", "value", "_span", "args", "_node")

    def __init__(self, keyword: str, value: Any, span: Span | None = None,
                 args: list[str] | None = None, node: HasSpans | None = None) -> None:
        self.keyword = keyword
        self.value = value
        self._span = span
        self.args: list[str] = [] if args is None else args
        self._node = node

    @property
    def span(self) -> Span:
        s = self._span
        if s is None:
            assert self._node is not None, "Setting needs a span or a node"
            s = self._span = self._span_of(self._node)
            self._node = None
        return s

    @span.setter
    def span(self, value: Span) -> None:
        self._span = value
        self._node = None

    @staticmethod
    def _span_of(node: HasSpans) -> Span:
        """A keyword's span is its statement's line."""
        return node.head_span

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Setting):
            return NotImplemented
        return (self.keyword, self.value, self.span, self.args) == (
            other.keyword, other.value, other.span, other.args)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (f"Setting(keyword={self.keyword!r}, value={self.value!r}, span={self.span!r}, "
                f"args={self.args!r})")


class BlockSetting(Setting):
    """A :class:`Setting` of a value block: given ``node=``, its span is the whole block."""

    __slots__ = ()

    @staticmethod
    def _span_of(node: HasSpans) -> Span:
        """A value block's span runs from its keyword to its closing brace."""
        return node.span
