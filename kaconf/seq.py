"""``~SEQ(...)`` and ``~LST(...)`` line repetition (keepalived 2.x).

The header is a small grammar of its own (a function name, a parenthesised,
comma-separated argument list whose items may be numbers, ``$definitions`` or
``{a,b}`` groups), so it is parsed with pyparsing; it only runs on lines that
start with ``~``, which keeps pyparsing off the hot path.
"""

from __future__ import annotations

import functools
import re

import pyparsing as pp


@functools.cache
def _grammar() -> pp.ParserElement:
    name = pp.Regex(r"~(SEQx|SEQ|LST)")("func")
    group = pp.Regex(r"\{[^{}]*\}")
    item = group | pp.Regex(r"[^,()\s{}]+")
    args = pp.Suppress("(") + pp.Optional(pp.DelimitedList(item))("args") + pp.Suppress(")")
    return name + args + pp.Regex(r".*")("rest")


def _number(text: str, defs: dict[str, str]) -> int:
    if text.startswith("$"):
        key = text[2:-1] if text.startswith("${") else text[1:]
        if key not in defs:
            raise ValueError(f"~SEQ parameter '{text}' is not a defined single-line $definition")
        text = defs[key]
    try:
        return int(text, 0)
    except ValueError:
        raise ValueError(f"Invalid ~SEQ value '{text}': not an integer") from None


def expand_seq(line: str, defs: dict[str, str]) -> tuple[str, list[str], str] | None:
    """Parse a ``~SEQ``/``~LST`` line.

    Returns (variable, values, rest of line) or None if the line is not a
    repetition at all (keepalived passes such ``~`` lines through unchanged).
    Raises ValueError with keepalived's wording for invalid sequences.
    """
    if not re.match(r"~(SEQx?|LST)\(", line):
        return None
    try:
        res = _grammar().parse_string(line, parse_all=True)
    except pp.ParseException as exc:
        raise ValueError(f"Invalid {line.split('(')[0]} specification: {exc.msg}") from None
    func = res["func"][1:]
    args = [str(a).strip() for a in res.get("args", [])]
    rest = str(res["rest"]).strip()
    if not args:
        raise ValueError(f"~{func} needs a variable name")
    var = args[0]
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", var):
        raise ValueError(f"~{func} variable name '{var}' is invalid")
    if func == "LST":
        values = [a.strip("{}") for a in args[1:]]
        if not values:
            raise ValueError("~LST specification has no values")
        return var, values, rest
    nums = [_number(a, defs) for a in args[1:]]
    if len(nums) == 1:
        end = nums[0]
        start, step = (1, 1) if end >= 0 else (-1, -1)
    elif len(nums) == 2:
        start, end = nums
        step = 1 if end >= start else -1
    elif len(nums) == 3:
        start, step, end = nums
    else:
        raise ValueError(f"Invalid ~{func} values: expected 1 to 3 numbers, got {len(nums)}")
    if step == 0 or (end - start) * step < 0:
        raise ValueError("Invalid ~SEQ values")
    if func == "SEQx" and (start < 0 or end < 0):
        raise ValueError("~SEQx is only valid for positive numbers")
    count = (end - start) // step + 1
    if count > 100_000:
        raise ValueError(f"~{func} would produce {count} lines; refusing (limit 100000)")
    fmt = "{:x}" if func == "SEQx" else "{}"
    return var, [fmt.format(start + i * step) for i in range(count)], rest
