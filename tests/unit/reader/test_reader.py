"""The reader: comments, quotes, braces, include, @id, $definitions, ~SEQ, positions."""

from __future__ import annotations

from pathlib import Path

import kaconf
from kaconf.source import read_config
from kaconf.tree import build_tree


def _load(tmp_path: Path, text: str, name: str = "k.conf", **kw: object) -> kaconf.Loaded:
    p = tmp_path / name
    p.write_text(text)
    return kaconf.load_full(str(p), **kw)  # type: ignore[arg-type]


def _codes(loaded: kaconf.Loaded) -> list[str]:
    return [d.code for d in loaded.diagnostics]


def test_comments_and_quotes(tmp_path: Path) -> None:
    ld = _load(tmp_path, 'global_defs {\n  router_id lb1 # main\n  ! whole line\n}\n'
                         'vrrp_script s {\n  script "/bin/echo #1"\n}\n')
    assert ld.config.global_defs.router_id == "lb1"
    assert ld.config.vrrp_scripts["s"].script is not None
    assert ld.config.vrrp_scripts["s"].script.args == ["/bin/echo", "#1"]
    assert [c.text for c in ld.comments] == ["# main", "! whole line"]
    assert ld.diagnostics == []


def test_escaped_hash(tmp_path: Path) -> None:
    ld = _load(tmp_path, "global_defs {\n  router_id a\\#b\n}\n")
    assert ld.config.global_defs.router_id == "a#b"


def test_braces_same_line_own_line_and_inline(tmp_path: Path) -> None:
    text = ("vrrp_instance A\n{\n interface eth0\n virtual_router_id 1\n"
            " virtual_ipaddress\n {\n 10.0.0.1/24\n }\n}\n"
            "vrrp_instance B { interface eth0\n virtual_router_id 2\n"
            " virtual_ipaddress { 10.0.0.2 }\n}\n")
    ld = _load(tmp_path, text)
    assert ld.diagnostics == []
    a, b = ld.config.vrrp_instances
    assert [str(v.address) for v in a.vips] == ["10.0.0.1/24"]
    assert [str(v.address) for v in b.vips] == ["10.0.0.2/32"]
    vip_node = [n for n in ld.nodes[0].children or [] if n.name == "virtual_ipaddress"][0]
    assert vip_node.brace_own_line and vip_node.open_brace is not None
    assert vip_node.open_brace.line == 6


def test_positions(tmp_path: Path) -> None:
    ld = _load(tmp_path, "vrrp_instance VI_1 {\n    priority 300\n}\n")
    (d,) = ld.diagnostics
    assert (d.line, d.column, d.code) == (2, 5, "KA021")
    assert d.file.endswith("k.conf")


def test_include_relative_glob_and_order(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "b.conf").write_text("vrrp_script sb {\n script /bin/true\n}\n")
    (tmp_path / "conf.d" / "a.conf").write_text("vrrp_script sa {\n script /bin/true\n}\n")
    ld = _load(tmp_path, "include conf.d/*.conf\n")
    assert list(ld.config.vrrp_scripts) == ["sa", "sb"]
    sa = ld.config.vrrp_scripts["sa"]
    assert sa.span is not None and sa.span.file.endswith("a.conf")
    assert sa.span.origin is not None and sa.span.origin.chain()[0].startswith("include at ")


def test_include_missing_and_loop(tmp_path: Path) -> None:
    ld = _load(tmp_path, "include nothere.conf\ninclude k.conf\n")
    codes = _codes(ld)
    assert "KA001" in codes and "KA003" in codes
    assert all(d.line in (1, 2) for d in ld.diagnostics)


def test_conditionals(tmp_path: Path) -> None:
    text = "@n1 global_defs {\n@n1  router_id one\n@n1 }\n@^n1 global_defs { router_id notone }\n"
    assert _load(tmp_path, text, config_id="n1").config.global_defs.router_id == "one"
    assert _load(tmp_path, text, config_id="n2").config.global_defs.router_id == "notone"


def test_definitions_multiline_and_builtins(tmp_path: Path) -> None:
    text = ("$IF=eth1\n$VIPS=10.0.0.1/24 \\\n  10.0.0.2/24\n"
            "vrrp_instance V {\n interface $IF\n virtual_router_id 9\n"
            " virtual_ipaddress {\n  $VIPS\n }\n notify_master \"${_PWD}/x.sh\"\n}\n")
    ld = _load(tmp_path, text)
    (inst,) = ld.config.vrrp_instances
    assert inst.interface == "eth1"
    assert [str(v.address) for v in inst.vips] == ["10.0.0.1/24", "10.0.0.2/24"]
    assert inst.notify_master is not None
    assert inst.notify_master.path == f"{tmp_path}/x.sh"
    iface = inst.settings["interface"]
    assert (iface.span.line, iface.span.col) == (5, 2)


def test_seq(tmp_path: Path) -> None:
    text = ("~SEQ(i, 1, 3) vrrp_instance S$i { interface eth0\n"
            "~SEQ(i, 1, 3) }\n")
    ld = _load(tmp_path, text)
    # the first line opens three nested blocks; the second closes them
    assert len(ld.config.vrrp_instances) == 1
    text2 = "~SEQ(i, 2, 2, 6) vrrp_script s$i { script /bin/true }\n"
    ld2 = _load(tmp_path, text2, name="k2.conf")
    assert list(ld2.config.vrrp_scripts) == ["s2", "s4", "s6"]
    assert _codes(_load(tmp_path, "~SEQ(i, 1, -1, 3) x\n", name="k3.conf")) == ["KA007"]
    ld4 = _load(tmp_path, "~SEQx(i, 9, 11) vrrp_script s$i { script /bin/true }\n", name="k4")
    assert list(ld4.config.vrrp_scripts) == ["s9", "sa", "sb"]


def test_legacy_122_reading(tmp_path: Path) -> None:
    p = tmp_path / "old.conf"
    p.write_text("global_defs {\n router_id a#b\n}\n")
    rr = read_config(str(p), version="1.2.2")
    words = [[t.text for t in ln.tokens] for ln in rr.lines]
    assert ["router_id", "a#b"] in words
    tree = build_tree(rr.lines)
    assert tree.nodes[0].name == "global_defs"


def test_unbalanced_braces(tmp_path: Path) -> None:
    assert "KA012" in _codes(_load(tmp_path, "vrrp_instance V {\n interface eth0\n"))
    assert "KA010" in _codes(_load(tmp_path, "}\n", name="x.conf"))


def test_unknown_keyword_did_you_mean(tmp_path: Path) -> None:
    ld = _load(tmp_path, "vrrp_instance V {\n  virtual_router_idd 5\n}\n")
    (d,) = [d for d in ld.diagnostics if d.code == "KA100"]
    assert "virtual_router_id" in d.hint
    assert (d.line, d.column) == (2, 3)
