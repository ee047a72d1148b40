"""Measure whether kaconf's reader sees broken configs the way keepalived's parser does.

keepalived's parser decides where every line of a file lands: which block a keyword is
read in, which lines a value block swallows, where a stray brace ends a section. kaconf
must make the same decisions, or ``kaconf lint`` reports problems at lines keepalived does
not and misses the ones it does, and ``kaconf dump`` shows instances keepalived never runs.

This tool measures that on the corpus (tests/fixtures/corpus, /work/shared/corpus) plus a
seeded set of mutations of those configs (missing and extra braces, inline block values,
``${}``/``#X#``/``<x>`` placeholders, CRLF, tabs, stray text, pasted shell prompts). For each
file it runs ``keepalived -t`` (in a throw-away network namespace, tests/support/oracle.py) and
``kaconf lint`` and reports

* verdict agreement: kaconf has an error exactly when ``keepalived -t`` exits non-zero;
* numbered-line coverage: of the lines keepalived reports as ``(Line N)``, the share where
  kaconf reports an error on the same line of the same file.

``python3 tools/agreement.py`` writes the figures into docs/agreement.md (between the
``reader-agreement`` markers); ``--seed``/``--count`` choose the generated set. The mutation
generator is importable (tests/oracle/test_reader_agreement.py runs a small fixed seed of it).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import random
import re
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIRS = (ROOT / "tests" / "fixtures" / "corpus" / "keepalived-samples",
               ROOT / "tests" / "fixtures" / "corpus" / "dumps",
               Path("/work/shared/corpus/keepalived-samples"))
DOC = ROOT / "docs" / "agreement.md"
BEGIN = "<!-- reader-agreement:begin -->"
END = "<!-- reader-agreement:end -->"

#: keepalived's message prefix: ``(Line N)`` or ``(FILE: Line N)``
_LINE_RE = re.compile(r"^\((?:(?P<file>[^:()]+): )?Line (?P<line>\d+)\) (?P<msg>.*)$")

Lines = list[str]
Mutation = Callable[[Lines, random.Random], Lines | None]


# -- the corpus -------------------------------------------------------------------------------


def corpus() -> list[tuple[str, str]]:
    """(name, text) of every corpus config, each text once (the corpora overlap)."""
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for d in CORPUS_DIRS:
        if not d.is_dir():
            continue
        for p in sorted(d.iterdir()):
            if not p.is_file() or p.suffix in (".md", ".tsv", ".dump", ".txt", ".sh"):
                continue
            text = p.read_text(encoding="utf-8", errors="replace")
            if text in seen or "include" in text:
                continue
            seen.add(text)
            out.append((p.name, text))
    return out


# -- mutations (each returns the new lines, or None when it does not apply) -------------------


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _opening(lines: Lines) -> list[int]:
    """Lines that open a block on the keyword line (``kw ... {``)."""
    return [i for i, ln in enumerate(lines)
            if ln.rstrip().endswith("{") and len(ln.split()) > 1 and "#" not in ln]


def _closing(lines: Lines) -> list[int]:
    return [i for i, ln in enumerate(lines) if ln.strip() == "}"]


def _plain(lines: Lines) -> list[int]:
    """Keyword lines with a value, no brace and no comment."""
    return [i for i, ln in enumerate(lines)
            if len(ln.split()) >= 2 and not set(ln) & set("{}#!\"")]


def _block_end(lines: Lines, i: int) -> int | None:
    """The line of the ``}`` closing the block opened at line ``i`` (brace counting)."""
    depth = 0
    for j in range(i, len(lines)):
        depth += lines[j].count("{") - lines[j].count("}")
        if depth == 0:
            return j
    return None


def drop_close(lines: Lines, rng: random.Random) -> Lines | None:
    idx = _closing(lines)
    if not idx:
        return None
    i = rng.choice(idx)
    return lines[:i] + lines[i + 1:]


def drop_open(lines: Lines, rng: random.Random) -> Lines | None:
    idx = _opening(lines)
    if not idx:
        return None
    i = rng.choice(idx)
    return lines[:i] + [lines[i].rstrip()[:-1].rstrip()] + lines[i + 1:]


def extra_close(lines: Lines, rng: random.Random) -> Lines | None:
    i = rng.randrange(len(lines) + 1)
    ref = lines[i - 1] if i else ""
    return lines[:i] + [_indent(ref) + "}"] + lines[i:]


def extra_open(lines: Lines, rng: random.Random) -> Lines | None:
    idx = _plain(lines)
    if not idx:
        return None
    i = rng.choice(idx)
    return lines[:i] + [lines[i].rstrip() + " {"] + lines[i + 1:]


def own_line_open(lines: Lines, rng: random.Random) -> Lines | None:
    """Accepted by keepalived: the ``{`` on the next line."""
    idx = _opening(lines)
    if not idx:
        return None
    i = rng.choice(idx)
    head = lines[i].rstrip()[:-1].rstrip()
    return lines[:i] + [head, _indent(lines[i]) + "{"] + lines[i + 1:]


def inline_block(lines: Lines, rng: random.Random) -> Lines | None:
    """``virtual_ipaddress { 10.0.0.1 }``: a one-item block written on one line."""
    idx = [i for i in _opening(lines) if i + 2 < len(lines)
           and lines[i + 2].strip() == "}" and "{" not in lines[i + 1]
           and "}" not in lines[i + 1] and lines[i + 1].strip()]
    if not idx:
        return None
    i = rng.choice(idx)
    return lines[:i] + [f"{lines[i].rstrip()} {lines[i + 1].strip()} }}"] + lines[i + 3:]


def inline_head(lines: Lines, rng: random.Random) -> Lines | None:
    """``vrrp_instance X { state MASTER``: the first statement on the opening line."""
    idx = [i for i in _opening(lines) if i + 1 < len(lines) and lines[i + 1].strip()
           and "{" not in lines[i + 1] and "}" not in lines[i + 1]]
    if not idx:
        return None
    i = rng.choice(idx)
    return lines[:i] + [f"{lines[i].rstrip()} {lines[i + 1].strip()}"] + lines[i + 2:]


def value_no_brace(lines: Lines, rng: random.Random) -> Lines | None:
    """``notification_email admin@example.com``: a block written as a keyword with a value."""
    idx = [i for i in _opening(lines) if i + 1 < len(lines) and lines[i + 1].strip()
           and not set(lines[i + 1]) & set("{}")]
    if not idx:
        return None
    i = rng.choice(idx)
    end = _block_end(lines, i)
    if end is None:
        return None
    head = lines[i].rstrip()[:-1].rstrip()
    return lines[:i] + [f"{head} {lines[i + 1].strip()}"] + lines[end + 1:]


def _replace_value(lines: Lines, rng: random.Random, make: Callable[[str, str], str]
                   ) -> Lines | None:
    idx = _plain(lines)
    if not idx:
        return None
    i = rng.choice(idx)
    words = lines[i].split()
    j = rng.randrange(1, len(words))
    words[j] = make(words[0], words[j])
    return lines[:i] + [_indent(lines[i]) + " ".join(words)] + lines[i + 1:]


def dollar_placeholder(lines: Lines, rng: random.Random) -> Lines | None:
    """``${IFACE:-eth0}`` (shell syntax keepalived does not know: its ``{`` opens a block)."""
    forms = ["${{{K}:-{v}}}", "${{{K}}}", "${{{K}-{v}}}", "$" + "{K}"]
    form = rng.choice(forms)
    return _replace_value(lines, rng, lambda k, v: form.format(K=k.upper(), v=v))


def hash_placeholder(lines: Lines, rng: random.Random) -> Lines | None:
    """``#VALUE#`` (a template marker that keepalived reads as a comment)."""
    return _replace_value(lines, rng, lambda k, v: f"#{k.upper()}#")


def angle_placeholder(lines: Lines, rng: random.Random) -> Lines | None:
    """``<value>`` (a documentation placeholder left in)."""
    return _replace_value(lines, rng, lambda k, v: f"<{k.lower()}>")


def crlf(lines: Lines, rng: random.Random) -> Lines | None:
    return [ln + "\r" for ln in lines]


def tabs(lines: Lines, rng: random.Random) -> Lines | None:
    out = []
    for ln in lines:
        ind = _indent(ln)
        body = ln[len(ind):]
        if rng.random() < 0.3:
            body = body.replace(" ", "\t", 1)
        out.append("\t" * (len(ind.expandtabs(4)) // 4) + body)
    return out


_STRAY = ["asdf", "EOF", ":wq", "-", "...", "TODO fix this", "'", "end", "x"]


def stray_text(lines: Lines, rng: random.Random) -> Lines | None:
    i = rng.randrange(len(lines) + 1)
    if rng.random() < 0.3 and _closing(lines):
        j = rng.choice(_closing(lines))
        return lines[:j] + [lines[j] + " " + rng.choice(_STRAY)] + lines[j + 1:]
    ref = lines[i - 1] if i else ""
    return lines[:i] + [_indent(ref) + rng.choice(_STRAY)] + lines[i:]


_PROMPTS = ["root@lb1:~# vi /etc/keepalived/keepalived.conf",
            "[root@lb1 ~]# cat /etc/keepalived/keepalived.conf",
            "$ sudo systemctl reload keepalived",
            "admin@lb1:~$ cat keepalived.conf",
            "lb1> show running-config"]


def shell_prompt(lines: Lines, rng: random.Random) -> Lines | None:
    i = rng.choice([0, 0, rng.randrange(len(lines) + 1)])
    return lines[:i] + [rng.choice(_PROMPTS)] + lines[i:]


def misspelt_block(lines: Lines, rng: random.Random) -> Lines | None:
    """``vrrp_instanc VI_1 {``: a block whose keyword keepalived does not know."""
    idx = _opening(lines)
    if not idx:
        return None
    i = rng.choice(idx)
    ind = _indent(lines[i])
    words = lines[i].split()
    kw = words[0]
    words[0] = kw[:-1] if len(kw) > 3 else kw + "x"
    return lines[:i] + [ind + " ".join(words)] + lines[i + 1:]


def quoted_brace(lines: Lines, rng: random.Random) -> Lines | None:
    """A brace in a quoted value or after a comment: not a brace for keepalived."""
    idx = _plain(lines)
    if not idx:
        return None
    i = rng.choice(idx)
    extra = rng.choice([' "{"', " # }", " ! {", ' "a } b"'])
    return lines[:i] + [lines[i].rstrip() + extra] + lines[i + 1:]


MUTATIONS: dict[str, Mutation] = {
    "drop-close": drop_close,
    "drop-open": drop_open,
    "extra-close": extra_close,
    "extra-open": extra_open,
    "own-line-open": own_line_open,
    "inline-block": inline_block,
    "inline-head": inline_head,
    "value-no-brace": value_no_brace,
    "dollar-placeholder": dollar_placeholder,
    "hash-placeholder": hash_placeholder,
    "angle-placeholder": angle_placeholder,
    "crlf": crlf,
    "tabs": tabs,
    "stray-text": stray_text,
    "shell-prompt": shell_prompt,
    "misspelt-block": misspelt_block,
    "quoted-brace": quoted_brace,
}


@dataclass
class Case:
    """One config to judge, and what both sides said about it."""

    name: str
    category: str
    text: str
    exit_code: int = 0
    output: str = ""
    ka_lines: dict[int, str] = field(default_factory=dict)
    kc_lines: set[int] = field(default_factory=set)
    kc_error: bool = False

    @property
    def agree(self) -> bool:
        return self.kc_error == (self.exit_code != 0)

    @property
    def missed(self) -> dict[int, str]:
        return {n: m for n, m in self.ka_lines.items() if n not in self.kc_lines}


def generate(seed: int, count: int, bases: list[tuple[str, str]] | None = None
             ) -> Iterator[Case]:
    """``count`` mutated configs: one mutation each (a quarter get a second one)."""
    rng = random.Random(seed)
    bases = bases if bases is not None else corpus()
    names = sorted(MUTATIONS)
    made = 0
    tries = 0
    while made < count and tries < count * 20:
        tries += 1
        bname, text = rng.choice(bases)
        cat = names[made % len(names)] if made < count // 2 else rng.choice(names)
        lines = MUTATIONS[cat](text.splitlines(), rng)
        if lines is None:
            continue
        if rng.random() < 0.25:
            cat2 = rng.choice([n for n in names if n != "crlf"])
            more = MUTATIONS[cat2](lines, rng)
            if more is not None:
                lines, cat = more, f"{cat}+{cat2}"
        made += 1
        yield Case(f"m{made:04d}-{bname}", cat, "\n".join(lines) + "\n")


def all_cases(seed: int, count: int) -> list[Case]:
    bases = corpus()
    cases = [Case(name, "corpus", text) for name, text in bases]
    return cases + list(generate(seed, count, bases))


# -- judging ------------------------------------------------------------------------------------


def keepalived_lines(output: str, filename: str) -> dict[int, str]:
    """Line number -> first message of keepalived's ``(Line N)`` reports about ``filename``."""
    out: dict[int, str] = {}
    for raw in output.splitlines():
        m = _LINE_RE.match(raw.strip())
        if m is None:
            continue
        f = m.group("file")
        if f is not None and os.path.basename(f) != filename:
            continue
        out.setdefault(int(m.group("line")), m.group("msg"))
    return out


def kaconf_errors(path: Path) -> tuple[bool, set[int]]:
    """Whether ``kaconf lint`` has an error for ``path`` and the lines of its errors there."""
    from kaconf.diagnostics import Severity
    from kaconf.lint import engine

    res = engine.lint_paths([str(path)], target_version="2.2.7")
    errs = [d for d in res.diagnostics if d.severity >= Severity.ERROR]
    lines = {d.span.line for d in errs if os.path.basename(d.span.file) == path.name}
    return bool(errs), lines


def judge(cases: list[Case], workdir: Path) -> None:
    """Run keepalived -t and kaconf lint on every case (files are written to ``workdir``)."""
    if str(ROOT) not in sys.path:  # tests/support/oracle.py: stdlib only, run from a checkout
        sys.path.insert(0, str(ROOT))
    from tests.support.oracle import DEFAULT_INTERFACES, OracleNetns

    # kaconf checks interface names only when told the host's (as test_agreement does)
    old = os.environ.get("KACONF_INTERFACES")
    os.environ["KACONF_INTERFACES"] = ",".join(DEFAULT_INTERFACES)
    cwd = os.getcwd()
    try:
        with OracleNetns() as ns:
            for c in cases:
                p = workdir / (re.sub(r"[^A-Za-z0-9_.-]", "_", c.name) + ".conf")
                p.write_bytes(c.text.encode())
                res = ns.check(p)
                c.exit_code, c.output = res.exit_code, res.output
                c.ka_lines = keepalived_lines(res.output, p.name)
                os.chdir(workdir)
                try:
                    c.kc_error, c.kc_lines = kaconf_errors(Path(p.name))
                finally:
                    os.chdir(cwd)
    finally:
        if old is None:
            os.environ.pop("KACONF_INTERFACES", None)
        else:
            os.environ["KACONF_INTERFACES"] = old


@dataclass
class Figures:
    """The two figures and their counts."""

    files: int
    verdicts_agree: int
    lines_reported: int
    lines_covered: int

    @property
    def verdict_rate(self) -> float:
        return self.verdicts_agree / self.files if self.files else 1.0

    @property
    def coverage(self) -> float:
        return self.lines_covered / self.lines_reported if self.lines_reported else 1.0


def figures(cases: list[Case]) -> Figures:
    reported = sum(len(c.ka_lines) for c in cases)
    covered = sum(len(c.ka_lines) - len(c.missed) for c in cases)
    return Figures(len(cases), sum(c.agree for c in cases), reported, covered)


def message_kind(msg: str) -> str:
    """A short category for a keepalived message (for the list of misses)."""
    for key in ("Unknown keyword", "Extra '}'", "Missing '{'", "Unexpected '{'",
                "missing a parameter", "extra parameters", "doesn't exist", "invalid",
                "Unterminated", "Unmatched"):
        if key.lower() in msg.lower():
            return key
    return "other"


def render(cases: list[Case], seed: int, count: int) -> str:
    f = figures(cases)
    today = _dt.date.today().isoformat()
    out = [BEGIN, "",
           f"Measured {today} with `python3 tools/agreement.py --seed {seed} --count {count}` "
           f"(keepalived 2.2.7): {f.files} files ({sum(c.category == 'corpus' for c in cases)} "
           f"corpus configs, {sum(c.category != 'corpus' for c in cases)} mutations).", "",
           f"* **verdicts agree: {f.verdicts_agree} / {f.files} ({100 * f.verdict_rate:.1f}%)** "
           "(kaconf error ⇔ `keepalived -t` exit ≠ 0)",
           f"* **numbered-line coverage: {f.lines_covered} / {f.lines_reported} "
           f"({100 * f.coverage:.1f}%)** (lines keepalived reports as `(Line N)` where kaconf "
           "reports an error on the same line)", "",
           "| mutation | files | verdicts agree | lines covered / reported |", "|---|---|---|---|"]
    by: dict[str, list[Case]] = defaultdict(list)
    for c in cases:
        by[c.category.split("+")[0]].append(c)
    for cat, cs in sorted(by.items()):
        g = figures(cs)
        out.append(f"| {cat} | {g.files} | {g.verdicts_agree} | {g.lines_covered} / "
                   f"{g.lines_reported} |")
    misses = [(c, n, m) for c in cases for n, m in sorted(c.missed.items())]
    out += [""]
    if misses:
        kinds = Counter(message_kind(m) for _, _, m in misses)
        out.append("Remaining misses by keepalived message: "
                   + ", ".join(f"{k} {v}" for k, v in kinds.most_common()) + ".")
        out.append("")
        for c, n, m in misses[:60]:
            out.append(f"- `{c.name}` ({c.category}) line {n}: `{m[:120]}`")
        if len(misses) > 60:
            out.append(f"- ... and {len(misses) - 60} more")
    else:
        out.append("No missed lines.")
    bad = [c for c in cases if not c.agree]
    out.append("")
    if bad:
        out.append("Verdict disagreements:")
        out.append("")
        for c in bad[:40]:
            ka = (c.output.strip().splitlines() or ["(nothing)"])[0][:120]
            out.append(f"- `{c.name}` ({c.category}): keepalived exit {c.exit_code} `{ka}`, "
                       f"kaconf {'error' if c.kc_error else 'no error'}")
    else:
        out.append("No verdict disagreements.")
    out += ["", END]
    return "\n".join(out)


def write_doc(block: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Agreement\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = head + block + tail
    else:
        text = (text.rstrip("\n") + "\n\n## Reader agreement on broken configs\n\n"
                "`tools/agreement.py` measures whether kaconf's reader puts every line of a "
                "broken config where keepalived's parser does (see the tool's docstring).\n\n"
                + block + "\n")
    DOC.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--count", type=int, default=400)
    ap.add_argument("--no-doc", action="store_true", help="print, do not write docs/")
    ap.add_argument("--misses", action="store_true", help="print every missed line")
    ap.add_argument("--keep", metavar="DIR", help="write the generated files to DIR")
    args = ap.parse_args(argv)
    cases = all_cases(args.seed, args.count)
    if args.keep:
        work = Path(args.keep)
        work.mkdir(parents=True, exist_ok=True)
        judge(cases, work)
    else:
        with tempfile.TemporaryDirectory(prefix="kaconf-agree-") as tmp:
            judge(cases, Path(tmp))
    f = figures(cases)
    print(f"verdicts {f.verdicts_agree}/{f.files} ({100 * f.verdict_rate:.1f}%), "
          f"line coverage {f.lines_covered}/{f.lines_reported} ({100 * f.coverage:.1f}%)")
    if args.misses:
        for c in cases:
            for n, m in sorted(c.missed.items()):
                print(f"MISS {c.name} [{c.category}] {n}: {m}")
            if not c.agree:
                print(f"VERDICT {c.name} [{c.category}] ka={c.exit_code} kc={c.kc_error}")
    block = render(cases, args.seed, args.count)
    if args.no_doc:
        print(block)
    else:
        write_doc(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
