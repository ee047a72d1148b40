"""Light records (kaconf.effective.record) behave like the dataclasses they replace."""

from __future__ import annotations

import copy
import pickle

import pytest

from kaconf.effective.record import Record, field


class Small(Record):
    name: str
    weight: int = 0
    tags: list[str] = field(default_factory=list)


class Big(Record):
    name: str
    a0: int = 0
    a1: int = 1
    a2: int = 2
    a3: int = 3
    a4: int = 4
    a5: int = 5
    a6: int = 6
    a7: int = 7
    a8: int = 8
    a9: int = 9
    b0: str = ""
    b1: str | None = None
    b2: bool = False
    b3: float = 1.5
    b4: set[str] = field(default_factory=set)
    b5: dict[str, int] = field(default_factory=dict)


@pytest.mark.parametrize("cls", [Small, Big])
def test_construction_like_a_dataclass(cls: type[Record]) -> None:
    x = cls("n")
    y = cls("n")
    assert x == y and x is not y
    assert cls.FIELDS[0] == "name"
    assert repr(x).startswith(f"{cls.__name__}(name='n', ")
    assert pickle.loads(pickle.dumps(x)) == x and copy.copy(x) == x
    with pytest.raises(TypeError):
        cls()
    with pytest.raises(TypeError):
        cls("n", nosuch=1)


def test_defaults_positional_and_fresh_containers() -> None:
    a, b = Small("a", 3), Small("b", weight=4, tags=["t"])
    assert (a.weight, a.tags, b.weight, b.tags) == (3, [], 4, ["t"])
    a.tags.append("x")
    assert Small("c").tags == []
    big = Big("n", 10, b2=True)
    assert (big.a0, big.a1, big.b2, big.b3, big.b4, big.b5) == (10, 1, True, 1.5, set(), {})
    big.b4.add("x")
    assert Big("m").b4 == set()
    assert Big("n") != big
    with pytest.raises(TypeError):
        Small("a", 1, [], 2)


def test_a_required_field_after_a_default_is_refused() -> None:
    with pytest.raises(TypeError):
        class Bad(Record):  # noqa: F841
            a: int = 0
            b: int
