"""Every rule fix, before and after, with the dump check.

Each case is a small config with one finding, the text ``kaconf lint --fix``
(or ``--unsafe-fixes``) makes of it, and the meaning check: the dump before and
after is the same, except for fixes whose purpose is to change it (they must
then really change it). After the fix the code is no longer reported.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from kaconf.fix.apply import FixRun, run_fixes
from kaconf.fix.meaning import dump_files
from kaconf.lint import registry
from kaconf.lint.engine import lint_paths


def _vi(body: str, head: str = "    interface eth0\n    virtual_router_id 51\n") -> str:
    return ("vrrp_instance VI_1 {\n" + head + body
            + "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n")


_VS = "virtual_server 10.0.0.10 80 {\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n"
_RS = "    real_server 10.0.1.1 80 {\n        weight 1\n    }\n}\n"


@dataclass(frozen=True)
class Case:
    code: str
    before: str
    after: str
    unsafe: bool = False
    version: str = "2.2.7"


CASES = [
    Case("KA010", "global_defs {\n    router_id lb1\n}\n}\n",
         "global_defs {\n    router_id lb1\n}\n", unsafe=True),
    Case("KA012", "global_defs {\n    router_id lb1\n", "global_defs {\n    router_id lb1\n}\n",
         unsafe=True),
    Case("KA012", "vrrp_instance VI_1 {\n    interface eth0\n    virtual_ipaddress {\r\n"
         "        10.0.0.10/24  # no brace below",
         "vrrp_instance VI_1 {\n    interface eth0\n    virtual_ipaddress {\r\n"
         "        10.0.0.10/24  # no brace below\n}\n}", unsafe=True),
    Case("KA031", _vi("    virtual_ipaddress_excluded {\n        192.0.2.10/33 dev eth0\n"
                      "        fe80::1/129\n    }\n"),
         _vi("    virtual_ipaddress_excluded {\n        192.0.2.10/32 dev eth0\n"
             "        fe80::1/128\n    }\n"), unsafe=True),
    Case("KA022", _vi("    state master\n    priority 100\n"),
         _vi("    state MASTER\n    priority 100\n"), unsafe=True),
    Case("KA040", _vi("    state MASTER\n    state BACKUP\n    priority 100\n"),
         _vi("    state MASTER\n    priority 100\n")),
    Case("KA100", _vi("    priorty 150\n"), _vi("    priority 150\n"), unsafe=True),
    Case("KA202", _vi("    state MASTER\n    priority 100\n    nopreempt\n"),
         _vi("    state MASTER\n    priority 100\n"), unsafe=True),
    Case("KA203", _vi("    state MASTER\n    priority 100\n    preempt_delay 30\n"),
         _vi("    state MASTER\n    priority 100\n"), unsafe=True),
    Case("KA204", _vi("    priority 100\n    nopreempt\n    preempt_delay 30\n"),
         _vi("    priority 100\n    nopreempt\n")),
    Case("KA205", _vi("    priority 255\n    nopreempt\n"), _vi("    priority 255\n"),
         unsafe=True),
    Case("KA209", _vi("    priority 100\n    version 3\n    authentication {\n"
                      "        auth_type PASS\n        auth_pass secret\n    }\n"),
         _vi("    priority 100\n    version 3\n")),
    Case("KA213", _vi("    authentication {\n        auth_type PASS\n"
                      "        auth_pass verysecret123   # shared\n    }\n"),
         _vi("    authentication {\n        auth_type PASS\n"
             "        auth_pass verysecr   # shared\n    }\n")),
    Case("KA213", _vi('    authentication {\n        auth_type PASS\n'
                      '        auth_pass "verysecret123"\n    }\n'),
         _vi('    authentication {\n        auth_type PASS\n'
             '        auth_pass "verysecr"\n    }\n')),
    Case("KA214", _vi("    advert_int 1.5\n"), _vi("    advert_int 2\n")),
    Case("KA218", _vi("    mcast_dst_ip 224.0.0.19\n    unicast_peer {\n        192.0.2.2\n"
                      "    }\n"),
         _vi("    unicast_peer {\n        192.0.2.2\n    }\n")),
    Case("KA219", _vi("    unicast_ttl 10\n"), _vi("")),
    Case("KA228", _vi("    track_interface {\n        eth1\n        eth0 weight 10\n    }\n"),
         _vi("    track_interface {\n        eth1\n    }\n")),
    Case("KA235", _vi("    notify_master /bin/true\n    notify_master /bin/false\n"),
         _vi("    notify_master /bin/true\n")),
    Case("KA236", _vi("    garp_master_repeat 0\n"), _vi("    garp_master_repeat 1\n")),
    Case("KA242", "vrrp_sync_group G1 {\n    group {\n        VI_1\n        VI_1\n    }\n}\n"
         + _vi(""), "vrrp_sync_group G1 {\n    group {\n        VI_1\n    }\n}\n" + _vi("")),
    Case("KA244", "vrrp_sync_group G1 {\n}\n" + _vi(""), _vi("")),
    Case("KA260", "global_defs {\n    lvs_flush_onstop\n    vrrp_rlimit_rtime 1000\n}\n",
         "global_defs {\n    lvs_flush_on_stop\n    vrrp_rlimit_rttime 1000\n}\n"),
    Case("KA260", _VS + "    real_server 10.0.1.1 80 {\n        HTTP_GET {\n            url {\n"
         "                path /\n            }\n            nb_get_retry 3\n        }\n    }\n}\n",
         _VS + "    real_server 10.0.1.1 80 {\n        HTTP_GET {\n            url {\n"
         "                path /\n            }\n            retry 3\n        }\n    }\n}\n"),
    Case("KA262", _vi("    priority 100\n    virtual_routes\n    {\n        10.1.0.0/16 dev eth0\n"
                      "    }\n"),
         _vi("    priority 100\n    virtual_routes {\n        10.1.0.0/16 dev eth0\n    }\n"),
         version="1.2.2"),
    Case("KA263", _vi("    priority 100   # old\n    priority 150\n"), _vi("    priority 150\n")),
    Case("KA263", _vi("    priority 100\n    priority 120\n    priority 150\n"),
         _vi("    priority 150\n")),
    Case("KA266", _vi("    virtual_routes {\n        0.0.0.0/0 gw 10.0.0.1 dev eth0\n    }\n"),
         _vi("    virtual_routes {\n        0.0.0.0/0 via 10.0.0.1 dev eth0\n    }\n")),
    Case("KA269", _VS + "    sh-port\n" + _RS, _VS + _RS, unsafe=True),
    Case("KA274", "virtual_server fwmark 1 {\n    lb_algo rr\n    lb_kind DR\n    protocol TCP\n"
         "    real_server 10.0.1.1 {\n        weight 1\n    }\n}\n",
         "virtual_server fwmark 1 {\n    lb_algo rr\n    lb_kind DR\n"
         "    real_server 10.0.1.1 {\n        weight 1\n    }\n}\n"),
    Case("KA276", _VS + "    ops\n" + _RS, _VS + _RS),
    Case("KA279", "global_defs {\n    notification_email {\n    }\n    router_id lb1\n}\n",
         "global_defs {\n    router_id lb1\n}\n"),
    Case("KA289", _VS + "    sorry_server_inhibit\n" + _RS, _VS + _RS, unsafe=True),
    Case("KA289", _VS + "    sorry_server_inhibit\n    sorry_server 10.0.1.9 80\n" + _RS,
         _VS + "    sorry_server 10.0.1.9 80\n" + _RS, unsafe=True),
    Case("KA290", _vi("", head="    state MASTER\n    interface eth0\n    virtual_router_id 51\n"),
         _vi("", head="    state MASTER\n    priority 255\n    interface eth0\n"
             "    virtual_router_id 51\n"), unsafe=True),
]


def _run(path: Path, case: Case) -> FixRun:
    p = str(path)
    return run_fixes(
        lambda c: lint_paths([p], target_version=case.version, sources=c).diagnostics,
        lambda c: dump_files([p], version=case.version, overlay=c),
        unsafe=case.unsafe)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.code}-{i}" for i, c in enumerate(CASES)])
def test_fix(case: Case, tmp_path: Path) -> None:
    path = tmp_path / "keepalived.conf"
    path.write_text(case.before)
    found = [d for d in lint_paths([str(path)], target_version=case.version).diagnostics
             if d.code == case.code]
    assert found and all(d.fix is not None for d in found), found
    fix = found[0].fix
    assert fix is not None and fix.safe is not case.unsafe

    if case.unsafe:  # plain --fix leaves it alone
        plain = _run(path, dataclasses.replace(case, unsafe=False))
        assert case.code not in {d.code for d in plain.applied}
    run = _run(path, case)
    assert case.code in {d.code for d in run.applied}, run.refused
    assert run.fixed[str(path)].decode() == case.after
    before = dump_files([str(path)], version=case.version)
    after = dump_files(["after.conf"], version=case.version,
                       overlay={"after.conf": case.after.encode()})
    if fix.changes_meaning:
        assert before != after
    else:
        assert before == after
    left = lint_paths(["after.conf"], target_version=case.version,
                      sources={"after.conf": case.after.encode()}).diagnostics
    assert case.code not in {d.code for d in left}


def test_at_least_twenty_rules_fix_and_all_are_tested() -> None:
    fixable = {r.code for r in registry.all_rules() if r.meta.fix}
    assert len(fixable) >= 20
    assert fixable == {c.code for c in CASES}
    for r in registry.all_rules():
        if r.meta.fix:
            unsafe = {c.unsafe for c in CASES if c.code == r.code}
            assert unsafe == {not r.meta.fix_safe}, r.code


#: a statement for each deprecated keyword with a same-block replacement
_DEPRECATED = {
    ("", "vrrp_track_file"): "vrrp_track_file F {\n    file /tmp/f\n}\n",
    ("global_defs", "bfd_rlimit_rtime"): "global_defs {\n    bfd_rlimit_rtime 5000\n}\n",
    ("global_defs", "checker_rlimit_rtime"): "global_defs {\n    checker_rlimit_rtime 5000\n}\n",
    ("global_defs", "vrrp_rlimit_rtime"): "global_defs {\n    vrrp_rlimit_rtime 5000\n}\n",
    ("global_defs", "enable_snmp_keepalived"): "global_defs {\n    enable_snmp_keepalived\n}\n",
    ("global_defs", "lvs_flush_onstop"): "global_defs {\n    lvs_flush_onstop VS\n}\n",
    ("global_defs", "lvs_process_name"): "global_defs {\n    lvs_process_name chk\n}\n",
    ("global_defs", "vrrp_vmac_garp_intvl"): "global_defs {\n    vrrp_vmac_garp_intvl 30\n}\n",
    ("virtual_server/real_server/HTTP_GET", "nb_get_retry"):
        _VS + "    real_server 10.0.1.1 80 {\n        HTTP_GET {\n            url {\n"
        "                path /\n            }\n            nb_get_retry 3\n        }\n    }\n}\n",
    ("virtual_server/real_server/SSL_GET", "nb_get_retry"):
        _VS + "    real_server 10.0.1.1 80 {\n        SSL_GET {\n            url {\n"
        "                path /\n            }\n            nb_get_retry 3\n        }\n    }\n}\n",
    ("vrrp_instance", "vmac_garp_intvl"):
        _vi("    use_vmac\n    vmac_garp_intvl 30\n"),
    ("vrrp_instance", "thread_timer_expired"): _vi("    thread_timer_expired 50\n"),
}


def _renamable() -> list[tuple[str, str, str]]:
    from kaconf.schema import load_schema

    schema = load_schema()
    out = []
    for spec in schema.all():
        new = schema.lookup(spec.block_path, spec.replacement) if spec.replacement else None
        if spec.deprecated and new is not None:
            out.append((spec.block_path, spec.name, spec.replacement or ""))
    return out


@pytest.mark.parametrize(("path", "name", "repl"), _renamable())
def test_every_deprecated_name_with_a_replacement_is_renamed(path: str, name: str, repl: str,
                                                              tmp_path: Path) -> None:
    text = _DEPRECATED[(path, name)]
    version = "master" if name == "thread_timer_expired" else "2.2.7"
    conf = tmp_path / "k.conf"
    conf.write_text(text)
    run = _run(conf, Case("KA260", text, "", False, version))
    assert [d.code for d in run.applied] == ["KA260"], run.refused
    after = run.fixed[str(conf)].decode()
    assert after == re.sub(rf"\b{name}\b", repl, text)
    assert dump_files([str(conf)], version=version) == \
        dump_files([str(conf)], version=version, overlay=run.fixed)
