"""Stage 2: keepalived's ``vrrp_parser.c`` handlers for one ``vrrp_instance`` block.

Order matters: a global keyword written after an instance does not reach it,
and family/version/unicast keywords are replayed in source order.
"""

from __future__ import annotations

from collections.abc import Container, Mapping

from kaconf.diagnostics import Span
from kaconf.effective.iplines import address_from_model
from kaconf.effective.iproutes import route_from_words
from kaconf.effective.iprules import rule_from_words
from kaconf.effective.ipvlan import parse_use_ipvlan
from kaconf.effective.values import (
    TIMER_HZ,
    family_of,
    first_word,
    given_bool,
    is_before,
    is_vrrp_mcast_dst,
    norm_addr,
    read_decimal,
    read_int,
    read_uint,
    uint_setting,
    weight_setting,
    words,
)
from kaconf.effective.vmac import parse_use_vmac
from kaconf.effective.vrrp_defs import DefinitionStage
from kaconf.effective.vrrp_types import (
    BACKUP,
    INIT,
    INST_NOTIFY,
    MASTER,
    PRIO_OWNER,
    EffInstance,
    Track,
    Tracked,
    span_key,
)
from kaconf.model.objects import Block, SyncGroup, TrackRef, VrrpInstance


class ParseStage(DefinitionStage):
    """Reads each instance block the way keepalived's handlers do."""

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
                   "nopreempt", "preempt", "accept", "no_accept"):
            s = st.get(kw)
            if s is not None:
                events.append((span_key(s.span), kw, s))
        if "version" in st:
            # every version line counts: a later one conflicting with the first is ignored
            for s in inst.occurrences("version"):
                events.append((span_key(s.span), "version", s))
        for va in inst.virtual_ipaddress:
            events.append((span_key(va.span), "vip", va))
        for p in inst.unicast_peer:
            events.append((span_key(p.span), "peer", p))
        events.sort(key=lambda e: e[0])
        fam = 0
        for key, kind, obj in events:
            had = fam
            if kind == "native_ipv6":
                if fam != 4:
                    fam = 6
                    ei.version = 3
                else:
                    ei.family_skipped.append(key)  # "Cannot specify native_ipv6 with IPv4"
            elif kind in ("mcast_src_ip", "unicast_src_ip"):
                if kind == "unicast_src_ip":
                    ei.flags.add("UNICAST_CONFIGURED")
                w = words(obj)  # type: ignore[arg-type]
                f = family_of(w[0]) if w else 0
                if f and (fam == 0 or fam == f):
                    fam = f
                    ei.saddr = norm_addr(w[0])
                    ei.flags.add("SADDR_FROM_CONFIG")
                elif f:
                    ei.family_skipped.append(key)
            elif kind == "mcast_dst_ip":
                w = words(obj)  # type: ignore[arg-type]
                f = family_of(w[0]) if w else 0
                if f and (fam == 0 or fam == f):
                    fam = f
                    if is_vrrp_mcast_dst(w[0]):
                        ei.mcast_daddr = norm_addr(w[0])
                elif f:
                    ei.family_skipped.append(key)
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
                    ei.family_skipped.append(key)
                    continue
                ei.vips.append(a)
                ei.vip_keys.append(key)
            elif kind == "peer":
                addr = getattr(obj, "address", None)
                if addr is None:
                    continue
                f = addr.version
                if fam == 0:
                    fam = f
                elif f != fam:
                    ei.family_skipped.append(key)
                    continue
                mn = getattr(obj, "min_ttl", None)
                mx = getattr(obj, "max_ttl", None)
                if mn is not None or mx is not None:
                    ei.flags.add("CHECK_UNICAST_SRC")
                ei.peers.append((str(addr), 0 if mn is None else mn, 255 if mx is None else mx))
            if fam and not had:
                ei.family_from = key
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
        if given_bool(inst, "skip_check_adv_addr") is not None:
            ei.flags.add("SKIP_CHECK_ADV_ADDR")
        ei.strict = gs.strict
        sm = given_bool(inst, "strict_mode")
        if sm is not None:
            ei.strict = bool(sm)
        vr = uint_setting(inst, "virtual_router_id", lo=1, hi=255)
        ei.vrid = vr or 0
        ttl = uint_setting(inst, "unicast_ttl", hi=255)
        if ttl is not None:
            ei.ttl = ttl
        pr = st.get("priority")
        if pr is not None:
            v = read_uint(first_word(words(pr)), 1, PRIO_OWNER)
            ei.base_priority = 100 if v is None else v
        ad = st.get("advert_int")
        if ad is not None:
            v = read_decimal(first_word(words(ad)), 6, TIMER_HZ // 100, 255 * TIMER_HZ)
            if v:
                ei.adver_int = v
        dbg = uint_setting(inst, "debug", hi=4)
        if dbg is not None:
            ei.debug = dbg
        pd = st.get("preempt_delay")
        if pd is not None:
            v = read_decimal(first_word(words(pd)), 6, 0, 1000 * TIMER_HZ)
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
            b = given_bool(inst, kw)
            if b is not None:
                setattr(ei, kw, b)
        v = uint_setting(inst, "kernel_rx_buf_size")
        if v is not None and len(words(st.get("kernel_rx_buf_size"))) == 1:
            ei.kernel_rx_buf_size = v
        auth = inst.authentication
        if auth is not None:
            at = first_word(words(auth.settings.get("auth_type")))
            if at == "AH":
                ei.auth_type = "AH"
            elif at == "PASS":
                ei.auth_type = "PASS"
            ap = first_word(words(auth.settings.get("auth_pass")))
            if ap is not None:
                ei.auth_pass = ap[:8]
        for kw in ("smtp_alert", "notify_priority_changes"):
            b = given_bool(inst, kw)
            if b is not None:
                setattr(ei, kw, b)
        for kw, label in INST_NOTIFY:
            # keepalived keeps the first script ("script already specified - ignoring")
            occ = inst.occurrences(kw) if kw in st else ()
            s = occ[0] if occ else None
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
        ei.line_weights = self.line_weights(inst)
        self._vmac(ei, inst)
        self._garp_extra_if(ei, inst)
        ei.parsed_vips = len(ei.vips)
        # end of block (vrrp_end_handler)
        if not ei.peers and ei.ttl != -1:
            ei.ttl = 0
        return ei

    def _vmac(self, ei: EffInstance, inst: Block) -> None:
        st = inst.settings
        s = st.get("use_vmac")
        if s is not None:
            ei.flags.add("VMAC")
            opt = parse_use_vmac(words(s), uint_setting(inst, "virtual_router_id",
                                                        lo=1, hi=255) or 0)
            if opt.mac is not None:
                ei.flags.add("VMAC_MAC_SPECIFIED")
                ei.vmac_mac = opt.mac
                if any(":" in w and len(w.rstrip(":").split(":")) == 5 for w in words(s)[:2]):
                    ei.flags.add("VMAC_MAC_USE_VRID")  # five octets: the VRID is the sixth
            name = opt.name
            # "VRRP instance X is already using NAME - ignoring name": an earlier
            # instance's given name wins
            if name is not None and name in self.vmac_taken:
                name = None
            if name is not None:
                self.vmac_taken.add(name)
            ei.vmac_name = name
        if st.get("use_vmac_addr") is not None:
            ei.flags.add("VMAC_ADDR")
        if st.get("vmac_xmit_base") is not None:
            ei.flags.add("VMAC_XMITBASE")
        ipv = st.get("use_ipvlan")
        if ipv is not None:
            ei.flags.add("IPVLAN")
            ipv_opt = parse_use_ipvlan(words(ipv))
            ei.ipvlan_type = ipv_opt.type
            if ipv_opt.name is not None and ipv_opt.name not in self.vmac_taken:
                self.vmac_taken.add(ipv_opt.name)
                ei.vmac_name = ipv_opt.name
            if ipv_opt.address is not None and ei.family in (0, ipv_opt.address.family):
                ei.ipvlan_addr = ipv_opt.address.text()
                if ei.saddr is None:
                    # the ipvlan's address is the source address too
                    ei.saddr = ipv_opt.address.addr
                    ei.flags.add("SADDR_FROM_CONFIG")
        if "UNICAST_CONFIGURED" in ei.flags and ("VMAC" in ei.flags or "IPVLAN" in ei.flags):
            if not ei.ifname:
                ei.flags -= {"VMAC", "IPVLAN"}
                ei.vmac_name = None
            else:
                ei.flags.add("VMAC_XMITBASE")

    def line_weights(self, block: VrrpInstance | SyncGroup
                     ) -> dict[tuple[str, int, int], tuple[int, bool]]:
        """(weight, reverse) each tracking line of ``block`` applies, by the line's span.

        Lines naming a defined vrrp_script, track_file or bfd_instance only: the line's
        own weight, else the object's (read as keepalived reads it), else keepalived's
        default (0, a track_file's 1). This is the configured weight, before completion
        clears weights for address owners and sync groups.
        """
        out: dict[tuple[str, int, int], tuple[int, bool]] = {}
        for refs, defined, bound, default in (
                (block.track_script, self.cfg.vrrp_scripts, 253, 0),
                (block.track_file, self.cfg.track_files, 254, 1),
                (block.track_bfd, self.cfg.bfd_instances, 253, 0)):
            for t in refs:
                obj = defined.get(t.name)
                if obj is None:
                    continue
                wr = weight_setting(obj, bound)
                weight = default if wr is None or wr[0] is None else wr[0]
                reverse = wr is not None and wr[1]
                out[span_key(t.span)] = (weight if t.weight is None else t.weight,
                                         reverse if t.reverse is None else t.reverse)
        return out

    @staticmethod
    def _plain_tracks(refs: list[TrackRef], known: Container[str] | None = None) -> list[Track]:
        """One Track per name (the first line wins), weight 0 unless given.

        With ``known``, names not defined there are dropped.
        """
        out: list[Track] = []
        seen: set[str] = set()
        for t in refs:
            if (known is not None and t.name not in known) or t.name in seen:
                continue
            seen.add(t.name)
            out.append(Track(t.name, t.weight or 0, bool(t.reverse)))
        return out

    @staticmethod
    def _track_refs(refs: list[TrackRef], known: Mapping[str, Tracked]) -> list[Track]:
        """One Track per name defined in ``known`` (the first line wins).

        Weight and reverse default to the tracked object's.
        """
        out: list[Track] = []
        seen: set[str] = set()
        for t in refs:
            obj = known.get(t.name)
            if obj is None or t.name in seen:
                continue
            seen.add(t.name)
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

    @staticmethod
    def _garp_extra_if(ei: EffInstance, inst: Block) -> None:
        """``garp_extra_if [N] [all]`` (``vmac_garp_intvl``, its deprecated spelling).

        keepalived reads every word: ``all`` sets the all-interfaces flag, anything else
        must be 0..86400 seconds or the whole line is ignored, as is a line with no time.
        """
        for kw in ("garp_extra_if", "vmac_garp_intvl"):
            s = inst.settings.get(kw)
            if s is None:
                continue
            delay: int | None = None
            all_if = False
            for w in words(s):
                if w == "all":
                    all_if = True
                    continue
                delay = read_uint(w, 0, 86400)
                if delay is None:
                    break
            else:
                if all_if:
                    ei.flags.add("VMAC_GARP_ALL_IF")
                if delay is not None:
                    ei.vmac_garp_intvl = delay
                continue
            if all_if:
                ei.flags.add("VMAC_GARP_ALL_IF")
