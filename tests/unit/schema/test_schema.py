"""Tests for the keyword schema (kaconf.schema), its generator and ``kaconf keywords``.

The reference TSV is the ground truth: the coverage test re-reads it
independently of tools/gen_grammar.py, so a generator bug that drops or
mis-versions a row shows up here rather than as a silently unknown keyword.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from kaconf import schema
from kaconf.cli import build_parser
from kaconf.schema import KeywordSpec, Schema, load_schema, normalize_version
from tests.support.paths import REPO
from tests.support.tools import load_tool

TSV = REPO / "tests" / "fixtures" / "reference" / "keywords.tsv"
GRAMMAR = REPO / "grammars" / "keepalived.json"
VERSION_COLUMNS = {"1.2.2": "in_1.2.2", "2.2.7": "in_2.2.7", "master": "in_master"}


def _tsv_rows() -> list[dict[str, str]]:
    with open(TSV, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


# --------------------------------------------------------------------------- (a) coverage


def test_every_tsv_row_is_in_schema_with_same_versions() -> None:
    sch = load_schema()
    expected: dict[tuple[str, str], set[str]] = {}
    for row in _tsv_rows():
        key = (row["block_path"], row["keyword"])
        flags = {v for v, col in VERSION_COLUMNS.items() if row[col] == "yes"}
        expected.setdefault(key, set()).update(flags)  # duplicates merge (union)

    missing = [k for k in expected if sch.lookup(*k) is None]
    wrong = {
        k: (sorted(v), sorted(spec.versions))
        for k, v in expected.items()
        if (spec := sch.lookup(*k)) is not None and set(spec.versions) != v
    }
    assert not missing, f"{len(missing)} TSV keywords missing from schema: {missing[:20]}"
    assert not wrong, f"{len(wrong)} keywords with different version flags: {wrong}"
    # ...and nothing invented on top of the TSV.
    assert len(sch.all()) == len(expected)
    assert {(s.block_path, s.name) for s in sch.all()} == set(expected)


def test_counts_and_block_paths() -> None:
    sch = load_schema()
    paths = sch.block_paths()
    assert paths == sorted(paths)
    assert paths[0] == ""
    assert "virtual_server/real_server/HTTP_GET/url" in paths
    rows = _tsv_rows()
    assert len(sch) == len(sch.all()) == len({(r["block_path"], r["keyword"]) for r in rows})
    assert set(paths) == {r["block_path"] for r in rows}


def test_every_nested_block_has_a_section_opener() -> None:
    sch = load_schema()
    for path in sch.block_paths():
        if not path:
            continue
        parent, _, name = path.rpartition("/")
        opener = sch.lookup(parent, name)
        assert opener is not None and opener.is_section, path
        assert opener.child_path == path


# --------------------------------------------------------------------------- (b) parsing


def test_priority_range() -> None:
    spec = load_schema().lookup("vrrp_instance", "priority")
    assert spec is not None
    assert (spec.min, spec.max, spec.range_text) == (1, 255, "1-255")
    assert spec.arg_type == "int"
    assert spec.choices is None


def test_virtual_router_id() -> None:
    spec = load_schema().lookup("vrrp_instance", "virtual_router_id")
    assert spec is not None
    assert (spec.min, spec.max) == (1, 255)
    assert spec.default == "(none; required)"
    assert spec.known_in("1.2.2") and spec.known_in("master")


def test_advert_int_float_range() -> None:
    spec = load_schema().lookup("vrrp_instance", "advert_int")
    assert spec is not None
    assert spec.min == pytest.approx(0.01)
    assert spec.max == 255
    assert spec.arg_type == "time"
    assert spec.default == "1"


def test_state_choices() -> None:
    spec = load_schema().lookup("vrrp_instance", "state")
    assert spec is not None
    assert spec.choices == ("MASTER", "BACKUP")
    assert spec.min is None and spec.max is None


@pytest.mark.parametrize(
    ("path", "kw", "lo", "hi"),
    [
        ("global_defs", "vrrp_priority", -20, 19),
        ("global_defs", "nftables_priority", -2147483648, 2147483647),
        ("vrrp_script", "weight", -253, 253),
        ("bfd_instance", "max_hops", -1, 255),
        ("global_defs", "vrrp_cpu_affinity", 0, None),  # "0..(number of CPUs - 1)"
        ("global_defs", "max_auto_priority", -1, 99),
        ("global_defs", "lvs_timeouts", 0, 2678400),  # generator override
    ],
)
def test_signed_and_open_ranges(path: str, kw: str, lo: float, hi: float | None) -> None:
    spec = load_schema().lookup(path, kw)
    assert spec is not None
    assert (spec.min, spec.max) == (lo, hi)


def test_bool_and_odd_enums_keep_choices_as_given() -> None:
    sch = load_schema()
    smtp = sch.lookup("global_defs", "smtp_alert")
    assert smtp is not None and smtp.choices == ("true", "false", "on", "off", "yes", "no")
    http = sch.lookup("virtual_server/real_server/HTTP_GET", "http_protocol")
    assert http is not None and http.choices == ("1.0", "1.1", "1.0C", "1.0c")
    assert http.min is None
    flush = sch.lookup("global_defs", "lvs_flush_on_stop")
    assert flush is not None and flush.choices == ("VS",)
    iface = sch.lookup("vrrp_instance", "interface")
    assert iface is not None and iface.choices is None and iface.min is None
    assert iface.range_text == "interface name, max 15 chars (IFNAMSIZ-1)"


def test_deprecation_and_aliases() -> None:
    sch = load_schema()
    vtf = sch.lookup("", "vrrp_track_file")
    assert vtf is not None and vtf.deprecated and vtf.replacement == "track_file"
    vgi = sch.lookup("vrrp_instance", "vmac_garp_intvl")
    assert vgi is not None and vgi.deprecated and vgi.replacement == "garp_extra_if"
    sched = sch.lookup("virtual_server", "lvs_sched")
    assert sched is not None and sched.alias_of == "lb_algo" and sched.deprecated is None
    rtime = sch.lookup("global_defs", "vrrp_rlimit_rtime")
    assert rtime is not None and rtime.replacement == rtime.alias_of == "vrrp_rlimit_rttime"
    lpn = sch.lookup("global_defs", "lvs_process_name")  # replacement from the notes
    assert lpn is not None and lpn.replacement == "checker_process_name"
    nb = sch.lookup("virtual_server/real_server/HTTP_GET", "nb_get_retry")
    assert nb is not None and nb.deprecated and nb.replacement == "retry"
    # overrides: a source comment is not a deprecation; SSL_GET is not an alias
    tte = sch.lookup("vrrp_instance", "thread_timer_expired")
    assert tte is not None and tte.replacement == "timer_expired_backup"
    ssl = sch.lookup("virtual_server/real_server", "SSL_GET")
    assert ssl is not None and ssl.alias_of is None and ssl.is_section
    ops = sch.lookup("virtual_server", "ops")
    assert ops is not None and ops.arg_type == "none" and ops.choices is None
    assert sch.lookup("vrrp_instance", "priority").deprecated is None  # type: ignore[union-attr]


def test_blocks_and_named() -> None:
    sch = load_schema()
    vi = sch.lookup("", "vrrp_instance")
    assert vi is not None and vi.is_section and vi.named and vi.child_path == "vrrp_instance"
    vip = sch.lookup("vrrp_instance", "virtual_ipaddress")
    assert vip is not None and vip.is_value_block and not vip.is_section
    url = sch.lookup("virtual_server/real_server/HTTP_GET", "url")
    assert url is not None and url.child_path == "virtual_server/real_server/HTTP_GET/url"
    assert not url.named


def test_block_mapping_and_unknown_paths() -> None:
    sch = load_schema()
    vi = sch.block("vrrp_instance")
    assert "priority" in vi and isinstance(vi["priority"], KeywordSpec)
    assert sch.block("/vrrp_instance/") is vi
    assert len(sch.block("no_such_block")) == 0
    assert sch.lookup("no_such_block", "priority") is None
    assert sch.lookup("vrrp_instance", "no_such_keyword") is None
    with pytest.raises(TypeError):
        vi["x"] = vi["priority"]  # type: ignore[index]


def test_suggest() -> None:
    sch = load_schema()
    assert sch.suggest("vrrp_instance", "priorty") == "priority"
    assert sch.suggest("vrrp_instance", "Priority") == "priority"
    assert sch.suggest("vrrp_instance", "virtual_ipadress") == "virtual_ipaddress"
    assert sch.suggest("vrrp_instance", "qqqqqqqq") is None
    assert sch.suggest("no_such_block", "priority") is None


def test_spec_is_frozen() -> None:
    spec = load_schema().all()[0]
    with pytest.raises(AttributeError):
        spec.name = "x"  # type: ignore[misc]


# --------------------------------------------------------------------------- versions


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("1.2.2", "1.2.2"),
        ("2.2.7", "2.2.7"),
        ("master", "master"),
        ("Current", "master"),
        ("latest", "master"),
        ("2.0.20", "1.2.2"),
        ("2.2", "1.2.2"),
        ("1.1.0", "1.2.2"),
        ("v2.2.7", "2.2.7"),
        ("2.2.7.0", "2.2.7"),
        ("2.2.8", "master"),
        ("2.3.1", "master"),
        ("3", "master"),
        (" 2.2.7 ", "2.2.7"),
    ],
)
def test_normalize_version(given: str, expected: str) -> None:
    assert normalize_version(given) == expected


@pytest.mark.parametrize("junk", ["", "foo", "2.2.x", "2..2", "2.2.7-rc1", "v", "1.2.2 beta"])
def test_normalize_version_rejects_junk(junk: str) -> None:
    with pytest.raises(ValueError, match="invalid keepalived version"):
        normalize_version(junk)


def test_known_in() -> None:
    sch = load_schema()
    nat = sch.lookup("virtual_server", "nat_mask")  # 1.2.2 only
    assert nat is not None
    assert nat.known_in("1.2.2") and nat.known_in("2.0.20")
    assert not nat.known_in("2.2.7") and not nat.known_in("master")
    hmac = sch.lookup("vrrp_instance", "auth_hmac")  # master only
    assert hmac is not None
    assert hmac.known_in("2.3.0") and not hmac.known_in("2.2.7")
    with pytest.raises(ValueError):
        hmac.known_in("nope")


# --------------------------------------------------------------------------- loading


def test_load_schema_is_cached() -> None:
    # (its speed is part of lint start-up, measured by bench/parse_speed.py, not here:
    # a timed assertion in a unit test fails on a busy machine)
    assert load_schema() is load_schema()
    assert Schema.from_data(json.loads(GRAMMAR.read_text(encoding="utf-8"))) is not None


def test_grammar_resolves_via_package_and_fallback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The installed data package and the source-tree fallback give the same text."""
    fallback_text = GRAMMAR.read_text(encoding="utf-8")
    monkeypatch.setitem(sys.modules, "kaconf_grammars", None)  # "not installed"
    assert schema._read_grammar_text() == fallback_text

    (tmp_path / "kaconf_grammars").symlink_to(REPO / "grammars", target_is_directory=True)
    monkeypatch.delitem(sys.modules, "kaconf_grammars")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert schema._read_grammar_text() == fallback_text
    mod = sys.modules["kaconf_grammars"]
    assert Path(mod.__file__ or "").resolve().parent == (REPO / "grammars").resolve()


def test_from_data_rejects_unknown_format() -> None:
    with pytest.raises(ValueError, match="unsupported grammar format"):
        Schema.from_data({"format": 999, "blocks": {}})


# --------------------------------------------------------------------------- (c) command


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    from kaconf.cli import keywords

    args = build_parser(["keywords", *argv]).parse_args(["keywords", *argv])
    assert args.func is keywords.run
    rc = keywords.run(args)
    out, err = capsys.readouterr()
    return rc, out, err


def test_cmd_text_lists_everything(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _run(capsys)
    assert rc == 0 and err == ""
    lines = out.splitlines()
    assert len(lines) == len(load_schema())
    root = [ln for ln in lines if ln.startswith("(root)")]
    assert any(" vrrp_instance " in ln for ln in root)


def test_cmd_text_substring(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = _run(capsys, "virtual_router_id")
    assert rc == 0
    (line,) = out.splitlines()
    cols = line.split()
    assert cols[:3] == ["vrrp_instance", "virtual_router_id", "<vrid>"]
    assert "[1.2.2,2.2.7,master]" in line


def test_cmd_text_shows_deprecation(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = _run(capsys, "vrrp_track_file")
    assert rc == 0
    root_line = next(ln for ln in out.splitlines() if ln.startswith("(root)"))
    assert "[deprecated: deprecated synonym of track_file" in root_line


def test_cmd_glob_matches_name_and_path(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = _run(capsys, "--format", "json", "*rlimit_rt*me")
    assert rc == 0
    names = {d["keyword"] for d in json.loads(out)}
    assert names == {
        f"{p}_rlimit_{s}" for p in ("vrrp", "checker", "bfd") for s in ("rtime", "rttime")
    }

    rc, out, _ = _run(capsys, "--format", "json", "virtual_server/real_server/HTTP_GET/url/*")
    assert rc == 0
    data = json.loads(out)
    assert {d["block_path"] for d in data} == {"virtual_server/real_server/HTTP_GET/url"}
    assert "status_code" in {d["keyword"] for d in data}


def test_cmd_json_fields(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = _run(capsys, "--format", "json", "vrrp_instance/priority")
    assert rc == 0
    (item,) = json.loads(out)
    assert item["block_path"] == "vrrp_instance"
    assert item["keyword"] == "priority"
    assert (item["min"], item["max"]) == (1, 255)
    assert item["versions"] == ["1.2.2", "2.2.7", "master"]
    assert item["deprecated"] is None


def test_cmd_target_version_filters(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = _run(capsys, "--format", "json", "--target-version", "1.2.2", "nat_mask")
    assert rc == 0 and [d["keyword"] for d in json.loads(out)] == ["nat_mask"]

    rc, out, err = _run(capsys, "--target-version", "2.2.7", "nat_mask")
    assert rc == 1 and out == "" and "no keywords" in err

    rc, out, _ = _run(capsys, "--format", "json", "--target-version", "2.2.7")
    data = json.loads(out)
    assert rc == 0 and all("2.2.7" in d["versions"] for d in data)
    assert len(data) == sum(1 for r in _tsv_rows() if r["in_2.2.7"] == "yes")


def test_cmd_no_match_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _run(capsys, "definitely_not_a_keyword")
    assert rc == 1 and out == "" and "no keywords matching" in err
    rc, out, _ = _run(capsys, "--format", "json", "definitely_not_a_keyword")
    assert rc == 1 and json.loads(out) == []


def test_cmd_bad_version_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _run(capsys, "--target-version", "banana", "priority")
    assert rc == 2 and out == "" and "invalid keepalived version 'banana'" in err


# --------------------------------------------------------------------------- (d) generator


def _load_generator() -> ModuleType:
    return load_tool("gen_grammar")


def test_generator_is_deterministic_and_committed_file_is_fresh(tmp_path: Path) -> None:
    gen = _load_generator()
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert gen.main(["--tsv", str(TSV), "--output", str(first), "--quiet"]) == 0
    assert gen.main(["--tsv", str(TSV), "--output", str(second), "--quiet"]) == 0
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() == GRAMMAR.read_bytes(), (
        "grammars/keepalived.json is stale: run python tools/gen_grammar.py"
    )
    assert gen.main(["--tsv", str(TSV), "--output", str(GRAMMAR), "--check", "--quiet"]) == 0


def test_generator_merges_duplicate_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gen = _load_generator()
    lines = TSV.read_text(encoding="utf-8").splitlines()
    header = lines[0]
    row = next(ln for ln in lines if ln.startswith("virtual_server\tnat_mask\t"))
    dup = row.split("\t")
    dup[6:9] = ["no", "no", "yes"]  # same (block, keyword), other versions
    small = tmp_path / "small.tsv"
    small.write_text("\n".join([header, row, "\t".join(dup)]) + "\n", encoding="utf-8")
    warnings: list[str] = []
    monkeypatch.setattr(gen, "OVERRIDES", {})  # they refer to rows this small table lacks
    grammar = gen.build_grammar(small, warnings)
    rec = grammar["blocks"]["virtual_server"]["keywords"]["nat_mask"]
    assert rec["versions"] == ["1.2.2", "master"]
    assert "merged duplicate TSV rows" in rec["notes"]
    assert any("merged duplicate" in w for w in warnings)


def test_generator_rejects_stale_override(tmp_path: Path) -> None:
    gen = _load_generator()
    lines = TSV.read_text(encoding="utf-8").splitlines()
    small = tmp_path / "small.tsv"
    small.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    with pytest.raises(KeyError, match="stale override"):
        gen.build_grammar(small, [])


@pytest.mark.parametrize(
    ("text", "arg_type", "expected"),
    [
        ("1-255", "int", (1, 255, None)),
        ("0.01-255", "time", (0.01, 255, None)),
        ("-253..253", "int", (-253, 253, None)),
        ("-253-253", "int", (-253, 253, None)),
        ("-2147483648-2147483647", "int", (-2147483648, 2147483647, None)),
        ("0..(number of CPUs - 1)", "int", (0, None, None)),
        ("MASTER|BACKUP", "enum", (None, None, ["MASTER", "BACKUP"])),
        ("2|3", "enum", (None, None, ["2", "3"])),
        ("VS", "enum", (None, None, ["VS"])),
        ("directory path", "path", (None, None, None)),
        ("max 15 chars (TASK_COMM_LEN-1)", "string", (None, None, None)),
        ("", "int", (None, None, None)),
    ],
)
def test_generator_parse_range(text: str, arg_type: str, expected: tuple[object, ...]) -> None:
    assert _load_generator().parse_range(text, arg_type) == expected
