"""From the kaconf model to what the VRRP child runs: defaults applied, values frozen.

The model keeps ``None`` for "not given" because the right default often depends on
other settings; this module is the one place where the daemon decides them (keepalived
2.2.7 defaults). The result, :class:`VrrpConfig` with one :class:`InstanceConfig` per
instance, is frozen and comparable, so a reload can tell unchanged instances (keep
state and VIPs) from changed ones by ``==``.

Tracking follows keepalived's configuration rules, because they change behaviour:
a ``track_script`` line's ``weight`` overrides the script's (``reverse``/``noreverse``
too); a ``track_file`` defaults to weight 1; an address owner (priority 255) and a
``vrrp_sync_group`` member (unless ``sync_group_tracking_weight``) cannot have weighted
trackers: weighted interfaces become weight 0, weighted scripts are dropped, a file with
the default weight 1 becomes weight 0 and one with another weight is dropped, each
with keepalived's warning. Tracking configured on a sync group applies to every member.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from kaconf.model.objects import Config, TrackRef, VirtualAddress, VrrpInstance

from .accept import accept_mode
from .fsm import InstanceParams, State, Tracker, TrackKind
from .packet import VRRP_MCAST_V4, VRRP_MCAST_V6, AuthType, auth_data_from_pass
from .routes import RouteError, RouteSpec, RuleSpec, parse_route, parse_rule
from .vmac import default_vmac_name, parse_use_vmac, virtual_mac

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPInterface = ipaddress.IPv4Interface | ipaddress.IPv6Interface

_SCOPES = {"global": 0, "site": 200, "link": 253, "host": 254, "nowhere": 255}


class UnsupportedConfig(ValueError):
    """The config is valid keepalived but uses something kaconfd cannot run yet."""


@dataclass(frozen=True, slots=True)
class Vip:
    """One virtual address to install: where, and with which ip-address options."""

    address: IPInterface
    dev: str
    label: str | None = None
    scope: int | None = None
    broadcast: str | None = None

    def __str__(self) -> str:
        return str(self.address.ip)


@dataclass(frozen=True, slots=True)
class InstanceConfig:
    """Everything the VRRP child needs to run one ``vrrp_instance``."""

    name: str
    interface: str
    vrid: int
    family: int
    version: int
    priority: int
    advert_int: float
    initial_state: State
    nopreempt: bool
    preempt_delay: float
    vips: tuple[Vip, ...]
    excluded_vips: tuple[Vip, ...]
    mcast_dst: IPAddress
    src_ip: IPAddress | None
    unicast_peers: tuple[IPAddress, ...]
    ttl: int
    auth_type: AuthType
    auth_data: bytes
    garp_master_delay: float
    garp_master_repeat: int
    down_timer_adverts: int
    trackers: tuple[Tracker, ...]
    #: Interfaces to watch, keyed as in :attr:`trackers` ("if:<name>").
    tracked_interfaces: tuple[str, ...]
    notify: tuple[str, ...] | None
    notify_master: tuple[str, ...] | None
    notify_backup: tuple[str, ...] | None
    notify_fault: tuple[str, ...] | None
    notify_stop: tuple[str, ...] | None
    notify_master_rx_lower_pri: tuple[str, ...] | None
    routes: tuple[RouteSpec, ...] = ()
    rules: tuple[RuleSpec, ...] = ()
    sync_group: str | None = None
    garp_refresh: float = 0.0
    garp_refresh_repeat: int = 1
    garp_lower_prio_delay: float = 5.0
    garp_lower_prio_repeat: int = 5
    lower_prio_no_advert: bool = False
    #: Write MASTER_PRIORITY / BACKUP_PRIORITY lines to the notify FIFO on changes.
    notify_priority_changes: bool = False
    #: vrrp_script / track_file names this instance's trackers refer to.
    tracked_scripts: tuple[str, ...] = ()
    tracked_files: tuple[str, ...] = ()
    #: ``use_vmac``: the VMAC interface's name and MAC (None: no VMAC); see :mod:`.vmac`.
    vmac: str | None = None
    vmac_mac: str | None = None
    #: ``vmac_xmit_base`` (forced with unicast peers): adverts leave by the base interface.
    vmac_xmit_base: bool = False
    #: Accept mode (see :mod:`.accept`): False puts drop rules on the VIPs while MASTER.
    accept: bool = True

    @property
    def advert_interface(self) -> str:
        """Where adverts are sent from: the VMAC unless ``vmac_xmit_base``."""
        return self.vmac if self.vmac and not self.vmac_xmit_base else self.interface

    @property
    def unicast(self) -> bool:
        return bool(self.unicast_peers)

    def fsm_params(self, primary_ip: IPAddress) -> InstanceParams:
        """The state machine's parameters, once the source address is known."""
        return InstanceParams(
            name=self.name, vrid=self.vrid, priority=self.priority,
            advert_int=self.advert_int, version=self.version,
            initial_state=self.initial_state, nopreempt=self.nopreempt,
            preempt_delay=self.preempt_delay, primary_ip=primary_ip,
            garp_master_delay=self.garp_master_delay,
            garp_master_repeat=self.garp_master_repeat,
            down_timer_adverts=self.down_timer_adverts, trackers=self.trackers,
            garp_lower_prio_repeat=self.garp_lower_prio_repeat,
            garp_lower_prio_delay=self.garp_lower_prio_delay,
            garp_refresh=self.garp_refresh, garp_refresh_repeat=self.garp_refresh_repeat,
            lower_prio_no_advert=self.lower_prio_no_advert, sync_group=self.sync_group)


@dataclass(frozen=True, slots=True)
class ScriptConfig:
    """A ``vrrp_script`` that some instance or sync group tracks."""

    name: str
    argv: tuple[str, ...]
    interval: float = 1.0
    #: keepalived: no timeout means the interval.
    timeout: float = 1.0
    rise: int = 1
    fall: int = 1
    init_fail: bool = False


@dataclass(frozen=True, slots=True)
class TrackFileConfig:
    """A ``track_file`` / ``vrrp_track_file`` that some instance or sync group tracks."""

    name: str
    path: str
    #: ``init_file [VALUE]``: create the file with VALUE (default 0) if missing.
    init_value: int | None = None
    #: ``init_file ... overwrite``: write VALUE even over an existing file (not on reload).
    init_overwrite: bool = False


@dataclass(frozen=True, slots=True)
class SyncGroupConfig:
    """A ``vrrp_sync_group``: its members (existing instances) and group notify scripts."""

    name: str
    members: tuple[str, ...]
    notify: tuple[str, ...] | None = None
    notify_master: tuple[str, ...] | None = None
    notify_backup: tuple[str, ...] | None = None
    notify_fault: tuple[str, ...] | None = None
    notify_stop: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class VrrpConfig:
    """Everything the VRRP child runs; ``warnings`` are logged once at start-up."""

    instances: tuple[InstanceConfig, ...]
    scripts: tuple[ScriptConfig, ...] = ()
    track_files: tuple[TrackFileConfig, ...] = ()
    groups: tuple[SyncGroupConfig, ...] = ()
    #: ``notify_fifo`` and ``vrrp_notify_fifo`` paths (either may be absent).
    notify_fifos: tuple[str, ...] = ()
    #: Scripts started once with their FIFO's path as last argument.
    fifo_scripts: tuple[tuple[str, ...], ...] = ()
    #: nftables table and base chain priority for no_accept drop rules (global ``nftables``,
    #: ``nftables_priority``).
    nft_table: str = "keepalived"
    nft_priority: int = -1
    #: static_ipaddress / static_routes / static_rules (see statics.py)
    static_vips: tuple[Vip, ...] = ()
    static_routes: tuple[RouteSpec, ...] = ()
    static_rules: tuple[RuleSpec, ...] = ()
    warnings: tuple[str, ...] = field(default=(), compare=False)


def _vip(va: VirtualAddress, default_dev: str) -> Vip:
    if va.address is None:
        raise UnsupportedConfig(f"virtual address {va.text!r} has no address")
    addr = va.address
    if not va.prefix_given:
        # keepalived: a VIP without /len is a host address.
        addr = ipaddress.ip_interface(f"{addr.ip}/{addr.max_prefixlen}")
    scope = _SCOPES.get(va.scope) if va.scope else None
    return Vip(addr, va.dev or default_dev, va.label, scope, va.brd)


def _script(s: object) -> tuple[str, ...] | None:
    args = getattr(s, "args", None)
    return tuple(args) if args else None


def _global(cfg: Config, keyword: str, default: float) -> float:
    value = cfg.global_defs.get(keyword, default)
    return float(value) if isinstance(value, int | float) else default


def _weight(value: int | None, default: int = 0) -> int:
    """A tracking weight, with keepalived's rule that +/-254 means +/-253."""
    w = default if value is None else value
    return max(-253, min(253, w))


class _Builder:
    """Builds a :class:`VrrpConfig`, collecting keepalived's warnings on the way."""

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.warnings: list[str] = []
        self.scripts: dict[str, ScriptConfig] = {}
        self.files: dict[str, TrackFileConfig] = {}
        self.used_scripts: set[str] = set()
        self.used_files: set[str] = set()
        self.vmac_names = self._vmac_names()
        for name, vs in cfg.vrrp_scripts.items():
            argv = _script(vs.script)
            if not argv:
                self.warnings.append(f"No script set for vrrp_script {name} - removing")
                continue
            interval = float(vs.interval) if vs.interval else 1.0
            self.scripts[name] = ScriptConfig(
                name=name, argv=argv, interval=interval,
                timeout=float(vs.timeout) if vs.timeout else interval,
                rise=max(1, vs.rise or 1), fall=max(1, vs.fall or 1), init_fail=vs.init_fail)
        for name, tf in cfg.track_files.items():
            if not tf.file:
                self.warnings.append(f"No file set for track_file {name} - ignoring")
                continue
            init = tf.settings.get("init_file")
            overwrite = bool(init and "overwrite" in init.args)
            self.files[name] = TrackFileConfig(
                name=name, path=tf.file,
                init_value=(tf.init_file or 0) if init is not None else None,
                init_overwrite=overwrite)

    def _vmac_names(self) -> dict[str, str]:
        """VMAC interface names by instance, allocated as keepalived does.

        Given names are taken in configuration order (a name already taken is ignored
        with a warning); generated ``<prefix>.<VRID>`` names come after and avoid all.
        """
        given: dict[str, str] = {}
        wanted: list[VrrpInstance] = []
        for inst in self.cfg.vrrp_instances:
            if inst.use_vmac is None or inst.virtual_router_id is None:
                continue
            opt = parse_use_vmac(inst.use_vmac, inst.virtual_router_id, inst.name)
            self.warnings.extend(opt.warnings)
            if opt.name is not None and opt.name in given.values():
                other = next(k for k, v in given.items() if v == opt.name)
                self.warnings.append(f"({inst.name}) VRRP instance {other} is already using "
                                     f"{opt.name} - ignoring name")
            elif opt.name is not None:
                given[inst.name] = opt.name
                continue
            wanted.append(inst)
        prefix = str(self.cfg.global_defs.get("vmac_prefix") or "vrrp")
        used = set(given.values())
        for inst in wanted:
            family = 6 if inst.native_ipv6 or any(
                v.address is not None and v.address.version == 6
                for v in inst.virtual_ipaddress[:1]) else 4
            name = default_vmac_name(prefix, inst.virtual_router_id or 0, family, used)
            used.add(name)
            given[inst.name] = name
        return given

    # ---------------------------------------------------------------- trackers

    def _file_defaults(self, name: str) -> tuple[int, bool]:
        tf = self.cfg.track_files[name]
        setting = tf.settings.get("weight")
        reverse = bool(setting and "reverse" in setting.args[1:])
        return _weight(tf.weight, 1), reverse

    def _script_tracker(self, owner: str, ref: TrackRef) -> Tracker | None:
        sc = self.scripts.get(ref.name)
        vs = self.cfg.vrrp_scripts.get(ref.name)
        if sc is None or vs is None:
            self.warnings.append(f"({owner}) track script {ref.name} not found, ignoring...")
            return None
        weight = _weight(ref.weight if ref.weight is not None else vs.weight)
        reverse = ref.reverse if ref.reverse is not None else vs.weight_reverse
        return Tracker(f"script:{ref.name}", weight, bool(reverse), TrackKind.STATE,
                       initial=False if sc.init_fail else None)

    def _file_tracker(self, owner: str, ref: TrackRef) -> Tracker | None:
        if ref.name not in self.files:
            self.warnings.append(f"({owner}) track file {ref.name} not found, ignoring...")
            return None
        weight, reverse = self._file_defaults(ref.name)
        if ref.weight is not None:
            weight = _weight(ref.weight)
        if ref.reverse is not None:
            reverse = ref.reverse
        return Tracker(f"file:{ref.name}", weight, reverse, TrackKind.VALUE)

    def _refs(self, owner: str, ifaces: list[TrackRef], scripts: list[TrackRef],
              files: list[TrackRef]) -> list[Tracker]:
        out: list[Tracker] = []
        for ref in ifaces:
            out.append(Tracker(f"if:{ref.name}", _weight(ref.weight), bool(ref.reverse)))
        for ref in scripts:
            if (t := self._script_tracker(owner, ref)) is not None:
                out.append(t)
        for ref in files:
            if (t := self._file_tracker(owner, ref)) is not None:
                out.append(t)
        unique: list[Tracker] = []
        for t in out:
            if any(u.name == t.name for u in unique):
                kind, _, name = t.name.partition(":")
                what = {"if": "track_interface", "script": "track_script"}.get(kind, "track_file")
                self.warnings.append(f"({owner}) duplicate {what} {name} - ignoring")
                continue
            unique.append(t)
        return unique

    def _unweighted(self, owner: str, trackers: list[Tracker], why: str) -> list[Tracker]:
        """keepalived's rule for owners and sync-group members: no floating priority."""
        kept: list[Tracker] = []
        for t in trackers:
            kind, _, name = t.name.partition(":")
            if t.weight == 0:
                kept.append(t)
            elif kind == "if":
                if why == "address owner":
                    self.warnings.append(f"({owner}) ignoring {name} tracked interface due to "
                                         f"{why}")
                    continue
                self.warnings.append(f"({owner}) ignoring {name} tracked interface weight "
                                     f"due to {why}")
                kept.append(Tracker(t.name, 0, t.reverse, t.kind, t.initial))
            elif kind == "script":
                self.warnings.append(f"({owner}) ignoring tracked script {name} with weights "
                                     f"due to {why}")
            elif t.weight == 1:
                self.warnings.append(f"({owner}) ignoring weight from tracked file {name} due "
                                     f"to {why}. specify weight 0")
                kept.append(Tracker(t.name, 0, t.reverse, t.kind, t.initial))
            else:
                self.warnings.append(f"({owner}) ignoring tracked file {name} with weight "
                                     f"{t.weight} due to {why}")
        return kept

    # ---------------------------------------------------------------- instances

    def instance(self, inst: VrrpInstance, group: str | None, group_trackers: list[Tracker],
                 group_weights: bool) -> InstanceConfig:
        base = instance_base(inst, self.cfg, self.vmac_names.get(inst.name))
        trackers: list[Tracker] = []
        tracked: list[str] = []
        if not inst.dont_track_primary:
            trackers.append(Tracker(f"if:{inst.interface}"))
        own = self._refs(inst.name, inst.track_interface, inst.track_script, inst.track_file)
        # An explicit track_interface line for the primary interface replaces the default.
        trackers = [t for t in trackers if all(o.name != t.name for o in own)] + own
        if base.priority >= 255:
            trackers = self._unweighted(inst.name, trackers, "address owner")
        elif group is not None and not group_weights:
            trackers = self._unweighted(inst.name, trackers, "SYNC group")
        for gt in group_trackers:
            mine = next((t for t in trackers if t.name == gt.name), None)
            if mine is not None:
                kind, _, name = gt.name.partition(":")
                self.warnings.append(f"({inst.name}) track_{kind if kind != 'if' else 'interface'}"
                                     f" {name} is configured on VRRP instance and sync group. "
                                     "Remove vrrp instance config")
                trackers.remove(mine)
                if mine.weight == 0:
                    gt = Tracker(gt.name, 0, gt.reverse, gt.kind, gt.initial)
            trackers.append(gt)
        for t in trackers:
            kind, _, name = t.name.partition(":")
            if kind == "if" and name not in tracked:
                tracked.append(name)
            elif kind == "script":
                self.used_scripts.add(name)
            elif kind == "file":
                self.used_files.add(name)
        routes: list[RouteSpec] = []
        rules: list[RuleSpec] = []
        try:
            routes = [parse_route(r.words) for r in inst.virtual_routes]
            rules = [parse_rule(r.words) for r in inst.virtual_rules]
        except RouteError as exc:
            raise UnsupportedConfig(f"({inst.name}) {exc}") from None
        cfg = self.cfg
        refresh = inst.garp_master_refresh
        if refresh is None:
            refresh = _global(cfg, "vrrp_garp_master_refresh", 0.0)
        refresh_rep = inst.garp_master_refresh_repeat
        if refresh_rep is None:
            refresh_rep = int(_global(cfg, "vrrp_garp_master_refresh_repeat", 1))
        global_rep = int(_global(cfg, "vrrp_garp_master_repeat", 5))
        global_delay = _global(cfg, "vrrp_garp_master_delay", 5.0)
        lp_delay = inst.garp_lower_prio_delay
        if lp_delay is None:
            lp_delay = _global(cfg, "vrrp_garp_lower_prio_delay", global_delay)
        lp_rep = inst.garp_lower_prio_repeat
        if lp_rep is None:
            lp_rep = int(_global(cfg, "vrrp_garp_lower_prio_repeat", global_rep))
        no_advert = inst.get("lower_prio_no_advert")
        if no_advert is None:
            no_advert = cfg.global_defs.get("vrrp_lower_prio_no_advert")
        prio_changes = inst.get("notify_priority_changes")
        strict = inst.strict_mode if inst.strict_mode is not None else bool(
            cfg.global_defs.get("vrrp_strict"))
        accept, why = accept_mode(priority=base.priority, strict=bool(strict),
                                  version=base.version, accept=inst.accept,
                                  no_accept=inst.no_accept, owner=inst.name)
        if why:
            self.warnings.append(why)
        return InstanceConfig(**{
            **{f: getattr(base, f) for f in base.__dataclass_fields__},
            "trackers": tuple(trackers), "tracked_interfaces": tuple(tracked),
            "routes": tuple(routes), "rules": tuple(rules), "sync_group": group,
            "garp_refresh": float(refresh), "garp_refresh_repeat": max(1, int(refresh_rep)),
            "garp_lower_prio_delay": float(lp_delay),
            "garp_lower_prio_repeat": max(0, int(lp_rep)),
            "lower_prio_no_advert": bool(no_advert),
            "notify_priority_changes": bool(prio_changes),
            "accept": accept,
            "tracked_scripts": tuple(t.name.partition(":")[2] for t in trackers
                                     if t.name.startswith("script:")),
            "tracked_files": tuple(t.name.partition(":")[2] for t in trackers
                                   if t.name.startswith("file:")),
        })

    # ---------------------------------------------------------------- whole config

    def build(self) -> VrrpConfig:
        cfg = self.cfg
        for inst in cfg.vrrp_instances:
            if inst.track_process or inst.track_bfd:
                raise UnsupportedConfig(f"({inst.name}) track_process/track_bfd are not "
                                        "supported by kaconfd yet")
        names = {inst.name for inst in cfg.vrrp_instances}
        membership: dict[str, str] = {}
        groups: list[SyncGroupConfig] = []
        group_trackers: dict[str, list[Tracker]] = {}
        group_weights: dict[str, bool] = {}
        for sg in cfg.sync_groups:
            if sg.track_process or sg.track_bfd:
                raise UnsupportedConfig(f"({sg.name}) track_process/track_bfd are not "
                                        "supported by kaconfd yet")
            members: list[str] = []
            for name in sg.group:
                if name not in names:
                    self.warnings.append(f"Virtual router {name} specified in sync group "
                                         f"{sg.name} doesn't exist - ignoring")
                elif name in membership:
                    self.warnings.append(f"Virtual router {name} cannot exist in more than one "
                                         f"sync group; ignoring {sg.name}")
                else:
                    members.append(name)
            if not members:
                self.warnings.append(f"Sync group {sg.name}, no matching virtual router found "
                                     "in group declaration - removing")
                continue
            if len(members) == 1:
                self.warnings.append(f"Sync group {sg.name} has only 1 virtual router(s) - "
                                     "this probably isn't what you want")
            for name in members:
                membership[name] = sg.name
            trackers = self._refs(sg.name, sg.track_interface, sg.track_script, sg.track_file)
            has_owner = any((i.priority or 100) >= 255 for i in cfg.vrrp_instances
                            if i.name in members)
            if has_owner:
                cleared = []
                for t in trackers:
                    if t.weight:
                        self.warnings.append(f"({sg.name}) Cannot have weighted track "
                                             f"{t.name.partition(':')[0]} "
                                             f"'{t.name.partition(':')[2]}' with member having "
                                             "priority 255 - clearing weight")
                        t = Tracker(t.name, 0, t.reverse, t.kind, t.initial)
                    cleared.append(t)
                trackers = cleared
            group_trackers[sg.name] = trackers
            group_weights[sg.name] = bool(sg.global_tracking
                                          or sg.given("sync_group_tracking_weight"))
            groups.append(SyncGroupConfig(
                name=sg.name, members=tuple(members), notify=_script(sg.notify),
                notify_master=_script(sg.notify_master), notify_backup=_script(sg.notify_backup),
                notify_fault=_script(sg.notify_fault), notify_stop=_script(sg.notify_stop)))
        instances = []
        for inst in cfg.vrrp_instances:
            group = membership.get(inst.name)
            instances.append(self.instance(inst, group, group_trackers.get(group or "", []),
                                           group_weights.get(group or "", False)))
        for name in self.scripts:
            if name not in self.used_scripts:
                self.warnings.append(f"Warning - script {name} is not used")
        fifos: list[str] = []
        fifo_scripts: list[tuple[str, ...]] = []
        g = cfg.global_defs
        for keyword, script_kw in (("notify_fifo", "notify_fifo_script"),
                                   ("vrrp_notify_fifo", "vrrp_notify_fifo_script")):
            path = g.get(keyword)
            if not path:
                continue
            fifos.append(str(path))
            argv = _script(g.get(script_kw))
            # keepalived: the checker process runs the global FIFO's script when there
            # is one (virtual servers configured); otherwise the VRRP process does.
            if argv and (keyword == "vrrp_notify_fifo" or not cfg.virtual_servers):
                fifo_scripts.append(argv + (str(path),))
        try:
            static_routes = tuple(parse_route(r.words) for r in cfg.static_routes)
            static_rules = tuple(parse_rule(r.words) for r in cfg.static_rules)
        except RouteError as exc:
            raise UnsupportedConfig(f"static: {exc}") from None
        return VrrpConfig(
            instances=tuple(instances),
            static_vips=tuple(_vip(va, "") for va in cfg.static_ipaddress),
            static_routes=static_routes, static_rules=static_rules,
            scripts=tuple(s for n, s in self.scripts.items() if n in self.used_scripts),
            track_files=tuple(f for n, f in self.files.items() if n in self.used_files),
            groups=tuple(groups), notify_fifos=tuple(fifos), fifo_scripts=tuple(fifo_scripts),
            nft_table=table if isinstance(table := g.get("nftables"), str) and table
            else "keepalived",
            nft_priority=int(_global(cfg, "nftables_priority", -1)),
            warnings=tuple(self.warnings))


def instance_base(inst: VrrpInstance, cfg: Config,
                  vmac_name: str | None = None) -> InstanceConfig:
    """Apply keepalived's defaults to one instance, without tracking; raises UnsupportedConfig.

    ``vmac_name``: the VMAC's allocated name (see ``_Builder._vmac_names``); with
    ``use_vmac`` and no name given, ``<prefix>.<VRID>``.
    """
    if inst.interface is None:
        raise UnsupportedConfig(f"({inst.name}) no interface")
    if inst.virtual_router_id is None:
        raise UnsupportedConfig(f"({inst.name}) no virtual_router_id")
    vmac: str | None = None
    if inst.use_vmac is not None:
        opt = parse_use_vmac(inst.use_vmac, inst.virtual_router_id)
        vmac = vmac_name or opt.name or default_vmac_name(
            str(cfg.global_defs.get("vmac_prefix") or "vrrp"), inst.virtual_router_id, 4, ())
    # keepalived: VIPs (and eVIPs) without a dev live on the instance's VMAC.
    vip_dev = vmac or inst.interface
    vips = tuple(_vip(v, vip_dev) for v in inst.virtual_ipaddress)
    excluded = tuple(_vip(v, vip_dev) for v in inst.virtual_ipaddress_excluded)
    family = vips[0].address.version if vips else 4
    if inst.native_ipv6:
        family = 6
    if any(v.address.version != family for v in vips):
        raise UnsupportedConfig(f"({inst.name}) virtual_ipaddress mixes IPv4 and IPv6")
    version = inst.version or int(_global(cfg, "vrrp_version", 0)) or 2
    if family == 6:
        version = 3  # VRRPv2 has no IPv6 (keepalived forces v3 too)
    auth_type, auth_data = AuthType.NONE, bytes(8)
    if inst.authentication is not None and version == 2:
        if (inst.authentication.auth_type or "").upper() == "PASS":
            auth_type = AuthType.PASS
            auth_data = auth_data_from_pass(inst.authentication.auth_pass or "")
        elif inst.authentication.auth_type:
            raise UnsupportedConfig(f"({inst.name}) auth_type "
                                    f"{inst.authentication.auth_type} is not supported")
    advert_int = inst.advert_int if inst.advert_int is not None else 1.0
    if version == 2:
        advert_int = float(max(1, round(advert_int)))
    priority = inst.priority if inst.priority is not None else 100
    state = State.MASTER if (inst.state or "").upper() == "MASTER" else State.BACKUP
    if inst.state is None and priority == 255:
        state = State.MASTER
    peers = tuple(p.address for p in inst.unicast_peer if p.address is not None)
    mcast = inst.mcast_dst_ip or (VRRP_MCAST_V6 if family == 6 else VRRP_MCAST_V4)
    src = inst.unicast_src_ip if peers else inst.mcast_src_ip
    src = src or inst.unicast_src_ip or inst.mcast_src_ip
    garp_delay = inst.garp_master_delay
    if garp_delay is None:
        garp_delay = _global(cfg, "vrrp_garp_master_delay", 5.0)
    garp_repeat = inst.garp_master_repeat
    if garp_repeat is None:
        garp_repeat = int(_global(cfg, "vrrp_garp_master_repeat", 5))
    return InstanceConfig(
        name=inst.name, interface=inst.interface, vrid=inst.virtual_router_id,
        family=family, version=version, priority=priority, advert_int=advert_int,
        initial_state=state, nopreempt=inst.nopreempt,
        preempt_delay=inst.preempt_delay or 0.0, vips=vips, excluded_vips=excluded,
        mcast_dst=mcast, src_ip=src, unicast_peers=peers,
        ttl=inst.unicast_ttl if (peers and inst.unicast_ttl) else 255,
        auth_type=auth_type, auth_data=auth_data, garp_master_delay=garp_delay,
        garp_master_repeat=garp_repeat, down_timer_adverts=inst.down_timer_adverts or 3,
        trackers=(), tracked_interfaces=(),
        notify=_script(inst.notify), notify_master=_script(inst.notify_master),
        notify_backup=_script(inst.notify_backup), notify_fault=_script(inst.notify_fault),
        notify_stop=_script(inst.notify_stop),
        notify_master_rx_lower_pri=_script(inst.notify_master_rx_lower_pri),
        vmac=vmac,
        vmac_mac=(parse_use_vmac(inst.use_vmac or [], inst.virtual_router_id).mac
                  or virtual_mac(inst.virtual_router_id, family)) if vmac else None,
        # keepalived: a unicast instance with a VMAC always sends from the base interface.
        vmac_xmit_base=bool(vmac) and (bool(inst.given("vmac_xmit_base")) or bool(peers)))


def vrrp_config(cfg: Config) -> VrrpConfig:
    """The whole VRRP side of ``cfg``; raises UnsupportedConfig for what kaconfd cannot run."""
    return _Builder(cfg).build()


def instance_config(inst: VrrpInstance, cfg: Config) -> InstanceConfig:
    """One instance of ``cfg`` with its tracking (and sync group) applied."""
    for ic in vrrp_config(cfg).instances:
        if ic.name == inst.name:
            return ic
    raise UnsupportedConfig(f"({inst.name}) is not an instance of this configuration")


def instance_configs(cfg: Config) -> list[InstanceConfig]:
    """All instances of ``cfg``; raises UnsupportedConfig for the first it cannot run."""
    return list(vrrp_config(cfg).instances)
