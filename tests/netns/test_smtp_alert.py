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


GROUP = "vrrp_sync_group G1 {\n    group {\n        VI_1\n    }\n    smtp_alert\n}\n"


@pytest.mark.parametrize("who", ["instance", "group"])
def test_instance_mails_match_keepalived(lab: Lab, tmp_path: Path, who: str) -> None:
    conf = tmp_path / "A.conf"
    if who == "instance":
        text = vrrp_conf("A", 100, VIP, globals_=GLOBALS, extra="    smtp_alert\n")
    else:  # smtp_alert on the sync group only
        text = vrrp_conf("A", 100, VIP, globals_=GLOBALS) + GROUP
    conf.write_text(text)
    lab.add_node("A", "10.1.10.117/24")
    ours = _run(lab, tmp_path, "kaconf", kaconf_run(conf, lab.workdir, "A"))
    subjects = [m[4] for m in ours]
    kind = "VRRP Instance VI_1" if who == "instance" else "VRRP Group G1"
    assert subjects == [f"[A] {kind} - Entering BACKUP state",
                        f"[A] {kind} - Entering MASTER state"]
    assert ours[0][:4] == ("ka@example.com", "ops@example.com, noc@example.com",
                           "ka@example.com", "ops@example.com, noc@example.com")
    if shutil.which("keepalived") is None:
        pytest.skip("keepalived is not installed: no reference to compare with")
    wd = lab.workdir
    real = _run(lab, tmp_path, "keepalived",
                ["keepalived", "-n", "-l", "-P", "-f", str(conf), "-p", str(wd / "ka.pid"),
                 "-r", str(wd / "ka-vrrp.pid"), "-c", str(wd / "ka-checkers.pid")])
    assert ours == real


CHECKER_CONF = """global_defs {{
    router_id A
{globals}}}
virtual_server 10.1.10.240 80 {{
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 127.0.0.1 {port} {{
        smtp_alert
        TCP_CHECK {{
            connect_timeout 1
        }}
    }}
}}
"""


def test_checker_mails_real_server_transitions(lab: Lab, tmp_path: Path) -> None:
    # keepalived's checker needs IPVS, which this kernel may lack: no reference here; the
    # subject and body are keepalived's (check_tcp.c, smtp.c)
    port = 8090
    conf = tmp_path / "C.conf"
    conf.write_text(CHECKER_CONF.format(globals=GLOBALS, port=port))
    lab.add_node("A", "10.1.10.117/24")
    maildir = tmp_path / "maildir-checker"
    lab.start("A", [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{PORT}", "-c",
                    "aiosmtpd.handlers.Mailbox", str(maildir)], "smtpd-checker")
    wait_for("aiosmtpd to listen", lambda: (maildir / "new").is_dir(), 10)
    web = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
           "--directory", str(tmp_path)]
    server = lab.start("A", web, "web1")
    time.sleep(1.0)
    daemon = lab.start("A", kaconf_run(conf, lab.workdir, "C", "-C"), "C")
    wait_for("the checker to run", lambda: "Activating" in daemon.log(), 15)
    time.sleep(2.0)
    assert _mails(maildir) == []  # up from the start: nothing to tell
    server.kill()
    wait_for("the DOWN mail", lambda: len(_mails(maildir)) == 1, 15)
    (down,) = _mails(maildir)
    assert down[4:7] == ("[A] Realserver [127.0.0.1]:tcp:8090 of virtual server "
                         "[10.1.10.240]:tcp:80 - DOWN", "Keepalived",
                         "=> TCP CHECK failed on service <=")
    lab.start("A", web, "web2")
    wait_for("the UP mail", lambda: len(_mails(maildir)) == 2, 15)
    assert any(m[4].endswith(" - UP") and m[6] == "=> TCP CHECK succeed on service <="
               for m in _mails(maildir))
    assert daemon.stop() == 0
