"""Render a Jinja2 template into keepalived configs, one per node, with line origins.

The environment is locked down because templates and vars travel between
people: an :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` (no Python
internals, no mutating shared vars from a template; string/list repetition and
powers are capped), :class:`~jinja2.StrictUndefined` (a typo in a variable name
is an error, not an empty string in a config) and a loader confined to the
template's folder (``{% include %}``/``{% import %}`` cannot reach other files, not
even through a symlink). ``trim_blocks``/``lstrip_blocks`` are on, so ``{% if %}``
lines leave no blank or indented lines behind, and ``keep_trailing_newline`` keeps
the file's last newline.

Line origins
------------
Lint findings in rendered text must point back at the template line that
produced it. Jinja2's debug info only maps *code* to template lines, and output
of literal text is attributed to whatever statement came before, so instead the
template is rendered a second time in an environment whose token stream puts an
invisible marker (private-use characters naming template and line) at the start
of every line of literal text. The first marker on an output line that is
followed by real text tells where that line came from (a loop body's line, a
macro's line, an included file's line); lines with no marker (the second line of
a multi-line value) take the last marker seen. If the marked render differs
from the plain one once markers are removed (a template that measures or
compares captured blocks, or is not deterministic), origins are left unknown
rather than guessed.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from kaconf.render.errors import STATUS_CONFIG, STATUS_INPUT, RenderError
from kaconf.render.filters import FILTERS
from kaconf.render.vars import deep_merge

__all__ = ["NODE_NAME", "Origin", "Rendered", "TemplateRenderer", "render_nodes"]

#: Template line that produced an output line: (template path as shown, 1-based line).
Origin = tuple[str, int]

#: Node names become file names: keep them to characters that are safe there.
NODE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
#: Largest string/list a template may build with ``*`` and largest exponent of ``**``.
MAX_REPEAT = 1_000_000
MAX_EXPONENT = 1_000

_MARK_START, _MARK_SEP, _MARK_END = "\ue000", "\ue002", "\ue001"
_MARK = re.compile("\ue000(\\d+)\ue002(\\d+)\ue001")


class _ConfinedLoader(jinja2.FileSystemLoader):
    """A FileSystemLoader that refuses files whose real path leaves its folder.

    FileSystemLoader already rejects ``..`` and absolute names; this also stops a
    symlink inside the folder from pointing elsewhere.
    """

    def __init__(self, folder: str) -> None:
        super().__init__(folder, followlinks=False)
        self._root = os.path.realpath(folder)

    def get_source(self, environment: jinja2.Environment, template: str
                   ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        real = os.path.realpath(filename)
        if os.path.commonpath([real, self._root]) != self._root:
            raise jinja2.TemplateNotFound(template)
        return source, filename, uptodate


class _Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox, plus caps on ``*`` and ``**`` (``'x' * 10**12`` would eat the host)."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any,
                   right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"exponent {right} is larger than {MAX_EXPONENT}")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) \
                        and len(seq) * n > MAX_REPEAT:
                    raise SecurityError(f"repetition would build {len(seq) * n} items "
                                        f"(limit {MAX_REPEAT})")
        return super().call_binop(context, operator, left, right)


def _mark_data(value: str, lineno: int, index: int) -> str:
    """Put a marker for its template line before every line segment of literal text."""
    parts = value.split("\n")
    out: list[str] = []
    for i, part in enumerate(parts):
        if i:
            out.append("\n")
        out.append(f"{_MARK_START}{index}{_MARK_SEP}{lineno + i}{_MARK_END}")
        out.append(part)
    return "".join(out)


class _LineMarks(Extension):
    """Token-stream filter that marks literal text with its template and line."""

    def __init__(self, environment: jinja2.Environment) -> None:
        super().__init__(environment)
        self.names: list[str] = []

    def filter_stream(self, stream: TokenStream) -> Iterable[Token]:
        name = stream.name or "<template>"
        if name not in self.names:
            self.names.append(name)
        index = self.names.index(name)
        for tok in stream:
            if tok.type == "data":
                yield Token(tok.lineno, "data", _mark_data(tok.value, tok.lineno, index))
            else:
                yield tok


def _environment(folder: str, marks: bool) -> jinja2.Environment:
    env = _Sandbox(
        loader=_ConfinedLoader(folder),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        extensions=[_LineMarks] if marks else [],
    )
    env.filters.update(FILTERS)
    return env


def _origins(marked: str, names: list[str]) -> tuple[str, list[Origin | None]]:
    """Strip markers; return the text and, per line, the template line it came from."""
    lines: list[str] = []
    origins: list[Origin | None] = []
    carry: Origin | None = None
    for mline in marked.split("\n"):
        marks = list(_MARK.finditer(mline))
        chosen = None
        for i, m in enumerate(marks):
            end = marks[i + 1].start() if i + 1 < len(marks) else len(mline)
            if mline[m.end():end].strip():
                chosen = m
                break
        if chosen is None and marks:
            chosen = marks[0]
        origins.append((names[int(chosen.group(1))], int(chosen.group(2)))
                       if chosen else carry)
        if marks:
            carry = (names[int(marks[-1].group(1))], int(marks[-1].group(2)))
        lines.append(_MARK.sub("", mline))
    return "\n".join(lines), origins


@dataclass
class Rendered:
    """One rendered config and, per line, the template line that produced it."""

    node: str | None
    text: str
    origins: list[Origin | None]

    def origin(self, line: int) -> Origin | None:
        """Template origin of 1-based rendered ``line`` (``None`` when unknown)."""
        if 1 <= line <= len(self.origins):
            return self.origins[line - 1]
        return None


def _template_position(exc: BaseException) -> tuple[str | None, int | None]:
    """The innermost template frame of a rendering exception: (template name, line)."""
    name: str | None = None
    line: int | None = None
    tb = exc.__traceback__
    while tb is not None:
        tpl = tb.tb_frame.f_globals.get("__jinja_template__")
        if isinstance(tpl, jinja2.Template):
            name = tpl.name
            line = tpl.get_corresponding_lineno(tb.tb_lineno)
        tb = tb.tb_next
    return name, line


class TemplateRenderer:
    """A template file, compiled once, rendered for any number of variable sets."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.folder = os.path.dirname(path)
        self.name = os.path.basename(path)
        if not os.path.isfile(path):
            why = "is a directory" if os.path.isdir(path) else "no such file"
            raise RenderError(f"cannot read template: {why}", file=path, status=STATUS_INPUT)
        self._env = _environment(self.folder or ".", marks=False)
        self._marked_env = _environment(self.folder or ".", marks=True)
        self._template = self._compile(self._env)
        self._marked: jinja2.Template | None = None

    def display(self, name: str | None) -> str:
        """A template name as the user would write its path (relative to the cwd)."""
        if name is None or name == self.name:
            return self.path
        return os.path.join(self.folder, name) if self.folder else name

    def _compile(self, env: jinja2.Environment) -> jinja2.Template:
        try:
            return env.get_template(self.name)
        except jinja2.TemplateSyntaxError as exc:
            raise RenderError(f"template syntax error: {exc.message}",
                              file=self.display(exc.name), line=exc.lineno) from None
        except jinja2.TemplateNotFound:
            raise RenderError("cannot read template", file=self.path,
                              status=STATUS_INPUT) from None
        except UnicodeDecodeError:
            raise RenderError("template is not UTF-8", file=self.path) from None
        except OSError as exc:
            raise RenderError(f"cannot read template: {exc.strerror or exc}", file=self.path,
                              status=STATUS_INPUT) from None

    def _error(self, exc: Exception, node: str | None) -> RenderError:
        """Turn anything raised while rendering into a one-line :class:`RenderError`."""
        suffix = f" (node {node})" if node is not None else ""
        if isinstance(exc, jinja2.TemplateSyntaxError):
            return RenderError(f"template syntax error: {exc.message}{suffix}",
                               file=self.display(exc.name), line=exc.lineno)
        name, line = _template_position(exc)
        if isinstance(exc, jinja2.TemplateNotFound):
            msg = (f"template {exc.name!r} not found: include/import/extends only reach files "
                   f"in {self.folder or '.'}/")
        elif isinstance(exc, SecurityError):
            msg = f"not allowed in a template: {exc}"
        elif isinstance(exc, jinja2.UndefinedError):
            msg = f"undefined variable: {exc.message}"
        elif isinstance(exc, RecursionError):
            msg = "recursion too deep (a macro calling itself without end?)"
        elif isinstance(exc, UnicodeDecodeError):
            msg = "an included template is not UTF-8"
        elif isinstance(exc, (ValueError, jinja2.TemplateError)):
            msg = str(exc)
        else:
            msg = f"{type(exc).__name__}: {exc}"
        return RenderError(msg + suffix, file=self.display(name), line=line,
                           status=STATUS_CONFIG)

    def render(self, variables: Mapping[str, Any], node: str | None = None) -> Rendered:
        """Render with ``variables``; :class:`RenderError` names template file:line."""
        try:
            tpl = self._template
            text = "".join(tpl.root_render_func(tpl.new_context(copy.deepcopy(dict(variables)))))
        except Exception as exc:  # every template failure becomes one clear line
            raise self._error(exc, node) from None
        return Rendered(node, text, self._line_origins(variables, text))

    def _line_origins(self, variables: Mapping[str, Any], text: str) -> list[Origin | None]:
        unknown: list[Origin | None] = [None] * (text.count("\n") + 1)
        if _MARK_START in text:
            return unknown
        try:
            if self._marked is None:
                self._marked = self._marked_env.get_template(self.name)
            tpl = self._marked
            marked = "".join(tpl.root_render_func(tpl.new_context(copy.deepcopy(
                dict(variables)))))
        except Exception:  # the plain render worked; origins are a best effort
            return unknown
        ext = self._marked_env.extensions[_LineMarks.identifier]
        assert isinstance(ext, _LineMarks)
        plain, origins = _origins(marked, [self.display(n) for n in ext.names])
        if plain != text:
            return unknown
        return origins


def render_nodes(renderer: TemplateRenderer, doc: Mapping[str, Any]) -> list[Rendered]:
    """Render ``doc``: once, or once per entry of its ``nodes`` mapping.

    Each node sees the common vars (everything but ``nodes``) overlaid by its own
    (deep merge), plus ``node_name`` (its name) and ``nodes`` (every node's vars,
    e.g. to list the peers' addresses in ``unicast_peer``).
    """
    nodes = doc.get("nodes")
    if nodes is None:
        return [renderer.render(doc)]
    if not isinstance(nodes, Mapping) or not nodes:
        raise RenderError("vars: 'nodes' must map node names to their vars")
    common = {k: v for k, v in doc.items() if k != "nodes"}
    out: list[Rendered] = []
    for name, own in nodes.items():
        if not isinstance(name, str) or not NODE_NAME.fullmatch(name):
            raise RenderError(f"vars: node name {name!r} cannot be a file name (use letters, "
                              "digits, '_', '-', '.')")
        if own is None:
            own = {}
        if not isinstance(own, Mapping):
            raise RenderError(f"vars: nodes.{name} must be a mapping, not "
                              f"{type(own).__name__}")
        variables = deep_merge(common, own)
        variables["nodes"] = nodes
        variables["node_name"] = name
        out.append(renderer.render(variables, name))
    return out
