"""The model builder's shortcuts give what the plain constructions give."""

from __future__ import annotations

import ipaddress
import pickle

import pytest

from kaconf.model.addr import make_interface, parse_ip
from kaconf.model.objects import Checker, Config, TcpCheck, VrrpInstance


@pytest.mark.parametrize("text", ["0.0.0.0", "10.1.2.3", "192.0.2.255", "255.255.255.255"])
def test_ipv4_from_inet_pton_equals_constructor(text: str) -> None:
    fast = parse_ip(text)
    slow = ipaddress.IPv4Address(text)
    assert type(fast) is type(slow)
    assert fast == slow and hash(fast) == hash(slow)
    assert (str(fast), repr(fast), int(fast), fast.packed) == (
        str(slow), repr(slow), int(slow), slow.packed)
    assert fast.is_private == slow.is_private
    assert pickle.loads(pickle.dumps(fast)) == slow
    assert make_interface(fast, 24) == ipaddress.IPv4Interface(f"{text}/24")


@pytest.mark.parametrize("text", ["1.2.3", "1.2.3.4.5", "01.2.3.4", "256.1.1.1", "a.b.c.d", ""])
def test_ipv4_rejects_what_inet_pton_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_ip(text)


def test_list_fields_are_per_object_and_made_on_first_use() -> None:
    a, b = TcpCheck(), TcpCheck()
    assert "url" not in vars(a)
    a.url.append("x")  # type: ignore[arg-type]
    assert a.url == ["x"] and b.url == [] and a.url is not b.url
    vi = VrrpInstance(virtual_ipaddress=[1])  # type: ignore[list-item]
    assert vi.virtual_ipaddress == [1]
    vi.track_script = []
    assert vi.track_script == [] and VrrpInstance().track_script == []
    assert isinstance(Config().global_defs, object) and Config().other == []
    assert Checker().children == {} and "children" not in repr(Checker())
