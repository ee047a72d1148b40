"""The quiet socket: where a backup's routine adverts wait, unwatched by the event loop.

Why: on a small VM every wake-up of a Python process costs about a quarter of a
millisecond of CPU, so a BACKUP woken by each advert it hears (one per interval per
master) idles at several times keepalived's CPU. The routine adverts
(:attr:`~.receiver.AdvertReceiver.known`) need nothing but their arrival noted, and
only when something is about to look at it. So a socket filter
(:mod:`.bpf`) keeps them off the shared receiving socket, and this second raw socket of
the same protocol and interface, whose filter accepts exactly them, queues them with
their kernel timestamps until the receiver reads it
(:meth:`~.receiver.AdvertReceiver.note_quiet`): before a master-down check, a
master-down timer, any event of the unit, and the data, stats and status dumps.

Why it cannot overflow (an overflow would lose arrivals, and a BACKUP would take over
from a live master): every known advert belongs to a BACKUP whose master-down check is
armed at most one master-down interval after the last arrival noted for it, and every
check reads this socket first (:class:`~.timers.SlotTimers` reads it before serving a
slot; the exact master-down timer drains both sockets). So between two reads each known
advert arrives at most master-down interval / advert interval + 1 times: 3 + skew
(< 1) + 1, under 5. The buffer has room for :data:`ADVERTS_PER_ENTRY` (16) of each, at
:data:`TRUESIZE` bytes apiece, the most a small datagram is charged (skb truesize: about
1 KB on veth, up to a page with drivers that receive into whole pages): more than three
times what legitimate traffic can queue. The memory is a limit, not an allocation.
What legitimate traffic cannot do, a host replaying the master's advert at a high rate
can: a read that finds more than :func:`flood_limit` datagrams puts the socket on the
event loop until the rate is normal again (:class:`~.receiver.AdvertReceiver`), which is
no worse than having no quiet socket.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import socket
import struct
from collections.abc import Sequence

from .bpf import DROP, RET, Insn
from .io import SO_RCVBUFFORCE, SO_TIMESTAMPNS, ReceiveSocket, bind_device

SO_ATTACH_FILTER = getattr(socket, "SO_ATTACH_FILTER", 26)
SO_DETACH_FILTER = getattr(socket, "SO_DETACH_FILTER", 27)
#: struct sock_filter and struct sock_fprog (a count, then a pointer: native alignment).
_INSN = struct.Struct("=HBBI")
_FPROG = struct.Struct("@HP")
#: Arrivals of each known advert the buffer has room for (under 5 between two reads).
ADVERTS_PER_ENTRY = 16
#: What one queued small datagram may be charged against the buffer (skb truesize).
TRUESIZE = 4096
MIN_RCVBUF = 256 * 1024
#: Before the first real filter, the quiet socket takes nothing.
DROP_ALL: list[Insn] = [(RET, 0, 0, DROP)]


def attach_filter(sock: socket.socket, prog: Sequence[Insn]) -> None:
    """Attach (or atomically replace) the classic BPF filter of ``sock`` (SO_ATTACH_FILTER).

    The kernel copies the instructions during the call, so the buffer only has to
    live until it returns.
    """
    code = b"".join(_INSN.pack(*insn) for insn in prog)
    buf = ctypes.create_string_buffer(code, len(code))
    sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER,
                    _FPROG.pack(len(prog), ctypes.addressof(buf)))


def detach_filter(sock: socket.socket) -> None:
    """Remove the socket's filter (it accepts everything again); none attached is fine."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, SO_DETACH_FILTER, 0)


def replace_filter(sock: socket.socket, prog: Sequence[Insn]) -> None:
    """Attach ``prog`` in place of the socket's filter, whatever their sizes.

    The kernel charges a new program to the socket's option memory (net.core.optmem_max)
    before it releases the old one; when both do not fit (ENOMEM), the old one is
    detached first, and for that moment the socket accepts every datagram. Callers
    order their replacements so that such a moment only makes copies (see
    :meth:`~.receiver.AdvertReceiver.refilter`). ENOMEM again: the program alone is
    too big, raised.
    """
    try:
        attach_filter(sock, prog)
    except OSError as exc:
        if exc.errno != errno.ENOMEM:
            raise
        detach_filter(sock)
        attach_filter(sock, prog)


def rcvbuf_size(entries: int) -> int:
    """The quiet socket's receive buffer for ``entries`` known adverts (see the module)."""
    return max(MIN_RCVBUF, entries * ADVERTS_PER_ENTRY * TRUESIZE)


def flood_limit(entries: int) -> int:
    """More datagrams than this in one read of the quiet socket: not the known masters
    alone (under 5 per entry between two reads), someone replays their adverts."""
    return 8 * entries + 16


class QuietSocket(ReceiveSocket):
    """The quiet raw IPv4 socket of one interface (see the module docstring).

    Read with the inherited :meth:`~.io.ReceiveSocket.receive`: the same timestamp
    conversion and the same notes in :class:`~.io.Heard`; a datagram no longer known is
    returned like any other. It joins no group: raw IPv4 sockets get the multicast
    groups other sockets joined on the interface (IP_MULTICAST_ALL, on by default),
    and the shared socket joins every group its instances use.
    """

    def __init__(self, *, ifname: str, ifindex: int) -> None:
        self.entries = -1
        super().__init__(family=4, ifname=ifname, ifindex=ifindex)

    def _setup(self) -> None:
        r = self.sock
        # Nothing before the first real filter: the shared socket got those datagrams.
        attach_filter(r, DROP_ALL)
        bind_device(r, self.ifname)
        r.setblocking(False)
        with contextlib.suppress(OSError):
            r.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        # Queued between socket() and the drop-all filter: copies, read elsewhere.
        with contextlib.suppress(BlockingIOError, InterruptedError):
            while True:
                r.recv(65535)

    def size_for(self, entries: int) -> None:
        """Room for ``entries`` known adverts (SO_RCVBUFFORCE: above the sysctl limit)."""
        if entries == self.entries:
            return
        self.entries = entries
        size = rcvbuf_size(entries)
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, size)
        except OSError:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, size)

    def attach(self, prog: Sequence[Insn]) -> None:
        replace_filter(self.sock, prog)
