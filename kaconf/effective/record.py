"""Light record classes for the resolver's objects made by the thousand (pure).

``@dataclass`` generates an ``__init__`` taking every field as a parameter with its
default (and ``__repr__``/``__eq__``) for each class at import; for
:class:`~kaconf.effective.vrrp_types.EffInstance` (some seventy fields) calling it
costs several microseconds, and the resolver makes one per instance, one address
object per address line, and lint resolves every file it checks.

A :class:`Record` subclass is declared like a dataclass (annotated fields, required
ones first, defaults, :func:`field` for per-object lists, sets and dicts) and behaves
like one for the resolver's uses (keyword or positional construction in declaration
order, ``repr``, ``==``, ``copy``, ``pickle``). Its generated ``__init__`` stores every
field, always in the same order, so that CPython keeps the attributes in its fast
per-class layout; a large record (``EffInstance``) takes only its required fields as
parameters, the others by keyword, and stores the defaults as constants.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar


class _Factory:
    """What :func:`field` returns: a factory for each object's own value."""

    __slots__ = ("factory",)

    def __init__(self, factory: Callable[[], Any]) -> None:
        self.factory = factory


def field(*, default_factory: Callable[[], Any]) -> Any:
    """Declare a field whose default is made fresh for every object (a list, a dict)."""
    return _Factory(default_factory)


_LITERAL = (type(None), bool, int, float, str)
_MISSING = object()


#: records with at most this many fields take every field as a parameter (a call with
#: a few defaults is cheap); larger ones take the required fields only, the rest by
#: keyword, so that a call does not set up seventy default arguments
_ALL_PARAMS = 16


def _make_init(cls: type[Record], required: list[str],
               defaults: dict[str, Any]) -> Callable[..., None]:
    """The ``__init__`` of ``cls``: required fields, then every default, then the rest."""
    names: dict[str, Any] = {"_assign": _assign, "_cls": cls, "_MISSING": _MISSING}
    params = ["self", *required]
    lines = [f"    self.{name} = {name}" for name in required]
    small = len(required) + len(defaults) <= _ALL_PARAMS
    for name, value in defaults.items():
        if isinstance(value, _Factory):
            names[f"_f_{name}"] = value.factory
            if small:
                params.append(f"{name}=_MISSING")
                lines.append(f"    self.{name} = _f_{name}() if {name} is _MISSING else {name}")
            else:
                lines.append(f"    self.{name} = _f_{name}()")
            continue
        if type(value) in _LITERAL:
            const = repr(value)
        else:
            const = f"_d_{name}"
            names[const] = value
        if small:
            params.append(f"{name}={const}")
            lines.append(f"    self.{name} = {name}")
        else:
            lines.append(f"    self.{name} = {const}")
    if not small:
        params += ["*args", "**values"]
        lines.append("    if args or values:")
        lines.append("        _assign(self, _cls, args, values)")
    source = f"def __init__({', '.join(params)}):\n" + "\n".join(lines) + "\n"
    exec(source, names)  # noqa: S102 - generated from the class's own field names
    init: Callable[..., None] = names["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def _assign(obj: Record, cls: type[Record], args: tuple[Any, ...],
            values: dict[str, Any]) -> None:
    """Positional arguments after the required ones, and keyword arguments."""
    optional = cls.FIELDS[len(cls._REQUIRED):]
    if len(args) > len(optional):
        raise TypeError(f"{cls.__name__}() takes {len(cls.FIELDS)} positional arguments "
                        f"but {len(args) + len(cls._REQUIRED)} were given")
    for name, value in zip(optional, args, strict=False):
        setattr(obj, name, value)
    for name, value in values.items():
        if name not in cls._NAMES:
            raise TypeError(f"{cls.__name__}() got an unexpected keyword argument '{name}'")
        setattr(obj, name, value)


class Record:
    """Base of the light records (see module docstring)."""

    #: every field, in declaration order (base classes first)
    FIELDS: ClassVar[tuple[str, ...]] = ()
    #: the fields without a default, first: construction must give them
    _REQUIRED: ClassVar[tuple[str, ...]] = ()
    _NAMES: ClassVar[frozenset[str]] = frozenset()
    _DEFAULTS: ClassVar[dict[str, Any]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Collect the fields ``cls`` declares on top of its base's; make its __init__."""
        super().__init_subclass__(**kwargs)
        required = list(cls._REQUIRED)
        defaults = dict(cls._DEFAULTS)
        own = cls.__dict__
        for name, annotation in own.get("__annotations__", {}).items():
            if str(annotation).startswith("ClassVar"):
                continue
            if name not in own:
                if defaults:
                    raise TypeError(f"{cls.__name__}.{name}: a field without a default "
                                    "follows one with a default")
                required.append(name)
                continue
            value = own[name]
            defaults[name] = value
            if isinstance(value, _Factory):
                delattr(cls, name)
        cls._REQUIRED = tuple(required)
        cls._DEFAULTS = defaults
        cls.FIELDS = (*required, *defaults)
        cls._NAMES = frozenset(cls.FIELDS)
        cls.__init__ = _make_init(cls, required, defaults)  # type: ignore[method-assign]

    def __init__(self, *args: Any, **values: Any) -> None:
        """Replaced in each subclass (see :func:`_make_init`)."""

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.FIELDS)
        return f"{type(self).__qualname__}({fields})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self.FIELDS)

    __hash__ = None  # type: ignore[assignment]
