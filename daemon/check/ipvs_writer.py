"""Apply IPVS operations to the kernel with pyroute2, or keep the table in memory.

Why two backends behind one class: the checker must keep working where the kernel has no
IPVS (containers, this project's CI: no ``ip_vs`` module), exactly like keepalived, which logs
that it cannot initialise IPVS and goes on checking.  Either way the writer keeps a mirror of
what it believes the table is (:attr:`IpvsWriter.table`); :mod:`kaconfd.check.ipvs_plan` diffs
against it and :func:`render_table` prints it for the SIGUSR1 dump.

Detection happens once, at :meth:`IpvsWriter.open`: no ``/proc/net/ip_vs`` and no ``IPVS``
generic-netlink family means "no IPVS"; the log line is then

    IPVS: Can't initialize ipvs: <reason> - running checks without it

pyroute2 is imported here and nowhere else in the checker, and only when a kernel table is
wanted, so the rest of the child starts fast and runs without it.  Its asyncio API
(``AsyncIPVS``) is used: the synchronous one runs its own event loop, which cannot run
inside the checker's.
"""

from __future__ import annotations

import logging
import os
import socket
import struct
from typing import Any

from kaconfd.check.ipvs_plan import FWD_METHODS, Dest, Op, Service, Table, apply, render

PROC_IP_VS = "/proc/net/ip_vs"
_PROTOCOLS = {"TCP": socket.IPPROTO_TCP, "UDP": socket.IPPROTO_UDP, "SCTP": 132, "": 0}


def _netmask(svc: Service) -> str:
    """IPVS_SVC_ATTR_NETMASK, which pyroute2 encodes as a dotted IPv4 address.

    IPv4: the mask itself.  IPv6: a prefix length sent as a host-order u32 (what ipvsadm's
    ``NLA_PUT_U32`` does), hence the packing.
    """
    if svc.addr.af == 6:
        try:
            prefix = int(svc.netmask) if svc.netmask else 128
        except ValueError:
            prefix = 128
        return socket.inet_ntoa(struct.pack("=I", prefix))
    return svc.netmask or "255.255.255.255"


def service_fields(svc: Service) -> dict[str, Any]:
    """The pyroute2 ``IPVSService`` fields for ``svc`` (every attribute, explicitly)."""
    a = svc.addr
    fields: dict[str, Any] = {
        "af": socket.AF_INET6 if a.af == 6 else socket.AF_INET,
        "sched_name": svc.scheduler,
        "flags": {"flags": svc.flags, "mask": 0xFFFFFFFF},
        "timeout": svc.timeout,
        "netmask": _netmask(svc),
    }
    if a.fwmark:
        fields["fwmark"] = a.fwmark
    else:
        fields.update(protocol=_PROTOCOLS.get(a.protocol, 0), addr=a.address, port=a.port)
    if svc.pe_name:
        fields["pe_name"] = svc.pe_name
    return fields


def dest_fields(dest: Dest) -> dict[str, Any]:
    """The pyroute2 ``IPVSDest`` fields for ``dest``."""
    return {
        "addr": dest.address,
        "port": dest.port,
        "fwd_method": FWD_METHODS.get(dest.forwarding, 0),
        "weight": dest.weight,
        "u_thresh": dest.u_threshold,
        "l_thresh": dest.l_threshold,
    }


class IpvsWriter:
    """Applies :class:`~kaconfd.check.ipvs_plan.Op` lists; see the module docstring."""

    def __init__(self, log: logging.Logger, *, use_kernel: bool | None = None) -> None:
        self.log = log
        self.table: Table = {}
        self.kernel = False
        self.reason = ""
        self._use_kernel = use_kernel
        self._sock: Any = None
        self._svc_cls: Any = None
        self._dest_cls: Any = None

    async def open(self) -> bool:
        """Detect IPVS once; True when operations go to the kernel."""
        if self._use_kernel is False:
            self.reason = "disabled"
            return False
        try:
            from pyroute2.ipvs import AsyncIPVS, IPVSDest, IPVSService

            sock = AsyncIPVS()
            try:
                # binds to the "IPVS" generic-netlink family: fails when it is missing
                await sock.setup_endpoint()
            except BaseException:
                sock.close()
                raise
        except Exception as e:  # noqa: BLE001 - any failure means "no IPVS here"
            args: tuple[Any, ...] = tuple(getattr(e, "args", ()))
            why = args[1] if len(args) > 1 and isinstance(args[1], str) else (str(e) or
                                                                             type(e).__name__)
            if not os.path.exists(PROC_IP_VS):
                why = f"{why} ({PROC_IP_VS} absent: kernel has no IPVS)"
            self.reason = why
            self.log.error("IPVS: Can't initialize ipvs: %s - running checks without it", why)
            return False
        self._sock, self._svc_cls, self._dest_cls = sock, IPVSService, IPVSDest
        self.kernel = True
        return True

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    async def apply(self, ops: list[Op]) -> int:
        """Apply ``ops`` in order; returns how many failed (each failure is logged once).

        The mirror is updated only for operations that succeeded, so a later plan retries
        what did not happen.
        """
        failed = 0
        for op in ops:
            try:
                if self.kernel:
                    await self._kernel(op)
                apply(self.table, [op])
            except Exception as e:  # noqa: BLE001 - one refused op must not stop the rest
                failed += 1
                self.log.error("IPVS: %s failed: %s", op, e)
        return failed

    async def _kernel(self, op: Op) -> None:
        svc = self._svc_cls(**service_fields(op.service))
        if op.op in ("add_service", "edit_service", "del_service"):
            cmd = {"add_service": "add", "edit_service": "set", "del_service": "del"}[op.op]
            await self._sock.service(cmd, service=svc)
            return
        assert op.dest is not None
        dst = self._dest_cls(**dest_fields(op.dest))
        cmd = {"add_dest": "add", "edit_dest": "set", "del_dest": "del"}[op.op]
        await self._sock.dest(cmd, service=svc, dest=dst)

    def render(self) -> str:
        return render_table(self.table, kernel=self.kernel, reason=self.reason)


def render_table(table: Table, *, kernel: bool = False, reason: str = "") -> str:
    """The IPVS table for the SIGUSR1 dump; says whether it is the kernel's or in memory."""
    if kernel:
        header = "IP Virtual Server (kernel table, as programmed by kaconfd)"
    else:
        header = "IP Virtual Server (in memory only: " + (reason or "no IPVS") + ")"
    return render(table, header=header)
