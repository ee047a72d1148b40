"""Tree -> typed model, driven by the keyword schema in ``grammars/``.

The builder walks the block tree level by level, looks each keyword up in the
schema for the current block path (exactly what keepalived's ``process_stream``
does with its keyword tables) and converts arguments by the schema's argument
type and range. Model fields carry the keyword's own name, so no keyword list
lives in this code: a keyword gets a typed field by declaring it on the
model class, and every keyword is kept in ``settings`` either way.

Everything that only depends on the schema entry and the block path - which
converter, which field, which model class, where a block is attached - is
worked out once per (block path, keyword) into a plan (:class:`_ValuePlan`,
:class:`_SectionPlan`); a 100k-line config repeats the same few dozen keywords
thousands of times, so the per-statement work is only the conversion itself.
"""

from __future__ import annotations

import functools
import shlex
from collections.abc import Callable
from typing import Any, Final

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.model import items
from kaconf.model.addr import parse_ip, sockaddr_text
from kaconf.model.objects import (
    CHECKER_CLASSES,
    Authentication,
    BfdInstance,
    Block,
    BlockSetting,
    Checker,
    Config,
    GenericBlock,
    GlobalDefs,
    RealServer,
    Script,
    Setting,
    SyncGroup,
    TrackFile,
    TrackProcess,
    TrackRef,
    Url,
    VirtualServer,
    VirtualServerGroup,
    VrrpInstance,
    VrrpScript,
)
from kaconf.schema import KeywordSpec, Schema, load_schema
from kaconf.tree import Node

#: Which model class represents a block path. Paths not listed become GenericBlock.
BLOCK_CLASSES: dict[str, type[Block]] = {
    "global_defs": GlobalDefs,
    "vrrp_instance": VrrpInstance,
    "vrrp_instance/authentication": Authentication,
    "vrrp_sync_group": SyncGroup,
    "vrrp_script": VrrpScript,
    "track_file": TrackFile,
    "vrrp_track_file": TrackFile,
    "vrrp_track_process": TrackProcess,
    "bfd_instance": BfdInstance,
    "virtual_server": VirtualServer,
    "virtual_server/real_server": RealServer,
    "virtual_server/real_server/HTTP_GET/url": Url,
    "virtual_server/real_server/SSL_GET/url": Url,
}
_CHECKER_PARENT = "virtual_server/real_server"

_TRUE = {"true", "on", "yes"}
_FALSE = {"false", "off", "no"}


@functools.cache
def _block_class(child_path: str, kw: str) -> tuple[type[Block], bool]:
    """The model class for a block path, and whether it is a real server's checker."""
    if child_path.startswith(_CHECKER_PARENT + "/") and child_path.count("/") == 2:
        return CHECKER_CLASSES.get(kw, Checker), True
    cls = BLOCK_CLASSES.get(child_path)
    if cls is None:
        cls = Checker if child_path.endswith("SMTP_CHECK/host") else GenericBlock
    return cls, False


def _path_class(path: str) -> type[Block]:
    """The model class of the block at ``path`` (the top level is the Config)."""
    if not path:
        return Config
    return _block_class(path, path.rpartition("/")[2])[0]


def _target_field(cls: type[Block], kw: str, alt: str | None) -> str | None:
    """The field of ``cls`` that keyword ``kw`` sets (None: see ``_ALT_FIELDS``).

    The keyword's own name wins; else its replacement or alias (``alt``).
    """
    fields = cls._NAMES
    return kw if kw in fields else (alt if alt and alt in fields else None)


#: (class, keyword) -> field, for the keywords whose value lands in a field of
#: another name (the old spelling of a renamed keyword kept by keepalived).
_ALT_FIELDS: tuple[tuple[type[Block], str, str], ...] = (
    (VirtualServer, "lvs_sched", "lb_algo"),
    (VirtualServer, "lvs_method", "lb_kind"),
    (BfdInstance, "neighbour_ip", "neighbor_ip"),
)


def _alt_field(cls: type[Block], kw: str) -> str | None:
    """The field of another name that ``kw`` sets in ``cls`` (see ``_ALT_FIELDS``)."""
    for owner, keyword, field in _ALT_FIELDS:
        if keyword == kw and issubclass(cls, owner):
            return field
    return None


# -- conversion of plain keywords --------------------------------------------------

#: converts the argument words of one statement (reporting what is wrong)
Converter = Callable[["Builder", Node, list[str]], Any]


def _converter(spec: KeywordSpec) -> Converter:
    """The conversion of a keyword's arguments, decided once from its schema entry.

    The schema's ``arg_type`` picks the conversion; ``min``/``max`` and
    ``choices`` are checked; an optional argument (``[...]`` synopsis) may be
    left out. Findings are reported through the builder and the value is then
    ``_INVALID``.
    """
    t = spec.arg_type
    kw = spec.name
    optional = spec.arg_syntax.startswith("[")
    if t == "none":
        return lambda b, node, args: True
    if t == "bool":
        return functools.partial(_to_bool, kw)
    if t == "script":
        return functools.partial(_to_script, kw, optional)
    if t == "other":
        return lambda b, node, args: args[:]
    absent: Any = ("" if t in ("string", "path") else True) if optional else _INVALID
    lo, hi = spec.min, spec.max
    hint = _range_hint(spec)

    def missing(b: Builder, node: Node) -> Any:
        if absent is _INVALID:
            b._missing(node, kw)
        return absent

    if t == "int":
        def to_int(b: Builder, node: Node, args: list[str]) -> Any:
            if not args:
                return missing(b, node)
            text = args[0]
            try:
                num = int(text, 10)  # keepalived reads base 10 only
            except ValueError:
                b._report("KA021", f"invalid number '{text}' for {kw}", node,
                          f"{kw} takes an integer" + hint)
                return _INVALID
            if (lo is not None and num < lo) or (hi is not None and num > hi):
                b._range_error(node, spec, text)
                return _INVALID
            return num
        return to_int
    if t in ("time", "float"):
        def to_float(b: Builder, node: Node, args: list[str]) -> Any:
            if not args:
                return missing(b, node)
            text = args[0]
            try:
                f = float(text)
            except ValueError:
                b._report("KA021", f"invalid number '{text}' for {kw}", node,
                          f"{kw} takes a number" + hint)
                return _INVALID
            if f != f or (lo is not None and f < lo) or (hi is not None and f > hi):
                b._range_error(node, spec, text)
                return _INVALID
            return f
        return to_float
    if t == "enum":
        choices = spec.choices
        numeric = bool(choices) and all(c.isdigit() for c in choices or ())

        def to_enum(b: Builder, node: Node, args: list[str]) -> Any:
            if not args:
                return missing(b, node)
            text = args[0]
            if choices and text not in choices:
                b._report("KA022", f"invalid value '{text}' for {kw}", node,
                          f"use one of: {', '.join(choices)}")
                return text if kw == "state" else _INVALID
            if numeric and text.isdigit():
                return int(text)
            return text
        return to_enum
    if t in ("ip", "sockaddr"):
        strip = t == "sockaddr"

        def to_ip(b: Builder, node: Node, args: list[str]) -> Any:
            if not args:
                return missing(b, node)
            text = args[0]
            try:
                ip = parse_ip(sockaddr_text(text) if strip else text)
            except ValueError:
                b._report("KA023", f"invalid IP address '{text}' for {kw}", node,
                          "use an IPv4 or IPv6 address")
                return _INVALID
            if len(args) > 1:
                return [str(ip), *args[1:]]
            return ip
        return to_ip

    # string, path
    def to_text(b: Builder, node: Node, args: list[str]) -> Any:
        if not args:
            return missing(b, node)
        return args[0]
    return to_text


def _to_bool(kw: str, b: Builder, node: Node, args: list[str]) -> Any:
    if not args:
        return True
    v = args[0].lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    b._report("KA022", f"invalid value '{args[0]}' for {kw}", node,
              "use true/false, on/off or yes/no (or nothing for true)")
    return _INVALID


def _to_script(kw: str, optional: bool, b: Builder, node: Node, args: list[str]) -> Any:
    if not args:
        if optional:
            return Script([], "", node.head_span)
        b._missing(node, kw)
        return _INVALID
    raw = " ".join(a.raw for a in node.args)
    text = " ".join(args)
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    return Script(words, raw, node.head_span)


# -- plans ---------------------------------------------------------------------------

class _ValuePlan:
    """How a plain keyword is converted and stored in the objects of one block path."""

    __slots__ = ("kw", "convert", "target", "alt_target", "check")

    def __init__(self, spec: KeywordSpec, cls: type[Block]) -> None:
        kw = spec.name
        self.kw = kw
        self.convert = _converter(spec)
        #: the typed field set (None: only ``settings``, or ``alt_target``)
        self.target = _target_field(cls, kw, spec.replacement or spec.alias_of)
        self.alt_target = None if self.target else _alt_field(cls, kw)
        #: keepalived's extra handling of a keyword; returns False to keep the field
        self.check: Callable[[Builder, Any, Node, Any, list[str]], bool] | None = None
        if self.target is not None:
            if kw == "weight" and issubclass(cls, VrrpScript):
                self.check = Builder._script_weight
            elif kw == "state" and issubclass(cls, VrrpInstance):
                self.check = Builder._state_once


#: puts a finished block into its parent: (parent, keyword, block)
Attach = Callable[[Any, str, Any], None]


class _SectionPlan:
    """How a block keyword of one block path makes and attaches its model object."""

    __slots__ = ("spec", "kw", "child_path", "child_plans", "cls", "checker", "generic",
                 "named", "name_field", "head", "attach", "append_to")

    def __init__(self, spec: KeywordSpec, parent_cls: type[Block],
                 child_plans: dict[str, Plan]) -> None:
        self.spec = spec
        self.kw = spec.name
        self.child_path = spec.child_path
        #: the plan table of the block's own keywords (see Builder._plans_of)
        self.child_plans = child_plans
        cls, self.checker = _block_class(self.child_path, spec.name)
        self.cls = cls
        self.generic = issubclass(cls, GenericBlock)
        self.named = spec.named
        self.name_field = "name" in cls._NAMES
        #: reads the keyword line's arguments (address and port of a server)
        self.head: Callable[[Builder, Any, Node, list[str]], None] | None = (
            Builder._vs_head if issubclass(cls, VirtualServer)
            else Builder._rs_head if issubclass(cls, RealServer) else None)
        self.attach = _attacher(parent_cls, cls)
        #: the list field of the parent the block is appended to, when that is
        #: all ``attach`` does (spares a call per block)
        self.append_to: str | None = getattr(self.attach, "append_to", None)


def _append(field: str) -> Attach:
    def attach(parent: Any, kw: str, obj: Any) -> None:
        getattr(parent, field).append(obj)
    attach.append_to = field  # type: ignore[attr-defined]  # see _SectionPlan.append_to
    return attach


def _by_name(field: str) -> Attach:
    def attach(parent: Any, kw: str, obj: Any) -> None:
        getattr(parent, field)[obj.name] = obj
    return attach


def _merge_global_defs(cfg: Config, kw: str, obj: GlobalDefs) -> None:
    """Several global_defs blocks merge, as in keepalived."""
    gd = cfg.global_defs
    for k, s in obj.settings.items():
        gd.settings[k] = s
    for f in GlobalDefs.FIELDS:
        if f in obj.settings or (f == "notification_email" and obj.notification_email):
            setattr(gd, f, getattr(obj, f))
    if gd.span is None:
        gd.span = obj.span


def _set_authentication(parent: VrrpInstance, kw: str, obj: Authentication) -> None:
    parent.authentication = obj


def _add_child(parent: GenericBlock | Checker, kw: str, obj: Block) -> None:
    parent.children.setdefault(kw, []).append(obj)


def _ignore(parent: Block, kw: str, obj: Block) -> None:
    """The block is read (and checked) but kept nowhere."""


#: top level: model class -> how the Config keeps it (first match wins)
_TOP_LEVEL: tuple[tuple[type[Block], Attach], ...] = (
    (GlobalDefs, _merge_global_defs),  # type: ignore[arg-type]
    (VrrpInstance, _append("vrrp_instances")),
    (SyncGroup, _append("sync_groups")),
    (VrrpScript, _by_name("vrrp_scripts")),
    (TrackFile, _by_name("track_files")),
    (TrackProcess, _by_name("track_processes")),
    (BfdInstance, _by_name("bfd_instances")),
    (VirtualServer, _append("virtual_servers")),
    (GenericBlock, _append("other")),
)


def _attacher(parent: type[Block], cls: type[Block]) -> Attach:
    """Where a block of class ``cls`` goes in a parent of class ``parent``."""
    if issubclass(parent, Config):
        for kind, attach in _TOP_LEVEL:
            if issubclass(cls, kind):
                return attach
        return _ignore
    if issubclass(parent, VrrpInstance) and issubclass(cls, Authentication):
        return _set_authentication  # type: ignore[return-value]
    if issubclass(parent, VirtualServer) and issubclass(cls, RealServer):
        return _append("real_server")
    if issubclass(parent, Checker) and issubclass(cls, Url):
        return _append("url")
    if issubclass(parent, Checker) and issubclass(cls, Checker):
        return _append("hosts")
    if issubclass(parent, (GenericBlock, Checker)):
        return _add_child  # type: ignore[return-value]
    return _ignore


#: parses one line of a value block into a model object (None: line skipped)
ItemParser = Callable[[Node, list[Diagnostic]], Any]

_ADDRESS_BLOCKS = ("virtual_ipaddress", "virtual_ipaddress_excluded", "static_ipaddress")
_TOP_LEVEL_LISTS = ("static_ipaddress", "static_routes", "static_rules")


def _item_parser(kw: str, path: str) -> ItemParser | None:
    """How the lines of value block ``kw`` in block ``path`` are read (None: as words)."""
    if kw in _ADDRESS_BLOCKS:
        return functools.partial(items.parse_address, static=kw == "static_ipaddress")
    if kw in ("virtual_routes", "static_routes"):
        return items.parse_route
    if kw in ("virtual_rules", "static_rules"):
        return items.parse_rule
    if kw == "unicast_peer":
        return items.parse_peer
    if kw.startswith("track_") and path in ("vrrp_instance", "vrrp_sync_group"):
        return functools.partial(items.parse_track, interface=kw == "track_interface")
    return None


class _ValueBlockPlan:
    """How a value block keyword of one block path reads its lines and keeps them.

    ``store`` says where the items go, decided from the block's model class
    (fixed by its path, as for the other plans): ``"vsg"`` (a
    virtual_server_group, see :meth:`Builder._vsg`), ``"group"`` (a sync
    group's instance names), ``"static"`` (the top level's static lists),
    ``"top"`` (another top-level block: kept in ``other``),
    ``"notification_email"``, ``"field"`` (the model field of that name),
    ``"generic"`` (a generic block's ``items``) or ``"settings"`` (only there).
    """

    __slots__ = ("kw", "parse", "store")

    def __init__(self, kw: str, path: str, cls: type[Block]) -> None:
        self.kw = kw
        #: None: each line is kept as its words
        self.parse = _item_parser(kw, path)
        store = "settings"
        if kw == "virtual_server_group":
            store = "vsg"
        elif issubclass(cls, SyncGroup) and kw == "group":
            store = "group"
        elif issubclass(cls, Config):
            store = "static" if kw in _TOP_LEVEL_LISTS else "top"
        elif kw == "notification_email" and issubclass(cls, GlobalDefs):
            store = "notification_email"
        elif kw in cls._NAMES:
            store = "field"
        elif issubclass(cls, GenericBlock):
            store = "generic"
        self.store = store


#: an unknown keyword has the plan _UNKNOWN
_UNKNOWN: Final = "unknown"
Plan = _ValuePlan | _SectionPlan | _ValueBlockPlan | str


class Builder:
    """Builds a :class:`Config` from a tree; collects findings instead of raising."""

    def __init__(self, schema: Schema | None = None) -> None:
        self.schema = schema or load_schema()
        self.diags: list[Diagnostic] = []
        #: block path -> keyword -> plan, filled as keywords are met
        self._plans: dict[str, dict[str, Plan]] = {}

    # -- reporting ------------------------------------------------------------

    def _report(self, code: str, message: str, node: Node, hint: str = "",
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
            plan: Plan = _UNKNOWN
        elif spec.opens == "sublevel":
            plan = _SectionPlan(spec, _path_class(path), self._plans_of(spec.child_path))
        elif spec.opens == "value_block":
            plan = _ValueBlockPlan(kw, path, _path_class(path))
        else:
            plan = _ValuePlan(spec, _path_class(path))
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
            if plan.__class__ is _ValuePlan:
                # a plain keyword: by far the most frequent statement, so its
                # conversion and storing is done here rather than in a helper
                vp: _ValuePlan = plan  # type: ignore[assignment]
                children = node.children
                words = node._words
                if children is None and words is not None:
                    # a plain line without a block: the words after the keyword
                    # (what arg_words() gives, without its call)
                    args = words[1:]
                else:
                    args = node.arg_words()
                    if children is not None:
                        self._report("KA011", f"keyword '{kw}' does not take a block - "
                                     "keepalived ignores the '{' and reads the lines inside "
                                     "at this level", node, "remove the braces")
                value = vp.convert(self, node, args)
                if value is _INVALID:
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
            elif plan.__class__ is _SectionPlan:
                if node.children is None:
                    self._report("KA013", f"Missing '{{' at beginning of configuration block "
                                 f"'{kw}'", node, f"write '{kw} ... {{' and close it with '}}'")
                    continue
                self._section(obj, node, plan, cfg)  # type: ignore[arg-type]
            elif plan.__class__ is _ValueBlockPlan:
                if node.children is None:
                    self._report("KA013", f"'{{' missing from beginning of block {kw}", node,
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
        self._report("KA100", f"Unknown keyword '{kw}'{where}", node, hint)

    # -- sections ---------------------------------------------------------------

    def _section(self, parent: Block, node: Node, plan: _SectionPlan, cfg: Config) -> None:
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
                self._report("KA020", f"{kw} needs a name", node,
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

    def _vs_head(self, vs: VirtualServer, node: Node, args: list[str]) -> None:
        if not args:
            self._report("KA020", "virtual_server needs an address and port, fwmark or group",
                         node, "write 'virtual_server 192.0.2.1 80 {'")
            return
        if args[0] == "fwmark":
            if len(args) < 2 or not args[1].isdigit():
                self._report("KA021", "virtual_server fwmark needs a number", node,
                             "write 'virtual_server fwmark 1 {'")
            else:
                vs.fwmark = int(args[1])
            return
        if args[0] == "group":
            if len(args) < 2:
                self._report("KA020", "virtual_server group needs a name", node,
                             "write 'virtual_server group NAME {'")
            else:
                vs.group = args[1]
            return
        vs.address, vs.port = self._addr_port(node, args, "virtual server")

    def _rs_head(self, rs: RealServer, node: Node, args: list[str]) -> None:
        if not args:
            self._report("KA020", "real_server needs an address", node,
                         "write 'real_server 192.0.2.10 80 {'")
            return
        rs.address, rs.port = self._addr_port(node, args, "real server")

    def _addr_port(self, node: Node, args: list[str], what: str
                   ) -> tuple[Any, int | None]:
        addr = None
        port = None
        try:
            addr = parse_ip(args[0])
        except ValueError:
            self._report("KA023", f"invalid {what} address '{args[0]}'", node,
                         "use an IPv4 or IPv6 address")
        if len(args) > 1:
            if args[1].isdigit() and int(args[1]) <= 65535:
                port = int(args[1])
            else:
                self._report("KA021", f"invalid {what} port '{args[1]}'", node,
                             "a port is a number 0-65535")
        return addr, port

    # -- value blocks -----------------------------------------------------------

    def _value_block(self, obj: Block, node: Node, plan: _ValueBlockPlan, cfg: Config) -> None:
        kw = plan.kw
        children: list[Node] = node.children  # type: ignore[assignment]  # checked by _fill
        out = self.diags
        head_args = node.arg_words()
        store = plan.store
        if head_args and store != "vsg":
            self._report("KA024", f"Block {kw} has extra parameters "
                         f"{' '.join(head_args)} - ignoring", node,
                         "value blocks take no arguments on the keyword line")
        for child in children:
            if child.children is not None and not (
                    child.name == "{" and child.keyword.raw == "{"):
                self._report("KA011", f"unexpected block inside {kw}", child,
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
            self._report("KA020", "virtual_server_group needs a name", node,
                         "write 'virtual_server_group NAME {'")
        else:
            vsg.name = head_args[0]
        out = self.diags
        for c in node.children or ():
            e = items.parse_vsg_entry(c, out)
            if e is not None:
                vsg.entries.append(e)
        cfg.virtual_server_groups[vsg.name] = vsg

    # -- plain keywords (see _fill) ------------------------------------------------

    def _script_weight(self, obj: VrrpScript, node: Node, value: Any, args: list[str]) -> bool:
        """``weight N reverse`` in a vrrp_script: the word after the number is a flag."""
        obj.weight_reverse = "reverse" in args[1:]
        return True

    def _state_once(self, obj: VrrpInstance, node: Node, value: Any, args: list[str]) -> bool:
        """keepalived keeps MASTER when a later ``state BACKUP`` follows."""
        if obj.state == "MASTER" and value == "BACKUP":
            self._report("KA040", f"({obj.name}) state previously set as MASTER - "
                         "ignoring BACKUP", node, "give 'state' once")
            return False
        return True

    def _missing(self, node: Node, kw: str) -> None:
        self._report("KA020", f"Configuration line starting `{kw}` is missing a parameter "
                     f"after keyword `{kw}` at word position 1", node,
                     f"give {kw} a value")

    def _range_error(self, node: Node, spec: KeywordSpec, text: str) -> None:
        self._report("KA021", f"number '{text}' outside range [{_fmt(spec.min)}, "
                     f"{_fmt(spec.max)}] for {spec.name}", node,
                     f"keepalived ignores the value; use {spec.name}" + _range_hint(spec))


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


def _range_hint(spec: KeywordSpec) -> str:
    if spec.min is not None or spec.max is not None:
        return f" in [{_fmt(spec.min)}, {_fmt(spec.max)}]"
    return ""


def _fmt(v: float | None) -> str:
    if v is None:
        return "-"
    return str(int(v)) if float(v).is_integer() else str(v)


class _Invalid:
    """Marker for a value that could not be converted (already reported)."""


_INVALID: Any = _Invalid()

__all__ = ["Builder", "BLOCK_CLASSES", "TrackRef"]
