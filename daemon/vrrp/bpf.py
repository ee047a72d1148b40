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
caller packs and attaches them. Limits of classic BPF kept here: a conditional jump
reaches at most 255 instructions ahead and a program has at most 4096 instructions.
Each known advert is one block that jumps to the next block on its first mismatch and
returns "routine" at its end, so only a block of at most 257 instructions can be
expressed (keys up to about 500 bytes: an advert with more than ~120 addresses does not
fit) and the blocks stop at 4096 instructions (about 270 adverts of one address). In
practice the kernel's budget for a socket's option memory comes first: a filter is
charged to it (``net.core.optmem_max``, 128 KB on this kernel: one program of about
2,300 instructions, 150 adverts of one address; older kernels' 20 KB: about 20), and
the receiver covers fewer adverts when the kernel refuses a program (see
:meth:`~.receiver.AdvertReceiver.refilter`). The adverts that do not fit stay with the
userspace check of the shared socket
(:meth:`~.io.ReceiveSocket.receive`), which sees them because its filter does not drop
them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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


def _checks(key: bytes, ttl: int) -> list[tuple[int, int, int]]:
    """(load opcode, offset, value) comparisons matching one datagram exactly.

    The total length first: the common prefix checked that it is the datagram's
    length, so no later load can read past the end (a load past the end would end the
    program with 0: the shared socket would drop a runt). Then the VRRP header's first
    word (version/type, VRID, priority, count): among the adverts of one master it is
    the word that differs, so a block is left after four instructions for all but the
    matching advert.
    """
    words = list(range(0, len(key) - len(key) % 4, 4))
    first = _VRRP_OFFSET - KEY_OFFSET
    if first in words:
        words.remove(first)
        words.insert(0, first)
    out = [(LD_W, KEY_OFFSET + i, int.from_bytes(key[i:i + 4], "big")) for i in words]
    out.insert(0, (LD_H, _TOTAL_LEN_OFFSET, KEY_OFFSET + len(key)))
    out.insert(2, (LD_B, _TTL_OFFSET, ttl))
    rest = len(key) - len(key) % 4
    if len(key) - rest >= 2:
        out.append((LD_H, KEY_OFFSET + rest, int.from_bytes(key[rest:rest + 2], "big")))
        rest += 2
    if len(key) > rest:
        out.append((LD_B, KEY_OFFSET + rest, key[rest]))
    return out


def block(key: bytes, ttl: int, match: int) -> list[Insn] | None:
    """One advert's instructions: return ``match`` if the datagram is it, else fall
    through past the block; None if the block is too long for a one-byte jump."""
    checks = _checks(key, ttl)
    length = 2 * len(checks) + 1
    if length - 2 > MAX_JUMP:
        return None
    out: list[Insn] = []
    for n, (load, offset, value) in enumerate(checks):
        out.append((load, 0, 0, offset))
        out.append((JEQ, 0, length - 2 * n - 2, value))
    out.append((RET, 0, 0, match))
    return out


def _program(blocks: Iterable[list[Insn]], miss: int) -> list[Insn]:
    prog: list[Insn] = [(LD_B, 0, 0, 0), (JEQ, 0, 3, _IHL5),
                        (LDX_LEN, 0, 0, 0), (LD_H, 0, 0, _TOTAL_LEN_OFFSET), (JEQ_X, 1, 0, 0),
                        (RET, 0, 0, miss)]
    for insns in blocks:
        prog += insns
    prog.append((RET, 0, 0, miss))
    return prog


def programs(entries: Sequence[tuple[bytes, int]], limit: int | None = None) -> Programs:
    """The main and quiet filters for the known adverts ``entries`` ((key, ttl)).

    Entries are taken in order while the programs stay within :data:`MAX_INSNS` (and
    cover at most ``limit`` of them); an entry whose block is too long is skipped. Both
    programs have the same shape and differ only in their return values, so they cover
    exactly the same datagrams.
    """
    covered: list[tuple[bytes, int]] = []
    main_blocks: list[list[Insn]] = []
    size = _OVERHEAD
    for key, ttl in entries:
        if limit is not None and len(covered) >= limit:
            break
        insns = block(key, ttl, DROP)
        if insns is None or size + len(insns) > MAX_INSNS:
            continue
        size += len(insns)
        main_blocks.append(insns)
        covered.append((key, ttl))
    quiet_blocks = [[*insns[:-1], (RET, 0, 0, ACCEPT)] for insns in main_blocks]
    return Programs(_program(main_blocks, ACCEPT), _program(quiet_blocks, DROP),
                    covered)
