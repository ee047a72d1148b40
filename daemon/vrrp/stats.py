"""SIGUSR2: keepalived's per-instance statistics file (``/tmp/keepalived.stats``).

keepalived counts, per instance, adverts received and sent, transitions to and from
MASTER, the packets its receive checks rejected by reason, authentication errors and
priority-0 adverts, and writes them in this layout on SIGUSR2. The counters are kept
by the instance runner (plain integers: no cost on the advert path beyond an add).

keepalived also counts checksum and version errors per instance (``chk_err``,
``vers_err``) but shows them only over SNMP (RFC 6527's ChecksumErrors and
VersionErrors). We keep them under the same names and print them in the stats file's
"Packet Errors" block, but only once they are non-zero: a quiet node's file stays
byte-identical to keepalived's, and parsers of that file skip keys they do not know.
"""

from __future__ import annotations

from dataclasses import dataclass

from .packet import PacketError, Reason

#: the counter of each rejection reason with one (AUTH depends on the detail)
_COUNTER_OF: dict[Reason, str] = {
    Reason.LENGTH: "packet_len_err", Reason.TTL: "ip_ttl_err", Reason.TYPE: "invalid_type_rcvd",
    Reason.ADVERT_INTERVAL: "advert_interval_err", Reason.ADDRESS_LIST: "addr_list_err",
    Reason.CHECKSUM: "chk_err", Reason.VERSION: "vers_err", Reason.AH_AUTH: "auth_failure",
}


@dataclass
class InstanceStats:
    """keepalived's ``vrrp_stats`` members that the stats file prints."""

    advert_rcvd: int = 0
    advert_sent: int = 0
    become_master: int = 0
    release_master: int = 0
    packet_len_err: int = 0
    ip_ttl_err: int = 0
    invalid_type_rcvd: int = 0
    advert_interval_err: int = 0
    addr_list_err: int = 0
    invalid_authtype: int = 0
    authtype_mismatch: int = 0
    auth_failure: int = 0
    pri_zero_rcvd: int = 0
    pri_zero_sent: int = 0
    #: keepalived's SNMP-only counters (see the module docstring)
    chk_err: int = 0
    vers_err: int = 0

    def rejected(self, exc: PacketError) -> None:
        """Count a packet a receive check rejected, under keepalived's counter."""
        reason = exc.reason
        counter = _COUNTER_OF.get(reason)
        if counter is not None:
            setattr(self, counter, getattr(self, counter) + 1)
        elif reason is Reason.AUTH:
            if "password" in exc.detail:
                self.auth_failure += 1
            elif exc.detail.startswith("invalid"):
                self.invalid_authtype += 1
            elif "auth type" in exc.detail:
                self.authtype_mismatch += 1
            else:
                self.invalid_authtype += 1

    def lines(self, name: str, received: int = 0) -> list[str]:
        """The instance's block of the stats file; ``received``: adverts counted elsewhere."""
        return [
            f"VRRP Instance: {name}",
            "  Advertisements:",
            f"    Received: {self.advert_rcvd + received}",
            f"    Sent: {self.advert_sent}",
            f"  Became master: {self.become_master}",
            f"  Released master: {self.release_master}",
            "  Packet Errors:",
            f"    Length: {self.packet_len_err}",
            f"    TTL: {self.ip_ttl_err}",
            f"    Invalid Type: {self.invalid_type_rcvd}",
            f"    Advertisement Interval: {self.advert_interval_err}",
            f"    Address List: {self.addr_list_err}",
            *([f"    Checksum: {self.chk_err}"] if self.chk_err else []),
            *([f"    Version: {self.vers_err}"] if self.vers_err else []),
            "  Authentication Errors:",
            f"    Invalid Type: {self.invalid_authtype}",
            f"    Type Mismatch: {self.authtype_mismatch}",
            f"    Failure: {self.auth_failure}",
            "  Priority Zero:",
            f"    Received: {self.pri_zero_rcvd}",
            f"    Sent: {self.pri_zero_sent}",
        ]
