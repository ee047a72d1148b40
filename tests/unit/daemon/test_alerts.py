"""SMTP alerts: keepalived's subjects, bodies and message, and a real send over loopback.

The sending is checked against aiosmtpd listening on 127.0.0.1 (an ephemeral port): the
message it receives must carry keepalived's headers, and a refused or silent server must
end the attempt, logged, within the timeout.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from dataclasses import replace
from email import message_from_bytes
from typing import Any

import pytest
from kaconfd.alerts import (
    SmtpSettings,
    commands,
    instance_mail,
    message,
    real_server_mail,
    smtp_settings,
)
from kaconfd.smtp import Alerter, send_mail

from kaconf.effective import resolve
from kaconf.loader import load_full

SETTINGS = SmtpSettings(server="127.0.0.1", port=25, helo="lb1", email_from="ka@lb1",
                        emails=("ops@example.com", "noc@example.com"), timeout=2.0,
                        router_id="LB1")
log = logging.getLogger("test_alerts")


def _config(text: str) -> Any:
    return load_full("inline.conf", data=text.encode()).config


def test_instance_and_group_mails_as_keepalived() -> None:
    assert instance_mail(SETTINGS, "VI_1", "MASTER") == (
        "[LB1] VRRP Instance VI_1 - Entering MASTER state",
        "=> VRRP Instance is now owning VRRP VIPs <=")
    assert instance_mail(SETTINGS, "VI_1", "STOP") == (
        "[LB1] VRRP Instance VI_1 - Stopping", "=> VRRP Instance stopping <=")
    assert instance_mail(SETTINGS, "G1", "FAULT", group=True) == (
        "[LB1] VRRP Group G1 - Entering FAULT state",
        "=> All VRRP group instances are now in FAULT state <=")
    assert instance_mail(replace(SETTINGS, no_email_faults=True), "VI_1", "FAULT") is None
    assert instance_mail(SETTINGS, "VI_1", "INIT") is None


def test_real_server_mail_and_message_text() -> None:
    assert real_server_mail(SETTINGS, "[10.0.0.2]:tcp:80", "[10.0.0.1]:tcp:80", False,
                            "=> TCP CHECK failed on service <=") == (
        "[LB1] Realserver [10.0.0.2]:tcp:80 of virtual server [10.0.0.1]:tcp:80 - DOWN",
        "=> TCP CHECK failed on service <=")
    text = message(SETTINGS, "Wed, 02 Dec 2026 08:00:00 +0000", "subj", "body")
    assert text == (b"Date: Wed, 02 Dec 2026 08:00:00 +0000\r\nFrom: ka@lb1\r\n"
                    b"Subject: subj\r\nX-Mailer: Keepalived\r\n"
                    b"To: ops@example.com, noc@example.com\r\n\r\nbody\r\n\r\n.\r\n")
    assert [c for c, _, _ in commands(SETTINGS)] == [
        None, b"HELO lb1\r\n", b"MAIL FROM:<ka@lb1>\r\n", b"RCPT TO:<ops@example.com>\r\n",
        b"RCPT TO:<noc@example.com>\r\n", b"DATA\r\n"]


def test_settings_come_from_the_resolver() -> None:
    conf = ("global_defs {\n router_id R1\n notification_email {\n  a@b\n }\n"
            " notification_email_from me@x\n smtp_server 127.0.0.1 2525\n"
            " smtp_connect_timeout 7\n smtp_helo_name h1\n}\n")
    s = smtp_settings(resolve(_config(conf)).globals)
    assert s == SmtpSettings("127.0.0.1", 2525, "h1", "me@x", ("a@b",), 7.0, "R1")
    no_server = resolve(_config("global_defs {\n notification_email {\n  a@b\n }\n}\n"))
    assert smtp_settings(no_server.globals) is None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Sink:
    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        return "250 OK"


def test_send_mail_to_a_local_aiosmtpd() -> None:
    controller_mod = pytest.importorskip("aiosmtpd.controller")
    sink = _Sink()
    port = _free_port()
    controller = controller_mod.Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = SmtpSettings("127.0.0.1", port, "lb1", "ka@lb1", ("ops@example.com",),
                                5.0, "LB1")

        async def run() -> bool:
            alerter = Alerter(log)
            alerter.settings = settings
            alerter.send(*real_server_mail(settings, "rs", "vs", True, "=> up <="))
            await asyncio.wait(set(alerter.pending), timeout=10)
            return await send_mail(settings, "second", "body two", log)

        assert asyncio.run(run()) is True
    finally:
        controller.stop()
    assert len(sink.envelopes) == 2
    first = sink.envelopes[0]
    assert (first.mail_from, first.rcpt_tos) == ("ka@lb1", ["ops@example.com"])
    msg = message_from_bytes(first.original_content)
    assert msg["Subject"] == "[LB1] Realserver rs of virtual server vs - UP"
    assert (msg["From"], msg["To"], msg["X-Mailer"]) == ("ka@lb1", "ops@example.com",
                                                         "Keepalived")
    assert msg["Date"] and msg.get_payload().strip() == "=> up <="


def test_unreachable_or_silent_server_is_logged_not_raised(caplog: pytest.LogCaptureFixture
                                                          ) -> None:
    port = _free_port()  # nothing listens there
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts, never greets
    try:
        async def run() -> tuple[bool, bool]:
            refused = await send_mail(SmtpSettings("127.0.0.1", port, "h", "f", ("t",), 1.0,
                                                   "R"), "s", "b", log)
            mute = await send_mail(SmtpSettings("127.0.0.1", silent.getsockname()[1], "h", "f",
                                                ("t",), 0.5, "R"), "s", "b", log)
            return refused, mute

        with caplog.at_level(logging.INFO, logger="test_alerts"):
            assert asyncio.run(run()) == (False, False)
    finally:
        silent.close()
    assert f"SMTP connection ERROR to [127.0.0.1]:{port}." in caplog.text
    assert "Timeout reading data to remote SMTP server [127.0.0.1]:" in caplog.text


class _Refuser:
    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,  # noqa: N802
                          rcpt_options: Any) -> str:
        return "550 no such user"


def test_a_refused_recipient_is_logged_with_keepalived_line(caplog: pytest.LogCaptureFixture
                                                            ) -> None:
    controller_mod = pytest.importorskip("aiosmtpd.controller")
    port = _free_port()
    controller = controller_mod.Controller(_Refuser(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = SmtpSettings("127.0.0.1", port, "lb1", "ka@lb1", ("x@y",), 5.0, "LB1")
        with caplog.at_level(logging.INFO, logger="test_alerts"):
            assert asyncio.run(send_mail(settings, "s", "b", log)) is False
    finally:
        controller.stop()
    assert (f"Error processing RCPT cmd on SMTP server [127.0.0.1]:{port}. "
            "SMTP status code = 550") in caplog.text
