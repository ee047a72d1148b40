"""Classic BPF socket filters that keep a backup's routine adverts off the event loop.

Why: every wake-up of the child costs about as much CPU as keepalived spends on an
advert, and a BACKUP hears one advert per interval per master. The routine ones (the
same bytes and TTL as the last one that passed the checks, see
:meth:`~.receiver.AdvertReceiver.learn`) only need their arrival noted. The kernel can
tell them apart: the shared receiving socket's filter (:func:`programs`, ``main``) drops
exactly those datagrams, and a second socket that the event loop does not watch (the
"quiet" socket, :mod:`.quiet`) gets a filter that accepts exactly them. The quiet socket
is read only when something is about to look at the arrivals it holds.

What a filter sees: on an IPv4 raw socket (protocol 112) the program runs on the IP
datagram from its header on: offset 0 is the version/IHL byte, 8 the TTL, 12 the
source address, and its length is the IP total length (checked on Linux 6.18 in a
network namespace: a filter accepting ``byte[0] == 0x45`` passes an advert, one
accepting ``byte[0] == 0x31``, the VRRP version/type byte, does not; see
tests/netns/test_bpf_quiet.py). A datagram is routine when its header has no options
(0x45), its total length is the known one and the datagram's (the userspace check
compares the datagram's bytes), its TTL is the known one, and its bytes from 12 on
(addresses and VRRP payload: the key of :attr:`~.receiver.AdvertReceiver.known`) are
the known ones.

Pure: instructions are ``(code, jt, jf, k)`` tuples (``struct sock_filter``); the
caller packs and attaches them. Shape: a prefix (no IP options, total length = the
datagram's length), then one group per (length, TTL, addresses), whose header checks
those once and jumps past the group on a mismatch, then one block per advert of the
group comparing its VRRP payload and returning "routine" at its end. Limits of classic
BPF kept here: a conditional jump reaches at most 255 instructions ahead (a block of at
most 257 instructions: payloads up to about 500 bytes, an advert with more than ~120
addresses does not fit) and a program has at most 4096 instructions (about 550 adverts
of one address from one master). In practice the kernel's budget for a socket's option
memory comes first: a filter is charged to it (``net.core.optmem_max``, 128 KB on this
kernel; older kernels had 20 KB), and the receiver covers fewer adverts when the kernel
refuses a program (see :meth:`~.receiver.AdvertReceiver.refilter`). The adverts that do
not fit stay with the userspace check of the shared socket
(:meth:`~.io.ReceiveSocket.receive`), which sees them because its filter does not drop
them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

#: struct sock_filter: (code, jt, jf, k).
Insn = tuple[int, int, int, int]

# Opcodes (linux/filter.h): BPF_LD|BPF_ABS with a size, BPF_JMP|BPF_JEQ|BPF_K, BPF_RET|BPF_K.
LD_W = 0x20
LD_H = 0x28
LD_B = 0x30
#: BPF_LDX|BPF_W|BPF_LEN: X = the datagram's length; BPF_JMP|BPF_JEQ|BPF_X: A == X.
LDX_LEN = 0x81
JEQ = 0x15
JEQ_X = 0x1D
#: BPF_JMP|BPF_JA: an unconditional jump, 32-bit offset.
JA = 0x05
RET = 0x06
#: BPF_MAXINSNS
MAX_INSNS = 4096
#: A conditional jump's offset is one byte.
MAX_JUMP = 255
#: Return values: the whole datagram, or nothing (dropped).
ACCEPT = 0xFFFFFFFF
DROP = 0
#: Where the key (the datagram from the source address on) starts, and the VRRP header.
KEY_OFFSET = 12
_VRRP_OFFSET = 20
_IHL5 = 0x45
_TOTAL_LEN_OFFSET = 2
_TTL_OFFSET = 8
#: The common prefix (byte 0 is 0x45, the total length is the datagram's, else the
#: no-match return) and the final return.
_OVERHEAD = 7


class Programs(NamedTuple):
    """The two filters for the same adverts, and which of them the filters cover."""

    #: For the shared socket: drops the covered adverts, accepts everything else.
    main: list[Insn]
    #: For the quiet socket: accepts the covered adverts, drops everything else.
    quiet: list[Insn]
    #: The (key, ttl) entries the programs cover, in order.
    covered: list[tuple[bytes, int]]


def _checks(payload: bytes) -> list[tuple[int, int, int]]:
    """(load opcode, offset, value) comparisons matching a VRRP payload exactly.

    Words, then a half-word and a byte for the tail. The first word (version/type,
    VRID, priority, count) is the one the adverts of one master differ in, so a block
    is left after two instructions for all but the matching advert.
    """
    rest = len(payload) - len(payload) % 4
    out = [(LD_W, _VRRP_OFFSET + i, int.from_bytes(payload[i:i + 4], "big"))
           for i in range(0, rest, 4)]
    if len(payload) - rest >= 2:
        out.append((LD_H, _VRRP_OFFSET + rest, int.from_bytes(payload[rest:rest + 2], "big")))
        rest += 2
    if len(payload) > rest:
        out.append((LD_B, _VRRP_OFFSET + rest, payload[rest]))
    return out


def block(payload: bytes, match: int) -> list[Insn] | None:
    """One advert's instructions within its group: return ``match`` if the payload is
    its, else fall through past the block; None if too long for a one-byte jump."""
    checks = _checks(payload)
    length = 2 * len(checks) + 1
    if length - 2 > MAX_JUMP:
        return None
    out: list[Insn] = []
    for n, (load, offset, value) in enumerate(checks):
        out.append((load, 0, 0, offset))
        out.append((JEQ, 0, length - 2 * n - 2, value))
    out.append((RET, 0, 0, match))
    return out


#: A group: (key length, TTL, source and destination addresses).
_Group = tuple[int, int, bytes]
#: A group's header (9 instructions) and its closing return.
_GROUP_OVERHEAD = 10


def _group_header(group: _Group, body: int) -> list[Insn]:
    """Total length first (the prefix made it the datagram's length, so no later load
    can read past the end: a load past the end ends the program with 0, and the shared
    socket would drop a runt), then TTL and addresses; a mismatch jumps (``ja``, which
    has a 32-bit offset) over the group's ``body`` instructions."""
    length, ttl, addrs = group
    return [(LD_H, 0, 0, _TOTAL_LEN_OFFSET), (JEQ, 0, 6, KEY_OFFSET + length),
            (LD_B, 0, 0, _TTL_OFFSET), (JEQ, 0, 4, ttl),
            (LD_W, 0, 0, KEY_OFFSET), (JEQ, 0, 2, int.from_bytes(addrs[:4], "big")),
            (LD_W, 0, 0, KEY_OFFSET + 4), (JEQ, 1, 0, int.from_bytes(addrs[4:], "big")),
            (JA, 0, 0, body)]


def _program(groups: dict[_Group, list[bytes]], match: int, miss: int) -> list[Insn]:
    prog: list[Insn] = [(LD_B, 0, 0, 0), (JEQ, 0, 3, _IHL5),
                        (LDX_LEN, 0, 0, 0), (LD_H, 0, 0, _TOTAL_LEN_OFFSET), (JEQ_X, 1, 0, 0),
                        (RET, 0, 0, miss)]
    for group, payloads in groups.items():
        body: list[Insn] = []
        for payload in payloads:
            insns = block(payload, match)
            assert insns is not None
            body += insns
        body.append((RET, 0, 0, miss))  # in the group but none of its adverts
        prog += _group_header(group, len(body))
        prog += body
    prog.append((RET, 0, 0, miss))
    return prog


def programs(entries: Sequence[tuple[bytes, int]], limit: int | None = None) -> Programs:
    """The main and quiet filters for the known adverts ``entries`` ((key, ttl)).

    Adverts with the same length, TTL and addresses (one master's, usually) share one
    check of those; each then compares its VRRP payload. Entries are taken in order
    while the programs stay within :data:`MAX_INSNS` (and cover at most ``limit`` of
    them); an entry whose block is too long is skipped. Both programs have the same
    shape and differ only in their return values, so they cover exactly the same
    datagrams.
    """
    covered: list[tuple[bytes, int]] = []
    groups: dict[_Group, list[bytes]] = {}
    size = _OVERHEAD
    for key, ttl in entries:
        if limit is not None and len(covered) >= limit:
            break
        payload = key[8:]
        insns = block(payload, DROP)
        if len(key) < 8 or insns is None:
            continue
        group = (len(key), ttl, key[:8])
        extra = len(insns) + (0 if group in groups else _GROUP_OVERHEAD)
        if size + extra > MAX_INSNS:
            continue
        size += extra
        groups.setdefault(group, []).append(payload)
        covered.append((key, ttl))
    return Programs(_program(groups, DROP, ACCEPT), _program(groups, ACCEPT, DROP), covered)
