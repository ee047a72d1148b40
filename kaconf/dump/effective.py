"""The VRRP side of keepalived after start-up fix-ups, as ``-d`` shows it.

keepalived does not dump the configuration text: it dumps its data after
parsing (``vrrp_parser.c``), the completion pass (``vrrp_complete_init`` /
``vrrp_complete_instance`` in ``vrrp.c``: default priority and state, strict
mode, nopreempt cleared for MASTER, advert rounding, unicast detection, sync
group wantstate alignment, unused scripts removed ...) and the initial
tracking pass (interface/script state that decides FAULT and INIT). This
module replays those steps on the kaconf model and returns plain objects the
formatter prints; the steps follow the 2.2.7 sources and the behaviour notes
in the reference (validation-rules.md), not keepalived's code.
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from kaconf.diagnostics import Span
from kaconf.dump.globals import GlobalState
from kaconf.dump.host import Host
from kaconf.dump.ipfmt import (
    Address,
    RouteInfo,
    RuleInfo,
    RulePriorities,
    address_from_model,
    route_from_words,
    rule_from_words,
)
from kaconf.dump.values import (
    TIMER_HZ,
    ScriptSpec,
    bool_setting,
    is_before,
    read_decimal,
    read_int,
    read_uint,
    script_words,
    uint_setting,
    words,
)
from kaconf.model.objects import Block, Config, SyncGroup, TrackRef, VrrpInstance, VrrpScript

INIT, BACKUP, MASTER, FAULT = "INIT", "BACKUP", "MASTER", "FAULT"
PRIO_OWNER = 255
NOT_TRACK_IF = 255  # keepalived's VRRP_NOT_TRACK_IF marker weight


@dataclass
class Track:
    """A tracking reference (interface, script, file, process, bfd) with its weight."""

    name: str
    weight: int = 0
    reverse: bool = False


@dataclass
class EffScript:
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
    tracking: list[tuple[str, int, bool]] = field(default_factory=list)
    span: Span | None = None


@dataclass
class EffTrackFile:
    name: str
    path: str
    weight: int = 1
    reverse: bool = False
    status: int = 0
    tracking: list[tuple[str, int, bool]] = field(default_factory=list)


@dataclass
class EffProcess:
    """A vrrp_track_process as dumped (``dump_vprocess``), before the first scan."""

    name: str
    path: str
    params: list[str] = field(default_factory=list)
    param_match: str = ""
    quorum: int = 1
    quorum_max: int = 0xFFFFFFFF
    weight: int = 0
    reverse: bool = False
    terminate_delay: int = 0
    fork_delay: int = 0
    full_command: bool = False
    tracking: list[tuple[str, int, bool]] = field(default_factory=list)

    @property
    def have_quorum(self) -> bool:
        return self.quorum <= 0 <= self.quorum_max


@dataclass
class EffInstance:
    """A vrrp_instance after completion (the fields ``dump_vrrp`` prints)."""

    name: str
    span: Span | None
    family: int = 0
    version: int = 0
    sync: str | None = None
    flags: set[str] = field(default_factory=set)
    wantstate: str = INIT
    state: str = INIT
    num_config_faults: int = 0
    num_script_init: int = 0
    ifname: str | None = None
    vmac_name: str | None = None
    vmac_xmit_base: bool = False
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
    vips: list[Address] = field(default_factory=list)
    evips: list[Address] = field(default_factory=list)
    ttl: int = -1
    peers: list[tuple[str, int, int]] = field(default_factory=list)
    chksum_compat: str = "no"
    vroutes: list[RouteInfo] = field(default_factory=list)
    vrules: list[RuleInfo] = field(default_factory=list)
    track_ifs: list[Track] = field(default_factory=list)
    track_scripts: list[Track] = field(default_factory=list)
    track_files: list[Track] = field(default_factory=list)
    track_processes: list[Track] = field(default_factory=list)
    track_bfds: list[Track] = field(default_factory=list)
    smtp_alert: int = -1
    notify_deleted: bool = False
    notify_priority_changes: int = -1
    scripts: dict[str, ScriptSpec] = field(default_factory=dict)
    # interfaces tracking the instance: name -> (weight, reverse); weight 0 = down faults
    if_tracking: dict[str, tuple[int, bool]] = field(default_factory=dict)

    def track_if(self, name: str, weight: int, reverse: bool) -> None:
        """keepalived's ``add_vrrp_to_interface``: one entry per interface."""
        cur = self.if_tracking.get(name)
        if cur is None:
            self.if_tracking[name] = (weight, reverse)
        elif cur[0] and weight != NOT_TRACK_IF:
            self.if_tracking[name] = (weight, reverse)

    def has(self, flag: str) -> bool:
        return flag in self.flags


@dataclass
class EffSyncGroup:
    name: str
    members: list[EffInstance] = field(default_factory=list)
    state: str = INIT
    num_member_fault: int = 0
    num_member_init: int = 0
    tracking_weight: bool = False
    smtp_alert: int = -1
    notify_priority_changes: int = -1
    track_ifs: list[Track] = field(default_factory=list)
    track_scripts: list[Track] = field(default_factory=list)
    track_files: list[Track] = field(default_factory=list)
    track_processes: list[Track] = field(default_factory=list)
    track_bfds: list[Track] = field(default_factory=list)
    scripts: dict[str, ScriptSpec] = field(default_factory=dict)


@dataclass
class VrrpState:
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


_INST_NOTIFY = (("notify_backup", "Backup"), ("notify_master", "Master"),
                ("notify_fault", "Fault"), ("notify_stop", "Stop"),
                ("notify_deleted", "Deleted"), ("notify", "Generic"),
                ("notify_master_rx_lower_pri", "Master rx lower pri"))
_GROUP_NOTIFY = (("notify_backup", "Backup"), ("notify_master", "Master"),
                 ("notify_fault", "Fault"), ("notify_stop", "Stop"), ("notify", "Generic"))


class _Tracked(Protocol):
    """A tracked object whose weight and reverse a tracking line defaults to."""

    @property
    def weight(self) -> int: ...

    @property
    def reverse(self) -> bool: ...


def _span_key(s: Span | None) -> tuple[str, int, int]:
    if s is None:
        return ("", 0, 0)
    return (s.file, s.line, s.col)


class VrrpBuilder:
    """Replays keepalived's VRRP start-up on the model (see module docstring)."""

    def __init__(self, cfg: Config, gs: GlobalState, host: Host) -> None:
        self.cfg = cfg
        self.gs = gs
        self.host = host
        self.rule_prios = RulePriorities()
        self.scripts: dict[str, EffScript] = {}
        self.track_files: dict[str, EffTrackFile] = {}
        self._group_by_member: dict[str, EffSyncGroup] = {}
        self.processes: dict[str, EffProcess] = {}

    # -- entry ------------------------------------------------------------------

    def build(self) -> VrrpState:
        cfg = self.cfg
        static_addrs = [a for a in (address_from_model(v, static=True)
                                    for v in cfg.static_ipaddress) if a is not None]
        default_if = self.gs.default_interface()
        for a in static_addrs:
            a.ifname = a.dev or default_if
            a.set = True
        static_routes = [r for r in (route_from_words(x.words, static=True)
                                     for x in cfg.static_routes) if r is not None]
        self._scripts()
        self._track_files()
        self._processes()
        instances: list[EffInstance] = []
        seen: set[str] = set()
        models: dict[str, VrrpInstance] = {}
        # rules without a preference are numbered in parse order, static and
        # virtual alike, so static rules are parsed where their block stands
        sr = cfg.settings.get("static_rules")
        sr_span = sr.span if sr is not None else None
        static_rules_done = False
        static_rules: list[RuleInfo] = []
        for inst in cfg.vrrp_instances:
            if inst.name in seen:
                continue
            if not static_rules_done and cfg.static_rules and is_before(sr_span, inst.span):
                static_rules = self._static_rules()
                static_rules_done = True
            seen.add(inst.name)
            models[inst.name] = inst
            instances.append(self._parse_instance(inst))
        if not static_rules_done:
            static_rules = self._static_rules()
        self._script_security(instances)
        groups = self._sync_groups(instances)
        for ei in instances:
            self._complete(ei, models[ei.name])
        self._vrid_conflicts(instances)
        self._src_addrs(instances)
        self._group_tracking(groups)
        self._initial_states(instances)
        self._align_group_wantstates(groups)
        self._lvs_syncd(instances)
        scripts = [s for s in self.scripts.values() if s.tracking]
        files = [f for f in self.track_files.values()]
        return VrrpState(instances, groups, scripts, files, list(self.processes.values()),
                         static_addrs, static_routes, static_rules, self._track_groups())

    # -- definitions ------------------------------------------------------------------

    def _scripts(self) -> None:
        for name, vs in self.cfg.vrrp_scripts.items():
            es = self._script(name, vs)
            if es is not None:
                self.scripts[name] = es

    def _script(self, name: str, vs: VrrpScript) -> EffScript | None:
        s = vs.settings.get("script")
        args = script_words(s) if s is not None else []
        if not args:
            return None  # "No script set for vrrp_script - removing"
        us = vs.settings.get("user")
        if us is not None:
            uw = words(us)
            ids = self.gs.run_ids(uw) if uw else None  # an empty user drops the script
        else:
            ids = self.gs.default_ids
        if ids is None:
            return None
        es = EffScript(name=name, spec=ScriptSpec(args, ids[0], ids[1]), span=vs.span)
        iv = uint_setting(vs, "interval", hi=0xFFFFFFFF // TIMER_HZ)
        if iv is not None:
            es.interval = max(iv, 1)
        to = uint_setting(vs, "timeout", hi=0xFFFFFFFF // TIMER_HZ)
        if to is not None:
            es.timeout = max(to, 1)
        wr = _weight_setting(vs, 253)
        if wr is not None:
            if wr[0] is not None:
                es.weight = wr[0]
            es.reverse = wr[1]
        for kw in ("rise", "fall"):
            st = vs.settings.get(kw)
            if st is not None:
                w = words(st)
                v = read_uint(w[0], 1, 2**31 - 1) if w else None
                setattr(es, kw, 1 if v is None else v)
        if vs.settings.get("init_fail") is not None:
            es.init_state = "INIT/FAILED"
        return es

    def _track_files(self) -> None:
        for name, tf in self.cfg.track_files.items():
            path = tf.file
            if not path:
                continue
            ef = EffTrackFile(name=name, path=path)
            wr = _weight_setting(tf, 254)
            if wr is not None:
                ef.weight = 1 if wr[0] is None else wr[0]
                ef.reverse = wr[1]
            ef.status = self.host.file_status(path)
            self.track_files[name] = ef

    def _processes(self) -> None:
        for name, tp in self.cfg.track_processes.items():
            st = tp.settings
            pw = words(st.get("process"))
            if not pw:
                continue  # "track process ... process name not specified"
            ep = EffProcess(name=name, path=pw[0], params=pw[1:])
            if ep.params:
                ep.param_match = "exact"
                ep.full_command = True
            pm = st.get("param_match")
            if pm is not None:
                w = words(pm)
                if not w:
                    ep.param_match, ep.full_command = "exact", True
                elif w[0] in ("initial", "partial"):
                    ep.param_match, ep.full_command = w[0], True
            wr = _weight_setting(tp, 254)
            if wr is not None and wr[0] is not None:
                ep.weight, ep.reverse = wr[0], wr[1]
            qm = uint_setting(tp, "quorum_max", hi=65535)
            q = uint_setting(tp, "quorum", lo=1, hi=65535)
            if q is not None:
                ep.quorum = q
            if qm is not None and (not (qm or ep.quorum > 1) or qm >= ep.quorum):
                ep.quorum_max = qm
                if qm == 0:
                    ep.quorum = 0
            for kw, attrs in (("delay", ("terminate_delay", "fork_delay")),
                              ("terminate_delay", ("terminate_delay",)),
                              ("fork_delay", ("fork_delay",))):
                dv = read_decimal(_first(words(st.get(kw))), 6, 1, 3600 * TIMER_HZ)
                if dv is not None:
                    for attr in attrs:
                        setattr(ep, attr, dv)
            if st.get("full_command") is not None:
                ep.full_command = True
            self.processes[name] = ep

    def _static_rules(self) -> list[RuleInfo]:
        out = []
        for x in self.cfg.static_rules:
            r = rule_from_words(x.words, self.rule_prios, static=True)
            if r is not None:
                out.append(r)
        return out

    def _track_groups(self) -> list[tuple[str, list[str]]]:
        """``track_group`` blocks: the instances that exist among their members."""
        names = {i.name for i in self.cfg.vrrp_instances}
        out = []
        for gb in self.cfg.other:
            if gb.keyword == "track_group" and gb.name:
                members = [w for item in gb.items for w in item if w in names]
                if members:  # empty groups are removed
                    out.append((gb.name, members))
        return out

    # -- parse stage (vrrp_parser.c) --------------------------------------------------------

    def _global_if_before(self, kw: str, inst: VrrpInstance) -> bool:
        """Whether global keyword ``kw`` was given before the instance block."""
        s = self.gs.defs.settings.get(kw)
        if s is None:
            return False
        return not is_before(inst.span, s.span)

    def _inherit(self, kw: str, inst: VrrpInstance, value: int, default: int) -> int:
        if "vrrp_min_garp" in self.gs.defs.settings or self._global_if_before(kw, inst):
            return value
        return default

    def _parse_instance(self, inst: VrrpInstance) -> EffInstance:
        """keepalived's ``vrrp_parser.c`` handlers for one ``vrrp_instance`` block."""
        gs = self.gs
        ei = EffInstance(name=inst.name, span=inst.span)
        # values copied from global_data when the instance is allocated: a global
        # keyword written after the instance does not reach it
        ei.garp_rep = self._inherit("vrrp_garp_master_repeat", inst, gs.garp_rep, 5)
        ei.garp_refresh = self._inherit("vrrp_garp_master_refresh", inst, gs.garp_refresh, 0)
        ei.garp_refresh_rep = self._inherit("vrrp_garp_master_refresh_repeat", inst,
                                            gs.garp_refresh_rep, 1)
        ei.garp_delay = self._inherit("vrrp_garp_master_delay", inst, gs.garp_delay, 5)
        ei.down_timer_adverts = gs.down_timer_adverts \
            if self._global_if_before("vrrp_down_timer_adverts", inst) else 3
        if gs.skip_check_adv_addr and self._global_if_before("vrrp_skip_check_adv_addr", inst):
            ei.flags.add("SKIP_CHECK_ADV_ADDR")
        st = inst.settings

        # order-dependent keywords are replayed in source order
        events: list[tuple[tuple[str, int, int], str, object]] = []
        for kw in ("native_ipv6", "mcast_src_ip", "unicast_src_ip", "mcast_dst_ip",
                   "version", "nopreempt", "preempt", "accept", "no_accept"):
            s = st.get(kw)
            if s is not None:
                events.append((_span_key(s.span), kw, s))
        for va in inst.virtual_ipaddress:
            events.append((_span_key(va.span), "vip", va))
        for p in inst.unicast_peer:
            events.append((_span_key(p.span), "peer", p))
        events.sort(key=lambda e: e[0])
        fam = 0
        for _, kind, obj in events:
            if kind == "native_ipv6":
                if fam != 4:
                    fam = 6
                    ei.version = 3
            elif kind in ("mcast_src_ip", "unicast_src_ip"):
                if kind == "unicast_src_ip":
                    ei.flags.add("UNICAST_CONFIGURED")
                w = words(obj)  # type: ignore[arg-type]
                f = _family(w[0]) if w else 0
                if f and (fam == 0 or fam == f):
                    fam = f
                    ei.saddr = _norm(w[0])
                    ei.flags.add("SADDR_FROM_CONFIG")
            elif kind == "mcast_dst_ip":
                w = words(obj)  # type: ignore[arg-type]
                f = _family(w[0]) if w else 0
                if f and (fam == 0 or fam == f):
                    fam = f
                    if _is_mcast_dst(w[0]):
                        ei.mcast_daddr = _norm(w[0])
            elif kind == "version":
                w = words(obj)  # type: ignore[arg-type]
                v = read_int(w[0], 2, 3) if w else None
                if v is not None and not ((ei.version and ei.version != v)
                                          or (v == 2 and fam == 6)):
                    ei.version = v
            elif kind == "nopreempt":
                ei.flags.add("NOPREEMPT")
            elif kind == "preempt":
                ei.flags.discard("NOPREEMPT")
            elif kind == "accept":
                ei.accept = 1
            elif kind == "no_accept":
                ei.accept = 0
            elif kind == "vip":
                a = address_from_model(obj)  # type: ignore[arg-type]
                if a is None:
                    continue
                if fam == 0:
                    fam = a.family
                elif a.family != fam:
                    continue
                ei.vips.append(a)
            elif kind == "peer":
                addr = getattr(obj, "address", None)
                if addr is None:
                    continue
                f = addr.version
                if fam == 0:
                    fam = f
                elif f != fam:
                    continue
                mn = getattr(obj, "min_ttl", None)
                mx = getattr(obj, "max_ttl", None)
                if mn is not None or mx is not None:
                    ei.flags.add("CHECK_UNICAST_SRC")
                ei.peers.append((str(addr), 0 if mn is None else mn, 255 if mx is None else mx))
        ei.family = fam
        if st.get("unicast_peer") is not None:
            ei.flags.add("UNICAST_CONFIGURED")
        if st.get("unicast_fault_no_peer") is not None:
            ei.flags.update(("UNICAST_CONFIGURED", "UNICAST_FAULT_NO_PEERS"))
        if st.get("check_unicast_src") is not None:
            ei.flags.update(("UNICAST_CONFIGURED", "CHECK_UNICAST_SRC"))
        oc = st.get("old_unicast_checksum")
        if oc is not None:
            ei.flags.add("UNICAST_CONFIGURED")
            w = words(oc)
            if not w:
                ei.chksum_compat = "config"
            elif w[0] == "never":
                ei.chksum_compat = "never"

        ei.wantstate = INIT
        stt = st.get("state")
        if stt is not None:
            ei.wantstate = MASTER if inst.state == "MASTER" else BACKUP
        ifn = words(st.get("interface"))
        if ifn and len(ifn[0]) < 16:
            host_if = self.host.interface(ifn[0])
            if host_if is None or not host_if.loopback:
                ei.ifname = ifn[0]
        if st.get("dont_track_primary") is not None:
            ei.flags.add("DONT_TRACK_PRIMARY")
        if st.get("track_src_ip") is not None:
            ei.flags.add("TRACK_SADDR")
        if st.get("promote_secondaries") is not None:
            ei.flags.add("PROMOTE_SECONDARIES")
        if st.get("linkbeat_use_polling") is not None and ei.ifname:
            ei.flags.add("LINKBEAT_USE_POLLING")
        if _given_bool(inst, "skip_check_adv_addr") is not None:
            ei.flags.add("SKIP_CHECK_ADV_ADDR")
        ei.strict = gs.strict
        sm = _given_bool(inst, "strict_mode")
        if sm is not None:
            ei.strict = bool(sm)
        vr = uint_setting(inst, "virtual_router_id", lo=1, hi=255)
        ei.vrid = vr or 0
        ttl = uint_setting(inst, "unicast_ttl", hi=255)
        if ttl is not None:
            ei.ttl = ttl
        pr = st.get("priority")
        if pr is not None:
            v = read_uint(_first(words(pr)), 1, PRIO_OWNER)
            ei.base_priority = 100 if v is None else v
        ad = st.get("advert_int")
        if ad is not None:
            v = read_decimal(_first(words(ad)), 6, TIMER_HZ // 100, 255 * TIMER_HZ)
            if v:
                ei.adver_int = v
        dbg = uint_setting(inst, "debug", hi=4)
        if dbg is not None:
            ei.debug = dbg
        pd = st.get("preempt_delay")
        if pd is not None:
            v = read_decimal(_first(words(pd)), 6, 0, 1000 * TIMER_HZ)
            ei.preempt_delay = v or 0
        for kw, attr in (("garp_master_delay", "garp_delay"),
                         ("garp_lower_prio_delay", "garp_lower_prio_delay")):
            v = uint_setting(inst, kw, hi=0xFFFFFFFF // TIMER_HZ)
            if v is not None:
                setattr(ei, attr, v)
        for kw, attr in (("garp_master_repeat", "garp_rep"),
                         ("garp_master_refresh_repeat", "garp_refresh_rep")):
            v = uint_setting(inst, kw)
            if v is not None:
                setattr(ei, attr, max(v, 1))
        v = uint_setting(inst, "garp_master_refresh")
        if st.get("garp_master_refresh") is not None:
            ei.garp_refresh = v or 0
        v = uint_setting(inst, "garp_lower_prio_repeat", hi=2**31 - 1)
        if v is not None:
            ei.garp_lower_prio_rep = v
        v = uint_setting(inst, "down_timer_adverts", lo=1, hi=100)
        if v is not None:
            ei.down_timer_adverts = v
        for kw in ("lower_prio_no_advert", "higher_prio_send_advert"):
            b = _given_bool(inst, kw)
            if b is not None:
                setattr(ei, kw, b)
        v = uint_setting(inst, "kernel_rx_buf_size")
        if v is not None and len(words(st.get("kernel_rx_buf_size"))) == 1:
            ei.kernel_rx_buf_size = v
        auth = inst.authentication
        if auth is not None:
            at = _first(words(auth.settings.get("auth_type")))
            if at == "AH":
                ei.auth_type = "AH"
            elif at == "PASS":
                ei.auth_type = "PASS"
            ap = _first(words(auth.settings.get("auth_pass")))
            if ap is not None:
                ei.auth_pass = ap[:8]
        for kw in ("smtp_alert", "notify_priority_changes"):
            b = _given_bool(inst, kw)
            if b is not None:
                setattr(ei, kw, b)
        for kw, label in _INST_NOTIFY:
            s = st.get(kw)
            if s is None:
                continue
            if kw == "notify_deleted":
                ei.notify_deleted = True
                if not words(s):
                    continue
            spec = gs.script(s)
            if spec is not None:
                ei.scripts[label] = spec
        for va in inst.virtual_ipaddress_excluded:
            a = address_from_model(va)
            if a is not None:
                ei.evips.append(a)
        for r in inst.virtual_routes:
            ri = route_from_words(r.words)
            if ri is not None:
                ei.vroutes.append(ri)
        for rl in inst.virtual_rules:
            rr = rule_from_words(rl.words, self.rule_prios)
            if rr is not None:
                ei.vrules.append(rr)
        ei.track_ifs = self._plain_tracks(inst.track_interface)
        ei.track_scripts = self._track_scripts(inst.track_script, inst.span)
        ei.track_files = self._track_refs(inst.track_file, self.track_files)
        ei.track_processes = self._track_refs(inst.track_process, self.processes)
        ei.track_bfds = self._plain_tracks(inst.track_bfd, self.cfg.bfd_instances)
        self._vmac(ei, inst)
        # end of block (vrrp_end_handler)
        if not ei.peers and ei.ttl != -1:
            ei.ttl = 0
        return ei

    def _vmac(self, ei: EffInstance, inst: Block) -> None:
        st = inst.settings
        s = st.get("use_vmac")
        if s is not None:
            ei.flags.add("VMAC")
            name = None
            for w in words(s)[:2]:
                if ":" in w:
                    ei.flags.add("VMAC_MAC_SPECIFIED")
                elif name is None:
                    name = w
            ei.vmac_name = name
        if st.get("use_vmac_addr") is not None:
            ei.flags.add("VMAC_ADDR")
        if st.get("vmac_xmit_base") is not None:
            ei.flags.add("VMAC_XMITBASE")
        if st.get("use_ipvlan") is not None:
            ei.flags.add("IPVLAN")
        if "UNICAST_CONFIGURED" in ei.flags and ("VMAC" in ei.flags or "IPVLAN" in ei.flags):
            if not ei.ifname:
                ei.flags -= {"VMAC", "IPVLAN"}
                ei.vmac_name = None
            else:
                ei.flags.add("VMAC_XMITBASE")

    @staticmethod
    def _plain_tracks(refs: list[TrackRef], known: Container[str] | None = None) -> list[Track]:
        """One Track per name (the first line wins), weight 0 unless given.

        With ``known``, names not defined there are dropped.
        """
        out: list[Track] = []
        for t in refs:
            if (known is not None and t.name not in known) or any(x.name == t.name for x in out):
                continue
            out.append(Track(t.name, t.weight or 0, bool(t.reverse)))
        return out

    @staticmethod
    def _track_refs(refs: list[TrackRef], known: Mapping[str, _Tracked]) -> list[Track]:
        """One Track per name defined in ``known`` (the first line wins).

        Weight and reverse default to the tracked object's.
        """
        out: list[Track] = []
        for t in refs:
            obj = known.get(t.name)
            if obj is None or any(x.name == t.name for x in out):
                continue
            weight = obj.weight if t.weight is None else t.weight
            reverse = obj.reverse if t.reverse is None else t.reverse
            out.append(Track(t.name, weight, reverse))
        return out

    def _track_scripts(self, refs: list[TrackRef], where: Span | None) -> list[Track]:
        # "track script not found": a vrrp_script must be defined before it is tracked
        defined = {n: es for n, es in self.scripts.items()
                   if not (es.span is not None and where is not None
                           and is_before(where, es.span))}
        return self._track_refs(refs, defined)

    # -- script security (check_vrrp_script_security) ------------------------------------

    def _script_security(self, instances: list[EffInstance]) -> None:
        gs = self.gs
        for name, es in list(self.scripts.items()):
            resolved = gs.secure(es.spec)
            if resolved is None:
                del self.scripts[name]  # insecure / not found: removed everywhere
            else:
                es.spec = resolved
        for ei in instances:
            for label, spec in list(ei.scripts.items()):
                r = gs.secure(spec)
                if r is None:
                    del ei.scripts[label]
                else:
                    ei.scripts[label] = r
            ei.track_scripts = [t for t in ei.track_scripts if t.name in self.scripts]

    # -- sync groups (vrrp_sync_set_group) ------------------------------------------------

    def _sync_groups(self, instances: list[EffInstance]) -> list[EffSyncGroup]:
        by_name = {ei.name: ei for ei in instances}
        out: list[EffSyncGroup] = []
        seen: set[str] = set()
        for sg in self.cfg.sync_groups:
            if sg.name in seen:
                continue
            seen.add(sg.name)
            if sg.settings.get("group") is None or not sg.group:
                continue
            g = EffSyncGroup(name=sg.name)
            for member in sg.group:
                ei = by_name.get(member)
                if ei is None or ei.sync is not None:
                    continue
                g.members.append(ei)
                ei.sync = sg.name
                if g.state != BACKUP:
                    g.state = MASTER if (ei.wantstate == MASTER
                                         and ei.base_priority == PRIO_OWNER) else BACKUP
            if not g.members:
                for ei in g.members:
                    ei.sync = None
                continue
            self._group_settings(g, sg)
            out.append(g)
        self._group_by_member = {m.name: g for g in out for m in g.members}
        return out

    def _group_settings(self, g: EffSyncGroup, sg: SyncGroup) -> None:
        st = sg.settings
        g.tracking_weight = st.get("sync_group_tracking_weight") is not None or \
            st.get("global_tracking") is not None
        for kw in ("smtp_alert", "notify_priority_changes"):
            b = _given_bool(sg, kw)
            if b is not None:
                setattr(g, kw, b)
        g.track_ifs = self._plain_tracks(sg.track_interface)
        g.track_scripts = [t for t in self._track_scripts(sg.track_script, sg.span)
                           if t.name in self.scripts]
        g.track_files = self._track_refs(sg.track_file, self.track_files)
        g.track_processes = self._track_refs(sg.track_process, self.processes)
        g.track_bfds = self._plain_tracks(sg.track_bfd, self.cfg.bfd_instances)
        for kw, label in _GROUP_NOTIFY:
            s = st.get(kw)
            if s is None:
                continue
            spec = self.gs.secure(self.gs.script(s))
            if spec is not None:
                g.scripts[label] = spec

    # -- vrrp_complete_instance ---------------------------------------------------------------

    def _complete(self, ei: EffInstance, inst: VrrpInstance) -> None:
        gs = self.gs
        if ei.family == 6:
            if ei.version == 2 and ei.strict:
                ei.version = 3
            elif not ei.version:
                ei.version = 3
        if ei.family == 0:
            ei.family = 4
        if ei.version == 0:
            ei.version = 3 if ei.family == 6 else gs.vrrp_version
        if ei.family == 4 and ei.ttl == -1:
            ei.ttl = 255
        if ei.base_priority == 0:
            ei.base_priority = PRIO_OWNER if ei.wantstate == MASTER else 100
        if ei.wantstate == INIT:
            ei.wantstate = MASTER if ei.base_priority == PRIO_OWNER else BACKUP
        elif ei.strict and ((ei.wantstate == MASTER) != (ei.base_priority == PRIO_OWNER)):
            ei.wantstate = MASTER if ei.base_priority == PRIO_OWNER else BACKUP
        if ei.auth_type:
            if ei.strict or ei.version == 3 or not ei.auth_pass or \
                    (ei.family == 6 and ei.auth_type == "AH"):
                ei.auth_type = None
            elif ei.auth_type == "AH" and ei.wantstate == MASTER and \
                    ei.base_priority != PRIO_OWNER:
                ei.wantstate = BACKUP
        if "UNICAST_CONFIGURED" in ei.flags:
            if ei.peers:
                ei.flags.add("UNICAST")
            elif "UNICAST_FAULT_NO_PEERS" in ei.flags:
                ei.num_config_faults += 1
        hif = self.host.interface(ei.ifname)
        ei.ifindex = hif.index if hif is not None else 0
        if ei.strict and "VMAC_MAC_SPECIFIED" in ei.flags:
            ei.flags.discard("VMAC_MAC_SPECIFIED")
        if ("VMAC" in ei.flags or "IPVLAN" in ei.flags) and hif is not None and \
                not hif.ethernet:
            ei.flags.clear()
            ei.num_config_faults += 1
        if hif is not None and not hif.multicast and "UNICAST" not in ei.flags:
            ei.num_config_faults += 1
        mtu = hif.mtu if hif is not None else 1500
        if ei.family == 4:
            hdr = 14 + 20 + 8 + (8 if ei.version == 2 else 0) + \
                (24 if ei.version == 2 and ei.auth_type == "AH" else 0)
            max_addr = (mtu - hdr) // 4
        else:
            max_addr = (mtu - (14 + 40 + 8)) // 16
        max_addr = min(max_addr, 255)
        if len(ei.vips) > max_addr:
            ei.evips.extend(ei.vips[max_addr:])
            del ei.vips[max_addr:]
        if ei.base_priority == PRIO_OWNER:
            ei.flags.discard("NOPREEMPT")
        if ei.wantstate == MASTER:
            ei.flags.discard("NOPREEMPT")
            ei.preempt_delay = 0
        if ei.preempt_delay and (ei.strict or "NOPREEMPT" in ei.flags):
            ei.preempt_delay = 0
        if ei.down_timer_adverts != 3 and ei.strict:
            ei.down_timer_adverts = 3
        if ei.accept == -1:
            ei.accept = 1 if ei.base_priority == PRIO_OWNER else int(not ei.strict)
        if ei.accept and ei.base_priority != PRIO_OWNER and ei.strict and ei.version == 2:
            ei.accept = 0
        if (not ei.accept or "VMAC" in ei.flags) and gs.nf_table_name is None:
            gs.nf_table_name = "keepalived"
            gs.nf_chain_priority = -1
        if "UNICAST" not in ei.flags and ei.mcast_daddr is None:
            ei.mcast_daddr = gs.mcast4 if ei.family == 4 else gs.mcast6
        elif "UNICAST" in ei.flags and ei.mcast_daddr is not None:
            ei.mcast_daddr = None
        glpr = gs.garp_rep if gs.garp_lower_prio_rep is None else gs.garp_lower_prio_rep
        glpd = gs.garp_delay if gs.garp_lower_prio_delay is None else gs.garp_lower_prio_delay
        if ei.garp_lower_prio_rep is None:
            ei.garp_lower_prio_rep = 0 if ei.strict else glpr
        elif ei.strict:
            ei.garp_lower_prio_rep = 0
        if ei.garp_lower_prio_delay is None:
            ei.garp_lower_prio_delay = 0 if ei.strict else glpd
        elif ei.strict:
            ei.garp_lower_prio_delay = 0
        if ei.lower_prio_no_advert == -1 or ei.strict:
            ei.lower_prio_no_advert = 1 if ei.strict else gs.lower_prio_no_advert
        if ei.higher_prio_send_advert == -1 or ei.strict:
            ei.higher_prio_send_advert = 0 if ei.strict else gs.higher_prio_send_advert
        if ei.smtp_alert == -1:
            ei.smtp_alert = self._default_smtp_alert()
        if ei.notify_priority_changes == -1:
            grp = self._group_of(ei)
            if grp is not None and grp.notify_priority_changes != -1:
                ei.notify_priority_changes = grp.notify_priority_changes
            else:
                ei.notify_priority_changes = int(gs.vrrp_notify_priority_changes)
        if not ei.adver_int:
            ei.adver_int = TIMER_HZ
        if ei.version == 2:
            if ei.adver_int >= 256 * TIMER_HZ:
                ei.adver_int = 255 * TIMER_HZ
            elif ei.adver_int % TIMER_HZ:
                ei.adver_int += TIMER_HZ // 2
                ei.adver_int -= ei.adver_int % TIMER_HZ
                ei.adver_int = ei.adver_int or TIMER_HZ
        else:
            centi = TIMER_HZ // 100
            if ei.adver_int >= 4096 * centi:
                ei.adver_int = 4095 * centi
            elif ei.adver_int % centi:
                ei.adver_int += centi // 2
                ei.adver_int -= ei.adver_int % centi
                ei.adver_int = ei.adver_int or centi
        if "SADDR_FROM_CONFIG" not in ei.flags:
            ei.flags.discard("TRACK_SADDR")
        if "VMAC" in ei.flags or "IPVLAN" in ei.flags:
            self._vmac_name(ei)
            if "PROMOTE_SECONDARIES" in ei.flags:
                ei.flags.discard("PROMOTE_SECONDARIES")
            ei.flags.add("VMAC_UP")
        if "VMAC_XMITBASE" in ei.flags and "VMAC" not in ei.flags:
            ei.flags.discard("VMAC_XMITBASE")
        # interfaces tracked by the instance itself
        if ei.ifname:
            ei.track_ifs = [t for t in ei.track_ifs if t.name != ei.ifname]
            for t in ei.track_ifs:
                ei.track_if(t.name, t.weight, t.reverse)
            own = NOT_TRACK_IF if "DONT_TRACK_PRIMARY" in ei.flags else 0
            ei.track_if(ei.ifname, own, False)
        vmac_if = ei.vmac_name if "VMAC" in ei.flags else None
        for lst in (ei.vips, ei.evips):
            for a in list(lst):
                if a.dev is None or a.dev == ei.ifname:
                    if vmac_if and a.family == ei.family:
                        a.ifname = vmac_if
                        a.base_ifname = ei.ifname
                    else:
                        a.ifname = ei.ifname
                else:
                    a.ifname = a.dev
                if a.ifname is None:
                    lst.remove(a)  # "no interface for vip - removing"
                    continue
                if not a.no_track and ("DONT_TRACK_PRIMARY" not in ei.flags
                                       or a.ifname != ei.ifname):
                    ei.track_if(a.ifname, 0, False)
        grp = self._group_of(ei)
        no_weights = (grp is not None and not grp.tracking_weight)
        if no_weights or ei.base_priority == PRIO_OWNER:
            for t in list(ei.track_ifs):
                if t.weight:
                    if no_weights:
                        t.weight = 0
                    else:
                        ei.track_ifs.remove(t)
            ei.track_scripts = [t for t in ei.track_scripts if not t.weight]
            for t in list(ei.track_files):
                if t.weight == 1:
                    t.weight = 0
                elif t.weight:
                    ei.track_files.remove(t)
            ei.track_bfds = [t for t in ei.track_bfds if not t.weight]
        for t in ei.track_scripts:
            self._add_tracking(self.scripts.get(t.name), ei.name, t)
        for t in ei.track_files:
            tf = self.track_files.get(t.name)
            if tf is not None:
                tf.tracking.append((ei.name, t.weight, t.reverse))
        for t in ei.track_processes:
            self._add_tracking(self.processes.get(t.name), ei.name, t)
        for r in ei.vroutes:
            if not r.no_track and r.oif:
                ei.track_if(r.oif, 0, False)
        for rl in ei.vrules:
            if not rl.no_track:
                for n in (rl.iif, rl.oif):
                    if n:
                        ei.track_if(n, 0, False)

    def _default_smtp_alert(self) -> int:
        """smtp_alert of an instance or group that sets none: smtp_alert_vrrp, else smtp_alert."""
        gs = self.gs
        if gs.smtp_alert_vrrp != -1:
            return gs.smtp_alert_vrrp
        return gs.smtp_alert if gs.smtp_alert != -1 else 0

    def _vmac_name(self, ei: EffInstance) -> None:
        if ei.vmac_name:
            return
        prefix = self.gs.vmac_prefix or "vrrp"
        ei.vmac_name = f"{prefix}.{ei.vrid}"[:15]

    def _group_of(self, ei: EffInstance) -> EffSyncGroup | None:
        return self._group_by_member.get(ei.name)

    @staticmethod
    def _add_tracking(obj: EffScript | EffProcess | None, inst: str, t: Track) -> None:
        """Add an instance to a tracked object's list; a repeat updates a weighted entry."""
        if obj is None:
            return
        for i, (n, w, _r) in enumerate(obj.tracking):
            if n == inst:
                if w:
                    obj.tracking[i] = (n, t.weight, t.reverse)
                return
        obj.tracking.append((inst, t.weight, t.reverse))

    # -- after completion ----------------------------------------------------------------------

    def _vrid_conflicts(self, instances: list[EffInstance]) -> None:
        """Mark unicast instances sharing VRID, family, interface and source address."""
        buckets: dict[tuple[int, int], list[EffInstance]] = {}
        for ei in instances:
            if "UNICAST" in ei.flags:
                buckets.setdefault((ei.family, ei.vrid), []).append(ei)
        for same in buckets.values():
            for i, a in enumerate(same):
                for b in same[i + 1:]:
                    if a.ifname and b.ifname and a.ifname != b.ifname:
                        continue
                    sa = a.saddr if "SADDR_FROM_CONFIG" in a.flags else self._if_addr(a)
                    sb = b.saddr if "SADDR_FROM_CONFIG" in b.flags else self._if_addr(b)
                    if sa is None or sb is None or sa != sb:
                        continue
                    a.flags.add("UNICAST_DUPLICATE_VRID")
                    b.flags.add("UNICAST_DUPLICATE_VRID")

    def _if_addr(self, ei: EffInstance) -> str | None:
        hif = self.host.interface(ei.ifname)
        if hif is None:
            return None
        return hif.ipv4 if ei.family == 4 else hif.ipv6

    def _src_addrs(self, instances: list[EffInstance]) -> None:
        """keepalived's ``set_vrrp_src_addr``: the interface's address when not configured."""
        for ei in instances:
            if "SADDR_FROM_CONFIG" in ei.flags or not ei.ifname:
                continue
            hif = self.host.interface(ei.ifname)
            if hif is None:
                continue
            if ei.family == 4:
                ei.saddr = hif.ipv4
            elif "VMAC" in ei.flags and not hif.ipv6:
                continue
            else:
                ei.saddr = hif.ipv6

    def _group_tracking(self, groups: list[EffSyncGroup]) -> None:
        """keepalived's ``sync_group_tracking_init``."""
        for g in groups:
            if any(m.base_priority == PRIO_OWNER for m in g.members):
                # a group with an address owner tracks without weights
                for t in (*g.track_scripts, *g.track_files, *g.track_processes,
                          *g.track_bfds, *g.track_ifs):
                    t.weight = 0
            for t in g.track_scripts:
                for m in g.members:
                    self._add_tracking(self.scripts.get(t.name), m.name, t)
            for t in g.track_files:
                tf = self.track_files.get(t.name)
                if tf is not None:
                    for m in g.members:
                        if not any(n == m.name for n, _, _ in tf.tracking):
                            tf.tracking.append((m.name, t.weight, t.reverse))
            for t in g.track_processes:
                for m in g.members:
                    self._add_tracking(self.processes.get(t.name), m.name, t)
            for t in g.track_ifs:
                for m in g.members:
                    m.track_if(t.name, t.weight, t.reverse)
            if g.smtp_alert == -1:
                g.smtp_alert = self._default_smtp_alert()

    def _initial_states(self, instances: list[EffInstance]) -> None:
        """keepalived's ``initialise_tracking_priorities``: FAULT and INIT at start-up."""
        # VMAC interfaces are created by keepalived itself and come up
        ours = {ei.vmac_name for ei in instances if ei.vmac_name and "VMAC" in ei.flags}
        for ei in instances:
            ei.state = INIT
            for name, (weight, reverse) in ei.if_tracking.items():
                if weight == NOT_TRACK_IF or weight:
                    continue
                hif = self.host.interface(name)
                up = name in ours or (hif is not None and hif.up)
                if up != (not reverse):
                    ei.state = FAULT
        by_name = {x.name: x for x in instances}
        for tf in self.track_files.values():
            for inst_name, weight, reverse in tf.tracking:
                ei2 = by_name.get(inst_name)
                if ei2 is None:
                    continue
                mult = -1 if reverse else 1
                if not weight:
                    status = -254 if bool(tf.status) == (mult == 1) else 0
                else:
                    status = tf.status * weight * mult
                if status <= -254:
                    ei2.state = FAULT
        for ep in self.processes.values():
            for inst_name, weight, reverse in ep.tracking:
                ei3 = by_name.get(inst_name)
                # no process is counted here: quorum only holds when it is 0
                if ei3 is not None and not weight and ep.have_quorum == reverse:
                    ei3.state = FAULT
        for ei in instances:
            grp = self._group_of(ei)
            if ei.saddr is None:
                ei.state = FAULT
            scripts = list(ei.track_scripts) + (list(grp.track_scripts) if grp else [])
            for t in scripts:
                es = self.scripts.get(t.name)
                if es is not None and not t.weight:
                    ei.num_script_init += 1
            for t in ei.track_bfds + (grp.track_bfds if grp else []):
                if not t.weight and not t.reverse:
                    ei.state = FAULT
            if grp is not None:
                if ei.state == FAULT:
                    grp.state = FAULT
                    grp.num_member_fault += 1
                if ei.num_script_init:
                    grp.num_member_init += 1
                    if grp.state != FAULT:
                        grp.state = INIT

    def _align_group_wantstates(self, groups: list[EffSyncGroup]) -> None:
        """If a group mixes MASTER and non-owner/BACKUP members, all start as BACKUP."""
        for g in groups:
            have_backup = have_master = False
            for m in g.members:
                if m.wantstate == BACKUP or m.base_priority != PRIO_OWNER:
                    have_backup = True
                if m.wantstate == MASTER:
                    have_master = True
                if have_master and have_backup:
                    for x in g.members:
                        if x.wantstate == MASTER:
                            x.wantstate = BACKUP
                    break

    def _lvs_syncd(self, instances: list[EffInstance]) -> None:
        sd = self.gs.lvs_syncd
        if not sd:
            return
        name = sd.get("vrrp_name")
        if name:
            match = next((x for x in instances if x.name == name), None)
            if match is None:
                self.gs.lvs_syncd = None
                return
            sd["vrrp"] = match.name
            sd.pop("vrrp_name", None)
            if "syncid" not in sd:
                sd["syncid"] = match.vrid
        elif "syncid" not in sd:
            sd["syncid"] = 0


def build_vrrp(cfg: Config, gs: GlobalState, host: Host) -> VrrpState:
    """The VRRP child's data after start-up (see :class:`VrrpBuilder`)."""
    return VrrpBuilder(cfg, gs, host).build()


def _first(w: list[str]) -> str | None:
    return w[0] if w else None


def _weight_setting(block: Block, bound: int) -> tuple[int | None, bool] | None:
    """``weight N [reverse]`` of ``block``: (N if within +-``bound``, reverse); None if absent."""
    s = block.settings.get("weight")
    if s is None:
        return None
    w = words(s)
    return (read_int(w[0], -bound, bound) if w else None), len(w) >= 2 and w[1] == "reverse"


def _given_bool(block: Block, kw: str) -> int | None:
    """The 1 or 0 of boolean keyword ``kw`` in ``block``; None when absent or invalid."""
    if block.settings.get(kw) is None:
        return None
    b = bool_setting(block, kw, default=-2)
    return None if b == -2 else b


def _family(text: str) -> int:
    import ipaddress

    try:
        return ipaddress.ip_address(text).version
    except ValueError:
        return 0


def _norm(text: str) -> str:
    import ipaddress

    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return text


def _is_mcast_dst(text: str) -> bool:
    import ipaddress

    try:
        a = ipaddress.ip_address(text)
    except ValueError:
        return False
    if a.version == 4:
        return a.is_multicast
    return a.is_multicast and (a.packed[1] & 0x0F) == 2


__all__ = ["build_vrrp", "VrrpState", "EffInstance", "EffSyncGroup", "EffScript"]
