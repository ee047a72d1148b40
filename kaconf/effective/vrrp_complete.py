"""Stage 3: script security, sync-group membership and ``vrrp_complete_instance``.

Defaults that depend on other settings (priority and state, version from the
family, strict mode, accept, multicast group, advert rounding, tracking
weights in sync groups and of address owners) are decided here.
"""

from __future__ import annotations

from kaconf.effective.values import (
    TIMER_HZ,
    given_bool,
)
from kaconf.effective.vmac import vmac_name_for
from kaconf.effective.vrrp_parse import ParseStage
from kaconf.effective.vrrp_types import (
    BACKUP,
    GROUP_NOTIFY,
    INIT,
    MASTER,
    NOT_TRACK_IF,
    PRIO_OWNER,
    EffInstance,
    EffProcess,
    EffScript,
    EffSyncGroup,
    SyncMembership,
    Track,
)
from kaconf.model.objects import SyncGroup, VrrpInstance


class CompleteStage(ParseStage):
    """keepalived's completion pass over parsed instances and groups."""

    # -- script security (check_vrrp_script_security) ------------------------------------

    def _script_security(self, instances: list[EffInstance]) -> None:
        gs = self.gs
        for name, es in list(self.scripts.items()):
            resolved = gs.secure_track(name, es.spec)
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
        self.sync_memberships: list[SyncMembership] = []
        by_name = {ei.name: ei for ei in instances}
        out: list[EffSyncGroup] = []
        seen: set[str] = set()
        for gi, sg in enumerate(self.cfg.sync_groups):
            if sg.name in seen:
                continue
            seen.add(sg.name)
            if sg.settings.get("group") is None or not sg.group:
                continue
            g = EffSyncGroup(name=sg.name)
            for idx, member in enumerate(sg.group):
                ei = by_name.get(member)
                if ei is None:
                    self.sync_memberships.append(SyncMembership(gi, idx, member, "missing"))
                    continue
                if ei.sync is not None:
                    self.sync_memberships.append(SyncMembership(gi, idx, member, "taken",
                                                                ei.sync))
                    continue
                self.sync_memberships.append(SyncMembership(gi, idx, member, "member"))
                g.members.append(ei)
                ei.sync = sg.name
                if g.state == MASTER and ei.wantstate == BACKUP and g.owner_mix is None:
                    g.owner_mix = ei.name  # "some member(s) as address owner and some not"
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
            b = given_bool(sg, kw)
            if b is not None:
                setattr(g, kw, b)
        g.track_ifs = self._plain_tracks(sg.track_interface)
        g.line_weights = self.line_weights(sg)
        g.track_scripts = [t for t in self._track_scripts(sg.track_script, sg.span)
                           if t.name in self.scripts]
        g.track_files = self._track_refs(sg.track_file, self.track_files)
        g.track_processes = self._track_refs(sg.track_process, self.processes)
        g.track_bfds = self._plain_tracks(sg.track_bfd, self.cfg.bfd_instances)
        for kw, label in GROUP_NOTIFY:
            occ = sg.occurrences(kw) if kw in st else ()
            s = occ[0] if occ else None  # the first wins, as for instances
            if s is None:
                continue
            spec = self.gs.secure(self.gs.script(s))
            if spec is not None:
                g.scripts[label] = spec

    # -- vrrp_complete_instance ---------------------------------------------------------------

    def _complete(self, ei: EffInstance, inst: VrrpInstance) -> None:
        gs = self.gs
        flags = ei.flags  # (changed in place only, here and in what this calls)
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
        ei.configured_wantstate = ei.wantstate
        # (a state derived from the priority always agrees with it)
        if ei.strict and ((ei.wantstate == MASTER) != (ei.base_priority == PRIO_OWNER)):
            ei.wantstate = MASTER if ei.base_priority == PRIO_OWNER else BACKUP
        if ei.auth_type:
            ei.auth_dropped = auth_drop_reason(ei)
            if ei.auth_dropped is not None:
                ei.auth_type = None
            elif ei.auth_type == "AH" and ei.wantstate == MASTER and \
                    ei.base_priority != PRIO_OWNER:
                ei.wantstate = BACKUP
        if "UNICAST_CONFIGURED" in flags:
            if ei.peers:
                flags.add("UNICAST")
            elif "UNICAST_FAULT_NO_PEERS" in flags:
                ei.num_config_faults += 1
        hif = self.host.interface(ei.ifname)
        ei.ifindex = hif.index if hif is not None else 0
        if ei.strict and "VMAC_MAC_SPECIFIED" in flags:
            flags.discard("VMAC_MAC_SPECIFIED")
        if ("VMAC" in flags or "IPVLAN" in flags) and hif is not None and \
                not hif.ethernet:
            flags.clear()
            ei.num_config_faults += 1
        if hif is not None and not hif.multicast and "UNICAST" not in flags:
            ei.num_config_faults += 1
        mtu = hif.mtu if hif is not None else 1500
        if ei.family == 4:
            hdr = 14 + 20 + 8 + (8 if ei.version == 2 else 0) + \
                (24 if ei.version == 2 and ei.auth_type == "AH" else 0)
            max_addr = (mtu - hdr) // 4
        else:
            max_addr = (mtu - (14 + 40 + 8)) // 16
        max_addr = min(max_addr, 255)
        ei.max_vips = max_addr
        if len(ei.vips) > max_addr:
            ei.evips.extend(ei.vips[max_addr:])
            del ei.vips[max_addr:]
        if ei.base_priority == PRIO_OWNER:
            flags.discard("NOPREEMPT")
        ei.completion_wantstate = ei.wantstate
        if ei.wantstate == MASTER:
            flags.discard("NOPREEMPT")
            ei.preempt_delay = 0
        if ei.preempt_delay and (ei.strict or "NOPREEMPT" in flags):
            ei.preempt_delay = 0
        if ei.down_timer_adverts != 3 and ei.strict:
            ei.down_timer_adverts = 3
        if ei.accept == -1:
            ei.accept = 1 if ei.base_priority == PRIO_OWNER else int(not ei.strict)
        if ei.accept and ei.base_priority != PRIO_OWNER and ei.strict and ei.version == 2:
            ei.accept = 0
        if (not ei.accept or "VMAC" in flags) and gs.nf_table_name is None:
            gs.nf_table_name = "keepalived"
            gs.nf_chain_priority = -1
        if "UNICAST" not in flags and ei.mcast_daddr is None:
            ei.mcast_daddr = gs.mcast4 if ei.family == 4 else gs.mcast6
        elif "UNICAST" in flags and ei.mcast_daddr is not None:
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
        self._extra_if_garps(ei)
        if "SADDR_FROM_CONFIG" not in flags:
            flags.discard("TRACK_SADDR")
        if "IPVLAN" in flags and (
                (ei.family == 4 and ei.ipvlan_addr is None)
                or (ei.ipvlan_addr is not None and (":" in ei.ipvlan_addr) != (ei.family == 6))):
            # "IPv4 ipvlan requires a source ip address" / "address family does not match"
            ei.num_config_faults += 1
        if "VMAC" in flags or "IPVLAN" in flags:
            self._vmac_name(ei)
            if "PROMOTE_SECONDARIES" in flags:
                flags.discard("PROMOTE_SECONDARIES")
            flags.add("VMAC_UP")
        if "VMAC_XMITBASE" in flags and "VMAC" not in flags:
            flags.discard("VMAC_XMITBASE")
        # interfaces tracked by the instance itself
        if ei.ifname:
            ei.track_ifs = [t for t in ei.track_ifs if t.name != ei.ifname]
            for t in ei.track_ifs:
                ei.track_if(t.name, t.weight, t.reverse)
            own = NOT_TRACK_IF if "DONT_TRACK_PRIMARY" in flags else 0
            ei.track_if(ei.ifname, own, False)
        vmac_if = ei.vmac_name if "VMAC" in flags else None
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
                if not a.no_track and ("DONT_TRACK_PRIMARY" not in flags
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

    def _extra_if_garps(self, ei: EffInstance) -> None:
        """The global default for garp_extra_if, and off when there is no other interface.

        keepalived sends these GARPs only when a VIP/eVIP lives on an interface other than
        the instance's own (with ``all``; without it, only on extra VMACs, which kaconf
        does not create for VIPs).
        """
        if ei.vmac_garp_intvl == -1:
            ei.vmac_garp_intvl = self.gs.vmac_garp_intvl
            if self.gs.vmac_garp_all_if:
                ei.flags.add("VMAC_GARP_ALL_IF")
        if ei.vmac_garp_intvl:
            own = ei.vmac_name if "VMAC" in ei.flags and ei.vmac_name else ei.ifname
            extra_if = any((a.dev or own) != own and (a.dev or own) != ei.ifname
                           for a in (*ei.vips, *ei.evips))
            if not extra_if or "VMAC_GARP_ALL_IF" not in ei.flags:
                ei.vmac_garp_intvl = 0

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
        ei.vmac_name = vmac_name_for(prefix, ei.vrid, ei.family, self.vmac_taken)
        self.vmac_taken.add(ei.vmac_name)

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


def auth_drop_reason(ei: EffInstance) -> str | None:
    """Why completion drops ``ei``'s authentication (None: kept).

    Strict mode and VRRPv3 have no authentication, keepalived needs a password, and
    IPv6 has no AH.
    """
    if ei.strict:
        return "strict"
    if ei.version == 3:
        return "version3"
    if not ei.auth_pass:
        return "no_pass"
    if ei.family == 6 and ei.auth_type == "AH":
        return "ah_ipv6"
    return None

