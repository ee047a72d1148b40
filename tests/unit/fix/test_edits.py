"""Pure text edits: positions, line endings, overlap, bytes."""

from __future__ import annotations

import pytest

from kaconf.diagnostics import Edit
from kaconf.fix.edits import EditError, apply_edits, apply_to_bytes, edits_overlap, offset


def E(line: int, col: int, end_line: int, end_col: int, text: str = "", file: str = "f"
      ) -> Edit:
    return Edit(file, line, col, end_line, end_col, text)


def test_replace_keeps_everything_else() -> None:
    text = "a {\r\n    priorty 100  # c\r\n}\r\n"
    assert apply_edits(text, [E(2, 5, 2, 12, "priority")]) == \
        "a {\r\n    priority 100  # c\r\n}\r\n"


def test_whole_lines_and_end_of_text() -> None:
    text = "one\ntwo\nthree\n"
    assert apply_edits(text, [E(2, 1, 3, 1)]) == "one\nthree\n"
    assert apply_edits(text, [E(3, 1, 4, 1)]) == "one\ntwo\n"  # the last line
    assert apply_edits("one\ntwo", [E(2, 1, 3, 1)]) == "one\n"  # no final newline
    assert offset(text, 3, 6) == len("one\ntwo\nthree")


def test_several_edits_are_applied_on_the_original_positions() -> None:
    text = "x 1\ny 2\nz 3\n"
    out = apply_edits(text, [E(3, 3, 3, 4, "30"), E(1, 1, 2, 1), E(2, 2, 2, 2, " new")])
    assert out == "y new 2\nz 30\n"


def test_bad_positions_and_overlaps_raise() -> None:
    with pytest.raises(EditError):
        apply_edits("ab\n", [E(1, 5, 1, 6)])
    with pytest.raises(EditError):
        apply_edits("ab\n", [E(3, 2, 3, 2)])
    with pytest.raises(EditError):
        apply_edits("abcd\n", [E(1, 1, 1, 3), E(1, 2, 1, 4)])
    with pytest.raises(EditError):
        apply_edits("abcd\n", [E(1, 2, 1, 2, "x"), E(1, 2, 1, 2, "y")])


def test_overlap() -> None:
    assert edits_overlap(E(1, 1, 1, 3), E(1, 2, 1, 4))
    assert not edits_overlap(E(1, 1, 1, 3), E(1, 3, 1, 4))  # they only meet
    assert not edits_overlap(E(1, 1, 1, 3), E(1, 1, 1, 3, file="g"))
    assert edits_overlap(E(1, 1, 1, 1, "x"), E(1, 1, 1, 1, "y"))
    assert not edits_overlap(E(1, 1, 1, 1, "x"), E(1, 1, 1, 3))


def test_bytes_must_be_utf8() -> None:
    assert apply_to_bytes("é 1\n".encode(), [E(1, 3, 1, 4, "2")]) == "é 2\n".encode()
    with pytest.raises(EditError, match="not UTF-8"):
        apply_to_bytes(b"\xff 1\n", [E(1, 3, 1, 4, "2")])
