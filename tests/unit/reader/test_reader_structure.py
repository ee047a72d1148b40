"""Broken configs land in the blocks keepalived 2.2.7's parser puts them in.

Each expected set of lines below is what ``keepalived -t`` 2.2.7 reported for the same
text (its ``(Line N)`` messages); kaconf must report an error on each of those lines and
build the objects keepalived would run.
"""

from __future__ import annotations

from pathlib import Path

import kaconf
from kaconf.diagnostics import Severity

_VI = """vrrp_instance {name} {{
    state MASTER
    interface eth0
    virtual_router_id {vrid}
    priority 100
    virtual_ipaddress {{
        192.168.200.{vrid}
    }}
}}
"""


def _load(tmp_path: Path, text: str) -> kaconf.Loaded:
    p = tmp_path / "k.conf"
    p.write_bytes(text.encode())
    return kaconf.load_full(str(p))


def _error_lines(ld: kaconf.Loaded) -> set[int]:
    return {d.line for d in ld.diagnostics if d.severity >= Severity.ERROR}


def test_value_block_keyword_with_a_value_swallows_the_rest_of_global_defs(
        tmp_path: Path) -> None:
    # keepalived: (Line 2) Block notification_email has extra parameters; every line up to
    # the next '}' (line 5, global_defs' own) is an email; VI_1 lands in global_defs
    # (Unknown keyword, lines 6-13), its '}' at line 15 closes global_defs and line 16 is
    # "Unknown keyword '}'" at the top level. Only VI_2 runs.
    text = ("global_defs {\n    notification_email admin@example.com\n"
            "    notification_email_from x@example.com\n    router_id lb1\n}\n"
            + _VI.format(name="VI_1", vrid=51) + _VI.format(name="VI_2", vrid=52))
    ld = _load(tmp_path, text)
    assert [i.name for i in ld.config.vrrp_instances] == ["VI_2"]
    assert {2, 6, 7, 8, 9, 10, 11, 12, 14} <= _error_lines(ld)
    codes = {d.line: d.code for d in ld.diagnostics}
    assert codes[2] == "KA024" and codes[6] == "KA100"


def test_stray_close_brace_is_reported_at_its_line(tmp_path: Path) -> None:
    # keepalived: (Line 10) Extra '}' found / Unknown keyword '}'
    ld = _load(tmp_path, _VI.format(name="VI_1", vrid=51) + "}\n")
    assert [(d.line, d.code) for d in ld.errors] == [(10, "KA010")]
    assert [i.name for i in ld.config.vrrp_instances] == ["VI_1"]


def test_shell_default_placeholder_opens_nothing_and_closes_the_instance(
        tmp_path: Path) -> None:
    # keepalived reads 'interface $' then an ignored '{' (Unexpected '{'), 'IFACE:-eth0'
    # (Unknown keyword) and a '}' that closes VI_1: everything after it is at the top
    # level (Unknown keyword at lines 4-8, line 9 "Extra '}' found").
    text = _VI.format(name="VI_1", vrid=51).replace("interface eth0",
                                                    "interface ${IFACE:-eth0}")
    ld = _load(tmp_path, text)
    assert {3, 4, 5, 6, 7, 8, 9} <= _error_lines(ld)
    (vi,) = ld.config.vrrp_instances
    assert vi.interface == "$" and not vi.vips
    assert any(d.code == "KA011" and d.line == 3 for d in ld.diagnostics)


def test_hash_placeholder_leaves_the_keyword_without_its_value(tmp_path: Path) -> None:
    # '#PRIO#' is a comment: keepalived reports a missing parameter (and exits 2)
    text = _VI.format(name="VI_1", vrid=51).replace("priority 100", "priority #PRIO#")
    ld = _load(tmp_path, text)
    assert [(d.line, d.code) for d in ld.errors] == [(5, "KA020")]


def test_section_without_open_brace_takes_the_following_lines(tmp_path: Path) -> None:
    # keepalived: (Line 2) Missing '{' at beginning of configuration block; the
    # instance is created with the lines up to '}'; the processes that do not run VRRP
    # read them at the top level (Unknown keyword), and line 10's '}' is "Extra '}'".
    text = _VI.format(name="VI_1", vrid=51).replace("VI_1 {", "VI_1", 1)
    ld = _load(tmp_path, text)
    (vi,) = ld.config.vrrp_instances
    assert vi.interface == "eth0" and vi.priority == 100
    assert {2, 3, 4, 5, 6, 7, 8, 9} <= _error_lines(ld)
    assert any(d.code == "KA013" and d.line == 2 for d in ld.diagnostics)


def test_inline_values_crlf_and_tabs_are_accepted(tmp_path: Path) -> None:
    text = ("vrrp_instance VI_1 { state MASTER\n\tinterface eth0 \t\n"
            "  virtual_router_id 51 # x\n  virtual_ipaddress { 192.168.200.1 }\n}\n")
    ld = _load(tmp_path, text.replace("\n", "\r\n"))
    assert ld.errors == []
    (vi,) = ld.config.vrrp_instances
    assert vi.state == "MASTER" and [str(v.address) for v in vi.vips] == ["192.168.200.1/32"]


def test_brace_after_a_plain_keyword_is_ignored_and_the_next_close_ends_the_block(
        tmp_path: Path) -> None:
    # 'priority 100 {': the '{' opens nothing, so the '}' on line 6 closes VI_1 and the
    # VIP block lands at the top level (keepalived: Unknown keyword at lines 7-9 and
    # "Unknown keyword '}'" at line 10; the brace count stays balanced).
    text = ("vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n"
            "    priority 100 {\n    advert_int 1\n    }\n    virtual_ipaddress {\n"
            "        192.168.200.1\n    }\n}\n")
    ld = _load(tmp_path, text)
    (vi,) = ld.config.vrrp_instances
    assert vi.advert_int == 1 and not vi.vips
    assert {4, 7, 8, 9, 10} <= _error_lines(ld)


def test_value_block_without_brace_inside_an_instance(tmp_path: Path) -> None:
    # the VIP block swallows its items and its '}' ... and VI_1's '}' is then one too many
    text = _VI.format(name="VI_1", vrid=51).replace("virtual_ipaddress {", "virtual_ipaddress")
    ld = _load(tmp_path, text)
    (vi,) = ld.config.vrrp_instances
    assert [str(v.address) for v in vi.vips] == ["192.168.200.51/32"]
    assert 9 in _error_lines(ld)


def test_block_keyword_and_its_brace_in_different_files(tmp_path: Path) -> None:
    # keepalived's read_line follows the include before the parser sees the next line
    (tmp_path / "body.inc").write_text("{\n    interface eth0\n    virtual_router_id 51\n"
                                       "    priority 100\n")
    ld = _load(tmp_path, "vrrp_instance VI_1\ninclude body.inc\n    advert_int 2\n}\n")
    assert ld.errors == []
    (vi,) = ld.config.vrrp_instances
    assert (vi.interface, vi.priority, vi.advert_int) == ("eth0", 100, 2)
