"""Bad input never crashes: clear findings with positions, exit 1 or 2, no traceback."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kaconf
from kaconf.cli import main
from tests.support.paths import FIXTURES

CORPUS = sorted(
    [p for p in (FIXTURES / "corpus" / "keepalived-samples").glob("keepalived.conf.*")]
    + list((FIXTURES / "corpus" / "dumps").glob("*.conf"))
    + list((FIXTURES / "validation").glob("*.conf"))
)


def _lint(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["lint", "--format", "json", *args])
    out, err = capsys.readouterr()
    return status, out, err


CASES: dict[str, bytes] = {
    "unbalanced_open": b"vrrp_instance V {\n interface eth0\n",
    "unbalanced_close": b"}\n}\n",
    "bad_values": b"vrrp_instance V {\n priority lots\n advert_int -3\n virtual_router_id x\n}\n",
    "unknown_kw": b"vrrp_instanse V {\n}\n",
    "binary_junk": bytes(random.Random(1).randrange(256) for _ in range(5000)),
    "nul_bytes": b"global_defs {\x00\n router_id a\x00b\n}\n",
    "long_line": b"global_defs {\n router_id " + b"x" * (1024 * 1024) + b"\n}\n",
    "unterminated_quote": b'vrrp_script s {\n script "/bin/true\n}\n',
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_reports_not_raises(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    p = tmp_path / f"{name}.conf"
    p.write_bytes(CASES[name])
    status, out, err = _lint(capsys, str(p))
    assert status == 1, (status, out, err)
    assert "Traceback" not in err
    import json

    diags = json.loads(out)["diagnostics"]
    assert diags and all(d["line"] >= 1 and d["column"] >= 1 for d in diags)
    assert all(d["hint"] for d in diags), diags


def test_non_utf8_bytes_are_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # keepalived takes any bytes in a value; kaconf reads them (replacing what is not UTF-8)
    p = tmp_path / "latin1.conf"
    p.write_bytes(b"global_defs {\n router_id caf\xe9\n}\n")
    assert _lint(capsys, str(p))[0] == 0
    assert kaconf.load(str(p)).global_defs.router_id == "caf\ufffd"


def test_empty_file_is_fine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "empty.conf"
    p.write_bytes(b"")
    assert _lint(capsys, str(p))[0] == 0


def test_missing_and_unreadable_files_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = _lint(capsys, str(tmp_path / "absent.conf"))
    assert status == 2 and "Traceback" not in err
    status, out, err = _lint(capsys, str(tmp_path))  # a directory cannot be read as a file
    assert status == 2
    if os.geteuid() != 0:
        p = tmp_path / "secret.conf"
        p.write_text("global_defs {\n}\n")
        p.chmod(0)
        assert _lint(capsys, str(p))[0] == 2


def test_include_loop_terminates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.conf").write_text("include b.conf\n")
    (tmp_path / "b.conf").write_text("include a.conf\n")
    status, out, _ = _lint(capsys, str(tmp_path / "a.conf"))
    assert status == 1 and "KA003" in out


def test_dump_bad_input_no_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "junk.conf"
    p.write_bytes(CASES["binary_junk"])
    status = main(["dump", "--format", "json", str(p)])
    _, err = capsys.readouterr()
    assert status == 0 and "Traceback" not in err


_corpus_texts = [p.read_bytes() for p in CORPUS]


@st.composite
def mutated_config(draw: st.DrawFn) -> bytes:
    """A corpus file with a few random edits: deletions, duplications, junk, swaps."""
    data = bytearray(draw(st.sampled_from(_corpus_texts)))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["delete", "insert", "dup_line", "swap", "brace"]))
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        if op == "delete":
            j = min(len(data), i + draw(st.integers(1, 40)))
            del data[i:j]
        elif op == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=20))
        elif op == "dup_line":
            s = data.rfind(b"\n", 0, i) + 1
            e = data.find(b"\n", i)
            e = len(data) if e < 0 else e
            data[e:e] = b"\n" + data[s:e]
        elif op == "swap":
            j = draw(st.integers(0, len(data) - 1))
            data[i], data[j] = data[j], data[i]
        else:
            data[i:i] = draw(st.sampled_from([b"{", b"}", b"\n{\n", b"\n}\n", b'"', b"$X",
                                              b"@n ", b"~SEQ(i,3) ", b"include x\n", b"\\"]))
    return bytes(data)


@settings(max_examples=2000, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_config())
def test_fuzz_mutated_corpus_never_crashes(data: bytes) -> None:
    loaded = kaconf.load_full("fuzz.conf", data=data, config_id="n")
    for d in loaded.diagnostics:
        assert d.span.line >= 1 and d.span.col >= 1
        assert d.message
    from kaconf.dump.json_dump import dump_json

    dump_json(loaded.config)
