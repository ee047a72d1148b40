"""kaconfd.vrrp.bpf: the filters run through a small classic-BPF interpreter.

The interpreter follows the kernel's semantics for the instructions the builder uses
(absolute loads in network byte order, a load past the end returns 0, i.e. drops).
"""

from __future__ import annotations

import ipaddress

import pytest
from kaconfd.vrrp.bpf import (
    ACCEPT,
    DROP,
    JA,
    JEQ,
    JEQ_X,
    LD_B,
    LD_H,
    LD_W,
    LDX_LEN,
    MAX_INSNS,
    MAX_JUMP,
    RET,
    Insn,
    programs,
)
from kaconfd.vrrp.packet import Advertisement

SRC = ipaddress.IPv4Address("10.1.10.117")
GROUP = ipaddress.IPv4Address("224.0.0.18")
VIP = ipaddress.IPv4Address("10.1.10.240")


def run(prog: list[Insn], packet: bytes) -> int:
    """The filter's verdict on ``packet`` (the IP datagram from its header on)."""
    sizes = {LD_W: 4, LD_H: 2, LD_B: 1}
    acc, x, pc, steps = 0, 0, 0, 0
    while True:
        steps += 1
        assert steps <= len(prog), "classic BPF only jumps forward"
        code, jt, jf, k = prog[pc]
        if code in sizes:
            if k + sizes[code] > len(packet):
                return 0
            acc = int.from_bytes(packet[k:k + sizes[code]], "big")
        elif code == LDX_LEN:
            x = len(packet)
        elif code in (JEQ, JEQ_X):
            assert jt <= MAX_JUMP and jf <= MAX_JUMP
            pc += jt if acc == (k if code == JEQ else x) else jf
        elif code == JA:
            pc += k
        elif code == RET:
            return k
        else:
            raise AssertionError(f"unexpected opcode {code:#x}")
        pc += 1


def datagram(payload: bytes, *, src: ipaddress.IPv4Address = SRC, ttl: int = 255,
             ihl: int = 5) -> bytes:
    options = bytes(4 * (ihl - 5))
    total = 20 + len(options) + len(payload)
    header = bytes([0x40 | ihl, 0xC0, total >> 8, total & 0xFF, 0x12, 0x34, 0, 0, ttl, 112,
                    0xAB, 0xCD]) + src.packed + GROUP.packed
    return header + options + payload


def advert(vrid: int = 51, priority: int = 100, vips: int = 1, version: int = 3) -> bytes:
    addrs = tuple(ipaddress.IPv4Address(int(VIP) + i) for i in range(vips))
    adv = Advertisement(version, vrid, priority, addrs, 1.0,
                        *((1, b"secret\0\0") if version == 2 else ()))
    return adv.to_bytes(SRC, GROUP)


def key(packet: bytes) -> bytes:
    return packet[12:]


def routine(prog_main: list[Insn], prog_quiet: list[Insn], packet: bytes) -> bool:
    """Main and quiet filters agree, each packet goes to exactly one socket."""
    main, quiet = run(prog_main, packet), run(prog_quiet, packet)
    assert (main, quiet) in ((ACCEPT, DROP), (DROP, ACCEPT))
    return quiet == ACCEPT


@pytest.mark.parametrize("version", [2, 3])
def test_exactly_the_known_datagram_goes_to_the_quiet_socket(version: int) -> None:
    packet = datagram(advert(version=version))
    progs = programs([(key(packet), 255)])
    assert progs.covered == [(key(packet), 255)]
    assert routine(progs.main, progs.quiet, packet)
    # Bytes outside the key, TTL, total length and version/IHL do not matter (TOS, id,
    # flags, header checksum: they change from advert to advert or hop to hop).
    free = {1, 4, 5, 6, 7, 9, 10, 11}
    for i in range(len(packet)):
        changed = packet[:i] + bytes([packet[i] ^ 0x01]) + packet[i + 1:]
        assert routine(progs.main, progs.quiet, changed) == (i in free), i
    assert not routine(progs.main, progs.quiet, datagram(advert(version=version), ttl=254))
    assert not routine(progs.main, progs.quiet, datagram(advert(version=version, priority=0)))
    assert not routine(progs.main, progs.quiet, datagram(advert(version=version), ihl=6))
    assert not routine(progs.main, progs.quiet, packet + b"\0")  # longer: not the same
    assert not routine(progs.main, progs.quiet, packet[:-1])
    # A runt (the bare IP header, or a few bytes of VRRP) is not read past its end.
    assert not routine(progs.main, progs.quiet, datagram(b""))
    assert not routine(progs.main, progs.quiet, datagram(b"\x31\x33"))


def test_several_known_adverts_and_key_lengths_of_every_remainder() -> None:
    packets = [datagram(advert(vrid=v, vips=n)) for v, n in ((1, 1), (2, 2), (3, 3), (4, 7))]
    # v2 with authentication data and keys of length 4k+1, 4k+2, 4k+3 (odd lengths are
    # not VRRP, but the builder's tail loads must be right for any length).
    odd = [datagram(advert(version=2) + b"x" * n) for n in (1, 2, 3)]
    entries = [(key(p), 255) for p in packets + odd]
    progs = programs(entries)
    assert len(progs.covered) == len(entries)
    for p in packets + odd:
        assert routine(progs.main, progs.quiet, p)
        assert not routine(progs.main, progs.quiet, p[:-1] + bytes([p[-1] ^ 0x80]))
    unknown = datagram(advert(vrid=9))
    assert not routine(progs.main, progs.quiet, unknown)


def test_adverts_of_several_masters_and_ttls_are_told_apart() -> None:
    """Groups share the length, TTL and address checks: an advert known from one master
    is not routine from another, nor with another master's TTL."""
    other = ipaddress.IPv4Address("10.1.10.185")
    known = [datagram(advert(vrid=1)), datagram(advert(vrid=2), src=other),
             datagram(advert(vrid=3), ttl=64), datagram(advert(vrid=4), src=other, ttl=64),
             datagram(advert(vrid=5))]
    progs = programs([(key(p), p[8]) for p in known])
    assert len(progs.covered) == 5
    for p in known:
        assert routine(progs.main, progs.quiet, p)
    for vrid in (1, 5):
        assert not routine(progs.main, progs.quiet, datagram(advert(vrid=vrid), src=other))
        assert not routine(progs.main, progs.quiet, datagram(advert(vrid=vrid), ttl=64))
    assert not routine(progs.main, progs.quiet, datagram(advert(vrid=2)))
    assert not routine(progs.main, progs.quiet, datagram(advert(vrid=3), src=other, ttl=64))


def test_no_entries_main_accepts_all_quiet_drops_all() -> None:
    progs = programs([])
    packet = datagram(advert())
    assert run(progs.main, packet) == ACCEPT and run(progs.quiet, packet) == DROP
    assert progs.covered == []


def test_limits_entries_that_do_not_fit_stay_with_the_shared_socket() -> None:
    # Too long for one-byte jumps: an advert with 200 addresses.
    big = datagram(advert(vips=200))
    progs = programs([(key(big), 255)])
    assert progs.covered == []
    assert not routine(progs.main, progs.quiet, big)
    # 600 adverts of one address: as many as 4096 instructions hold, in order.
    packets = [datagram(advert(vrid=1 + i % 255, priority=1 + i // 255)) for i in range(600)]
    entries = [(key(p), 255) for p in packets]
    progs = programs([(key(big), 255), *entries])
    n = len(progs.covered)
    assert 200 < n < 600 and progs.covered == entries[:n]
    for prog in (progs.main, progs.quiet):
        assert len(prog) <= MAX_INSNS
        assert all(jt <= MAX_JUMP and jf <= MAX_JUMP for _, jt, jf, _ in prog)
    for i in (0, n // 2, n - 1):
        assert routine(progs.main, progs.quiet, packets[i])
    for i in (n, 599):
        assert not routine(progs.main, progs.quiet, packets[i])
    # What the kernel takes (see AdvertReceiver.refilter): the first ``limit`` only.
    small = programs(entries, 10)
    assert small.covered == entries[:10]
    assert routine(small.main, small.quiet, packets[9])
    assert not routine(small.main, small.quiet, packets[10])
