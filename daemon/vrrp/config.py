"""From the resolved configuration to what the VRRP child runs: values frozen.

Every default, inheritance and version rule is decided once, by
:func:`kaconf.resolve` (the same :class:`~kaconf.effective.Effective` that
``kaconf dump`` prints); this module only translates its VRRP part into the
child's run-time parameters (seconds instead of microseconds, address objects,
:class:`~kaconfd.vrrp.fsm.Tracker` lists). The result, :class:`VrrpConfig` with
one :class:`InstanceConfig` per instance, is frozen and comparable, so a reload
can tell unchanged instances (keep state and VIPs) from changed ones by ``==``.

Tracking is keepalived's after completion: each tracked script and file lists
the instances it affects with their weights (sync-group tracking included, weights
cleared for address owners and non-weighted groups), and an instance tracks its
interface, its VIPs' and routes' interfaces and its ``track_interface`` lines.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from kaconf.effective import Effective, resolve
from kaconf.effective.host import Host
from kaconf.effective.iplines import Address
from kaconf.effective.values import TIMER_HZ, ScriptSpec
from kaconf.effective.vmac import virtual_mac
from kaconf.effective.vrrp_types import MASTER, NOT_TRACK_IF, EffInstance, EffSyncGroup, VrrpState
from kaconf.model.iproutes import RouteInfo
from kaconf.model.iprules import RuleInfo
from kaconf.model.objects import Config, VrrpInstance

from ..alerts import SmtpSettings, smtp_settings
from ..command import Command
from .fsm import InstanceParams, State, Tracker, TrackKind
from .packet import VRRP_MCAST_V4, VRRP_MCAST_V6, AuthType, auth_data_from_pass
from .process_match import ProcessConfig, params_bytes
from .routes import RouteError, RouteSpec, RuleSpec, route_spec, rule_spec

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPInterface = ipaddress.IPv4Interface | ipaddress.IPv6Interface

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
    notify: Command | None
    notify_master: Command | None
    notify_backup: Command | None
    notify_fault: Command | None
    notify_stop: Command | None
    notify_master_rx_lower_pri: Command | None
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
    #: vrrp_track_process names this instance's trackers refer to.
    tracked_processes: tuple[str, ...] = ()
    #: ``skip_check_adv_addr``: a BACKUP does not check the addresses in its master's adverts
    skip_check_adv_addr: bool = False
    #: ``use_vmac``: the VMAC interface's name and MAC (None: no VMAC); see :mod:`.vmac`.
    vmac: str | None = None
    vmac_mac: str | None = None
    #: ``vmac_xmit_base`` (forced with unicast peers): adverts leave by the base interface.
    vmac_xmit_base: bool = False
    #: ``use_ipvlan``: the ipvlan's name (None: none), address and type (see :mod:`.ipvlan`)
    ipvlan: str | None = None
    ipvlan_addr: IPInterface | None = None
    ipvlan_type: str = "bridge"
    #: Accept mode (see :mod:`.accept`): False puts drop rules on the VIPs while MASTER.
    accept: bool = True
    #: ``auth_type AH``: the HMAC key, the auth_pass as 8 bytes (see :mod:`.ah`).
    ah_key: bytes = b""
    #: ``smtp_alert`` (own or inherited): mail each state change (see :mod:`kaconfd.alerts`)
    smtp_alert: bool = False

    @property
    def ah(self) -> bool:
        """Adverts are wrapped in an IPsec AH header (IPv4 VRRPv2 only)."""
        return self.auth_type == AuthType.AH

    @property
    def advert_interface(self) -> str:
        """Where adverts are sent from: the VMAC unless ``vmac_xmit_base``."""
        if self.ipvlan:
            return self.ipvlan
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
    #: the uid:gid it runs as (``user`` / ``script_user`` / default, from the resolver)
    uid: int = 0
    gid: int = 0


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
    notify: Command | None = None
    notify_master: Command | None = None
    notify_backup: Command | None = None
    notify_fault: Command | None = None
    notify_stop: Command | None = None
    #: ``smtp_alert`` (own or inherited): mail each state change of the group
    smtp_alert: bool = False


@dataclass(frozen=True, slots=True)
class VrrpConfig:
    """Everything the VRRP child runs; ``warnings`` are logged once at start-up."""

    instances: tuple[InstanceConfig, ...]
    scripts: tuple[ScriptConfig, ...] = ()
    track_files: tuple[TrackFileConfig, ...] = ()
    #: tracked ``vrrp_track_process`` objects (see :mod:`.process_match`)
    processes: tuple[ProcessConfig, ...] = ()
    groups: tuple[SyncGroupConfig, ...] = ()
    #: ``notify_fifo`` and ``vrrp_notify_fifo`` paths (either may be absent).
    notify_fifos: tuple[str, ...] = ()
    #: Scripts started once with their FIFO's path as last argument.
    fifo_scripts: tuple[Command, ...] = ()
    #: nftables table and base chain priority for no_accept drop rules (global ``nftables``,
    #: ``nftables_priority``).
    nft_table: str = "keepalived"
    nft_priority: int = -1
    #: static_ipaddress / static_routes / static_rules (see statics.py)
    static_vips: tuple[Vip, ...] = ()
    static_routes: tuple[RouteSpec, ...] = ()
    static_rules: tuple[RuleSpec, ...] = ()
    #: ``vrrp_startup_delay``: seconds keepalived waits before starting the instances
    startup_delay: float = 0.0
    #: where SMTP alerts go (None: no ``smtp_server`` or no ``notification_email``)
    smtp: SmtpSettings | None = None
    warnings: tuple[str, ...] = field(default=(), compare=False)


def _vip(a: Address) -> Vip:
    return Vip(ipaddress.ip_interface(f"{a.addr}/{a.plen}"), a.ifname or "", a.label,
               a.scope or None, a.brd)


def _argv(spec: ScriptSpec | None) -> Command | None:
    if spec is None or not spec.args:
        return None
    return Command(tuple(spec.args), spec.uid, spec.gid)


def _seconds(us: int) -> float:
    return us / TIMER_HZ


_Line = TypeVar("_Line", RouteInfo, RuleInfo)
_Spec = TypeVar("_Spec", RouteSpec, RuleSpec)


class _Translator:
    """Turns a resolved :class:`VrrpState` into :class:`VrrpConfig`."""

    def __init__(self, eff: Effective) -> None:
        assert eff.vrrp is not None
        self.eff = eff
        #: routes and rules kaconfd cannot install (keepalived runs the rest: so do we)
        self.warnings: list[str] = []
        self.state: VrrpState = eff.vrrp
        self.models = {inst.name: inst for inst in eff.config.vrrp_instances}
        # trackers of scripts and files by instance, as keepalived links them
        self.script_tracks: dict[str, list[Tracker]] = {}
        for es in self.state.scripts:
            for inst, weight, reverse in es.tracking:
                self.script_tracks.setdefault(inst, []).append(Tracker(
                    f"script:{es.name}", weight, reverse, TrackKind.STATE,
                    initial=False if es.init_state == "INIT/FAILED" else None))
        self.file_tracks: dict[str, list[Tracker]] = {}
        for tf in self.state.track_files:
            for inst, weight, reverse in tf.tracking:
                self.file_tracks.setdefault(inst, []).append(
                    Tracker(f"file:{tf.name}", weight, reverse, TrackKind.VALUE))
        self.process_tracks: dict[str, list[Tracker]] = {}
        for ep in self.state.processes:
            for inst, weight, reverse in ep.tracking:
                # the state before the first scan: no process counted yet
                self.process_tracks.setdefault(inst, []).append(Tracker(
                    f"process:{ep.name}", weight, reverse, initial=ep.have_quorum))

    def instance(self, ei: EffInstance) -> InstanceConfig:
        inst = self.models[ei.name]
        if ei.track_bfds:
            raise UnsupportedConfig(f"({ei.name}) track_bfd is not supported by kaconfd "
                                    "(keepalived's BFD process is not implemented)")
        ifname = ei.ifname or inst.interface
        if not ifname:
            raise UnsupportedConfig(f"({ei.name}) no interface")
        if not ei.vrid:
            raise UnsupportedConfig(f"({ei.name}) no virtual_router_id")
        # the resolver has cleared what keepalived ignores (v3, IPv6 AH, strict mode)
        auth_type, auth_data, ah_key = AuthType.NONE, bytes(8), b""
        if ei.auth_type == "PASS":
            auth_type, auth_data = AuthType.PASS, auth_data_from_pass(ei.auth_pass)
        elif ei.auth_type == "AH":
            auth_type, ah_key = AuthType.AH, auth_data_from_pass(ei.auth_pass)
        vmac = ei.vmac_name if ei.has("VMAC") else None
        ipvlan = ei.vmac_name if ei.has("IPVLAN") and vmac is None else None
        if ipvlan is not None and ei.family == 4 and not ei.ipvlan_addr:
            raise UnsupportedConfig(f"({ei.name}) IPv4 ipvlan requires a source ip address "
                                    "(keepalived runs the instance in FAULT)")
        trackers: list[Tracker] = []
        for name, (weight, reverse) in ei.if_tracking.items():
            if weight == NOT_TRACK_IF or name in (vmac, ipvlan):
                continue  # not tracked / the VMAC or ipvlan the child itself creates
            trackers.append(Tracker(f"if:{name}", weight, reverse))
        trackers += self.script_tracks.get(ei.name, [])
        trackers += self.file_tracks.get(ei.name, [])
        trackers += self.process_tracks.get(ei.name, [])
        unicast = ei.has("UNICAST")
        peers = tuple(ipaddress.ip_address(p[0]) for p in ei.peers) if unicast else ()
        family = ei.family
        mcast = ipaddress.ip_address(ei.mcast_daddr) if ei.mcast_daddr else (
            VRRP_MCAST_V6 if family == 6 else VRRP_MCAST_V4)
        src = ipaddress.ip_address(ei.saddr) if ei.saddr and ei.has("SADDR_FROM_CONFIG") \
            else None
        routes = self._installable(route_spec, ei.vroutes, f"({ei.name}) route")
        rules = self._installable(rule_spec, ei.vrules, f"({ei.name}) rule")
        vmac_mac = None
        if vmac is not None:
            vmac_mac = ei.vmac_mac if ei.has("VMAC_MAC_SPECIFIED") else None
            vmac_mac = vmac_mac or virtual_mac(ei.vrid, family)
        sc = ei.scripts
        return InstanceConfig(
            name=ei.name, interface=ifname, vrid=ei.vrid, family=family, version=ei.version,
            priority=ei.base_priority, advert_int=_seconds(ei.adver_int),
            initial_state=State.MASTER if ei.wantstate == MASTER else State.BACKUP,
            nopreempt=ei.has("NOPREEMPT"), preempt_delay=_seconds(ei.preempt_delay),
            skip_check_adv_addr=ei.has("SKIP_CHECK_ADV_ADDR"),
            vips=tuple(_vip(a) for a in ei.vips),
            excluded_vips=tuple(_vip(a) for a in ei.evips),
            mcast_dst=mcast, src_ip=src, unicast_peers=peers,
            ttl=ei.send_ttl,
            auth_type=auth_type, auth_data=auth_data, ah_key=ah_key,
            garp_master_delay=float(ei.garp_delay), garp_master_repeat=ei.garp_rep,
            down_timer_adverts=ei.down_timer_adverts, trackers=tuple(trackers),
            tracked_interfaces=tuple(t.name[3:] for t in trackers if t.name.startswith("if:")),
            notify=_argv(sc.get("Generic")), notify_master=_argv(sc.get("Master")),
            notify_backup=_argv(sc.get("Backup")), notify_fault=_argv(sc.get("Fault")),
            notify_stop=_argv(sc.get("Stop")),
            notify_master_rx_lower_pri=_argv(sc.get("Master rx lower pri")),
            routes=routes, rules=rules, sync_group=ei.sync,
            garp_refresh=float(ei.garp_refresh), garp_refresh_repeat=max(1, ei.garp_refresh_rep),
            garp_lower_prio_delay=float(ei.garp_lower_prio_delay or 0),
            garp_lower_prio_repeat=max(0, ei.garp_lower_prio_rep or 0),
            lower_prio_no_advert=bool(ei.lower_prio_no_advert),
            notify_priority_changes=bool(ei.notify_priority_changes),
            tracked_scripts=tuple(t.name[7:] for t in trackers if t.name.startswith("script:")),
            tracked_files=tuple(t.name[5:] for t in trackers if t.name.startswith("file:")),
            tracked_processes=tuple(t.name[8:] for t in trackers
                                    if t.name.startswith("process:")),
            vmac=vmac, vmac_mac=vmac_mac, vmac_xmit_base=ei.has("VMAC_XMITBASE"),
            ipvlan=ipvlan, ipvlan_type=ei.ipvlan_type,
            ipvlan_addr=ipaddress.ip_interface(ei.ipvlan_addr) if ipvlan and ei.ipvlan_addr
            else None,
            accept=bool(ei.accept), smtp_alert=ei.smtp_alert == 1)

    def _installable(self, convert: Callable[[_Line], _Spec], lines: Sequence[_Line],
                     what: str) -> tuple[_Spec, ...]:
        """The lines kaconfd can install; each other one is logged and left out."""
        out: list[_Spec] = []
        for line in lines:
            try:
                out.append(convert(line))
            except RouteError as exc:
                self.warnings.append(f"{what} '{line.text()}': {exc} - not installed")
        return tuple(out)

    @staticmethod
    def group(g: EffSyncGroup) -> SyncGroupConfig:
        sc = g.scripts
        return SyncGroupConfig(
            name=g.name, members=tuple(m.name for m in g.members),
            notify=_argv(sc.get("Generic")), notify_master=_argv(sc.get("Master")),
            notify_backup=_argv(sc.get("Backup")), notify_fault=_argv(sc.get("Fault")),
            notify_stop=_argv(sc.get("Stop")), smtp_alert=g.smtp_alert == 1)

    def build(self) -> VrrpConfig:
        state, gs = self.state, self.eff.globals
        for sg in state.sync_groups:
            if sg.track_bfds:
                raise UnsupportedConfig(f"({sg.name}) track_bfd is not supported by kaconfd "
                                        "(keepalived's BFD process is not implemented)")
        instances = tuple(self.instance(ei) for ei in state.instances)
        scripts = tuple(
            ScriptConfig(name=es.name, argv=tuple(es.spec.args), interval=float(es.interval),
                         timeout=float(es.run_timeout), rise=max(1, es.rise),
                         fall=max(1, es.fall), init_fail=es.init_state == "INIT/FAILED",
                         uid=es.spec.uid, gid=es.spec.gid)
            for es in state.scripts)
        files = []
        for tf in state.track_files:
            if not tf.tracking:
                continue
            files.append(TrackFileConfig(name=tf.name, path=tf.path, init_value=tf.init_value,
                                         init_overwrite=tf.init_overwrite))
        processes = tuple(
            ProcessConfig(name=ep.name, path=ep.path, params=params_bytes(ep.params),
                          param_match=ep.param_match, full_command=ep.full_command,
                          quorum=ep.quorum, quorum_max=ep.quorum_max,
                          fork_delay=_seconds(ep.fork_delay),
                          terminate_delay=_seconds(ep.terminate_delay))
            for ep in state.processes if ep.tracking)
        fifos: list[str] = []
        fifo_scripts: list[Command] = []
        for label, fifo, spec in gs.fifos(vrrp_child=True):
            if label == "LVS":
                continue
            fifos.append(fifo.name)
            cmd = _argv(spec)
            if cmd is not None:
                fifo_scripts.append(cmd)
        static_routes = self._installable(route_spec, state.static_routes, "static route")
        static_rules = self._installable(rule_spec, state.static_rules, "static rule")
        return VrrpConfig(
            instances=instances,
            static_vips=tuple(_vip(a) for a in state.static_addresses),
            static_routes=static_routes, static_rules=static_rules,
            scripts=scripts, track_files=tuple(files), processes=processes,
            groups=tuple(self.group(g) for g in state.sync_groups),
            notify_fifos=tuple(fifos), fifo_scripts=tuple(fifo_scripts),
            nft_table=gs.nf_table_name or "keepalived", nft_priority=gs.nf_chain_priority,
            startup_delay=_seconds(gs.vrrp_startup_delay),
            smtp=smtp_settings(gs),
            warnings=tuple(gs.script_report()) + tuple(self.warnings))


def vrrp_config(cfg: Config | Effective, host: Host | None = None) -> VrrpConfig:
    """The whole VRRP side of a configuration, from its resolution on this host.

    Raises UnsupportedConfig for what kaconfd cannot run.
    """
    eff = cfg if isinstance(cfg, Effective) else resolve(cfg, host)
    if eff.vrrp is None:
        return VrrpConfig(instances=())
    return _Translator(eff).build()


def missing_interfaces(eff: Effective) -> str | None:
    """keepalived's refusal when the configuration names interfaces this host lacks.

    Its VRRP process stops with "Non-existent interface specified in configuration"
    (unless ``dynamic_interfaces``); the resolver lists them (:attr:`VrrpState.missing_interfaces`).
    """
    names = eff.vrrp.missing_interfaces if eff.vrrp is not None else []
    if not names:
        return None
    return f"Non-existent interface specified in configuration ({', '.join(names)})"


def instance_config(inst: VrrpInstance, cfg: Config) -> InstanceConfig:
    """One instance of ``cfg`` with its tracking (and sync group) applied."""
    for ic in vrrp_config(cfg).instances:
        if ic.name == inst.name:
            return ic
    raise UnsupportedConfig(f"({inst.name}) is not an instance of this configuration")


def instance_configs(cfg: Config) -> list[InstanceConfig]:
    """All instances of ``cfg``; raises UnsupportedConfig for the first it cannot run."""
    return list(vrrp_config(cfg).instances)
