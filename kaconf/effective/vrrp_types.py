"""The resolved VRRP objects: instances, sync groups and tracked objects as keepalived
holds them after start-up (the fields ``keepalived -d`` prints and the daemon runs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from kaconf.diagnostics import Span
from kaconf.effective.iplines import Address
from kaconf.effective.record import Record
from kaconf.effective.record import field as record_field
from kaconf.effective.values import (
    ScriptSpec,
)

if TYPE_CHECKING:
    from kaconf.model.iproutes import RouteInfo
    from kaconf.model.iprules import RuleInfo

INIT, BACKUP, MASTER, FAULT = "INIT", "BACKUP", "MASTER", "FAULT"
PRIO_OWNER = 255
NOT_TRACK_IF = 255  # keepalived's VRRP_NOT_TRACK_IF marker weight


class Track(Record):
    """A tracking reference (interface, script, file, process, bfd) with its weight."""

    name: str
    weight: int = 0
    reverse: bool = False


class EffScript(Record):
    """A vrrp_script as dumped (``dump_vscript``)."""

    name: str
    spec: ScriptSpec
    interval: int = 1
    timeout: int = 0
    weight: int = 0
    reverse: bool = False
    rise: int = 1
    fall: int = 1
    init_state: str = "INIT"
    tracking: list[tuple[str, int, bool]] = record_field(default_factory=list)
    span: Span | None = None

    @property
    def run_timeout(self) -> int:
        """Seconds a run may take: ``timeout``, or the interval when none is set.

        keepalived keeps (and dumps) 0 but gives each run the interval to finish.
        """
        return self.timeout or self.interval


class EffTrackFile(Record):
    name: str
    path: str
    weight: int = 1
    reverse: bool = False
    status: int = 0
    tracking: list[tuple[str, int, bool]] = record_field(default_factory=list)
    #: ``init_file [VALUE] [overwrite]``: create the file with VALUE (default 0) when it is
    #: missing (None: not given); ``overwrite`` writes it even over an existing file
    init_value: int | None = None
    init_overwrite: bool = False


class EffProcess(Record):
    """A vrrp_track_process as dumped (``dump_vprocess``), before the first scan."""

    name: str
    path: str
    params: list[str] = record_field(default_factory=list)
    param_match: str = ""
    quorum: int = 1
    quorum_max: int = 0xFFFFFFFF
    weight: int = 0
    reverse: bool = False
    terminate_delay: int = 0
    fork_delay: int = 0
    full_command: bool = False
    tracking: list[tuple[str, int, bool]] = record_field(default_factory=list)

    @property
    def have_quorum(self) -> bool:
        return self.quorum <= 0 <= self.quorum_max


class EffInstance(Record):
    """A vrrp_instance after completion (the fields ``dump_vrrp`` prints)."""

    name: str
    span: Span | None
    family: int = 0
    version: int = 0
    sync: str | None = None
    flags: set[str] = record_field(default_factory=set)
    wantstate: str = INIT
    state: str = INIT
    num_config_faults: int = 0
    num_script_init: int = 0
    ifname: str | None = None
    vmac_name: str | None = None
    #: the MAC given on the use_vmac line (None: the RFC 5798 address)
    vmac_mac: str | None = None
    vmac_xmit_base: bool = False
    #: ``use_ipvlan``: the ipvlan interface's address ("A" or "A/P") and type
    ipvlan_addr: str | None = None
    ipvlan_type: str = "bridge"
    strict: bool = False
    saddr: str | None = None
    mcast_daddr: str | None = None
    ifindex: int = 0
    garp_delay: int = 5
    garp_rep: int = 5
    garp_refresh: int = 0
    garp_refresh_rep: int = 1
    garp_lower_prio_delay: int | None = None
    garp_lower_prio_rep: int | None = None
    down_timer_adverts: int = 3
    #: garp_extra_if / vmac_garp_intvl: seconds between GARPs on the other interfaces
    #: (-1: not given, the global vrrp_garp_extra_if applies; 0: off)
    vmac_garp_intvl: int = -1
    lower_prio_no_advert: int = -1
    higher_prio_send_advert: int = -1
    vrid: int = 0
    base_priority: int = 0
    adver_int: int = 0
    accept: int = -1
    preempt_delay: int = 0
    auth_type: str | None = None
    auth_pass: str = ""
    kernel_rx_buf_size: int = 0
    debug: int = 0
    vips: list[Address] = record_field(default_factory=list)
    evips: list[Address] = record_field(default_factory=list)
    ttl: int = -1
    peers: list[tuple[str, int, int]] = record_field(default_factory=list)
    chksum_compat: str = "no"
    vroutes: list[RouteInfo] = record_field(default_factory=list)
    vrules: list[RuleInfo] = record_field(default_factory=list)
    track_ifs: list[Track] = record_field(default_factory=list)
    track_scripts: list[Track] = record_field(default_factory=list)
    track_files: list[Track] = record_field(default_factory=list)
    track_processes: list[Track] = record_field(default_factory=list)
    track_bfds: list[Track] = record_field(default_factory=list)
    smtp_alert: int = -1
    notify_deleted: bool = False
    notify_priority_changes: int = -1
    scripts: dict[str, ScriptSpec] = record_field(default_factory=dict)
    # interfaces tracking the instance: name -> (weight, reverse); weight 0 = down faults
    if_tracking: dict[str, tuple[int, bool]] = record_field(default_factory=dict)
    # -- facts before completion's fix-ups (lint points at what keepalived changes) --
    #: wantstate as configured, or derived from the priority when no state is given,
    #: before strict mode, AH authentication and sync-group alignment change it
    configured_wantstate: str = INIT
    #: why completion dropped the authentication: "strict", "version3", "no_pass",
    #: "ah_ipv6"; None when kept or when no usable auth_type was given
    auth_dropped: str | None = None
    #: the span key (see :func:`span_key`) of the address-bearing line that fixed the
    #: family (a VIP, peer, src/dst address or native_ipv6); None when nothing did
    family_from: tuple[str, int, int] | None = None
    #: span keys of the address-bearing lines skipped for being of the other family
    family_skipped: list[tuple[str, int, int]] = record_field(default_factory=list)
    #: the version lines keepalived ignored ("vrrp_version N conflicts with configured or
    #: deduced version M; ignoring"): (the line's span, N, M)
    version_ignored: list[tuple[Span | None, int, int]] = record_field(default_factory=list)
    #: how many VIPs keepalived kept when it read the block (valid, of the instance's
    #: family), before completion moves extras to the excluded list
    parsed_vips: int = 0
    #: span keys of those VIPs, in order (see :func:`span_key`)
    vip_keys: list[tuple[str, int, int]] = record_field(default_factory=list)
    #: how many VIPs fit in one advert (MTU, family, version, AH); completion moves the
    #: others to the excluded list
    max_vips: int = 255
    #: the state when completion clears nopreempt and preempt_delay of a MASTER (after
    #: strict mode and AH authentication changed it, before sync-group alignment)
    completion_wantstate: str = INIT
    #: (weight, reverse) each tracking line of a defined script/file/bfd applies, by the
    #: line's span (see :func:`span_key`): its own, else the tracked object's, else the
    #: default; as configured, before completion clears weights of owners and groups
    line_weights: dict[tuple[str, int, int], tuple[int, bool]] = record_field(default_factory=dict)

    def track_if(self, name: str, weight: int, reverse: bool) -> None:
        """keepalived's ``add_vrrp_to_interface``: one entry per interface."""
        cur = self.if_tracking.get(name)
        if cur is None:
            self.if_tracking[name] = (weight, reverse)
        elif cur[0] and weight != NOT_TRACK_IF:
            self.if_tracking[name] = (weight, reverse)

    def has(self, flag: str) -> bool:
        return flag in self.flags

    @property
    def send_ttl(self) -> int:
        """The TTL (hop limit) the adverts carry: ``unicast_ttl`` for a unicast instance
        that sets one, else 255 (the RFCs' value, which receivers check)."""
        return self.ttl if self.has("UNICAST") and self.ttl > 0 else 255


class EffSyncGroup(Record):
    name: str
    members: list[EffInstance] = record_field(default_factory=list)
    state: str = INIT
    num_member_fault: int = 0
    num_member_init: int = 0
    tracking_weight: bool = False
    smtp_alert: int = -1
    notify_priority_changes: int = -1
    track_ifs: list[Track] = record_field(default_factory=list)
    track_scripts: list[Track] = record_field(default_factory=list)
    track_files: list[Track] = record_field(default_factory=list)
    track_processes: list[Track] = record_field(default_factory=list)
    track_bfds: list[Track] = record_field(default_factory=list)
    scripts: dict[str, ScriptSpec] = record_field(default_factory=dict)
    #: see :attr:`EffInstance.line_weights`
    line_weights: dict[tuple[str, int, int], tuple[int, bool]] = record_field(default_factory=dict)
    #: the member keepalived names when the group mixes an address owner (MASTER with
    #: priority 255, as configured) with a BACKUP member; None when it does not
    owner_mix: str | None = None


class SyncMembership(Record):
    """How keepalived resolved one name of a ``vrrp_sync_group``'s ``group`` block.

    ``group_index`` is the group's position in the config's sync groups and ``index``
    the name's position in its ``group`` block; ``status`` is "member", "missing" (no
    such instance) or "taken" (an earlier group has it, ``taken_by``).
    """

    group_index: int
    index: int
    name: str
    status: str
    taken_by: str = ""


class GarpDelay(Record):
    """A GARP/NA rate limit (keepalived's ``garp_delay_t``) and the interfaces it covers.

    Intervals are in microseconds; None when not configured.
    """

    group: int
    garp_interval: int | None
    gna_interval: int | None
    interfaces: list[str] = record_field(default_factory=list)


class VrrpState(Record):
    """Everything the VRRP child would dump after start-up."""

    instances: list[EffInstance]
    sync_groups: list[EffSyncGroup]
    scripts: list[EffScript]
    track_files: list[EffTrackFile]
    processes: list[EffProcess]
    static_addresses: list[Address]
    static_routes: list[RouteInfo]
    static_rules: list[RuleInfo]
    track_groups: list[tuple[str, list[str]]]
    garp_delays: list[GarpDelay] = record_field(default_factory=list)
    #: every name of every sync group's ``group`` block, resolved (config order)
    sync_memberships: list[SyncMembership] = record_field(default_factory=list)
    #: interfaces the configuration names that the host does not have (keepalived's VRRP
    #: process exits with "Non-existent interface specified in configuration" unless
    #: dynamic_interfaces is set; empty then)
    missing_interfaces: list[str] = record_field(default_factory=list)


INST_NOTIFY = (("notify_backup", "Backup"), ("notify_master", "Master"),
                ("notify_fault", "Fault"), ("notify_stop", "Stop"),
                ("notify_deleted", "Deleted"), ("notify", "Generic"),
                ("notify_master_rx_lower_pri", "Master rx lower pri"))
GROUP_NOTIFY = (("notify_backup", "Backup"), ("notify_master", "Master"),
                 ("notify_fault", "Fault"), ("notify_stop", "Stop"), ("notify", "Generic"))


class Tracked(Protocol):
    """A tracked object whose weight and reverse a tracking line defaults to."""

    @property
    def weight(self) -> int: ...

    @property
    def reverse(self) -> bool: ...


def span_key(s: Span | None) -> tuple[str, int, int]:
    if s is None:
        return ("", 0, 0)
    return (s.file, s.line, s.col)
