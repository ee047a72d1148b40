"""Typed model of a keepalived configuration.

One class per object keepalived knows. Fields are named exactly like the
keyword that sets them, so the builder (:mod:`kaconf.model.build`) can fill
them from the schema-driven conversion without a per-keyword table in code;
every keyword given (including the ones without a dedicated field) is also
kept, converted, in ``settings`` with its source span. Values are converted:
addresses are :mod:`ipaddress` objects, times are seconds as floats, flags are
bools. ``None`` means "not given" (the effective default is the dump's or the
daemon's business, because it often depends on other settings).

The classes are declared like dataclasses (annotated fields with defaults,
:func:`field` for per-object lists and dicts) but :class:`Block` reads the
declarations itself when a subclass is created. ``@dataclass`` would generate
and ``exec`` an ``__init__`` with every field for each of the ~35 classes at
import time and set every field of every object on construction; here a
plain default stays on the class, an object gets its own list or dict only
when the field is first used (see :class:`LazyField`) and otherwise holds just
what is given, which keeps ``import`` and building a 100k-line config cheap.
"""

from __future__ import annotations

import ipaddress
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from kaconf.diagnostics import Span
from kaconf.model.fields import FieldSpec, LazyField, field
from kaconf.model.setting import BlockSetting as BlockSetting
from kaconf.model.setting import HasSpans
from kaconf.model.setting import Setting as Setting

if TYPE_CHECKING:
    from kaconf.model.iproutes import RouteInfo, RouteReading
    from kaconf.model.iprules import RuleInfo, RuleReading
    from kaconf.model.vmac import IpvlanOption, VmacOption

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPInterface = ipaddress.IPv4Interface | ipaddress.IPv6Interface


class Block:
    """Base of every model object: where it is and every keyword it was given.

    Construct with keyword arguments naming fields (unknown names raise
    TypeError). The builder passes the tree node the object was read from
    (first argument) instead of a span: ``span`` is then that node's span
    (its keyword line for a :class:`LineItem`), worked out on first use,
    because most spans of a large config are never looked at.
    """

    #: every field, in declaration order (base classes first); ``span`` leads
    FIELDS: ClassVar[tuple[str, ...]] = ("span", "settings")
    #: the fields ``repr()`` shows
    _REPR: ClassVar[tuple[str, ...]] = ()
    _NAMES: ClassVar[frozenset[str]] = frozenset(FIELDS)

    settings: dict[str, Setting]
    _span: Span | None = None
    _source: HasSpans | None = None
    #: whether the span is the source's keyword line only (see LineItem)
    _head: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Collect the fields declared by ``cls`` on top of its base's."""
        super().__init_subclass__(**kwargs)
        names = dict.fromkeys(cls.FIELDS)
        shown = dict.fromkeys(cls._REPR)
        own = cls.__dict__
        for name, annotation in own.get("__annotations__", {}).items():
            if name.startswith("_") or str(annotation).startswith("ClassVar"):
                continue
            if name not in own:
                raise TypeError(f"{cls.__name__}.{name} needs a default")
            names[name] = None
            value = own[name]
            if isinstance(value, FieldSpec):
                setattr(cls, name, LazyField(name, value.factory))  # each object has its own
                if value.repr:
                    shown[name] = None
                else:
                    shown.pop(name, None)
            else:
                shown[name] = None
        cls.FIELDS = tuple(names)
        cls._REPR = tuple(shown)
        cls._NAMES = frozenset(names)

    def __init__(self, source: HasSpans | None = None, /, **values: Any) -> None:
        d = self.__dict__
        # every block is filled with the keywords it is given; the other list
        # and dict fields are made on first use (see LazyField)
        d["settings"] = {}
        if source is not None:
            d["_source"] = source
        if values:
            names = self._NAMES
            for name, value in values.items():
                if name not in names:
                    raise TypeError(f"{type(self).__name__}() got an unexpected keyword "
                                    f"argument '{name}'")
                setattr(self, name, value)

    @property
    def span(self) -> Span | None:
        """Where the object is: its block, or its line for one item of a value block."""
        source = self._source
        if source is not None:
            self._span = source.head_span if self._head else source.span
            self._source = None
        return self._span

    @span.setter
    def span(self, value: Span | None) -> None:
        self._span = value
        self._source = None

    def position(self) -> tuple[str, int, int]:
        """(file, line, column) where the object starts (``("", 0, 0)``: unknown), to put
        objects in source order without making their spans."""
        source = self._source
        if source is not None:
            return source.position()
        s = self._span
        return ("", 0, 0) if s is None else (s.file, s.line, s.col)

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._REPR)
        return f"{type(self).__qualname__}({fields})"

    def filled(self, name: str) -> Any:
        """List (or dict) field ``name`` if anything was put in it, else an empty tuple.

        Reading the field itself makes the object's own empty list on first use (see
        :class:`LazyField`); a reader that goes over thousands of objects asks this instead.
        """
        return self.__dict__.get(name) or ()

    def given(self, keyword: str) -> bool:
        """Whether ``keyword`` appeared in this block."""
        return keyword in self.settings

    def keep_earlier(self, setting: Setting) -> None:
        """Keep ``setting`` when a later line of its keyword replaces it in ``settings``."""
        self.__dict__.setdefault("_earlier", {}).setdefault(setting.keyword, []).append(setting)

    def occurrences(self, keyword: str) -> list[Setting]:
        """Every line of ``keyword`` in this block, in order (``settings`` keeps the last)."""
        last = self.settings.get(keyword)
        earlier: dict[str, list[Setting]] | None = self.__dict__.get("_earlier")
        return [*(earlier or {}).get(keyword, ()), *((last,) if last is not None else ())]

    def get(self, keyword: str, default: Any = None) -> Any:
        """The converted value of ``keyword``, or ``default`` when absent."""
        s = self.settings.get(keyword)
        return default if s is None else s.value


class Script:
    """A command line for a notify/check script: words as keepalived splits them."""

    __slots__ = ("args", "raw", "span")
    __match_args__ = ("args", "raw", "span")

    def __init__(self, args: list[str], raw: str, span: Span | None = None) -> None:
        self.args = args
        self.raw = raw
        self.span = span

    @property
    def path(self) -> str:
        return self.args[0] if self.args else ""

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (self.args, self.raw, self.span) == (
            other.args, other.raw, other.span)  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Script(args={self.args!r}, raw={self.raw!r}, span={self.span!r})"


class LineItem(Block):
    """One line of a value block (an address, a route, a tracked object ...).

    Its span is that line: the keyword line of the node it was read from.
    """

    _head = True


class VirtualAddress(LineItem):
    """A line of virtual_ipaddress / virtual_ipaddress_excluded / static_ipaddress."""

    address: IPInterface | None = None
    text: str = ""
    dev: str | None = None
    brd: str | None = None
    scope: str | None = None
    label: str | None = None
    peer: str | None = None
    flags: list[str] = field(default_factory=list)
    preferred_lft: str | None = None
    track_group: str | None = None
    prefix_given: bool = False


class Route(LineItem):
    """A virtual_routes / static_routes line (ip-route syntax).

    Its words (the line as written) and keepalived's reading of them (:attr:`reading`,
    made on first use: lint builds the model of every file, and only some rules and the
    resolver need it). Nothing downstream reads the words again: ask :attr:`info` (what
    keepalived keeps) or :attr:`reading` (why it drops the line, what else it reports).
    The options shown in the model (``dest`` ... ``no_track``, in ``FIELDS`` for the JSON
    dump) are what the line says, as keepalived read it (:attr:`RouteReading.given`).
    """

    #: a static_routes line (keepalived reads ``track_group`` there only)
    _static: bool = False

    words: list[str] = field(default_factory=list)

    @cached_property
    def reading(self) -> RouteReading:
        """keepalived's ``alloc_route`` of the line, with why it drops it, if it does."""
        from kaconf.model.iproutes import route_reading

        return route_reading(self.words, self._static)

    @property
    def info(self) -> RouteInfo | None:
        """keepalived's ``alloc_route`` of the line; None when it drops the line."""
        return self.reading.info

    def reading_on(self, interfaces: frozenset[str] | None) -> RouteReading:
        """keepalived's reading on a host with these interfaces (it drops the line at a
        ``dev`` it cannot find); None: not known, :attr:`reading`."""
        if interfaces is None:
            return self.reading
        from kaconf.model.iproutes import route_reading

        return route_reading(self.words, self._static, interfaces)

    @property
    def dest(self) -> str | None:
        """The destination as written."""
        return self.reading.dest

    @property
    def via(self) -> str | None:
        return self.reading.given.get("via")

    @property
    def src(self) -> str | None:
        return self.reading.given.get("src")

    @property
    def dev(self) -> str | None:
        return self.reading.given.get("dev")

    @property
    def table(self) -> str | None:
        return self.reading.given.get("table")

    @property
    def metric(self) -> int | None:
        v = self.reading.given.get("metric", "")
        return int(v) if v.isdigit() else None

    @property
    def protocol(self) -> str | None:
        return self.reading.given.get("protocol")

    @property
    def scope(self) -> str | None:
        return self.reading.given.get("scope")

    @property
    def type(self) -> str | None:
        return self.reading.given.get("type")

    @property
    def no_track(self) -> bool:
        """``no_track`` was written (keepalived also stops tracking a route without an
        interface: ``info.no_track``)."""
        return "no_track" in self.reading.given


class Rule(LineItem):
    """A virtual_rules / static_rules line (ip-rule syntax), like :class:`Route`."""

    _static: bool = False

    words: list[str] = field(default_factory=list)

    @cached_property
    def reading(self) -> RuleReading:
        """keepalived's ``alloc_rule`` of the line, with why it drops it, if it does."""
        from kaconf.model.iprules import rule_reading

        return rule_reading(self.words, self._static)

    @property
    def info(self) -> RuleInfo | None:
        """keepalived's ``alloc_rule`` of the line (``priority`` None when not given:
        the resolver numbers those); None when it drops the line."""
        return self.reading.info

    def reading_on(self, interfaces: frozenset[str] | None) -> RuleReading:
        """keepalived's reading on a host with these interfaces, like
        :meth:`Route.reading_on`."""
        if interfaces is None:
            return self.reading
        from kaconf.model.iprules import rule_reading

        return rule_reading(self.words, self._static, interfaces)

    @property
    def from_(self) -> str | None:
        return self.reading.given.get("from")

    @property
    def to(self) -> str | None:
        return self.reading.given.get("to")

    @property
    def table(self) -> str | None:
        return self.reading.given.get("table")

    @property
    def preference(self) -> int | None:
        v = self.reading.given.get("preference", "")
        return int(v) if v.isdigit() else None

    @property
    def no_track(self) -> bool:
        return "no_track" in self.reading.given


#: the options the model shows for a route or rule line, after ``words`` (the JSON dump
#: and repr list them; they are read from the line by keepalived's reading, see above)
Route.FIELDS = (*Route.FIELDS, "dest", "via", "src", "dev", "table", "metric", "protocol",
                "scope", "type", "no_track")
Route._REPR = (*Route._REPR, *Route.FIELDS[-10:])
Rule.FIELDS = (*Rule.FIELDS, "from_", "to", "table", "preference", "no_track")
Rule._REPR = (*Rule._REPR, *Rule.FIELDS[-5:])


class UnicastPeer(LineItem):
    address: IPAddress | None = None
    text: str = ""
    min_ttl: int | None = None
    max_ttl: int | None = None


class TrackRef(LineItem):
    """A line of track_script / track_file / track_process / track_bfd / track_interface."""

    name: str = ""
    weight: int | None = None
    reverse: bool | None = None


class Authentication(Block):
    auth_type: str | None = None
    auth_pass: str | None = None


class VrrpInstance(Block):
    name: str = ""
    state: str | None = None
    interface: str | None = None
    virtual_router_id: int | None = None
    priority: int | None = None
    advert_int: float | None = None
    version: int | None = None
    nopreempt: bool = False
    preempt: bool = False
    preempt_delay: float | None = None
    mcast_src_ip: IPAddress | None = None
    unicast_src_ip: IPAddress | None = None
    mcast_dst_ip: IPAddress | None = None
    unicast_ttl: int | None = None
    unicast_peer: list[UnicastPeer] = field(default_factory=list)
    virtual_ipaddress: list[VirtualAddress] = field(default_factory=list)
    virtual_ipaddress_excluded: list[VirtualAddress] = field(default_factory=list)
    virtual_routes: list[Route] = field(default_factory=list)
    virtual_rules: list[Rule] = field(default_factory=list)
    track_interface: list[TrackRef] = field(default_factory=list)
    track_script: list[TrackRef] = field(default_factory=list)
    track_file: list[TrackRef] = field(default_factory=list)
    track_process: list[TrackRef] = field(default_factory=list)
    track_bfd: list[TrackRef] = field(default_factory=list)
    authentication: Authentication | None = None
    notify: Script | None = None
    notify_master: Script | None = None
    notify_backup: Script | None = None
    notify_fault: Script | None = None
    notify_stop: Script | None = None
    notify_deleted: Script | None = None
    notify_master_rx_lower_pri: Script | None = None
    smtp_alert: bool | None = None
    accept: bool = False
    no_accept: bool = False
    strict_mode: bool | None = None
    dont_track_primary: bool = False
    native_ipv6: bool = False
    use_vmac: list[str] | None = None
    garp_master_delay: float | None = None
    garp_master_repeat: int | None = None
    garp_master_refresh: float | None = None
    garp_master_refresh_repeat: int | None = None
    garp_lower_prio_delay: float | None = None
    garp_lower_prio_repeat: int | None = None
    down_timer_adverts: int | None = None
    lvs_sync_daemon_interface: str | None = None
    debug: int | None = None

    @property
    def vips(self) -> list[VirtualAddress]:
        return self.virtual_ipaddress

    @cached_property
    def vmac(self) -> VmacOption | None:
        """``use_vmac`` as keepalived reads it (:mod:`kaconf.model.vmac`); None when not
        given. Read on first use, from the last ``use_vmac`` line."""
        s = self.settings.get("use_vmac")
        if s is None:
            return None
        from kaconf.model.readers import words
        from kaconf.model.vmac import parse_use_vmac

        return parse_use_vmac(words(s), self.name, s.span)

    @cached_property
    def ipvlan(self) -> IpvlanOption | None:
        """``use_ipvlan`` as keepalived reads it (:mod:`kaconf.model.vmac`); None when not
        given. Read on first use, from the ``use_ipvlan`` line the settings keep."""
        s = self.settings.get("use_ipvlan")
        if s is None:
            return None
        from kaconf.model.readers import words
        from kaconf.model.vmac import parse_use_ipvlan

        return parse_use_ipvlan(words(s), s.span)


class SyncGroup(Block):
    name: str = ""
    group: list[str] = field(default_factory=list)
    group_spans: list[Span] = field(default_factory=list, repr=False)
    track_interface: list[TrackRef] = field(default_factory=list)
    track_script: list[TrackRef] = field(default_factory=list)
    track_file: list[TrackRef] = field(default_factory=list)
    track_process: list[TrackRef] = field(default_factory=list)
    track_bfd: list[TrackRef] = field(default_factory=list)
    notify: Script | None = None
    notify_master: Script | None = None
    notify_backup: Script | None = None
    notify_fault: Script | None = None
    notify_stop: Script | None = None
    smtp_alert: bool | None = None
    global_tracking: bool = False


class VrrpScript(Block):
    name: str = ""
    script: Script | None = None
    interval: float | None = None
    timeout: float | None = None
    weight: int | None = None
    weight_reverse: bool = False
    rise: int | None = None
    fall: int | None = None
    user: str | None = None
    init_fail: bool = False


class TrackFile(Block):
    name: str = ""
    file: str | None = None
    weight: int | None = None
    init_file: int | None = None


class TrackProcess(Block):
    name: str = ""
    process: str | None = None
    weight: int | None = None
    quorum: int | None = None


class BfdInstance(Block):
    name: str = ""
    source_ip: IPAddress | None = None
    neighbor_ip: IPAddress | None = None
    min_rx: float | None = None
    min_tx: float | None = None
    multiplier: int | None = None
    weight: int | None = None


class Url(Block):
    path: str | None = None
    digest: str | None = None
    status_code: list[str] = field(default_factory=list)
    virtualhost: str | None = None


class Checker(Block):
    """One health checker of a real server (TCP_CHECK, HTTP_GET, ... by ``kind``).

    The fields every kind shares (and those lint reads on any checker); each kind's own
    class is declared by its module in :mod:`kaconf.checkers.kinds`.
    """

    kind: str = ""
    connect_ip: IPAddress | None = None
    connect_port: int | None = None
    connect_timeout: float | None = None
    retry: int | None = None
    delay_before_retry: float | None = None
    delay_loop: float | None = None
    warmup: float | None = None
    url: list[Url] = field(default_factory=list)
    misc_path: Script | None = None
    misc_timeout: float | None = None
    misc_dynamic: bool = False
    hosts: list[Checker] = field(default_factory=list)
    children: dict[str, list[Block]] = field(default_factory=dict, repr=False)
    bindto: IPAddress | None = None
    bind_port: int | None = None
    bind_if: str | None = None
    fwmark: int | None = None
    alpha: bool | None = None
    log_all_failures: bool | None = None


class RealServer(Block):
    address: IPAddress | None = None
    port: int | None = None
    weight: int | None = None
    inhibit_on_failure: bool | None = None
    notify_up: Script | None = None
    notify_down: Script | None = None
    checkers: list[Checker] = field(default_factory=list)


class VirtualServer(Block):
    address: IPAddress | None = None
    port: int | None = None
    fwmark: int | None = None
    group: str | None = None
    lb_algo: str | None = None
    lb_kind: str | None = None
    protocol: str | None = None
    persistence_timeout: int | None = None
    delay_loop: float | None = None
    quorum: int | None = None
    hysteresis: int | None = None
    quorum_up: Script | None = None
    quorum_down: Script | None = None
    sorry_server: list[str] | None = None
    alpha: bool = False
    omega: bool = False
    inhibit_on_failure: bool = False
    real_server: list[RealServer] = field(default_factory=list)

    @property
    def real_servers(self) -> list[RealServer]:
        return self.real_server

    @property
    def label(self) -> str:
        if self.fwmark is not None:
            return f"FWM {self.fwmark}"
        if self.group is not None:
            return f"GROUP {self.group}"
        addr = f"[{self.address}]" if isinstance(self.address, ipaddress.IPv6Address) else str(
            self.address)
        return f"{addr}:{self.port}"


class VsgEntry(LineItem):
    kind: str = "address"  # address | range | subnet | fwmark
    text: str = ""
    port: int | None = None
    fwmark: int | None = None


class VirtualServerGroup(Block):
    name: str = ""
    entries: list[VsgEntry] = field(default_factory=list)


class GlobalDefs(Block):
    router_id: str | None = None
    notification_email: list[str] = field(default_factory=list)
    notification_email_from: str | None = None
    smtp_server: list[str] | None = None
    smtp_connect_timeout: float | None = None
    enable_script_security: bool = False
    script_user: str | None = None
    vrrp_version: int | None = None
    vrrp_strict: bool | None = None
    default_interface: str | None = None


class GenericBlock(Block):
    """A block kaconf models only through its settings (garp_group, SSL, ...)."""

    keyword: str = ""
    name: str | None = None
    items: list[list[str]] = field(default_factory=list)
    children: dict[str, list[Block]] = field(default_factory=dict)


class Config(Block):
    """A whole configuration, as keepalived would read it."""

    files: list[str] = field(default_factory=list)
    global_defs: GlobalDefs = field(default_factory=GlobalDefs)
    vrrp_scripts: dict[str, VrrpScript] = field(default_factory=dict)
    track_files: dict[str, TrackFile] = field(default_factory=dict)
    track_processes: dict[str, TrackProcess] = field(default_factory=dict)
    bfd_instances: dict[str, BfdInstance] = field(default_factory=dict)
    vrrp_instances: list[VrrpInstance] = field(default_factory=list)
    sync_groups: list[SyncGroup] = field(default_factory=list)
    static_ipaddress: list[VirtualAddress] = field(default_factory=list)
    static_routes: list[Route] = field(default_factory=list)
    static_rules: list[Rule] = field(default_factory=list)
    virtual_server_groups: dict[str, VirtualServerGroup] = field(default_factory=dict)
    virtual_servers: list[VirtualServer] = field(default_factory=list)
    other: list[GenericBlock] = field(default_factory=list)

    def instance(self, name: str) -> VrrpInstance | None:
        """The vrrp_instance called ``name``, if any."""
        for inst in self.vrrp_instances:
            if inst.name == name:
                return inst
        return None


if not TYPE_CHECKING:  # run time only, so that mypy still checks names imported from here
    def __getattr__(name: str) -> Any:  # the checker classes, moved to kaconf.checkers
        if not name.startswith("_"):  # (found on first use: importing them here is circular)
            from kaconf.checkers.registry import CHECKER_CLASSES

            if name == "CHECKER_CLASSES":
                return CHECKER_CLASSES
            for cls in CHECKER_CLASSES.values():
                if cls.__name__ == name:
                    return cls
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
