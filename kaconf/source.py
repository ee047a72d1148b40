"""Source reading: files -> logical lines of tokens, the way keepalived reads them.

This is the first stage of the pipeline. It does everything keepalived's
``read_line`` does before a keyword is looked up: comments, quoting, ``include``
(with globs relative to the including file), ``@id``/``@^id`` conditional lines,
``$NAME=`` definitions (multi-line and the built-ins), ``~SEQ``/``~LST`` repetition,
and splitting lines at braces. Every token keeps ``file:line:col`` and the chain
of includes/definitions that produced it, so later stages can point at the text
the user actually wrote.

It is a hand-written scanner rather than a pyparsing grammar: it runs once per
physical line of a possibly 100k-line file and the per-line work is a couple of
regular expressions. pyparsing is used where a real little grammar exists
(``~SEQ(...)`` headers, see :mod:`kaconf.seq`).
"""

from __future__ import annotations

import glob
import os
import random
import socket
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from kaconf.definitions import REF_RE, Definition, brace_expand, builtin_value
from kaconf.diagnostics import Diagnostic, Origin, Position, Severity, Span
from kaconf.scan import (
    DEF_LINE_RE,
    INCLUDE_WORDS,
    MAXBUF,
    WORD_RE,
    Comment,
    Line,
    PlainLine,
    Token,
    decomment,
    decomment_122,
    general_line_numbers,
    word_tokens,
)

__all__ = [
    "INCLUDE_WORDS", "MAXBUF", "Comment", "Line", "PlainLine", "ReadResult", "Reader", "Token",
    "default_config_id", "general_line_numbers", "include_targets", "iter_tokens", "read_config",
    "word_tokens",
]

#: Guard against definitions that expand into themselves.
MAX_SUBST_PASSES = 32
#: Guard against runaway include nesting (loops are caught separately).
MAX_INCLUDE_DEPTH = 32

@dataclass
class ReadResult:
    """Everything :func:`read_config` produces: lines, comments, files and findings."""

    lines: list[Line]
    comments: list[Comment]
    files: list[str]
    diagnostics: list[Diagnostic]
    texts: dict[str, list[str]] = field(default_factory=dict)


def default_config_id() -> str:
    """keepalived's default config id: the host name up to the first dot."""
    return socket.gethostname().split(".", 1)[0]



class Reader:
    """Reads one config (and everything it includes) into logical lines.

    ``version`` selects the reading rules: ``"1.2.2"`` reads like keepalived 1.2.2
    (no definitions, conditionals or ``~SEQ``; comments only at word starts);
    anything else reads like 2.2.7 and later.
    """

    def __init__(
        self,
        config_id: str | None = None,
        version: str = "2.2.7",
        read_file: bool = True,
    ) -> None:
        #: file contents that replace what is on disk (``kaconf lint --fix`` reads its
        #: edited, not yet written files through this), keyed by the path as read
        self.overlay: Mapping[str, bytes] = {}
        self.config_id = config_id if config_id is not None else default_config_id()
        self.version = version
        self.legacy = version == "1.2.2"
        self.lines: list[Line] = []
        #: where finished logical lines go (the tree reader feeds its tree instead)
        self._emit_line: Callable[[Line], None] = self.lines.append
        self.comments: list[Comment] = []
        self.files: list[str] = []
        self.texts: dict[str, list[str]] = {}
        self.diagnostics: list[Diagnostic] = []
        self.defs: dict[str, Definition] = {}
        self._stack: list[str] = []
        self._cwd_stack: list[str] = []
        #: file name -> folder its relative includes resolve against, when that is not
        #: the file's own folder (a copy checked before it is installed: ``--include-base``)
        self.include_dirs: dict[str, str] = {}
        self._rng = random.Random(0)

    # -- reporting ------------------------------------------------------------

    def report(
        self,
        code: str,
        message: str,
        file: str,
        line: int,
        col: int = 1,
        end_col: int | None = None,
        hint: str = "",
        severity: Severity = Severity.ERROR,
        origin: Origin | None = None,
    ) -> None:
        """Record a reading problem at a position."""
        span = Span(file, line, col, line, end_col if end_col is not None else col + 1, origin)
        self.diagnostics.append(Diagnostic(code, severity, message, span, hint))

    # -- files ------------------------------------------------------------------

    def read_path(self, path: str, origin: Origin | None = None) -> None:
        """Read one file; problems opening it become diagnostics, never exceptions."""
        real = os.path.realpath(path)
        if real in self._stack:
            via = f" (via {' -> '.join(self._stack)})" if self._stack else ""
            self._file_problem("KA003", f"include loop: '{path}' includes itself{via}", path,
                               origin, "remove the include that points back at an including file")
            return
        if len(self._stack) >= MAX_INCLUDE_DEPTH:
            self._file_problem("KA003", f"includes nested deeper than {MAX_INCLUDE_DEPTH} "
                               f"levels at '{path}'", path, origin,
                               "flatten the include hierarchy")
            return
        try:
            if path in self.overlay:
                data = self.overlay[path]
            else:
                with open(path, "rb") as fh:
                    data = fh.read()
        except OSError as exc:
            why = "is a directory" if isinstance(exc, IsADirectoryError) else (
                exc.strerror or str(exc))
            self._file_problem("KA002", f"cannot open configuration file '{path}': {why}", path,
                               origin, "check the path and its permissions")
            return
        self.read_bytes(data, path, origin, real)

    def _file_problem(self, code: str, message: str, path: str, origin: Origin | None,
                      hint: str) -> None:
        """Report a file-level problem at the include line that led here (or the file)."""
        pos = origin.parent if origin else None
        if pos is None:
            self.report(code, message, path, 1, 1, hint=hint)
        else:
            self.report(code, message, pos.file, pos.line, pos.col, hint=hint)

    def read_bytes(
        self, data: bytes, name: str, origin: Origin | None = None, real: str | None = None
    ) -> None:
        """Read config text already in memory (stdin, templates, tests)."""
        self.files.append(name)
        self._stack.append(real or name)
        try:
            texts = data.decode("utf-8", "replace").split("\n")
            if texts and texts[-1] == "":
                texts.pop()
            self.texts[name] = texts
            self._read_lines(texts, name, origin)
        finally:
            self._stack.pop()

    # -- lines ----------------------------------------------------------------

    def _read_lines(self, texts: list[str], file: str, origin: Origin | None) -> None:
        """Read the physical lines ``texts`` of ``file`` into logical lines."""
        general = self._general
        pending: Definition | None = None
        if self.legacy:
            for lineno, text in enumerate(texts, 1):
                pending = general(text, file, lineno, origin, pending)
            return
        lines_append = self.lines.append
        includes = INCLUDE_WORDS
        bad = iter(general_line_numbers("\n".join(texts), texts))
        next_bad = next(bad, 0)
        lineno = 0
        for text in texts:
            lineno += 1
            if lineno == next_bad:
                next_bad = next(bad, 0)
            elif pending is None:
                # Fast path for plain lines (the vast majority): nothing for
                # comments, quotes, definitions, conditionals, includes or long
                # lines to act on, and braces only as a whole last word or a lone '}'.
                words = text.split()
                if not words:
                    continue
                first = words[0]
                if first[0] not in "@~" and first not in includes and (
                        ("{" not in text and "}" not in text)
                        or (words[-1] == "{" and text.count("{") == 1 and "}" not in text)
                        or (first == "}" and len(words) == 1)):
                    lines_append(PlainLine(words, text, file, lineno, origin))
                    continue
            pending = general(text, file, lineno, origin, pending)

    def _general(self, text: str, file: str, lineno: int, origin: Origin | None,
                 pending: Definition | None) -> Definition | None:
        """Read one physical line the general way; returns the multi-line
        definition still being read (``pending``) after it."""
        legacy = self.legacy
        if "\x00" in text:
            self.report(
                "KA004",
                "line contains NUL bytes - keepalived ignores it",
                file, lineno, hint="this looks like a binary file or a corrupted line",
                origin=origin,
            )
            return pending
        # a char is at most 4 bytes: short lines cannot reach MAXBUF
        if len(text) >= (MAXBUF - 1) // 4 and len(
                raw := text.rstrip("\r").encode("utf-8", "replace")) >= MAXBUF - 1:
            if not legacy:
                self.report(
                    "KA005",
                    f"line is {len(raw)} bytes long; keepalived ignores lines of "
                    f"{MAXBUF - 1} bytes or more",
                    file, lineno, hint="split the line (e.g. with a $definition or a block)",
                    origin=origin,
                )
                return pending
            text = raw[: MAXBUF - 1].decode("utf-8", "replace")
        text = text.rstrip("\r\n")
        stripped = text.lstrip()
        lead = len(text) - len(stripped)
        if legacy:
            body, ccol, ctext = decomment_122(stripped)
            cols: list[int] | None = None
            unterminated = False
        else:
            body, cols, ccol, ctext, unterminated = decomment(stripped)
        if ctext is not None:
            self.comments.append(
                Comment(ctext, file, lineno, lead + ccol + 1, own_line=body.strip() == "")
            )
        if pending is not None:
            # continuation of a multi-line $DEF
            cont = body.rstrip()
            if cont.endswith("\\"):
                pending.lines.append(cont[:-1].rstrip())
                return pending
            if cont:
                pending.lines.append(cont)
            return None
        body = body.rstrip()
        if not body:
            return pending
        if unterminated:
            self.report(
                "KA006",
                f"unterminated quote in '{body}'",
                file, lineno, lead + 1, lead + len(body) + 1,
                hint='close the string with a matching "', origin=origin,
            )
        if not legacy and body.startswith("$"):
            m = DEF_LINE_RE.match(body)
            if m:
                base = Position(file, lineno, lead + 1, origin)
                name, value = m.group(1), m.group(2).rstrip()
                if value.endswith("\\"):
                    d = Definition(name, [value[:-1].rstrip()] if value[:-1].strip() else [],
                                    True, base)
                    self.defs[name] = d
                    pending = d
                else:
                    self.defs[name] = Definition(name, [value], False, base)
                return pending
        if (cols is None and not legacy and body[0] not in "@~" and "$" not in body
                and not body.startswith("include")):
            self._emit(body, file, lineno, lead, None, origin)
            return pending
        colmap = [lead + c for c in cols] if cols is not None else None
        self._logical(body, file, lineno, lead, colmap, origin, 0)
        return pending

    def _conditional(self, body: str) -> str | None:
        """Apply ``@id`` / ``@^id``: return the rest of the line if it is kept."""
        if not body.startswith("@"):
            return body
        negate = body.startswith("@^")
        head, _, rest = body[2 if negate else 1 :].partition(" ")
        if "\t" in head:
            head, _, more = head.partition("\t")
            rest = more + " " + rest if rest else more
        rest = rest.strip()
        if not rest:
            return None
        match = head == self.config_id
        if match != negate:
            return rest
        return None

    def _logical(
        self,
        body: str,
        file: str,
        lineno: int,
        lead: int,
        colmap: list[int] | None,
        origin: Origin | None,
        depth: int,
    ) -> None:
        """Process one decommented line: conditionals, ~SEQ, $ refs, include, tokens."""
        legacy = self.legacy
        if not legacy and body.startswith("@"):
            kept = self._conditional(body)
            if kept is None:
                return
            shift = len(body) - len(kept)
            body = kept
            if colmap is not None:
                colmap = colmap[shift:]
            else:
                lead += shift
        if not legacy and body.startswith("~") and depth < 8:
            from kaconf.seq import expand_seq

            try:
                seq = expand_seq(body, self.defs_values())
            except ValueError as exc:
                self.report("KA007", str(exc), file, lineno, lead + 1,
                            hint="~SEQ(var, [start, [step,]] end) with a step of the right sign",
                            origin=origin)
                return
            if seq is not None:
                var, values, rest = seq
                offset = len(body) - len(rest)
                seq_origin = Origin(file, "~SEQ", Position(file, lineno, lead + 1, origin))
                saved = self.defs.get(var)
                for v in values:
                    self.defs[var] = Definition(var, [v], False, Position(file, lineno, lead + 1))
                    sub_map = [c + offset for c in range(len(rest))]
                    if colmap is not None:
                        sub_map = [colmap[offset + i] for i in range(len(rest))]
                    else:
                        sub_map = [lead + offset + i for i in range(len(rest))]
                    self._logical(rest, file, lineno, 0, sub_map, seq_origin, depth + 1)
                if saved is not None:
                    self.defs[var] = saved
                else:
                    self.defs.pop(var, None)
                return
        if not legacy and "$" in body:
            expanded = self._substitute(body, file, lineno, lead, colmap, origin)
            if expanded is None:
                return
            body, colmap, origin2 = expanded
            origin = origin2
            lead = 0
        words = body.split(None, 2)
        if words and words[0] in INCLUDE_WORDS and (not legacy or words[0] == "include"):
            if len(words) >= 2:
                self._include(words[0], words[1], file, lineno, lead, origin)
                return
        self._emit(body, file, lineno, lead, colmap, origin)

    def _emit(
        self,
        body: str,
        file: str,
        lineno: int,
        lead: int,
        colmap: list[int] | None,
        origin: Origin | None,
    ) -> None:
        """Split a final line into tokens and logical lines (at braces)."""
        tokens: list[Token] = []
        if colmap is None and '"' not in body:
            # fast path: plain words; positions found with str.find
            words = body.split()
            pos = 0
            find = body.find
            append = tokens.append
            glued = False
            for w in words:
                if len(w) > 1 and ("{" in w or "}" in w):
                    glued = True
                    break
                st = find(w, pos)
                pos = st + len(w)
                append(Token(w, w, file, lineno, lead + st + 1, lead + pos + 1, origin))
            if not glued:
                self._split_braces(tokens, body, file, lineno, origin)
                return
            tokens = []
        for m in WORD_RE.finditer(body):
            raw = m.group()
            s, e = m.start(), m.end()
            if colmap is not None:
                c0 = colmap[s] + 1 if s < len(colmap) else lead + s + 1
                c1 = colmap[e - 1] + 2 if e - 1 < len(colmap) else lead + e + 1
            else:
                c0, c1 = lead + s + 1, lead + e + 1
            text = raw.replace('"', "") if '"' in raw else raw
            tokens.append(Token(text, raw, file, lineno, c0, c1, origin))
        self._split_braces(tokens, body, file, lineno, origin)

    def _split_braces(
        self, tokens: list[Token], body: str, file: str, lineno: int, origin: Origin | None
    ) -> None:
        """Make logical lines: text after a brace becomes the next line (2.x)."""
        if self.legacy:
            # 1.2.2 never splits at braces: '{' and '}' are only words.
            self._emit_line(Line(tokens, file, lineno, origin))
            return
        # split at braces: text after a brace becomes the next logical line
        if "{" not in body and "}" not in body:
            self._emit_line(Line(tokens, file, lineno, origin))
            return
        cur: list[Token] = []
        for tok in tokens:
            if tok.raw == "{":
                cur.append(tok)
                self._emit_line(Line(cur, file, lineno, origin))
                cur = []
            elif tok.raw == "}":
                if cur:
                    self._emit_line(Line(cur, file, lineno, origin))
                self._emit_line(Line([tok], file, lineno, origin))
                cur = []
            else:
                cur.append(tok)
        if cur:
            self._emit_line(Line(cur, file, lineno, origin))

    def defs_values(self) -> dict[str, str]:
        """Single-line definitions by name, for ``~SEQ`` parameters."""
        return {k: d.lines[0] for k, d in self.defs.items() if not d.multiline and d.lines}

    def _substitute(
        self,
        body: str,
        file: str,
        lineno: int,
        lead: int,
        colmap: list[int] | None,
        origin: Origin | None,
    ) -> tuple[str, list[int], Origin | None] | None:
        """Expand ``$NAME`` / ``${NAME}`` repeatedly, keeping a column map.

        Returns None when the line was a multi-line definition that has been
        expanded into separate logical lines already.
        """
        cmap = colmap if colmap is not None else [lead + i for i in range(len(body))]
        used: list[str] = []
        for _ in range(MAX_SUBST_PASSES):
            if "$" not in body:
                break
            if len(body) >= MAXBUF:
                # stop here: a self-referencing definition doubles the line on every pass
                # (2**32 characters after MAX_SUBST_PASSES), and the line is too long anyway
                break
            out: list[str] = []
            omap: list[int] = []
            last = 0
            changed = False
            for m in REF_RE.finditer(body):
                name = m.group(1) or m.group(3)
                params = (m.group(2) or "").split() if m.group(1) else []
                d = self.defs.get(name)
                if d is not None and not params:
                    if d.multiline:
                        if m.start() == 0 and m.end() == len(body.rstrip()) and not used:
                            dorigin = Origin(
                                d.pos.file, f"definition ${name}",
                                Position(file, lineno, cmap[0] + 1 if cmap else 1, origin),
                            )
                            for dl in d.lines:
                                dls = dl.strip()
                                if dls:
                                    lead2 = cmap[0] if cmap else 0
                                    self._logical(dls, file, lineno, lead2,
                                                  [lead2] * len(dls), dorigin, 1)
                            return None
                        value = " ".join(d.lines)
                    else:
                        value = d.lines[0] if d.lines else ""
                else:
                    bval = builtin_value(name, params, file, self.config_id, self._rng)
                    if bval is None:
                        continue
                    value = bval
                out.append(body[last : m.start()])
                omap.extend(cmap[last : m.start()])
                here = cmap[m.start()] if m.start() < len(cmap) else (cmap[-1] if cmap else 0)
                out.append(value)
                omap.extend([here] * len(value))
                last = m.end()
                changed = True
                used.append(name)
            if not changed:
                break
            out.append(body[last:])
            omap.extend(cmap[last:])
            body = "".join(out)
            cmap = omap
        if len(body) >= MAXBUF or len(body.encode()) >= MAXBUF:
            self.report(
                "KA005",
                "parameter substitution would exceed the maximum line length "
                f"({MAXBUF - 1} bytes); keepalived leaves the line unexpanded",
                file, lineno, (colmap[0] if colmap else lead) + 1,
                hint="shorten the definition", origin=origin,
            )
        if used:
            d = self.defs.get(used[0])
            if d is not None:
                origin = Origin(d.pos.file, f"definition ${used[0]}",
                                Position(file, lineno, (cmap[0] if cmap else 0) + 1, origin))
        return body.strip(), cmap[len(body) - len(body.lstrip()):], origin

    def _include(
        self, word: str, pattern: str, file: str, lineno: int, lead: int, origin: Origin | None
    ) -> None:
        """Follow an include line: glob relative to the including file's folder."""
        pattern = pattern.strip('"')
        matches = include_targets(pattern, file, self.include_dirs.get(file))
        pos = Position(file, lineno, lead + 1, origin)
        if not matches:
            self.report(
                "KA001",
                f"{word} '{pattern}' matches no file",
                file, lineno, lead + 1, lead + len(word) + len(pattern) + 2,
                hint="check the path: relative includes are resolved against the folder of "
                "the including file",
                origin=origin,
                # keepalived logs "Config files missing" and carries on (-t exits 0)
                severity=Severity.WARNING,
            )
            return
        for path in matches:
            self.read_path(path, Origin(path, "include", pos))


def include_targets(pattern: str, file: str, base: str | None = None) -> list[str]:
    """The files an ``include PATTERN`` line of ``file`` reads, in reading order.

    Relative patterns are resolved against the including file's folder, ``{a,b}``
    alternatives expand as with glob(GLOB_BRACE) and each glob's matches are
    sorted. ``base`` replaces the including file's folder (``--include-base``). Public
    so the language server's go-to-definition on an ``include`` line lands on exactly
    the files the reader reads.
    """
    if base is None:
        base = os.path.dirname(file) if os.sep in file else ""
    full = pattern if os.path.isabs(pattern) or not base else os.path.join(base, pattern)
    matches: list[str] = []
    for p in brace_expand(full):
        if glob.has_magic(p):
            matches.extend(sorted(glob.glob(p)))
        elif os.path.exists(p):
            matches.append(p)
    return matches


def read_config(
    path: str,
    config_id: str | None = None,
    version: str = "2.2.7",
    data: bytes | None = None,
    overlay: Mapping[str, bytes] | None = None,
) -> ReadResult:
    """Read ``path`` (or ``data`` named ``path``) into logical lines.

    ``overlay`` gives the content of files (by path as read) to use instead of
    the disk's. Never raises for bad input: every problem becomes a diagnostic.
    """
    reader = Reader(config_id=config_id, version=version)
    if overlay:
        reader.overlay = overlay
    if data is not None:
        reader.read_bytes(data, path)
    else:
        reader.read_path(path)
    return ReadResult(reader.lines, reader.comments, reader.files, reader.diagnostics,
                      reader.texts)


def iter_tokens(lines: list[Line]) -> Iterator[Token]:
    """All tokens in order (handy for tests and fmt)."""
    for line in lines:
        yield from line.tokens
