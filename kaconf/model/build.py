"""Tree -> typed model, driven by the keyword schema in ``grammars/``.

The builder walks the block tree level by level, looks each keyword up in the
schema for the current block path (exactly what keepalived's ``process_stream``
does with its keyword tables) and converts arguments by the schema's argument
type and range. Model fields carry the keyword's own name, so no keyword list
lives in this code: a keyword gets a typed field by declaring it on the
dataclass, and every keyword is kept in ``settings`` either way.
"""

from __future__ import annotations

import dataclasses
import functools
import shlex
from typing import Any

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.model import items
from kaconf.model.addr import parse_ip
from kaconf.model.objects import (
    CHECKER_CLASSES,
    Authentication,
    BfdInstance,
    Block,
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

_FIELDS: dict[type, frozenset[str]] = {}


def _fields(cls: type) -> frozenset[str]:
    f = _FIELDS.get(cls)
    if f is None:
        f = frozenset(x.name for x in dataclasses.fields(cls))
        _FIELDS[cls] = f
    return f


@functools.cache
def _block_class(child_path: str, kw: str) -> tuple[type[Block], bool]:
    """The model class for a block path, and whether it is a real server's checker."""
    if child_path.startswith(_CHECKER_PARENT + "/") and child_path.count("/") == 2:
        return CHECKER_CLASSES.get(kw, Checker), True
    cls = BLOCK_CLASSES.get(child_path)
    if cls is None:
        cls = Checker if child_path.endswith("SMTP_CHECK/host") else GenericBlock
    return cls, False


_TARGETS: dict[tuple[type, str, str | None], str | None] = {}


def _target_field(cls: type, kw: str, alt: str | None) -> str | None:
    """The field of ``cls`` that keyword ``kw`` sets (None: see ``Builder._special``).

    The keyword's own name wins; else its replacement or alias (``alt``).
    Cached: the answer only depends on the class and the schema entry.
    """
    key = (cls, kw, alt)
    try:
        return _TARGETS[key]
    except KeyError:
        pass
    fields = _fields(cls)
    target = kw if kw in fields else (alt if alt and alt in fields else None)
    _TARGETS[key] = target
    return target


class Builder:
    """Builds a :class:`Config` from a tree; collects findings instead of raising."""

    def __init__(self, schema: Schema | None = None) -> None:
        self.schema = schema or load_schema()
        self.diags: list[Diagnostic] = []

    # -- reporting ------------------------------------------------------------

    def _report(self, code: str, message: str, node: Node, hint: str = "",
                severity: Severity = Severity.ERROR, whole: bool = False) -> None:
        self.diags.append(Diagnostic(code, severity, message,
                                     node.span if whole else node.head_span, hint))

    # -- entry ----------------------------------------------------------------

    def build(self, nodes: list[Node], files: list[str] | None = None) -> Config:
        cfg = Config(files=list(files or []))
        self._fill(cfg, nodes, "", cfg)
        return cfg

    # -- generic walk -----------------------------------------------------------

    def _fill(self, obj: Block, nodes: list[Node], path: str, cfg: Config) -> None:
        known = self.schema.block(path)
        for node in nodes:
            kw = node.name
            spec = known.get(kw)
            if spec is None:
                self._unknown(node, path)
                if node.children:
                    # keepalived does not skip the block of an unknown keyword:
                    # its lines are read at the current level.
                    self._fill(obj, node.children, path, cfg)
                continue
            if spec.opens == "sublevel":
                if node.children is None:
                    self._report("KA013", f"Missing '{{' at beginning of configuration block "
                                 f"'{kw}'", node, f"write '{kw} ... {{' and close it with '}}'")
                    continue
                self._section(obj, node, spec, cfg)
            elif spec.opens == "value_block":
                if node.children is None:
                    self._report("KA013", f"'{{' missing from beginning of block {kw}", node,
                                 f"write '{kw} {{' followed by one item per line and '}}'")
                    continue
                self._value_block(obj, node, spec, path, cfg)
            else:
                if node.children is not None:
                    self._report("KA011", f"keyword '{kw}' does not take a block - keepalived "
                                 "ignores the '{' and reads the lines inside at this level",
                                 node, "remove the braces")
                    self._value(obj, node, spec)
                    self._fill(obj, node.children, path, cfg)
                    continue
                self._value(obj, node, spec)

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

    def _section(self, parent: Block, node: Node, spec: KeywordSpec, cfg: Config) -> None:
        kw = spec.name
        child_path = spec.child_path
        cls, is_checker = _block_class(child_path, kw)
        children = node.children or []
        if is_checker:
            ck = cls(kind=kw, span=node.span)  # type: ignore[call-arg]
            self._fill(ck, children, child_path, cfg)
            if isinstance(parent, RealServer):
                parent.checkers.append(ck)  # type: ignore[arg-type]
            return
        args = node.arg_words()
        obj = cls(span=node.span)
        if isinstance(obj, GenericBlock):
            obj.keyword = kw
            obj.name = args[0] if args else None
        if spec.named:
            if not args:
                self._report("KA020", f"{kw} needs a name", node,
                             f"write '{kw} NAME {{'")
            elif hasattr(obj, "name"):
                obj.name = args[0]
        if isinstance(obj, VirtualServer):
            self._vs_head(obj, node, args)
        elif isinstance(obj, RealServer):
            self._rs_head(obj, node, args)
        self._fill(obj, children, child_path, cfg)
        self._attach(parent, kw, obj, cfg, node)

    def _attach(self, parent: Block, kw: str, obj: Block, cfg: Config, node: Node) -> None:
        if parent is cfg:
            if isinstance(obj, GlobalDefs):
                # several global_defs blocks merge, as in keepalived
                for k, s in obj.settings.items():
                    cfg.global_defs.settings[k] = s
                for f in _fields(GlobalDefs):
                    if f in obj.settings or (f == "notification_email" and obj.notification_email):
                        setattr(cfg.global_defs, f, getattr(obj, f))
                if cfg.global_defs.span is None:
                    cfg.global_defs.span = obj.span
            elif isinstance(obj, VrrpInstance):
                cfg.vrrp_instances.append(obj)
            elif isinstance(obj, SyncGroup):
                cfg.sync_groups.append(obj)
            elif isinstance(obj, VrrpScript):
                cfg.vrrp_scripts[obj.name] = obj
            elif isinstance(obj, TrackFile):
                cfg.track_files[obj.name] = obj
            elif isinstance(obj, TrackProcess):
                cfg.track_processes[obj.name] = obj
            elif isinstance(obj, BfdInstance):
                cfg.bfd_instances[obj.name] = obj
            elif isinstance(obj, VirtualServer):
                cfg.virtual_servers.append(obj)
            elif isinstance(obj, GenericBlock):
                cfg.other.append(obj)
            return
        if isinstance(parent, VrrpInstance) and isinstance(obj, Authentication):
            parent.authentication = obj
        elif isinstance(parent, VirtualServer) and isinstance(obj, RealServer):
            parent.real_server.append(obj)
        elif isinstance(parent, Checker) and isinstance(obj, Url):
            parent.url.append(obj)
        elif isinstance(parent, Checker) and isinstance(obj, Checker):
            parent.hosts.append(obj)
        elif isinstance(parent, (GenericBlock, Checker)):
            parent.children.setdefault(kw, []).append(obj)

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

    def _value_block(self, obj: Block, node: Node, spec: KeywordSpec, path: str,
                     cfg: Config) -> None:
        kw = spec.name
        children = node.children or []
        out = self.diags
        head_args = node.arg_words()
        if head_args and kw not in ("virtual_server_group",):
            self._report("KA024", f"Block {kw} has extra parameters "
                         f"{' '.join(head_args)} - ignoring", node,
                         "value blocks take no arguments on the keyword line")
        for child in children:
            if child.children is not None and not (
                    child.name == "{" and child.keyword.raw == "{"):
                self._report("KA011", f"unexpected block inside {kw}", child,
                             "value blocks hold one item per line, without braces")
        settings_value: list[Any] = []
        if kw in ("virtual_ipaddress", "virtual_ipaddress_excluded", "static_ipaddress"):
            for c in children:
                va = items.parse_address(c, out, static=kw == "static_ipaddress")
                if va is not None:
                    settings_value.append(va)
        elif kw in ("virtual_routes", "static_routes"):
            settings_value = [items.parse_route(c, out) for c in children]
        elif kw in ("virtual_rules", "static_rules"):
            settings_value = [items.parse_rule(c, out) for c in children]
        elif kw == "unicast_peer":
            for c in children:
                p = items.parse_peer(c, out)
                if p is not None:
                    settings_value.append(p)
        elif kw.startswith("track_") and path in ("vrrp_instance", "vrrp_sync_group"):
            settings_value = [items.parse_track(c, out, interface=kw == "track_interface")
                              for c in children]
        elif kw == "virtual_server_group":
            vsg = VirtualServerGroup(span=node.span)
            if not head_args:
                self._report("KA020", "virtual_server_group needs a name", node,
                             "write 'virtual_server_group NAME {'")
            else:
                vsg.name = head_args[0]
            for c in children:
                e = items.parse_vsg_entry(c, out)
                if e is not None:
                    vsg.entries.append(e)
            cfg.virtual_server_groups[vsg.name] = vsg
            return
        else:
            settings_value = [c.words() for c in children]
        if isinstance(obj, SyncGroup) and kw == "group":
            for c in children:
                for w in c.words():
                    obj.group.append(w)
                    obj.group_spans.append(c.head_span)
            obj.settings[kw] = Setting(kw, list(obj.group), node.span)
            return
        if obj is cfg and kw in ("static_ipaddress", "static_routes", "static_rules"):
            getattr(cfg, kw).extend(settings_value)
            cfg.settings[kw] = Setting(kw, getattr(cfg, kw), node.span)
            return
        if obj is cfg:
            gb = GenericBlock(keyword=kw, span=node.span,
                              items=[c.words() for c in children])
            cfg.other.append(gb)
            return
        if kw == "notification_email" and isinstance(obj, GlobalDefs):
            obj.notification_email.extend(" ".join(w) for w in settings_value)
            obj.settings[kw] = Setting(kw, obj.notification_email, node.span)
            return
        if kw in _fields(type(obj)):
            cur = getattr(obj, kw)
            if isinstance(cur, list):
                cur.extend(settings_value)
                settings_value = cur
            else:
                setattr(obj, kw, settings_value)
        elif isinstance(obj, GenericBlock):
            obj.items.extend(c.words() for c in children)
        obj.settings[kw] = Setting(kw, settings_value, node.span)

    # -- plain keywords -----------------------------------------------------------

    def _value(self, obj: Block, node: Node, spec: KeywordSpec) -> None:
        kw = spec.name
        args = node.arg_words()
        value = self._convert(node, spec, args)
        if value is _INVALID:
            # given but unusable (already reported): keep the words, value None,
            # so consumers that replay keepalived's fix-ups can see the attempt
            obj.settings[kw] = Setting(kw, None, None, args, node=node)
            return
        setting = obj.settings[kw] = Setting(kw, value, None, args, node=node)
        target = _target_field(type(obj), kw, spec.replacement or spec.alias_of)
        if target is None:
            self._special(obj, kw, value, args, node)
            return
        if kw == "weight" and isinstance(obj, VrrpScript):
            obj.weight_reverse = "reverse" in args[1:]
        if kw == "state" and isinstance(obj, VrrpInstance):
            if obj.state == "MASTER" and value == "BACKUP":
                self._report("KA040", f"({obj.name}) state previously set as MASTER - "
                             "ignoring BACKUP", node, "give 'state' once")
                return
        current = getattr(obj, target)
        if isinstance(current, list) and current and isinstance(value, list):
            # list fields accumulate (e.g. several status_code lines in a url)
            current.extend(value)
            setting.value = current
            return
        setattr(obj, target, value)

    def _special(self, obj: Block, kw: str, value: Any, args: list[str], node: Node) -> None:
        """Keywords whose value lands in a differently named field."""
        if isinstance(obj, VirtualServer) and kw in ("lvs_sched", "lvs_method"):
            setattr(obj, "lb_algo" if kw == "lvs_sched" else "lb_kind", value)
        elif isinstance(obj, BfdInstance) and kw == "neighbour_ip":
            obj.neighbor_ip = value

    def _convert(self, node: Node, spec: KeywordSpec, args: list[str]) -> Any:
        """Convert a keyword's arguments by the schema's type; report what is wrong."""
        t = spec.arg_type
        kw = spec.name
        if t == "none":
            return True
        if t == "bool":
            if not args:
                return True
            v = args[0].lower()
            if v in _TRUE:
                return True
            if v in _FALSE:
                return False
            self._report("KA022", f"invalid value '{args[0]}' for {kw}", node,
                         "use true/false, on/off or yes/no (or nothing for true)")
            return _INVALID
        if t in ("script",):
            if not args:
                if spec.arg_syntax.startswith("["):
                    return Script([], "", node.head_span)
                self._missing(node, kw)
                return _INVALID
            raw = " ".join(a.raw for a in node.args)
            text = " ".join(args)
            try:
                words = shlex.split(text)
            except ValueError:
                words = text.split()
            return Script(words, raw, node.head_span)
        if t == "other":
            return args[:]
        if not args:
            if spec.arg_syntax.startswith("["):
                return "" if t in ("string", "path") else True
            if spec.min is None and spec.choices is None and t in ("string", "path"):
                self._missing(node, kw)
                return _INVALID
            self._missing(node, kw)
            return _INVALID
        text = args[0]
        if t == "int":
            try:
                num = int(text, 10)  # keepalived reads base 10 only
            except ValueError:
                self._report("KA021", f"invalid number '{text}' for {kw}", node,
                             f"{kw} takes an integer" + self._range_hint(spec))
                return _INVALID
            if not self._in_range(num, spec):
                self._range_error(node, spec, text)
                return _INVALID
            return num
        if t in ("time", "float"):
            try:
                f = float(text)
            except ValueError:
                self._report("KA021", f"invalid number '{text}' for {kw}", node,
                             f"{kw} takes a number" + self._range_hint(spec))
                return _INVALID
            if f != f or not self._in_range(f, spec):
                self._range_error(node, spec, text)
                return _INVALID
            return f
        if t == "enum":
            if spec.choices and text not in spec.choices:
                self._report("KA022", f"invalid value '{text}' for {kw}", node,
                             f"use one of: {', '.join(spec.choices)}")
                return text if kw == "state" else _INVALID
            if text.isdigit() and spec.choices and all(c.isdigit() for c in spec.choices):
                return int(text)
            return text
        if t == "ip":
            try:
                ip = parse_ip(text)
            except ValueError:
                self._report("KA023", f"invalid IP address '{text}' for {kw}", node,
                             "use an IPv4 or IPv6 address")
                return _INVALID
            if len(args) > 1:
                return [str(ip), *args[1:]]
            return ip
        # string, path
        return text

    def _missing(self, node: Node, kw: str) -> None:
        self._report("KA020", f"Configuration line starting `{kw}` is missing a parameter "
                     f"after keyword `{kw}` at word position 1", node,
                     f"give {kw} a value")

    @staticmethod
    def _in_range(v: float, spec: KeywordSpec) -> bool:
        if spec.min is not None and v < spec.min:
            return False
        if spec.max is not None and v > spec.max:
            return False
        return True

    @staticmethod
    def _range_hint(spec: KeywordSpec) -> str:
        if spec.min is not None or spec.max is not None:
            return f" in [{_fmt(spec.min)}, {_fmt(spec.max)}]"
        return ""

    def _range_error(self, node: Node, spec: KeywordSpec, text: str) -> None:
        self._report("KA021", f"number '{text}' outside range [{_fmt(spec.min)}, "
                     f"{_fmt(spec.max)}] for {spec.name}", node,
                     f"keepalived ignores the value; use {spec.name}" + self._range_hint(spec))


def _fmt(v: float | None) -> str:
    if v is None:
        return "-"
    return str(int(v)) if float(v).is_integer() else str(v)


class _Invalid:
    """Marker for a value that could not be converted (already reported)."""


_INVALID: Any = _Invalid()

__all__ = ["Builder", "BLOCK_CLASSES", "TrackRef"]
