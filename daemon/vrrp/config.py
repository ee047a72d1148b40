"""From the kaconf model to what the VRRP child runs: defaults applied, values frozen.

The model keeps ``None`` for "not given" because the right default often depends on
other settings; this module is the one place where the daemon decides them (keepalived
2.2.7 defaults). The result, :class:`InstanceConfig`, is frozen and comparable, so a
reload can tell unchanged instances (keep state and VIPs) from changed ones by ``==``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from kaconf.model.objects import Config, VirtualAddress, VrrpInstance

from .fsm import InstanceParams, State, Tracker
from .packet import VRRP_MCAST_V4, VRRP_MCAST_V6, AuthType, auth_data_from_pass

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
            down_timer_adverts=self.down_timer_adverts, trackers=self.trackers)


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


def instance_config(inst: VrrpInstance, cfg: Config) -> InstanceConfig:
    """Apply keepalived's defaults to one instance; raises UnsupportedConfig."""
    if inst.interface is None:
        raise UnsupportedConfig(f"({inst.name}) no interface")
    if inst.virtual_router_id is None:
        raise UnsupportedConfig(f"({inst.name}) no virtual_router_id")
    vips = tuple(_vip(v, inst.interface) for v in inst.virtual_ipaddress)
    excluded = tuple(_vip(v, inst.interface) for v in inst.virtual_ipaddress_excluded)
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
    trackers: list[Tracker] = []
    tracked: list[str] = []
    if not inst.dont_track_primary:
        trackers.append(Tracker(f"if:{inst.interface}"))
        tracked.append(inst.interface)
    for ref in inst.track_interface:
        key = f"if:{ref.name}"
        trackers = [t for t in trackers if t.name != key]
        trackers.append(Tracker(key, ref.weight or 0, bool(ref.reverse)))
        if ref.name not in tracked:
            tracked.append(ref.name)
    if inst.track_script or inst.track_file or inst.track_process or inst.track_bfd:
        raise UnsupportedConfig(f"({inst.name}) track_script/track_file/track_process/"
                                "track_bfd are not supported by kaconfd yet")
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
        trackers=tuple(trackers), tracked_interfaces=tuple(tracked),
        notify=_script(inst.notify), notify_master=_script(inst.notify_master),
        notify_backup=_script(inst.notify_backup), notify_fault=_script(inst.notify_fault),
        notify_stop=_script(inst.notify_stop))


def instance_configs(cfg: Config) -> list[InstanceConfig]:
    """All instances of ``cfg``; raises UnsupportedConfig for the first it cannot run."""
    return [instance_config(inst, cfg) for inst in cfg.vrrp_instances]
