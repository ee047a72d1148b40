"""SMTP alerts, the I/O: one asyncio task per mail, never awaited by the event loop's users.

keepalived sends its alerts without blocking its scheduler; so does kaconfd: each mail
is a task that connects (bounded by ``smtp_connect_timeout``), talks plain SMTP (HELO,
MAIL, RCPT per address, DATA, the message, QUIT, each reply awaited with the same
timeout) and logs keepalived's lines when something fails. Tasks are kept in the
``pending`` set the child waits on (briefly) at shutdown, so a "Stopping" mail can
still leave. What is sent is :mod:`kaconfd.alerts`'s.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from .alerts import SmtpSettings, commands, message, reply_status

#: keepalived's RFC 822 date format (local time)
DATE_FORMAT = "%a, %d %b %Y %H:%M:%S %z"
#: A reply longer than this is an error (keepalived's read buffer is smaller).
MAX_REPLY = 64 * 1024


class SmtpFailure(Exception):
    """The server did not answer as expected (the message is keepalived's log line)."""


async def _status(reader: asyncio.StreamReader, s: SmtpSettings) -> int:
    """The status of the server's next reply (continuation lines skipped)."""
    while True:
        try:
            line = await asyncio.wait_for(reader.readuntil(b"\r\n"), s.timeout)
        except TimeoutError:
            raise SmtpFailure(f"Timeout reading data to remote SMTP server {s.where}.") \
                from None
        except asyncio.LimitOverrunError:
            raise SmtpFailure(f"Received buffer from remote SMTP server {s.where} overflow "
                              "our get read buffer length.") from None
        except (asyncio.IncompleteReadError, OSError):
            raise SmtpFailure(f"Remote SMTP server {s.where} has closed the connection.") \
                from None
        status = reply_status(line)
        if status is not None:
            return status


async def send_mail(s: SmtpSettings, subject: str, body: str, log: logging.Logger,
                    now: Callable[[], float] = time.time) -> bool:
    """Send one alert; True when the server accepted it (failures are logged)."""
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(s.server, s.port, limit=MAX_REPLY), s.timeout)
    except TimeoutError:
        log.info("Timeout connecting SMTP server %s.", s.where)
        return False
    except OSError:
        log.info("SMTP connection ERROR to %s.", s.where)
        return False
    log.debug("Remote SMTP server %s connected.", s.where)
    date = time.strftime(DATE_FORMAT, time.localtime(now()))
    steps = [*commands(s), (message(s, date, subject, body), 250, "BODY"),
             (b"QUIT\r\n", 221, "QUIT")]
    sent = False
    try:
        for cmd, code, name in steps:
            if cmd is not None:
                writer.write(cmd)
                await asyncio.wait_for(writer.drain(), s.timeout)
            status = await _status(reader, s)
            if status != code:
                log.info("Error processing %s cmd on SMTP server %s. SMTP status code = %d",
                         name, s.where, status)
                if name != "QUIT":  # keepalived ends with QUIT whatever failed
                    writer.write(b"QUIT\r\n")
                    await asyncio.wait_for(writer.drain(), s.timeout)
                break
            if name == "BODY":
                sent = True
                log.debug("SMTP alert successfully sent.")
    except SmtpFailure as exc:
        log.info("%s", exc)
    except TimeoutError:
        log.info("Timeout sending data to remote SMTP server %s.", s.where)
    except OSError:
        log.info("Cannot send data to remote SMTP server %s.", s.where)
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    return sent


class Alerter:
    """Sends alerts in the background; ``pending`` holds the tasks still running."""

    def __init__(self, log: logging.Logger, pending: set[asyncio.Task[None]] | None = None
                 ) -> None:
        self.log = log
        self.settings: SmtpSettings | None = None
        self.pending: set[asyncio.Task[None]] = pending if pending is not None else set()

    def send(self, subject: str, body: str) -> None:
        """Queue one mail (nothing when no server or address is configured)."""
        s = self.settings
        if s is None:
            return

        async def run() -> None:
            await send_mail(s, subject, body, self.log)

        task = asyncio.ensure_future(run())
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)
