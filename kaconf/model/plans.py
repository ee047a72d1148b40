"""Plans: what each (block path, keyword) does, worked out once (one model-building concern).

Everything that only depends on the schema entry and the block path - which
converter, which field, which model class, where a block is attached - is worked
out once per (block path, keyword) into a plan (:class:`ValuePlan`,
:class:`SectionPlan`, :class:`ValueBlockPlan`); a 100k-line config repeats the same
few dozen keywords thousands of times, so the builder's per-statement work is only
the conversion itself.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Final

from kaconf.checkers.registry import CHECKER_CLASSES
from kaconf.diagnostics import Diagnostic
from kaconf.model import items
from kaconf.model.convert import (
    Reporter,
    converter,
    rs_head,
    script_weight,
    state_once,
    vs_head,
)
from kaconf.model.objects import (
    Authentication,
    BfdInstance,
    Block,
    Checker,
    Config,
    GenericBlock,
    GlobalDefs,
    RealServer,
    SyncGroup,
    TrackFile,
    TrackProcess,
    Url,
    VirtualServer,
    VrrpInstance,
    VrrpScript,
)
from kaconf.schema import KeywordSpec
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


@functools.cache
def _block_class(child_path: str, kw: str) -> tuple[type[Block], bool]:
    """The model class for a block path, and whether it is a real server's checker."""
    if child_path.startswith(_CHECKER_PARENT + "/") and child_path.count("/") == 2:
        return CHECKER_CLASSES.get(kw, Checker), True
    cls = BLOCK_CLASSES.get(child_path)
    if cls is None:
        cls = Checker if child_path.endswith("SMTP_CHECK/host") else GenericBlock
    return cls, False


def path_class(path: str) -> type[Block]:
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


class ValuePlan:
    """How a plain keyword is converted and stored in the objects of one block path."""

    __slots__ = ("kw", "convert", "target", "alt_target", "check")

    def __init__(self, spec: KeywordSpec, cls: type[Block]) -> None:
        kw = spec.name
        self.kw = kw
        self.convert = converter(spec)
        #: the typed field set (None: only ``settings``, or ``alt_target``)
        self.target = _target_field(cls, kw, spec.replacement or spec.alias_of)
        self.alt_target = None if self.target else _alt_field(cls, kw)
        #: keepalived's extra handling of a keyword; returns False to keep the field
        self.check: Callable[[Reporter, Any, Node, Any, list[str]], bool] | None = None
        if self.target is not None:
            if kw == "weight" and issubclass(cls, VrrpScript):
                self.check = script_weight
            elif kw == "state" and issubclass(cls, VrrpInstance):
                self.check = state_once


#: puts a finished block into its parent: (parent, keyword, block)
Attach = Callable[[Any, str, Any], None]


class SectionPlan:
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
        self.head: Callable[[Reporter, Any, Node, list[str]], None] | None = (
            vs_head if issubclass(cls, VirtualServer)
            else rs_head if issubclass(cls, RealServer) else None)
        self.attach = _attacher(parent_cls, cls)
        #: the list field of the parent the block is appended to, when that is
        #: all ``attach`` does (spares a call per block)
        self.append_to: str | None = getattr(self.attach, "append_to", None)


def _append(field: str) -> Attach:
    def attach(parent: Any, kw: str, obj: Any) -> None:
        getattr(parent, field).append(obj)
    attach.append_to = field  # type: ignore[attr-defined]  # see SectionPlan.append_to
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
        return functools.partial(items.parse_route, static=kw == "static_routes")
    if kw in ("virtual_rules", "static_rules"):
        return functools.partial(items.parse_rule, static=kw == "static_rules")
    if kw == "unicast_peer":
        return items.parse_peer
    if kw.startswith("track_") and path in ("vrrp_instance", "vrrp_sync_group"):
        return functools.partial(items.parse_track, interface=kw == "track_interface")
    return None


class ValueBlockPlan:
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


#: an unknown keyword has the plan UNKNOWN
UNKNOWN: Final = "unknown"


Plan = ValuePlan | SectionPlan | ValueBlockPlan | str
