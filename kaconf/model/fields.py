"""The field declarations of the model's classes (:mod:`kaconf.model.objects`).

A block declares a list or dict field with :func:`field`; its class turns it into a
:class:`LazyField`, so each object makes that value only when it is first used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["FieldSpec", "LazyField", "field"]


class FieldSpec:
    """What :func:`field` returns: a factory for each object's own value."""

    __slots__ = ("factory", "repr")

    def __init__(self, factory: Callable[[], Any], repr: bool) -> None:
        self.factory = factory
        self.repr = repr


class LazyField:
    """A :func:`field` on its class: makes an object's own value on first use.

    Most objects of a large config never touch most of their list and dict
    fields (a TCP_CHECK has no ``url``, ``hosts`` or ``children``, a
    vrrp_instance rarely has all of its eleven lists), so making every one in
    ``__init__`` would be most of the cost of building the object. This is a
    non-data descriptor: the first read stores the new value in the object,
    whose own attribute is then found before the class's descriptor; an
    assignment simply sets the object's attribute.
    """

    __slots__ = ("name", "factory")

    def __init__(self, name: str, factory: Callable[[], Any]) -> None:
        self.name = name
        self.factory = factory

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.factory()
        return value


def field(*, default_factory: Callable[[], Any], repr: bool = True) -> Any:
    """Declare a field whose default is made fresh for every object (a list, a dict).

    ``repr=False`` leaves the field out of ``repr()`` (as with dataclasses).
    """
    return FieldSpec(default_factory, repr)
