"""SMTP alerts, sans-I/O: who gets them, and their subjects, bodies and message text.

keepalived 2.2.7 (smtp.c, vrrp_notify.c, the checkers) mails an alert when an instance or
sync group changes state (``smtp_alert``, per instance/group or inherited from
``smtp_alert_vrrp`` / ``smtp_alert``) and when a checker changes a real server's state
(``smtp_alert`` of the real server, ``smtp_alert_checker``). It sends only when both
``notification_email`` and ``smtp_server`` are set; the message has keepalived's headers
(``Date``, ``From``, ``Subject``, ``X-Mailer: Keepalived``, ``To``) and a one-line
body; subjects are ``[<router_id>] VRRP Instance <name> - <what>``, ``[<router_id>]
VRRP Group <name> - <what>``, ``[<router_id>] Realserver <rs> of virtual server <vs> -
UP|DOWN``. ``no_email_faults`` suppresses the FAULT mails of instances and groups; the
same state is never mailed twice in a row. The sending is :mod:`kaconfd.smtp`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the resolver's globals import socket: the pure checker state must not
    from kaconf.effective.globals import GlobalState

#: keepalived's buffer sizes (with their terminating NUL): longer text is cut.
MAX_SUBJECT = 255
MAX_BODY = 511

#: (subject, body) of an instance's and of a sync group's mail, by state.
INSTANCE_TEXTS: dict[str, tuple[str, str]] = {
    "MASTER": ("Entering MASTER state", "=> VRRP Instance is now owning VRRP VIPs <="),
    "BACKUP": ("Entering BACKUP state", "=> VRRP Instance is no longer owning VRRP VIPs <="),
    "FAULT": ("Entering FAULT state", "=> VRRP Instance is no longer owning VRRP VIPs <="),
    "STOP": ("Stopping", "=> VRRP Instance stopping <="),
}
GROUP_TEXTS: dict[str, tuple[str, str]] = {
    "MASTER": ("Entering MASTER state",
               "=> All VRRP group instances are now in MASTER state <="),
    "BACKUP": ("Entering BACKUP state",
               "=> All VRRP group instances are now in BACKUP state <="),
    "FAULT": ("Entering FAULT state", "=> All VRRP group instances are now in FAULT state <="),
    "STOP": ("Stopping", "=> All VRRP group instances are now stopping <="),
}


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """Where and how alerts are sent (``global_defs``, completed by the resolver)."""

    server: str
    port: int
    helo: str
    email_from: str
    emails: tuple[str, ...]
    #: seconds to connect, and to wait for each reply
    timeout: float
    router_id: str
    no_email_faults: bool = False

    @property
    def where(self) -> str:
        """The server as keepalived names it in its log lines."""
        return f"[{self.server}]:{self.port}"


def smtp_settings(gs: GlobalState) -> SmtpSettings | None:
    """The alert settings of a configuration; None when keepalived would send nothing."""
    if not gs.emails or gs.smtp_server is None:
        return None
    server, port = gs.smtp_server
    return SmtpSettings(
        server=server, port=port, helo=gs.effective_helo() or "localhost",
        email_from=gs.effective_email_from() or "", emails=tuple(gs.emails),
        timeout=float(gs.effective_smtp_timeout()), router_id=gs.effective_router_id()
        or "(null)", no_email_faults=gs.no_email_faults)


def instance_mail(s: SmtpSettings, name: str, state: str, *, group: bool = False
                  ) -> tuple[str, str] | None:
    """(subject, body) for an instance (or sync group) entering ``state``; None: no mail."""
    texts = GROUP_TEXTS if group else INSTANCE_TEXTS
    if state not in texts or (s.no_email_faults and state == "FAULT"):
        return None
    what, body = texts[state]
    kind = "VRRP Group" if group else "VRRP Instance"
    return f"[{s.router_id}] {kind} {name} - {what}"[:MAX_SUBJECT], body


def real_server_mail(s: SmtpSettings, rs: str, vs: str, up: bool, body: str
                     ) -> tuple[str, str]:
    """(subject, body) for a real server a checker found up or down."""
    subject = f"[{s.router_id}] Realserver {rs} of virtual server {vs} - " \
              f"{'UP' if up else 'DOWN'}"
    return subject[:MAX_SUBJECT], body[:MAX_BODY]


#: keepalived's mail body per checker kind: (succeeded, failed); kinds absent send none
CHECK_BODIES: dict[str, tuple[str, str]] = {
    "TCP_CHECK": ("=> TCP CHECK succeed on service <=", "=> TCP CHECK failed on service <="),
    "UDP_CHECK": ("=> UDP CHECK succeed on service <=", "=> UDP CHECK failed on service <="),
    "PING_CHECK": ("=> ICMP CHECK succeed on service <=",
                   "=> ICMP CHECK failed on service <="),
    "HTTP_GET": ("=> CHECK succeed on service <=",
                 "=> CHECK failed on service : HTTP request failed <="),
    "SSL_GET": ("=> CHECK succeed on service <=",
                "=> CHECK failed on service : HTTP request failed <="),
    "SMTP_CHECK": ("=> CHECK succeed on service <=", "=> CHECK failed on service <="),
    "DNS_CHECK": ("=> DNS_CHECK: succeed on service <=", "=> DNS_CHECK: failed on service <="),
    "MISC_CHECK": ("=> MISC CHECK succeeded on service <=",
                   "=> MISC CHECK failed on service <="),
}


def checker_mail(s: SmtpSettings, kind: str, up: bool, rs: str, vs: str, rs_alive: bool
                 ) -> tuple[str, str] | None:
    """(subject, body) of a checker's transition on a real server; None: its kind sends none.

    The subject says the real server's state (UP while it is alive), the body the checker's.
    """
    bodies = CHECK_BODIES.get(kind)
    if bodies is None:
        return None
    return real_server_mail(s, rs, vs, rs_alive, bodies[0] if up else bodies[1])


def virtual_server_mail(s: SmtpSettings, vs: str, up: bool, body: str) -> tuple[str, str]:
    """(subject, body) for a virtual server's quorum change."""
    subject = f"[{s.router_id}] Virtualserver {vs} - {'UP' if up else 'DOWN'}"
    return subject[:MAX_SUBJECT], body[:MAX_BODY]


def message(s: SmtpSettings, date: str, subject: str, body: str) -> bytes:
    """What follows DATA: keepalived's headers, the body, the final dot."""
    text = (f"Date: {date}\r\nFrom: {s.email_from}\r\nSubject: {subject}\r\n"
            f"X-Mailer: Keepalived\r\nTo: {', '.join(s.emails)}\r\n\r\n"
            f"{body[:MAX_BODY]}\r\n\r\n.\r\n")
    return text.encode(errors="replace")


def commands(s: SmtpSettings) -> list[tuple[bytes | None, int, str]]:
    """The dialogue before the message: (command or None for the greeting, code, name)."""
    steps: list[tuple[bytes | None, int, str]] = [
        (None, 220, "(E)SMTP"),
        (f"HELO {s.helo}\r\n".encode(), 250, "HELO"),
        (f"MAIL FROM:<{s.email_from}>\r\n".encode(), 250, "MAIL")]
    steps += [(f"RCPT TO:<{addr}>\r\n".encode(), 250, "RCPT") for addr in s.emails]
    steps.append((b"DATA\r\n", 354, "DATA"))
    return steps


def reply_status(line: bytes) -> int | None:
    """The status code a reply line ends with; None for a continuation line ("250-...").

    A line that does not start with a number reads as -1 (an unexpected status).
    """
    if line[3:4] == b"-":
        return None
    try:
        return int(line[:3])
    except ValueError:
        return -1
