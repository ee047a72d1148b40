"""Ansible's ``validate: kaconf lint --include-base DIR %s`` with the real ansible-playbook.

One playbook run (connection local, inventory localhost) drives the ``template`` module
into ``tmp_path`` with ``validate``, as docs/ansible.md recommends, for four templates:

* a good config over an old one: written;
* a bad config (priority out of range) over an old one: refused, the old content stays,
  and the failure shows kaconf's finding on Ansible's temporary copy (another folder);
* a config whose relative ``include conf.d/*.conf`` reaches a bad file already installed
  next to the destination: refused, because ``--include-base`` resolves the include
  against the destination's folder (without it the include would match nothing there);
* the same include reaching a good file: written.

Each task records its result (``ignore_errors``), and the last task writes them as JSON
for the assertions: one ansible-playbook start (a few seconds) covers every case.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import REPO

pytestmark = pytest.mark.slow

ansible = pytest.importorskip("ansible", reason="ansible-core is in the test extra")

GOOD = """\
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority {{ prio }}
    virtual_ipaddress {
        192.0.2.10/24
    }
}
"""
BAD = GOOD.replace("{{ prio }}", "300")
OLD = "# the config that was there before\n"
INCLUDER = "global_defs {\n    router_id {{ inventory_hostname }}\n}\ninclude conf.d/*.conf\n"
INSTANCE = GOOD.replace("{{ prio }}", "100")

PLAYBOOK = """\
- hosts: localhost
  connection: local
  gather_facts: false
  vars:
    prio: 100
  tasks:
{tasks}
    - name: record the outcomes
      ansible.builtin.copy:
        dest: "{{{{ out }}}}"
        content: "{{{{ {{{names}}} | to_json }}}}"
"""

TASK = """\
    - name: {name}
      ansible.builtin.template:
        src: "{src}"
        dest: "{dest}"
        validate: "{kaconf} lint --include-base {base} %s"
      register: {name}
      ignore_errors: true
"""


def test_template_validate_with_kaconf(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    for name, text in {"good.j2": GOOD, "bad.j2": BAD, "includer.j2": INCLUDER}.items():
        (templates / name).write_text(text)

    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "good.conf").write_text(OLD)
    (plain / "bad.conf").write_text(OLD)
    broken_etc = tmp_path / "etc-broken"
    (broken_etc / "conf.d").mkdir(parents=True)
    (broken_etc / "conf.d" / "vi.conf").write_text(INSTANCE.replace("priority 100", "priority 0"))
    (broken_etc / "keepalived.conf").write_text(OLD)
    fine_etc = tmp_path / "etc-fine"
    (fine_etc / "conf.d").mkdir(parents=True)
    (fine_etc / "conf.d" / "vi.conf").write_text(INSTANCE)

    kaconf = f"{sys.executable} -m kaconf.cli"
    cases = {
        "good": ("good.j2", plain / "good.conf", plain),
        "bad": ("bad.j2", plain / "bad.conf", plain),
        "include_bad": ("includer.j2", broken_etc / "keepalived.conf", broken_etc),
        "include_good": ("includer.j2", fine_etc / "keepalived.conf", fine_etc),
    }
    tasks = "".join(TASK.format(name=name, src=templates / src, dest=dest, base=base,
                                kaconf=kaconf)
                    for name, (src, dest, base) in cases.items())
    names = ", ".join(f"'{n}': {n}" for n in cases)
    playbook = tmp_path / "site.yml"
    playbook.write_text(PLAYBOOK.format(tasks=tasks, names=names))
    out = tmp_path / "outcomes.json"

    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO),
                                                    os.environ.get("PYTHONPATH")])),
        "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8",  # ansible refuses a non-UTF-8 locale
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-local"),
        "ANSIBLE_REMOTE_TEMP": str(tmp_path / "ansible-remote"),
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_LOCALHOST_WARNING": "0",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
        "ANSIBLE_CONFIG": str(tmp_path / "none.cfg"),  # no ansible.cfg of the machine
    }
    run = subprocess.run(
        [sys.executable, "-m", "ansible", "playbook", "-i", "localhost,", str(playbook),
         "-e", f"out={out}"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
        stdin=subprocess.DEVNULL,
    )
    log = run.stdout + run.stderr
    assert run.returncode == 0, log  # ignore_errors: the play itself completes
    outcomes = json.loads(out.read_text())

    # a good config is installed
    assert not outcomes["good"].get("failed"), outcomes["good"]
    assert "priority 100" in (plain / "good.conf").read_text()

    # a bad one is refused and the old content stays
    bad = outcomes["bad"]
    assert bad.get("failed") and bad["msg"] == "failed to validate", bad
    assert bad["exit_status"] == 1
    assert (plain / "bad.conf").read_text() == OLD
    finding = next(line for line in bad["stdout"].splitlines() if "KA021" in line)
    checked = finding.split(":", 1)[0]
    assert Path(checked).parent != plain  # kaconf read Ansible's copy, elsewhere
    assert ":5:5: KA021 error: number '300' outside range" in finding

    # the include of the copy reaches the files next to the destination
    inc = outcomes["include_bad"]
    assert inc.get("failed") and inc["exit_status"] == 1, inc
    assert f"{broken_etc}/conf.d/vi.conf:5:5: KA021" in inc["stdout"]
    assert (broken_etc / "keepalived.conf").read_text() == OLD
    assert not outcomes["include_good"].get("failed"), outcomes["include_good"]
    assert "include conf.d/*.conf" in (fine_etc / "keepalived.conf").read_text()
