"""``kaconf migrate``: renames, syntax, refusals, --check/--diff, the seed pair and the corpus.

The meaning check is the dump: before (read as --from reads it) and after (read
as --to reads it) must be identical; every test that migrates checks it again
here, independently of the command's own check.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kaconf.cli import main
from kaconf.fix.meaning import dump_files
from kaconf.fix.migrate import migrate
from tests.support.paths import EXAMPLES, FIXTURES

CORPUS = sorted(p for p in (FIXTURES / "corpus").rglob("*")
                if p.is_file() and p.suffix not in (".md", ".dump"))

OLD = """! written for keepalived 1.2.2
global_defs
{
   router_id lb#1    # the first balancer
}
virtual_server 10.0.0.10 80 {
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 10.0.1.1 80 {
        HTTP_GET {
            url {
                path /index.html
            }
            nb_get_retry 3
        }
    }
}
"""
NEW = OLD.replace("lb#1", "lb\\#1").replace("nb_get_retry", "retry")


@pytest.fixture(autouse=True)
def _isolate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no settings file of the checkout


def _same_meaning(path: Path, original: str, source: str, target: str) -> bool:
    before = dump_files(["orig.conf"], version=source,
                        overlay={"orig.conf": original.encode()})
    return before == dump_files([str(path)], version=target)


def test_renames_and_comment_characters(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    conf = tmp_path / "keepalived.conf"
    conf.write_text(OLD)
    assert main(["migrate", "--from", "1.2.2", "--to", "2.2.7", str(conf)]) == 0
    out = capsys.readouterr().out
    assert conf.read_text() == NEW
    assert f"{conf}:4:14: escape the comment characters of 'lb#1'" in out
    assert f"{conf}:15:13: rename 'nb_get_retry' to 'retry'" in out
    assert _same_meaning(conf, OLD, "1.2.2", "2.2.7")
    # without the escape 2.2.7 would read router_id 'lb'
    assert dump_files(["o"], version="1.2.2", overlay={"o": OLD.encode()}) != \
        dump_files(["o"], version="2.2.7", overlay={"o": OLD.encode()})


def test_check_and_diff_write_nothing(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    conf = tmp_path / "keepalived.conf"
    conf.write_text(OLD)
    assert main(["migrate", "--from", "1.2.2", "--to", "2.2.7", "--check", str(conf)]) == 1
    assert main(["migrate", "--from", "1.2.2", "--to", "2.2.7", "--diff", str(conf)]) == 1
    out = capsys.readouterr().out
    assert "-            nb_get_retry 3\n+            retry 3\n" in out
    assert conf.read_text() == OLD
    conf.write_text(NEW)
    assert main(["migrate", "--from", "2.2.7", "--to", "master", "--check", str(conf)]) == 0


def test_unsupported_keyword_is_refused_with_its_line(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    conf = tmp_path / "keepalived.conf"
    text = OLD.replace("    lb_algo rr\n", "    lb_algo rr\n    nat_mask 255.255.255.0\n")
    conf.write_text(text)
    assert main(["migrate", "--from", "1.2.2", "--to", "2.2.7", str(conf)]) == 1
    err = capsys.readouterr().err
    assert f"{conf}:8:5: not supported by keepalived 2.2.7" in err and "nat_mask" in err
    assert "nothing written" in err
    assert conf.read_text() == text


def test_a_meaning_change_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conf = tmp_path / "keepalived.conf"
    # 1.2.2 has no $definitions: its router id is '$LB', 2.2.7's is 'lb1'
    text = "$LB=lb1\n" + OLD.replace("lb#1", "$LB")
    conf.write_text(text)
    assert main(["migrate", "--from", "1.2.2", "--to", "2.2.7", str(conf)]) == 1
    err = capsys.readouterr().err
    assert "would not mean the same" in err and "Router ID" in err
    assert conf.read_text() == text


def test_includes_are_migrated(tmp_path: Path) -> None:
    conf = tmp_path / "keepalived.conf"
    conf.write_text("include sub/*.conf\n")
    (tmp_path / "sub").mkdir()
    sub = tmp_path / "sub" / "vs.conf"
    sub.write_text(OLD)
    assert main(["migrate", "--from", "1.2.2", "--to", "2.2.7", str(conf)]) == 0
    assert sub.read_text() == NEW and conf.read_text() == "include sub/*.conf\n"


@pytest.mark.parametrize("name", ["serverA.conf", "serverB.conf"])
def test_seed_pair(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conf = tmp_path / name
    shutil.copy(EXAMPLES / name, conf)
    original = conf.read_text()
    # 1.2.2 -> 2.2.7: the own-line braces mean the same to both readers: nothing to do
    assert main(["migrate", "--from", "1.2.2", "--to", "2.2.7", str(conf)]) == 0
    assert conf.read_text() == original and _same_meaning(conf, original, "1.2.2", "2.2.7")
    # 2.2.7 -> master
    assert main(["migrate", "--from", "2.2.7", "--to", "master", str(conf)]) == 0
    assert conf.read_text() == original and _same_meaning(conf, original, "2.2.7", "master")
    # and back to 1.2.2: the value block's '{' must join its keyword line there
    assert main(["migrate", "--from", "2.2.7", "--to", "1.2.2", str(conf)]) == 0
    assert "virtual_ipaddress {\n" in conf.read_text()
    assert _same_meaning(conf, original, "2.2.7", "1.2.2")
    assert "move '{' to the virtual_ipaddress line" in capsys.readouterr().out


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
@pytest.mark.parametrize(("source", "target"), [("1.2.2", "2.2.7"), ("2.2.7", "master")])
def test_corpus(path: Path, source: str, target: str) -> None:
    m = migrate([str(path)], source=source, target=target, config_id="lb1")
    assert m.ok, (m.unsupported, m.dump_diff)
    after = {**{f: path.read_bytes() for f in [str(path)]}, **m.run.fixed}
    assert dump_files([str(path)], version=source, config_id="lb1") == \
        dump_files([str(path)], version=target, config_id="lb1", overlay=after)


def test_bad_versions_and_stdin(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", "--to", "nonsense", "x.conf"]) == 2
    assert main(["migrate", "--to", "2.2.7", "-"]) == 2
    capsys.readouterr()


def test_dump_reads_as_the_target_version(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    conf = tmp_path / "keepalived.conf"
    conf.write_text(OLD)
    assert main(["dump", "--target-version", "1.2.2", str(conf)]) == 0
    assert " Router ID = lb#1\n" in capsys.readouterr().out
    assert main(["dump", str(conf)]) == 0
    assert " Router ID = lb\n" in capsys.readouterr().out
    assert main(["dump", "--target-version", "x", str(conf)]) == 2
