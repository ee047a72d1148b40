"""Stage 4: what keepalived does once every instance is complete.

VRID conflicts, source addresses from the interfaces, group tracking and the
initial FAULT/INIT states that the host's interfaces and files decide.
"""

from __future__ import annotations

from kaconf.effective.vrrp_complete import CompleteStage
from kaconf.effective.vrrp_types import (
    BACKUP,
    FAULT,
    INIT,
    MASTER,
    NOT_TRACK_IF,
    PRIO_OWNER,
    EffInstance,
    EffSyncGroup,
    GarpDelay,
)


class StartupStage(CompleteStage):
    """The start-up passes after completion."""

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

    def _garp_delays(self, instances: list[EffInstance]) -> list[GarpDelay]:
        """keepalived's ``set_default_garp_delay``: global GARP/NA intervals per interface.

        With ``vrrp_garp_interval`` or ``vrrp_gna_interval`` in global_defs, every
        physical interface an instance runs on or puts a VIP/eVIP on gets its own
        delay (group 0), in instance order.
        """
        gs = self.gs
        if not gs.garp_interval and not gs.gna_interval:
            return []
        out: list[GarpDelay] = []
        seen: set[str] = set()
        for ei in instances:
            if not ei.ifname:
                continue
            names = [ei.ifname] + [a.base_ifname or a.ifname or "" for a in (*ei.vips, *ei.evips)]
            for name in names:
                if name and name not in seen:
                    seen.add(name)
                    out.append(GarpDelay(0, gs.garp_interval or None, gs.gna_interval or None,
                                         [name]))
        return out

    def _missing_interfaces(self, instances: list[EffInstance]) -> list[str]:
        """Interfaces named by instances, their tracking and VIPs that the host lacks.

        keepalived looks these up when it reads the configuration and, without
        ``dynamic_interfaces``, its VRRP process stops on the first it does not find.
        VMAC interfaces are keepalived's own (created at start).
        """
        if self.gs.dynamic_interfaces:
            return []
        ours = {ei.vmac_name for ei in instances if ei.vmac_name}
        names: list[str] = []
        for ei in instances:
            names += [n for n in (ei.ifname,) if n]
            names += [t.name for t in ei.track_ifs]
            names += [a.dev for a in (*ei.vips, *ei.evips) if a.dev]
        for g in self.cfg.sync_groups:
            names += [t.name for t in g.track_interface]
        interface = self.host.interface
        return [n for n in dict.fromkeys(names) if n not in ours and interface(n) is None]
