"""``kaconf render``: vars, nodes, filters, line origins, the lint gate, --check, bad input."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kaconf.cli import main
from kaconf.diagnostics import Diagnostic, Severity
from kaconf.fmt import format_bytes
from kaconf.render import RenderError, TemplateRenderer, load_vars, render_nodes
from kaconf.render import filters as f
from kaconf.render.vars import deep_merge
from tests.support.paths import REPO as ROOT

EXAMPLES = ROOT / "examples"
TEMPLATE = EXAMPLES / "keepalived.conf.j2"
VARS = EXAMPLES / "vars.yaml"


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No settings file from the checkout may change what the gate reports."""
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    yield


def _render(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    status = main(["render", *(str(a) for a in args)])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return status, out, err


def _write(folder: Path, name: str, text: str) -> Path:
    p = folder / name
    p.write_text(text)
    return p


# -- the seed pair ---------------------------------------------------------------------


def test_seed_pair_renders_to_the_formatted_seed(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "out"
    status, out, err = _render(capsys, TEMPLATE, "--vars", VARS, "--out-dir", out_dir)
    assert status == 0, err
    assert sorted(p.name for p in out_dir.iterdir()) == ["serverA.conf", "serverB.conf"]
    for node in ("serverA", "serverB"):
        expected = format_bytes((EXAMPLES / f"{node}.conf").read_bytes())
        assert (out_dir / f"{node}.conf").read_bytes() == expected
    assert "nopreempt" in (out_dir / "serverA.conf").read_text()
    assert "nopreempt" not in (out_dir / "serverB.conf").read_text()
    assert oct(os.stat(out_dir / "serverA.conf").st_mode & 0o777) == oct(0o644 & ~_umask())


def _umask() -> int:
    m = os.umask(0)
    os.umask(m)
    return m


def test_node_to_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _render(capsys, TEMPLATE, "--vars", VARS, "--node", "serverB")
    assert status == 0, err
    assert out == format_bytes((EXAMPLES / "serverB.conf").read_bytes()).decode()
    assert list((tmp_path / "cwd").iterdir()) == []


def test_nodes_need_node_or_out_dir(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _render(capsys, TEMPLATE, "--vars", VARS)
    assert status == 2 and "serverA, serverB" in err and out == ""
    status, _, err = _render(capsys, TEMPLATE, "--vars", VARS, "--node", "serverC")
    assert status == 2 and "no such node" in err


def test_single_config_without_nodes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tpl = _write(tmp_path, "k.conf.j2", "global_defs {\n    router_id {{ rid }}\n}\n")
    status, out, err = _render(capsys, tpl, "--set", "rid=lb1")
    assert (status, out) == (0, "global_defs {\n    router_id lb1\n}\n"), err
    status, out, err = _render(capsys, tpl, "--set", "rid=lb1", "--out-dir", tmp_path / "o")
    assert status == 0 and (tmp_path / "o" / "k.conf").read_text().endswith("lb1\n}\n")


def test_node_name_and_peers_are_available(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    tpl = _write(tmp_path, "t.j2", (
        "global_defs {\n    router_id {{ node_name }}\n}\n"
        "vrrp_instance VI_1 {\n    state BACKUP\n    interface eth0\n"
        "    virtual_router_id 7\n    priority {{ priority }}\n"
        "    unicast_src_ip {{ address | ipaddr }}\n    unicast_peer {\n"
        "{% for name, peer in nodes | dictsort if name != node_name %}\n"
        "        {{ peer.address | ipaddr }}\n{% endfor %}\n    }\n"
        "    virtual_ipaddress {\n        {{ vip }}\n    }\n}\n"))
    vars_ = _write(tmp_path, "v.yaml", (
        "vip: 10.0.0.10/24\nnodes:\n  lb1: {address: 10.0.0.1/24, priority: 150}\n"
        "  lb2: {address: 10.0.0.2/24, priority: 100}\n"))
    status, out, err = _render(capsys, tpl, "--vars", vars_, "--node", "lb2")
    assert status == 0, err
    assert "router_id lb2\n" in out and "unicast_src_ip 10.0.0.2\n" in out
    assert "unicast_peer {\n        10.0.0.1\n    }\n" in out


# -- vars: formats, merge order, --set typing ---------------------------------------------


def test_vars_formats_and_merge_order(tmp_path: Path) -> None:
    y = _write(tmp_path, "a.yaml", "a: 1\nnested: {x: 1, y: [1, 2]}\nnodes:\n  n1: {p: 1}\n")
    j = _write(tmp_path, "b.json", '{"a": 2, "nested": {"y": [3]}, "b": "json"}')
    t = _write(tmp_path, "c.toml", 'b = "toml"\n[nested]\nz = 3\n[nodes.n1]\nq = 2\n')
    doc = load_vars([str(y), str(j), str(t)], ["nested.x=10", "nodes.n1.p=5"])
    assert doc == {"a": 2, "b": "toml", "nested": {"x": 10, "y": [3], "z": 3},
                   "nodes": {"n1": {"p": 5, "q": 2}}}


def test_set_values_are_typed_by_yaml() -> None:
    doc = load_vars([], ["i=90", "fl=1.5", "b=true", "s=abc", "q='90'", "e=", "l=[1, a]",
                         "deep.er.key=x"])
    assert doc == {"i": 90, "fl": 1.5, "b": True, "s": "abc", "q": "90", "e": "",
                   "l": [1, "a"], "deep": {"er": {"key": "x"}}}


def test_node_vars_overlay_common_vars() -> None:
    assert deep_merge({"a": {"x": 1, "y": 2}, "l": [1]}, {"a": {"y": 3}, "l": [2]}) == \
        {"a": {"x": 1, "y": 3}, "l": [2]}


def test_set_reaches_a_node(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _render(capsys, TEMPLATE, "--vars", VARS, "--node", "serverB",
                               "--set", "nodes.serverB.priority=98")
    assert status == 0, err
    assert "    priority 98\n" in out


@pytest.mark.parametrize("spec", ["novalue", "=1", "a..b=1", "x=[unclosed"])
def test_bad_set_is_a_usage_error(spec: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = _render(capsys, TEMPLATE, "--vars", VARS, "--set", spec)
    assert status == 2 and "--set" in err


def test_set_through_a_scalar(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = _render(capsys, TEMPLATE, "--vars", VARS, "--set", "state.x=1")
    assert status == 2 and "'state' is a str" in err


# -- filters ------------------------------------------------------------------------------


def test_address_filters() -> None:
    assert f.ipaddr("10.1.10.117/24") == "10.1.10.117"
    assert f.ipaddr("fe80::1/64") == "fe80::1"
    assert f.prefixlen("10.1.10.117/24") == 24 and f.prefixlen("10.0.0.1") == 32
    assert f.network("10.1.10.117/24") == "10.1.10.0/24"
    assert f.ipaddr(f.network("10.1.10.117/24")) == "10.1.10.0"
    assert f.netmask("10.1.10.117/24") == "255.255.255.0"
    with pytest.raises(ValueError, match="ipaddr: '10.0.0.999/24'"):
        f.ipaddr("10.0.0.999/24")


def test_quoting_filters() -> None:
    assert f.shquote("plain/path-1.sh") == "plain/path-1.sh"
    assert f.shquote("it's a b") == "'it'\\''s a b'"
    assert f.shquote("") == "''"
    assert f.kaquote("a b # c {x}") == '"a b # c {x}"'
    for bad in ('say "hi"', "two\nlines"):
        with pytest.raises(ValueError):
            f.kaquote(bad)
    with pytest.raises(ValueError):
        f.shquote("x\ny")


def test_script_line_built_with_filters(tmp_path: Path) -> None:
    from kaconf.loader import load_full

    tpl = _write(tmp_path, "s.j2",
                 "vrrp_script chk {\n    script {{ ([path] + args | map('shquote') | list) "
                 "| join(' ') | kaquote }}\n}\n")
    (r,) = render_nodes(TemplateRenderer(str(tpl)),
                        {"path": "/usr/local/bin/check", "args": ["it's", "a#b"]})
    assert r.text == "vrrp_script chk {\n    script \"/usr/local/bin/check 'it'\\''s' " \
                     "'a#b'\"\n}\n"
    script = load_full("s.conf", data=r.text.encode()).config.vrrp_scripts["chk"].script
    assert script is not None and script.args == ["/usr/local/bin/check", "it's", "a#b"]


# -- line origins ---------------------------------------------------------------------------


def test_origins_follow_loops_includes_and_macros(tmp_path: Path) -> None:
    _write(tmp_path, "inc.j2", "    # included\n    advert_int {{ adv }}\n")
    tpl = _write(tmp_path, "t.j2", (
        "{# header #}\n"                                   # 1
        "{% macro vip(a) %}\n"                             # 2
        "        {{ a }}\n"                                # 3
        "{% endmacro %}\n"                                 # 4
        "vrrp_instance V {\n"                              # 5
        "{% if flag %}\n"                                  # 6
        "    nopreempt\n"                                  # 7
        "{% endif %}\n"                                    # 8
        "    priority {{ prio }}\n"                        # 9
        "{% include 'inc.j2' %}\n"                         # 10
        "    virtual_ipaddress {\n"                        # 11
        "{% for v in vips %}\n"                            # 12
        "{{ vip(v) }}{% endfor %}\n"                       # 13
        "    }\n"                                          # 14
        "{{ block }}\n"                                    # 15
        "}\n"))                                            # 16
    r = TemplateRenderer(str(tpl)).render(
        {"flag": True, "prio": 5, "adv": 1, "vips": ["a", "b"], "block": "x\ny"})
    lines = r.text.splitlines()
    t, inc = str(tpl), str(tmp_path / "inc.j2")
    expect = {
        "vrrp_instance V {": (t, 5), "    nopreempt": (t, 7), "    priority 5": (t, 9),
        "    # included": (inc, 1), "    advert_int 1": (inc, 2),
        "    virtual_ipaddress {": (t, 11), "        a": (t, 3), "        b": (t, 3),
        "    }": (t, 14), "x": (t, 15), "y": (t, 15), "}": (t, 16),
    }
    got = {line: r.origin(i + 1) for i, line in enumerate(lines)}
    assert got == expect


def test_origins_unknown_rather_than_wrong(tmp_path: Path) -> None:
    # the captured block's length changes with markers: the renderer must notice
    tpl = _write(tmp_path, "t.j2", "{% set b %}abc{% endset %}{{ b | length }}\nx\n")
    r = TemplateRenderer(str(tpl)).render({})
    assert r.text == "3\nx\n" and r.origin(1) is None and r.origin(2) is None


# -- the lint gate --------------------------------------------------------------------------


def test_lint_error_in_one_node_blocks_every_file(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "serverA.conf").write_text("old A\n")
    status, out, err = _render(capsys, TEMPLATE, "--vars", VARS, "--out-dir", out_dir,
                               "--set", "nodes.serverB.priority=300")
    assert status == 1
    # the rendered file:line:col and the template line that produced it
    assert f"{out_dir}/serverB.conf:8:5: KA021 error: number '300' outside range" in err
    assert f"[from {TEMPLATE}:17]" in err
    assert "nothing written" in err
    assert sorted(p.name for p in out_dir.iterdir()) == ["serverA.conf"]
    assert (out_dir / "serverA.conf").read_text() == "old A\n"


def test_lint_findings_name_template_line_for_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _render(capsys, TEMPLATE, "--vars", VARS, "--node", "serverA",
                               "--set", "nodes.serverA.state=MASTER")
    assert status == 1 and out == ""
    assert "serverA.conf:8:5: KA202 error:" in err and f"[from {TEMPLATE}:15]" in err


def test_cluster_rules_see_every_node(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A cluster finding blocks the write even though every node is fine alone."""
    from kaconf.lint import registry
    from kaconf.lint.registry import Rule
    from kaconf.lint.rule import ClusterContext, RuleMeta

    seen: list[list[str]] = []

    def check(ctx: ClusterContext) -> Iterator[Diagnostic]:
        seen.append([c.path for c in ctx.nodes])
        last = ctx.nodes[-1]
        inst = last.config.vrrp_instances[0]
        yield ctx.diag(META, "test cluster finding", inst.span)

    META = RuleMeta("KA499", "test-cluster", Severity.ERROR, "s", "r", "b", "g", "cluster")
    real = registry.all_rules()
    monkeypatch.setattr(registry, "all_rules",
                        lambda: (*real, Rule(META, check, "tests")))
    out_dir = tmp_path / "out"
    status, _, err = _render(capsys, TEMPLATE, "--vars", VARS, "--out-dir", out_dir)
    assert status == 1 and not out_dir.exists()
    assert seen == [[str(out_dir / "serverA.conf"), str(out_dir / "serverB.conf")]]
    assert f"{out_dir}/serverB.conf:4:1: KA499 error: test cluster finding " \
           f"[from {TEMPLATE}:10]" in err


def test_real_cluster_rule_vrid_mismatch(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    from kaconf.lint import registry

    if registry.get("KA401") is None:
        pytest.skip("cluster rule KA401 (VRID mismatch between nodes) is not registered")
    out_dir = tmp_path / "out"
    status, _, err = _render(capsys, TEMPLATE, "--vars", VARS, "--out-dir", out_dir,
                             "--set", "nodes.serverB.virtual_router_id=91")
    assert status == 1 and "KA401" in err and not out_dir.exists()


# -- --check --------------------------------------------------------------------------------


def test_check_no_drift_then_drift(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "out"
    status, _, err = _render(capsys, TEMPLATE, "--vars", VARS, "--out-dir", out_dir, "--check")
    assert status == 1 and "serverA.conf differs" in err and not out_dir.exists()

    assert _render(capsys, TEMPLATE, "--vars", VARS, "--out-dir", out_dir)[0] == 0
    status, out, err = _render(capsys, TEMPLATE, "--vars", VARS, "--out-dir", out_dir, "--check")
    assert (status, out) == (0, ""), err

    a = out_dir / "serverA.conf"
    a.write_text(a.read_text().replace("priority 100", "priority 101"))
    status, out, err = _render(capsys, TEMPLATE, "--vars", VARS, "--out-dir", out_dir, "--check")
    assert status == 1
    assert f"--- {a}\n+++ {a} (rendered)\n" in out
    assert "-    priority 101\n+    priority 100\n" in out
    assert "priority 101" in a.read_text()  # --check writes nothing


def test_check_needs_out_dir(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = _render(capsys, TEMPLATE, "--vars", VARS, "--node", "serverA", "--check")
    assert status == 2 and "--out-dir" in err


# -- bad input: one line naming file:line, the right status, nothing on disk ---------------


def _bad(tmp_path: Path, capsys: pytest.CaptureFixture[str], template: Path,
         *extra: str | Path) -> tuple[int, str]:
    out_dir = tmp_path / "out"
    status, out, err = _render(capsys, template, "--out-dir", out_dir, *extra)
    assert not out_dir.exists(), "partial output"
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return status, lines[0]


def test_undefined_variable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tpl = _write(tmp_path, "u.j2", "global_defs {\n    router_id {{ rid }}\n}\n")
    status, err = _bad(tmp_path, capsys, tpl)
    assert status == 1 and err == f"kaconf render: {tpl}:2: undefined variable: 'rid' is undefined"


def test_undefined_in_a_node_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tpl = _write(tmp_path, "n.j2", "a {\n{% if node_name == 'n2' %}\n    b {{ missing }}\n"
                                   "{% endif %}\n}\n")
    v = _write(tmp_path, "v.yaml", "nodes: {n1: {}, n2: {}}\n")
    status, err = _bad(tmp_path, capsys, tpl, "--vars", v)
    assert status == 1 and f"{tpl}:3: undefined variable: 'missing' is undefined (node n2)" in err


def test_template_syntax_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tpl = _write(tmp_path, "s.j2", "a {\n{% for x in %}\n}\n")
    status, err = _bad(tmp_path, capsys, tpl)
    assert status == 1 and err.startswith(f"kaconf render: {tpl}:2: template syntax error")


def test_syntax_error_in_included_template(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, "part.j2", "ok\n{{ broken(\n")
    tpl = _write(tmp_path, "main.j2", "a {\n{% include 'part.j2' %}\n}\n")
    status, err = _bad(tmp_path, capsys, tpl)
    assert status == 1 and f"{tmp_path / 'part.j2'}:" in err and "syntax error" in err


@pytest.mark.parametrize("name,text,line", [
    ("v.yaml", "a: 1\nb: [1, 2]\nc: d: e\n", 3),
    ("v.yaml", "a: 1\na: 2\n", 2),
    ("v.yml", "- a\n- b\n", 1),
    ("v.json", '{"a": 1,\n "b": }\n', 2),
    ("v.toml", "a = 1\nb = \n", 2),
])
def test_malformed_vars_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str,
                             text: str, line: int) -> None:
    v = _write(tmp_path, name, text)
    status, err = _bad(tmp_path, capsys, TEMPLATE, "--vars", v)
    assert status == 1 and err.startswith(f"kaconf render: {v}:{line}: "), err


def test_missing_or_unknown_vars_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, err = _bad(tmp_path, capsys, TEMPLATE, "--vars", tmp_path / "nope.yaml")
    assert status == 2 and "cannot read vars file" in err
    v = _write(tmp_path, "v.ini", "a=1\n")
    status, err = _bad(tmp_path, capsys, TEMPLATE, "--vars", v)
    assert status == 2 and "unknown vars file type" in err


def test_missing_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, err = _bad(tmp_path, capsys, tmp_path / "nope.j2", "--vars", VARS)
    assert status == 2 and "cannot read template" in err


@pytest.mark.parametrize("expr", [
    "{{ ''.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ vips.append('x') }}",
    "{{ 'x' * 100000000 }}",
])
def test_sandbox(tmp_path: Path, capsys: pytest.CaptureFixture[str], expr: str) -> None:
    tpl = _write(tmp_path, "e.j2", f"a {{\n    {expr}\n}}\n")
    status, err = _bad(tmp_path, capsys, tpl, "--set", "vips=[1]")
    assert status == 1 and err.startswith(f"kaconf render: {tpl}:2: "), err


@pytest.mark.parametrize("target", ["../secret.j2", "/etc/passwd", "sub/../../secret.j2"])
def test_include_confined_to_template_folder(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str],
                                             target: str) -> None:
    (tmp_path / "secret.j2").write_text("secret\n")
    folder = tmp_path / "tpl"
    folder.mkdir()
    tpl = _write(folder, "i.j2", f"a\n{{% include '{target}' %}}\n")
    status, err = _bad(tmp_path, capsys, tpl)
    assert status == 1 and f"{tpl}:2: template " in err and "not found" in err


def test_include_symlink_out_of_folder_refused(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "secret.j2").write_text("secret\n")
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "link.j2").symlink_to(tmp_path / "secret.j2")
    _write(folder, "ok.j2", "fine\n")
    tpl = _write(folder, "i.j2", "{% include 'ok.j2' %}{% include 'link.j2' %}\n")
    status, err = _bad(tmp_path, capsys, tpl)
    assert status == 1 and "'link.j2' not found" in err


def test_filter_error_names_template_line(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    tpl = _write(tmp_path, "f.j2", "a {\n    b\n    unicast_src_ip {{ ip | ipaddr }}\n}\n")
    status, err = _bad(tmp_path, capsys, tpl, "--set", "ip=10.0.0.300")
    assert status == 1 and err == (f"kaconf render: {tpl}:3: ipaddr: '10.0.0.300' is not an "
                                   "IP address or CIDR")


def test_bad_nodes_mapping(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for text in ("nodes: {../evil: {}}\n", "nodes: {n1: 3}\n"):
        v = _write(tmp_path, "v.yaml", text)
        status, err = _bad(tmp_path, capsys, TEMPLATE, "--vars", v)
        assert status == 1 and "vars: " in err


def test_bad_target_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, err = _bad(tmp_path, capsys, TEMPLATE, "--vars", VARS, "--target-version", "x.y")
    assert status == 2 and "--target-version" in err


def test_refuses_to_overwrite_its_inputs(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    # a template named like a node's output, rendered into its own folder
    tpl = _write(tmp_path, "serverA.conf", TEMPLATE.read_text())
    status, _, err = _render(capsys, tpl, "--vars", VARS, "--out-dir", tmp_path)
    assert status == 2 and "it is an input" in err
    assert tpl.read_text() == TEMPLATE.read_text()
    assert not (tmp_path / "serverB.conf").exists()


def test_render_error_str() -> None:
    assert str(RenderError("boom", file="t.j2", line=3)) == "t.j2:3: boom"
    assert str(RenderError("boom", file="t.j2")) == "t.j2: boom"
    assert str(RenderError("boom")) == "boom"


def test_other_commands_do_not_import_jinja2_or_yaml() -> None:
    """``kaconf lint`` start-up must not pay for the template engine."""
    import subprocess
    import sys

    code = ("import sys\nfrom kaconf.cli import build_parser\n"
            "build_parser().parse_args(['lint', 'x.conf'])\n"
            "from kaconf import fmt\n"
            "print('jinja2' in sys.modules, 'yaml' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout
    assert out.strip() == "False False"
