"""``kaconf keywords`` shows the keyword descriptions of grammars/descriptions.json.

Text output stays one keyword per line by default (greppable); ``--describe``
adds the description on an indented line below each keyword.  JSON output
always carries a ``description`` field.
"""

from __future__ import annotations

import json

import pytest

from kaconf.cli import main
from kaconf.exitstatus import ExitStatus
from kaconf.schema import keyword_description, load_schema


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    rc = main(["keywords", *argv])
    out, err = capsys.readouterr()
    assert err == ""
    return rc, out


def test_default_text_has_no_description_lines(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out = _run(capsys, "virtual_router_id")
    assert rc == ExitStatus.OK
    (line,) = out.splitlines()
    assert line.split()[:2] == ["vrrp_instance", "virtual_router_id"]


def test_describe_adds_an_indented_line_per_keyword(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out = _run(capsys, "--describe", "virtual_router_id")
    assert rc == ExitStatus.OK
    keyword_line, description_line = out.splitlines()
    assert keyword_line.startswith("vrrp_instance")
    expected = keyword_description("vrrp_instance", "virtual_router_id")
    assert expected and description_line == "    " + expected


def test_describe_short_option_and_every_keyword(capsys: pytest.CaptureFixture[str]) -> None:
    """-d on the whole schema: keyword and description lines alternate, none missing."""
    rc, out = _run(capsys, "-d")
    assert rc == ExitStatus.OK
    lines = out.splitlines()
    assert len(lines) == 2 * len(load_schema())
    keyword_lines, description_lines = lines[0::2], lines[1::2]
    assert not any(ln.startswith(" ") for ln in keyword_lines)
    assert all(ln.startswith("    ") and ln.strip() for ln in description_lines)
    assert "(no description)" not in out


def test_describe_keeps_keyword_lines_greppable(capsys: pytest.CaptureFixture[str]) -> None:
    """Dropping indented lines gives exactly the plain listing."""
    _, plain = _run(capsys, "garp")
    _, described = _run(capsys, "-d", "garp")
    kept = [ln for ln in described.splitlines() if not ln.startswith(" ")]
    assert kept == plain.splitlines()


def test_json_has_description_field(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out = _run(capsys, "--format", "json", "neighbour_ip")
    assert rc == ExitStatus.OK
    (entry,) = json.loads(out)
    assert entry["keyword"] == "neighbour_ip"
    assert entry["description"] == keyword_description("bfd_instance", "neighbour_ip")
    assert "`neighbor_ip`" in entry["description"]


def test_json_description_for_every_keyword(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out = _run(capsys, "--format", "json")
    assert rc == ExitStatus.OK
    entries = json.loads(out)
    assert len(entries) == len(load_schema())
    assert all(isinstance(e["description"], str) and e["description"] for e in entries)


def test_missing_description_is_shown_as_such(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A keyword added to the grammar before its prose: text says so, JSON gives null."""
    from kaconf.cli import keywords

    monkeypatch.setattr(keywords, "keyword_description", lambda path, name: None)
    _, out = _run(capsys, "-d", "virtual_router_id")
    assert out.splitlines()[1] == "    (no description)"
    _, out = _run(capsys, "--format", "json", "virtual_router_id")
    assert json.loads(out)[0]["description"] is None
