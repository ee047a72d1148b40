"""``kaconf render``: render a template per node, lint the result, then write it.

Nothing reaches the disk unless every node renders and the whole set passes
lint (each config alone and all of them as one cluster): a half-updated cluster
is worse than an old one. Files are first written next to their targets as
temporary files and only then renamed over them, all of them, so a failure
while writing leaves the old configs in place.

Exit statuses: 0 written/printed (or, with ``--check``, nothing would change),
1 a template/vars/lint problem or drift found by ``--check``, 2 an input cannot
be read or the command line is wrong. jinja2 and PyYAML are imported in
:func:`run` only, so other sub-commands never load them.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from typing import TYPE_CHECKING

from kaconf.cli.atomic_write import remove_quietly, stage_file
from kaconf.exitstatus import ExitStatus

if TYPE_CHECKING:
    from kaconf.diagnostics import Diagnostic
    from kaconf.render.engine import Rendered

__all__ = ["add_arguments", "run"]

_TEMPLATE_SUFFIXES = (".j2", ".jinja2", ".jinja")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``kaconf render`` (its help line lives in :mod:`kaconf.cli.commands`)."""
    p.add_argument("template", metavar="TEMPLATE", help="the Jinja2 template")
    p.add_argument("--vars", action="append", default=[], metavar="FILE",
                   help="vars file (.yaml/.yml/.json/.toml); repeat to merge, later wins")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="sets",
                   help="set a dotted key after all vars files (value read as YAML: 90 is a "
                   "number); e.g. --set nodes.serverA.priority=150")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--node", metavar="NAME", help="print the config of this node only")
    where.add_argument("--out-dir", metavar="DIR",
                       help="write every node's config to DIR/NAME.conf")
    p.add_argument("--check", action="store_true",
                   help="write nothing; with --out-dir, exit 1 and print a diff if the files "
                   "there differ from what would be rendered")
    p.add_argument("--target-version", metavar="V", default=None,
                   help="keepalived version to lint for (default: settings, then 2.2.7)")


def run(args: argparse.Namespace) -> int:
    """Execute ``kaconf render``; every expected failure is one line on stderr."""
    from kaconf.render.errors import RenderError

    try:
        return _run(args)
    except RenderError as exc:
        print(f"kaconf render: {exc}", file=sys.stderr)
        return exc.status


def _output_stem(template: str) -> str:
    name = os.path.basename(template)
    for suffix in _TEMPLATE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name + ".conf"


def _run(args: argparse.Namespace) -> int:
    from kaconf.render import RenderError, TemplateRenderer, load_vars, render_nodes
    from kaconf.render.gate import GateInput, blocking, lint_gate

    if args.check and not args.out_dir:
        raise RenderError("--check compares with the files in a folder: give --out-dir DIR",
                          status=ExitStatus.USAGE)
    doc = load_vars(args.vars, args.sets)
    nodes = doc.get("nodes")
    if nodes is not None and not (args.node or args.out_dir):
        names = ", ".join(str(n) for n in nodes) if isinstance(nodes, dict) else "..."
        raise RenderError(f"the vars define nodes ({names}): choose one with --node NAME or "
                          "write all with --out-dir DIR", status=ExitStatus.USAGE)
    if args.node is not None and (not isinstance(nodes, dict) or args.node not in nodes):
        have = ", ".join(str(n) for n in nodes) if isinstance(nodes, dict) else "none"
        raise RenderError(f"--node {args.node}: no such node in the vars (nodes: {have})",
                          status=ExitStatus.USAGE)
    renderer = TemplateRenderer(args.template)
    rendered = render_nodes(renderer, doc)

    paths: list[str] = []
    for r in rendered:
        base = f"{r.node}.conf" if r.node is not None else _output_stem(args.template)
        paths.append(os.path.join(args.out_dir, base) if args.out_dir else base)
    protected = {os.path.realpath(p) for p in [args.template, *args.vars]}
    for p in paths:
        if os.path.realpath(p) in protected:
            raise RenderError(f"refusing to write {p}: it is an input of this render",
                              status=ExitStatus.USAGE)

    findings = lint_gate([GateInput(p, r.text, r.node)
                          for p, r in zip(paths, rendered, strict=True)],
                         args.target_version)
    by_path = dict(zip(paths, rendered, strict=True))
    for ds in findings.values():
        for d in ds:
            print(f"kaconf render: {_describe(d, by_path)}", file=sys.stderr)
    if blocking(findings):
        print("kaconf render: lint errors in the rendered configs; nothing written",
              file=sys.stderr)
        return ExitStatus.CONFIG

    if args.check:
        return _check(paths, rendered)
    if args.out_dir:
        _write_all([(p, r.text) for p, r in zip(paths, rendered, strict=True)])
        for p in paths:
            print(f"kaconf render: wrote {p}", file=sys.stderr)
        return ExitStatus.OK
    chosen = [r for r in rendered if args.node is None or r.node == args.node]
    sys.stdout.write(chosen[0].text)
    return ExitStatus.OK


def _describe(d: Diagnostic, by_path: dict[str, Rendered]) -> str:
    """A finding with the template line that produced the rendered line."""
    text = f"{d.span}: {d.code} {d.severity}: {d.message}"
    r = by_path.get(d.span.file)
    if r is not None:
        origin = r.origin(d.span.line)
        text += f" [from {origin[0]}:{origin[1]}]" if origin else " [template line unknown]"
    if d.hint:
        text += f" (hint: {d.hint})"
    return text


def _check(paths: list[str], rendered: list[Rendered]) -> int:
    """Exit 1 with a unified diff on stdout when a file on disk differs from the render."""
    from kaconf.render.errors import RenderError

    drift = False
    for path, r in zip(paths, rendered, strict=True):
        try:
            with open(path, encoding="utf-8", errors="replace", newline="") as fh:
                old = fh.read()
            label = path
        except FileNotFoundError:
            old, label = "", "/dev/null"
        except OSError as exc:
            raise RenderError(f"cannot read {path}: {exc.strerror or exc}",
                              status=ExitStatus.USAGE) from None
        if old == r.text:
            continue
        drift = True
        print(f"kaconf render: {path} differs from the rendered config", file=sys.stderr)
        sys.stdout.writelines(difflib.unified_diff(
            old.splitlines(keepends=True), r.text.splitlines(keepends=True),
            fromfile=label, tofile=f"{path} (rendered)"))
    return ExitStatus.CONFIG if drift else ExitStatus.OK


def _write_all(files: list[tuple[str, str]]) -> None:
    """Write every file or none: stage temporary files first, then rename them all."""
    from kaconf.render.errors import RenderError

    staged: list[tuple[str, str]] = []
    try:
        for path, text in files:
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            staged.append((stage_file(path, text.encode("utf-8")), path))
    except OSError as exc:
        for tmp, _ in staged:
            remove_quietly(tmp)
        where = getattr(exc, "filename", None) or "output"
        raise RenderError(f"cannot write {where}: {exc.strerror or exc}; nothing written",
                          status=ExitStatus.USAGE) from None
    for tmp, path in staged:
        os.replace(tmp, path)
