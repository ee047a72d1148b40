"""Stage 2: keepalived's ``vrrp_parser.c`` handlers for one ``vrrp_instance`` block.

Order matters: a global keyword written after an instance does not reach it,
and family/version/unicast keywords are replayed in source order.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Container, Mapping

from kaconf.diagnostics import Span
from kaconf.effective.iplines import address_from_model
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
from kaconf.model.ipwords import Prefix
from kaconf.model.objects import Block, Setting, SyncGroup, TrackRef, VrrpInstance

#: global_defs keywords an instance copies when it is allocated (see ParseStage._inherited)
_INHERITED = ("vrrp_garp_master_repeat", "vrrp_garp_master_refresh",
              "vrrp_garp_master_refresh_repeat", "vrrp_garp_master_delay",
              "vrrp_down_timer_adverts", "vrrp_skip_check_adv_addr", "vrrp_min_garp")
#: instance keywords replayed in source order with the VIPs and peers (family, version...)
_ORDERED_WORDS = ("native_ipv6", "mcast_src_ip", "unicast_src_ip", "mcast_dst_ip",
                  "nopreempt", "preempt", "accept", "no_accept")
_ORDERED = frozenset((*_ORDERED_WORDS, "version"))
_first = operator.itemgetter(0)
#: keywords most instances do not give, read together only when one of them is
_UNICAST = frozenset(("unicast_peer", "unicast_fault_no_peer", "check_unicast_src",
                      "old_unicast_checksum"))
_FLAGS = frozenset(("dont_track_primary", "track_src_ip", "promote_secondaries",
                    "linkbeat_use_polling", "skip_check_adv_addr"))
_TIMERS = frozenset(("unicast_ttl", "debug", "preempt_delay", "garp_master_delay",
                     "garp_lower_prio_delay", "garp_master_repeat", "garp_master_refresh_repeat",
                     "garp_master_refresh", "garp_lower_prio_repeat", "down_timer_adverts",
                     "lower_prio_no_advert", "higher_prio_send_advert", "kernel_rx_buf_size"))
_NOTIFY = frozenset(("smtp_alert", "notify_priority_changes", *(kw for kw, _ in INST_NOTIFY)))
_VMAC = frozenset(("use_vmac", "use_vmac_addr", "vmac_xmit_base", "use_ipvlan"))


class ParseStage(DefinitionStage):
    """Reads each instance block the way keepalived's handlers do."""

    @functools.cached_property
    def _inherited_lines(self) -> list[tuple[str, Span]]:
        """The global_defs lines an instance copies when it is allocated, if given.

        Usually there are none: every instance then keeps EffInstance's defaults
        (keepalived's own) and :meth:`_inherited` is skipped.
        """
        st = self.gs.defs.settings
        return [(kw, s.span) for kw in _INHERITED if (s := st.get(kw)) is not None]

    def _inherited(self, ei: EffInstance, inst: VrrpInstance) -> None:
        """Values copied from global_data when the instance is allocated: a global
        keyword written after the instance does not reach it (vrrp_min_garp wherever
        it stands makes the garp values reach every instance)."""
        gs = self.gs
        where = inst.span
        before = {kw for kw, span in self._inherited_lines if not is_before(where, span)}
        garp = "vrrp_min_garp" in gs.defs.settings
        ei.garp_rep = gs.garp_rep if garp or "vrrp_garp_master_repeat" in before else 5
        ei.garp_refresh = gs.garp_refresh \
            if garp or "vrrp_garp_master_refresh" in before else 0
        ei.garp_refresh_rep = gs.garp_refresh_rep \
            if garp or "vrrp_garp_master_refresh_repeat" in before else 1
        ei.garp_delay = gs.garp_delay if garp or "vrrp_garp_master_delay" in before else 5
        ei.down_timer_adverts = gs.down_timer_adverts \
            if "vrrp_down_timer_adverts" in before else 3
        if gs.skip_check_adv_addr and "vrrp_skip_check_adv_addr" in before:
            ei.flags.add("SKIP_CHECK_ADV_ADDR")

    def _parse_instance(self, inst: VrrpInstance) -> EffInstance:
        """keepalived's ``vrrp_parser.c`` handlers for one ``vrrp_instance`` block."""
        gs = self.gs
        ei = EffInstance(inst.name, inst.span)
        if self._inherited_lines:
            self._inherited(ei, inst)
        st = inst.settings
        if _ORDERED.isdisjoint(st) and not inst.filled("unicast_peer"):
            self._vips_only(ei, inst)  # the usual case: only VIPs decide the family
        else:
            self._replay(ei, inst)
        if not _UNICAST.isdisjoint(st):
            self._unicast(ei, st)
        ei.wantstate = INIT
        stt = st.get("state")
        if stt is not None:
            ei.wantstate = MASTER if inst.state == "MASTER" else BACKUP
        ifn = words(st.get("interface"))
        if ifn and len(ifn[0]) < 16:
            host_if = self.host.interface(ifn[0])
            if host_if is None or not host_if.loopback:
                ei.ifname = ifn[0]
        if not _FLAGS.isdisjoint(st):
            self._flags(ei, inst)
        ei.strict = gs.strict
        if "strict_mode" in st:
            sm = given_bool(inst, "strict_mode")
            if sm is not None:
                ei.strict = bool(sm)
        vr = uint_setting(inst, "virtual_router_id", lo=1, hi=255)
        ei.vrid = vr or 0
        pr = st.get("priority")
        if pr is not None:
            v = read_uint(first_word(words(pr)), 1, PRIO_OWNER)
            ei.base_priority = 100 if v is None else v
        ad = st.get("advert_int")
        if ad is not None:
            v = read_decimal(first_word(words(ad)), 6, TIMER_HZ // 100, 255 * TIMER_HZ)
            if v:
                ei.adver_int = v
        if not _TIMERS.isdisjoint(st):
            self._timers(ei, inst)
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
        if not _NOTIFY.isdisjoint(st):
            self._notify(ei, inst)
        # (lists most instances do not fill: filled() does not make an empty one)
        for va in inst.filled("virtual_ipaddress_excluded"):
            a = address_from_model(va)
            if a is not None:
                ei.evips.append(a)
        for r in inst.filled("virtual_routes"):
            ri = r.info
            if ri is not None:
                ei.vroutes.append(ri)
        for rl in inst.filled("virtual_rules"):
            rr = rl.info
            if rr is not None:
                ei.vrules.append(self.rule_prios.numbered(rr))
        refs = inst.filled("track_interface")
        if refs:
            ei.track_ifs = self._plain_tracks(refs)
        scripts = inst.filled("track_script")
        if scripts:
            ei.track_scripts = self._track_scripts(scripts, inst.span)
        files = inst.filled("track_file")
        if files:
            ei.track_files = self._track_refs(files, self.track_files)
        refs = inst.filled("track_process")
        if refs:
            ei.track_processes = self._track_refs(refs, self.processes)
        bfds = inst.filled("track_bfd")
        if bfds:
            ei.track_bfds = self._plain_tracks(bfds, self.cfg.bfd_instances)
        if scripts or files or bfds:
            ei.line_weights = self.line_weights(inst)
        if not _VMAC.isdisjoint(st):
            self._vmac(ei, inst)
        if "garp_extra_if" in st or "vmac_garp_intvl" in st:
            self._garp_extra_if(ei, inst)
        ei.parsed_vips = len(ei.vips)
        # end of block (vrrp_end_handler)
        if not ei.peers and ei.ttl != -1:
            ei.ttl = 0
        return ei

    # -- keywords most instances do not give: skipped together (see the sets above) --

    @staticmethod
    def _unicast(ei: EffInstance, st: Mapping[str, Setting]) -> None:
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

    @staticmethod
    def _flags(ei: EffInstance, inst: VrrpInstance) -> None:
        st = inst.settings
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

    @staticmethod
    def _timers(ei: EffInstance, inst: VrrpInstance) -> None:
        st = inst.settings
        ttl = uint_setting(inst, "unicast_ttl", hi=255)
        if ttl is not None:
            ei.ttl = ttl
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

    def _notify(self, ei: EffInstance, inst: VrrpInstance) -> None:
        st = inst.settings
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
            spec = self.gs.script(s)
            if spec is not None:
                ei.scripts[label] = spec

    def _replay(self, ei: EffInstance, inst: VrrpInstance) -> None:
        """The order-dependent keywords (family, version, unicast...) in source order."""
        st = inst.settings
        events: list[tuple[tuple[str, int, int], str, object]] = []
        for kw in _ORDERED_WORDS:
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
        events.sort(key=_first)
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
                if v is None:
                    pass
                elif (ei.version and ei.version != v) or (v == 2 and fam == 6):
                    ei.version_ignored.append((obj.span, v, ei.version or 3))  # type: ignore[attr-defined]
                else:
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

    def _vips_only(self, ei: EffInstance, inst: VrrpInstance) -> None:
        """:meth:`_replay` when the VIPs are the only lines that decide the family."""
        vips = [(va.position(), va) for va in inst.virtual_ipaddress]  # span_key, cheaper
        if len(vips) > 1:
            vips.sort(key=_first)
        fam = 0
        for key, va in vips:
            a = address_from_model(va)
            if a is None:
                continue
            if fam == 0:
                fam = a.family
                ei.family_from = key
            elif a.family != fam:
                ei.family_skipped.append(key)
                continue
            ei.vips.append(a)
            ei.vip_keys.append(key)
        ei.family = fam

    def _vmac(self, ei: EffInstance, inst: VrrpInstance) -> None:
        st = inst.settings
        opt = inst.vmac
        if opt is not None:
            ei.flags.add("VMAC")
            mac = opt.mac_for(ei.vrid)
            if mac is not None:
                ei.flags.add("VMAC_MAC_SPECIFIED")
                ei.vmac_mac = mac
                if opt.vrid_last:
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
            ipv_opt = inst.ipvlan  # the model's reading of the line
            assert ipv_opt is not None
            ei.ipvlan_type = ipv_opt.type or "bridge"
            if ipv_opt.name is not None and ipv_opt.name not in self.vmac_taken:
                self.vmac_taken.add(ipv_opt.name)
                ei.vmac_name = ipv_opt.name
            ipv_addr = Prefix.parse(ipv_opt.address) if ipv_opt.address else None
            if ipv_addr is not None and ei.family in (0, ipv_addr.family):
                ei.ipvlan_addr = ipv_addr.text()
                if ei.saddr is None:
                    # the ipvlan's address is the source address too
                    ei.saddr = ipv_addr.addr
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
