"""Tree -> typed model, driven by the keyword schema in ``grammars/``.

The builder walks the block tree level by level, looks each keyword up in the
schema for the current block path (exactly what keepalived's ``process_stream``
does with its keyword tables) and converts arguments by the schema's argument
type and range. Model fields carry the keyword's own name, so no keyword list
lives in this code: a keyword gets a typed field by declaring it on the
model class, and every keyword is kept in ``settings`` either way.

The concerns are split: :mod:`kaconf.model.plans` works out once per (block
path, keyword) what a statement does, :mod:`kaconf.model.convert` converts
argument words, and this module walks the tree and stores the results.
"""

from __future__ import annotations

from typing import Any

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.model import items
from kaconf.model.convert import INVALID
from kaconf.model.objects import (
    Block,
    BlockSetting,
    Config,
    GenericBlock,
    GlobalDefs,
    RealServer,
    Setting,
    SyncGroup,
    TrackRef,
    VirtualServerGroup,
)
from kaconf.model.plans import (
    BLOCK_CLASSES,
    UNKNOWN,
    Plan,
    SectionPlan,
    ValueBlockPlan,
    ValuePlan,
    path_class,
)
from kaconf.schema import Schema, load_schema
from kaconf.tree import Node


class Builder:
    """Builds a :class:`Config` from a tree; collects findings instead of raising."""

    def __init__(self, schema: Schema | None = None) -> None:
        self.schema = schema or load_schema()
        self.diags: list[Diagnostic] = []
        #: block path -> keyword -> plan, filled as keywords are met
        self._plans: dict[str, dict[str, Plan]] = {}

    # -- reporting ------------------------------------------------------------

    def report(self, code: str, message: str, node: Node, hint: str = "",
                severity: Severity = Severity.ERROR, whole: bool = False) -> None:
        self.diags.append(Diagnostic(code, severity, message,
                                     node.span if whole else node.head_span, hint))

    # -- entry ----------------------------------------------------------------

    def build(self, nodes: list[Node], files: list[str] | None = None) -> Config:
        cfg = Config(files=list(files or []))
        self._fill(cfg, nodes, "", self._plans_of(""), cfg)
        return cfg

    # -- generic walk -----------------------------------------------------------

    def _plans_of(self, path: str) -> dict[str, Plan]:
        """The plans of block ``path`` (filled as its keywords are met)."""
        plans = self._plans.get(path)
        if plans is None:
            plans = self._plans[path] = {}
        return plans

    def _plan(self, path: str, kw: str) -> Plan:
        """Work out (once) what keyword ``kw`` does in block ``path``.

        The model class of the block is fixed by its path (see ``_block_class``),
        so a plan holds for every object read at that path.
        """
        spec = self.schema.block(path).get(kw)
        if spec is None:
            plan: Plan = UNKNOWN
        elif spec.opens == "sublevel":
            plan = SectionPlan(spec, path_class(path), self._plans_of(spec.child_path))
        elif spec.opens == "value_block":
            plan = ValueBlockPlan(kw, path, path_class(path))
        else:
            plan = ValuePlan(spec, path_class(path))
        self._plans[path][kw] = plan
        return plan

    def _fill(self, obj: Block, nodes: list[Node], path: str, plans: dict[str, Plan],
              cfg: Config) -> None:
        """Read the statements ``nodes`` of block ``path`` into ``obj``.

        ``plans`` is the plan table of ``path`` (see :meth:`_plans_of`), handed
        down so that the loop, run once per statement of a large config, needs
        no lookup of its own.
        """
        settings = obj.settings
        for node in nodes:
            kw = node.name
            plan = plans.get(kw) or self._plan(path, kw)
            if plan.__class__ is ValuePlan:
                # a plain keyword: by far the most frequent statement, so its
                # conversion and storing is done here rather than in a helper
                vp: ValuePlan = plan  # type: ignore[assignment]
                children = node.children
                words = node._words
                if children is None and words is not None:
                    # a plain line without a block: the words after the keyword
                    # (what arg_words() gives, without its call)
                    args = words[1:]
                else:
                    args = node.arg_words()
                    if children is not None:
                        self.report("KA011", f"keyword '{kw}' does not take a block - "
                                    "keepalived ignores the '{' and reads the lines inside "
                                    "at this level", node, "remove the braces")
                value = vp.convert(self, node, args)
                prev = settings.get(kw)
                if prev is not None:  # a repeated keyword: keep the earlier line too
                    obj.keep_earlier(prev)
                if value is INVALID:
                    # given but unusable (already reported): keep the words, value
                    # None, so consumers that replay keepalived's fix-ups see the attempt
                    settings[kw] = Setting(kw, None, None, args, node)
                else:
                    setting = settings[kw] = Setting(kw, value, None, args, node)
                    target = vp.target
                    if target is None:
                        if vp.alt_target is not None:
                            setattr(obj, vp.alt_target, value)
                    elif vp.check is None or vp.check(self, obj, node, value, args):
                        if value.__class__ is list:
                            value = _accumulate(obj, target, value, setting)
                        setattr(obj, target, value)
                if children is not None:
                    self._fill(obj, children, path, plans, cfg)
            elif plan.__class__ is SectionPlan:
                if node.children is None:
                    self.report("KA013", f"Missing '{{' at beginning of configuration block "
                                f"'{kw}'", node, f"write '{kw} ... {{' and close it with '}}'")
                    continue
                self._section(obj, node, plan, cfg)  # type: ignore[arg-type]
            elif plan.__class__ is ValueBlockPlan:
                if node.children is None:
                    self.report("KA013", f"'{{' missing from beginning of block {kw}", node,
                                f"write '{kw} {{' followed by one item per line and '}}'")
                    continue
                self._value_block(obj, node, plan, cfg)  # type: ignore[arg-type]
            else:
                self._unknown(node, path)
                if node.children:
                    # keepalived does not skip the block of an unknown keyword:
                    # its lines are read at the current level.
                    self._fill(obj, node.children, path, plans, cfg)

    def _unknown(self, node: Node, path: str) -> None:
        kw = node.name
        hint = ""
        sug = self.schema.suggest(path, kw)
        if sug:
            hint = f"did you mean '{sug}'?"
        else:
            elsewhere = [p for p in self.schema.block_paths()
                         if p != path and self.schema.lookup(p, kw) is not None]
            if elsewhere:
                hint = f"'{kw}' belongs in {elsewhere[0] or 'the top level'}"
            else:
                hint = "check the spelling; keepalived skips this line"
        where = f" in {path}" if path else ""
        self.report("KA100", f"Unknown keyword '{kw}'{where}", node, hint)

    # -- sections ---------------------------------------------------------------

    def _section(self, parent: Block, node: Node, plan: SectionPlan, cfg: Config) -> None:
        kw = plan.kw
        children: list[Node] = node.children  # type: ignore[assignment]  # checked by _fill
        obj = plan.cls(node)
        if plan.checker:
            obj.kind = kw  # type: ignore[attr-defined]
            self._fill(obj, children, plan.child_path, plan.child_plans, cfg)
            if isinstance(parent, RealServer):
                parent.checkers.append(obj)  # type: ignore[arg-type]
            return
        args = node.arg_words()
        if plan.generic:
            obj.keyword = kw  # type: ignore[attr-defined]
            obj.name = args[0] if args else None  # type: ignore[attr-defined]
        if plan.named:
            if not args:
                self.report("KA020", f"{kw} needs a name", node,
                            f"write '{kw} NAME {{'")
            elif plan.name_field:
                obj.name = args[0]  # type: ignore[attr-defined]
        if plan.head is not None:
            plan.head(self, obj, node, args)
        self._fill(obj, children, plan.child_path, plan.child_plans, cfg)
        if plan.append_to is not None:
            getattr(parent, plan.append_to).append(obj)
        else:
            plan.attach(parent, kw, obj)


    # -- value blocks -----------------------------------------------------------

    def _value_block(self, obj: Block, node: Node, plan: ValueBlockPlan, cfg: Config) -> None:
        kw = plan.kw
        children: list[Node] = node.children  # type: ignore[assignment]  # checked by _fill
        out = self.diags
        head_args = node.arg_words()
        store = plan.store
        if head_args and store != "vsg":
            self.report("KA024", f"Block {kw} has extra parameters "
                        f"{' '.join(head_args)} - ignoring", node,
                        "value blocks take no arguments on the keyword line")
        for child in children:
            if child.children is not None and not (
                    child.name == "{" and child.keyword.raw == "{"):
                self.report("KA011", f"unexpected block inside {kw}", child,
                            "value blocks hold one item per line, without braces")
        if store == "vsg":
            self._vsg(node, head_args, cfg)
            return
        parse = plan.parse
        settings_value: list[Any]
        if parse is None:
            settings_value = [c.words() for c in children]
        else:
            settings_value = [v for c in children if (v := parse(c, out)) is not None]
        if store == "field":
            cur = getattr(obj, kw)
            if isinstance(cur, list):
                cur.extend(settings_value)
                settings_value = cur
            else:
                setattr(obj, kw, settings_value)
        elif store == "group":
            sg: SyncGroup = obj  # type: ignore[assignment]
            for c in children:
                for w in c.words():
                    sg.group.append(w)
                    sg.group_spans.append(c.head_span)
            settings_value = list(sg.group)
        elif store == "static":
            kept: list[Any] = getattr(cfg, kw)
            kept.extend(settings_value)
            settings_value = kept
        elif store == "top":
            cfg.other.append(GenericBlock(node, keyword=kw, items=[c.words() for c in children]))
            return
        elif store == "notification_email":
            gd: GlobalDefs = obj  # type: ignore[assignment]
            gd.notification_email.extend(" ".join(w) for w in settings_value)
            settings_value = gd.notification_email
        elif store == "generic":
            obj.items.extend(c.words() for c in children)  # type: ignore[attr-defined]
        obj.settings[kw] = BlockSetting(kw, settings_value, None, None, node)

    def _vsg(self, node: Node, head_args: list[str], cfg: Config) -> None:
        """A virtual_server_group block: kept by name in the Config."""
        vsg = VirtualServerGroup(node)
        if not head_args:
            self.report("KA020", "virtual_server_group needs a name", node,
                        "write 'virtual_server_group NAME {'")
        else:
            vsg.name = head_args[0]
        out = self.diags
        for c in node.children or ():
            e = items.parse_vsg_entry(c, out)
            if e is not None:
                vsg.entries.append(e)
        cfg.virtual_server_groups[vsg.name] = vsg


def _accumulate(obj: Block, target: str, value: list[Any], setting: Setting) -> list[Any]:
    """A list value for a field already holding a non-empty list extends that list.

    (e.g. several status_code lines in a url); the setting then shows the whole list.
    """
    current = getattr(obj, target)
    if isinstance(current, list) and current:
        current.extend(value)
        setting.value = current
        return current
    return value


__all__ = ["Builder", "BLOCK_CLASSES", "TrackRef"]
