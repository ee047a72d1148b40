"""smtp_alert end to end: the mails kaconf run sends are the ones keepalived sends.

One node runs VI_1 alone (BACKUP, then MASTER, then stopped) with ``smtp_alert`` and an
aiosmtpd server listening on the namespace's loopback, storing each mail in a maildir.
The same scenario is run with real keepalived; the mails (envelope, headers but Date,
body) must be the same, in the same order. keepalived's "Stopping" mail never leaves (its
process exits first), so there is none from kaconf either.
"""

from __future__ import annotations

import mailbox
import shutil
import sys
import time
from pathlib import Path

import pytest

from tests.support.configs import vrrp_conf
from tests.support.netns import NETNS, Lab, Proc, kaconf_run, wait_for

pytestmark = NETNS
pytest.importorskip("aiosmtpd")

VIP = "10.1.10.244/24"
PORT = 2525
GLOBALS = ("    notification_email {\n        ops@example.com\n        noc@example.com\n"
           "    }\n    notification_email_from ka@example.com\n"
           f"    smtp_server 127.0.0.1 {PORT}\n    smtp_connect_timeout 5\n"
           "    smtp_helo_name lbA\n")
Mail = tuple[str, ...]


def _mails(maildir: Path) -> list[Mail]:
    out = []
    for msg in mailbox.Maildir(str(maildir), create=False):
        out.append((msg["X-MailFrom"], msg["X-RcptTo"], msg["From"], msg["To"],
                    msg["Subject"], msg["X-Mailer"], str(msg.get_payload()).strip(),
                    str(bool(msg["Date"]))))
    return sorted(out, key=lambda m: ("Stopping" in m[4], "MASTER" in m[4], m))


def _run(lab: Lab, tmp: Path, name: str, argv: list[str]) -> list[Mail]:
    maildir = tmp / f"maildir-{name}"
    smtpd = lab.start("A", [sys.executable, "-m", "aiosmtpd", "-n", "-l",
                            f"127.0.0.1:{PORT}", "-c", "aiosmtpd.handlers.Mailbox",
                            str(maildir)], f"smtpd-{name}")
    wait_for("aiosmtpd to listen", lambda: (maildir / "new").is_dir(), 10)
    time.sleep(0.5)
    proc: Proc = lab.start("A", argv, name)
    wait_for(f"{name} to take the VIP", lambda: lab.has_address("A", VIP), 15)
    wait_for(f"{name}'s BACKUP and MASTER mails", lambda: len(_mails(maildir)) >= 2, 10)
    assert proc.stop() == 0
    time.sleep(1.5)  # a mail sent at stop would arrive by now
    smtpd.kill()
    return _mails(maildir)


def test_instance_mails_match_keepalived(lab: Lab, tmp_path: Path) -> None:
    conf = tmp_path / "A.conf"
    conf.write_text(vrrp_conf("A", 100, VIP, globals_=GLOBALS, extra="    smtp_alert\n"))
    lab.add_node("A", "10.1.10.117/24")
    ours = _run(lab, tmp_path, "kaconf", kaconf_run(conf, lab.workdir, "A"))
    subjects = [m[4] for m in ours]
    assert subjects == ["[A] VRRP Instance VI_1 - Entering BACKUP state",
                        "[A] VRRP Instance VI_1 - Entering MASTER state"]
    assert ours[0][:4] == ("ka@example.com", "ops@example.com, noc@example.com",
                           "ka@example.com", "ops@example.com, noc@example.com")
    if shutil.which("keepalived") is None:
        pytest.skip("keepalived is not installed: no reference to compare with")
    wd = lab.workdir
    real = _run(lab, tmp_path, "keepalived",
                ["keepalived", "-n", "-l", "-P", "-f", str(conf), "-p", str(wd / "ka.pid"),
                 "-r", str(wd / "ka-vrrp.pid"), "-c", str(wd / "ka-checkers.pid")])
    assert ours == real
