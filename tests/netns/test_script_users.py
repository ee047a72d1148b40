"""Scripts run as the user keepalived would run them as, and unsafe ones not at all.

A real unprivileged system user is created for each test (``useradd --system``) and
removed by name afterwards. One node runs ``kaconf run`` with ``script_user`` set to
that user and ``enable_script_security``; its notify_master script writes ``id -u`` to
a directory that user may write. Then a script that runs as root but lives in a
directory that user owns (so a non-root user could change it) must be disabled, with
keepalived's log lines, and never run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.netns import NETNS, Lab, Proc, kaconf_run, wait_for

pytestmark = NETNS

VIP = "10.1.20.240/24"
ADDR = "10.1.20.117/24"
MASTER_WAIT = 15.0

CONF = """global_defs {{
    router_id A
    script_user {user}
    enable_script_security
}}
vrrp_script chk {{
    script "{track}"
    user root
    interval 1
}}
vrrp_instance VI_1 {{
    state BACKUP
    interface eth0
    virtual_router_id 91
    priority 100
    advert_int 1
    virtual_ipaddress {{
        {vip}
    }}
{track_block}    notify_master "{notify}"{notify_user}
}}
"""

SCRIPT = "#!/bin/sh\nid -u > {out}/{name}\n"


@pytest.fixture
def script_user() -> Iterator[tuple[str, int]]:
    """A fresh unprivileged system user (name, uid), deleted by name at the end."""
    useradd, userdel = shutil.which("useradd"), shutil.which("userdel")
    if useradd is None or userdel is None:
        pytest.skip("useradd/userdel not available: cannot create a script user")
    name = f"kaconftest{os.getpid()}"
    subprocess.run([useradd, "--system", "--no-create-home", name], check=True,
                   capture_output=True, timeout=30)
    try:
        import pwd

        yield name, pwd.getpwnam(name).pw_uid
    finally:
        subprocess.run([userdel, name], check=False, capture_output=True, timeout=30)


@pytest.fixture
def tree(script_user: tuple[str, int]) -> Iterator[Path]:
    """A root-owned directory every user can reach (pytest's tmp_path is private to root).

    ``out`` is writable by the script user; ``userdir`` is owned by it.
    """
    base = Path(tempfile.mkdtemp(prefix="kaconf-su-"))
    try:
        base.chmod(0o755)
        for sub in ("out", "userdir"):
            (base / sub).mkdir(mode=0o755)
            shutil.chown(base / sub, user=script_user[0])
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _script(path: Path, out: Path) -> str:
    path.write_text(SCRIPT.format(out=out, name=path.name))
    path.chmod(0o755)
    return str(path)


def _start(lab: Lab, conf: Path) -> Proc:
    lab.add_node("A", ADDR)
    proc = lab.start("A", kaconf_run(conf, lab.workdir, "A"), "A")
    wait_for("A to become MASTER", lambda: lab.has_address("A", VIP), MASTER_WAIT)
    return proc


# The lab is the last fixture, so it is torn down first: no process of the user is left
# when the user is deleted.
def test_notify_runs_as_script_user(script_user: tuple[str, int], tree: Path,
                                    lab: Lab) -> None:
    name, uid = script_user
    notify = _script(tree / "master.sh", tree / "out")
    conf = lab.workdir / "a.conf"
    conf.write_text(CONF.format(user=name, track=notify, vip=VIP, track_block="",
                                notify=notify, notify_user=""))
    proc = _start(lab, conf)
    out = tree / "out" / "master.sh"
    wait_for("notify_master to write its uid", lambda: out.exists() and out.read_text(), 10)
    assert out.read_text().strip() == str(uid)
    assert out.stat().st_uid == uid
    assert "SECURITY VIOLATION" not in proc.log()


def test_script_a_user_could_change_is_disabled(script_user: tuple[str, int], tree: Path,
                                                lab: Lab) -> None:
    name, _ = script_user
    unsafe = _script(tree / "userdir" / "unsafe.sh", tree / "out")
    conf = lab.workdir / "a.conf"
    # both run as root, so keepalived protects them; the user owns their directory
    conf.write_text(CONF.format(user=name, track=unsafe, vip=VIP,
                                track_block="    track_script {\n        chk\n    }\n",
                                notify=unsafe, notify_user=" root"))
    proc = _start(lab, conf)
    wait_for("the disabling lines", lambda: "Disabling track script chk due to insecure"
             in proc.log(), 10)
    log = proc.log()
    line = f"Unsafe permissions found for script '{unsafe}' - disabling."
    assert line in log
    assert log.count(line) == 1  # logged once
    assert not (tree / "out" / "unsafe.sh").exists()  # neither the check nor the notify ran
