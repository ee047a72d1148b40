"""The VRRP child's sections of the dump (``dump_vrrp_data`` in 2.2.7).

Order: Static Addresses, Static Routes, Static Rules, Static Track groups,
VRRP Topology, VRRP Sync groups, VRRP Scripts, VRRP Track files (the VRRP
Sockpool and Interfaces sections describe the running host and are left
out). Only what keepalived prints when dumping to the log (``fp == NULL``) is
printed: no running-state lines such as ``State =`` or ``Master router``.
"""

from __future__ import annotations

from kaconf.dump.effective import (
    NOT_TRACK_IF,
    EffInstance,
    EffProcess,
    EffScript,
    EffSyncGroup,
    EffTrackFile,
    Track,
    VrrpState,
)
from kaconf.dump.values import TIMER_HZ, fmt_g


def _yn(v: object) -> str:
    return "yes" if v else "no"


def _track_lines(tracks: list[Track], sep: str = " ") -> list[str]:
    out = []
    for t in tracks:
        out.append(f"     {t.name}{sep}weight {t.weight}{' reverse' if t.reverse else ''}")
    return out


def _flag_lines(ei: EffInstance) -> list[str]:
    if not ei.flags:
        return ["   Flags: none"]
    out = ["   Flags:"]
    if ei.has("UNICAST"):
        dup = " with VRID duplication" if ei.has("UNICAST_DUPLICATE_VRID") else ""
        out.append(f"     Using unicast{dup}")
    elif ei.has("UNICAST_CONFIGURED"):
        out.append("     Unicast config option specified but using multicast")
    if ei.has("UNICAST_FAULT_NO_PEERS"):
        out.append("     If unicast go to fault state if no peers")
    return out


def instance_lines(ei: EffInstance) -> list[str]:
    """One ``VRRP Instance`` block (``dump_vrrp``)."""
    out = [f" VRRP Instance = {ei.name}", f"   VRRP Version = {ei.version}"]
    a = out.append
    if ei.sync:
        a(f"   Sync group = {ei.sync}")
    if ei.family == 6:
        a("   Using Native IPv6")
    out.extend(_flag_lines(ei))
    a(f"   Wantstate = {ei.wantstate}")
    a(f"   Number of config faults = {ei.num_config_faults}")
    if ei.has("VMAC"):
        a(f"   Use VMAC, i/f name {ei.vmac_name}, is_up = "
          f"{'true' if ei.has('VMAC_UP') else 'false'}, xmit_base = "
          f"{'true' if ei.has('VMAC_XMITBASE') else 'false'}")
    if ei.has("VMAC_ADDR"):
        a("   Use VMAC for VIPs on other interfaces")
    if ei.has("VMAC") and ei.vmac_name:
        a(f"   Interface = {ei.vmac_name}, vmac on {ei.ifname or '(unknown)'}"
          f"{', xmit base i/f' if ei.has('VMAC_XMITBASE') else ''}")
    else:
        a(f"   Interface = {ei.ifname or 'not configured'}")
    if ei.has("DONT_TRACK_PRIMARY"):
        a("   VRRP interface tracking disabled")
    if ei.has("SKIP_CHECK_ADV_ADDR"):
        a("   Skip checking advert IP addresses")
    if ei.strict:
        a("   Enforcing strict VRRP compliance")
    a(f"   Using src_ip = {ei.saddr or '(none)'}"
      f"{' (from configuration)' if ei.has('SADDR_FROM_CONFIG') else ''}")
    if not ei.has("UNICAST"):
        if ei.family == 4:
            a(f"   Multicast address {ei.mcast_daddr}")
        else:
            a(f"   Multicast address {ei.mcast_daddr}, ifindex {ei.ifindex}")
    a(f"   Gratuitous ARP delay = {ei.garp_delay}")
    a(f"   Gratuitous ARP repeat = {ei.garp_rep}")
    a(f"   Gratuitous ARP refresh = {ei.garp_refresh}")
    a(f"   Gratuitous ARP refresh repeat = {ei.garp_refresh_rep}")
    a(f"   Gratuitous ARP lower priority delay = {ei.garp_lower_prio_delay}")
    a(f"   Gratuitous ARP lower priority repeat = {ei.garp_lower_prio_rep}")
    a(f"   Down timer adverts = {ei.down_timer_adverts}")
    a("   Send advert after receive lower priority advert = "
      f"{'false' if ei.lower_prio_no_advert == 1 else 'true'}")
    a("   Send advert after receive higher priority advert = "
      f"{'true' if ei.higher_prio_send_advert == 1 else 'false'}")
    a(f"   Virtual Router ID = {ei.vrid}")
    a(f"   Priority = {ei.base_priority}")
    if ei.version == 2:
        a(f"   Advert interval = {ei.adver_int // TIMER_HZ} sec")
    else:
        a(f"   Advert interval = {ei.adver_int // (TIMER_HZ // 1000)} milli-sec")
    a(f"   Accept = {'enabled' if ei.accept else 'disabled'}")
    a(f"   Preempt = {'disabled' if ei.has('NOPREEMPT') else 'enabled'}")
    if ei.preempt_delay:
        a(f"   Preempt delay = {fmt_g(ei.preempt_delay / TIMER_HZ)} secs")
    a(f"   Promote_secondaries = "
      f"{'enabled' if ei.has('PROMOTE_SECONDARIES') else 'disabled'}")
    if ei.auth_type:
        a(f"   Authentication type = "
          f"{'IPSEC_AH' if ei.auth_type == 'AH' else 'SIMPLE_PASSWORD'}")
        if ei.auth_type != "AH":
            a(f"   Password = {ei.auth_pass}")
    elif ei.version == 2:
        a("   Authentication type = none")
    if ei.kernel_rx_buf_size:
        a(f"   Kernel rx buffer size = {ei.kernel_rx_buf_size}")
    if ei.debug:
        a(f"   Debug level = {ei.debug}")
    if ei.vips:
        a(f"   Virtual IP ({len(ei.vips)}):")
        out.extend(f"     {x.text()}" for x in ei.vips)
    if ei.evips:
        a("   Virtual IP Excluded :")
        out.extend(f"     {x.text()}" for x in ei.evips)
    if ei.has("UNICAST"):
        if ei.ttl != -1:
            a(f"   Unicast TTL = {ei.ttl}")
        a(f"   Check unicast src : {_yn(ei.has('CHECK_UNICAST_SRC'))}")
        a("   Unicast Peer :")
        for addr, mn, mx in ei.peers:
            a(f"     {addr} min_ttl {mn} max_ttl {mx}")
        a(f"   Unicast checksum compatibility = {ei.chksum_compat}")
    a("   No sockets allocated")
    if ei.vroutes:
        a("   Virtual Routes :")
        out.extend(f"     {r.text()}" for r in ei.vroutes)
    if ei.vrules:
        a("   Virtual Rules :")
        out.extend(f"     {r.text()}" for r in ei.vrules)
    if ei.track_ifs:
        a("   Tracked interfaces :")
        out.extend(_track_lines(ei.track_ifs))
    if ei.track_scripts:
        a("   Tracked scripts :")
        out.extend(_track_lines(ei.track_scripts))
    if ei.track_files:
        a("   Tracked files :")
        out.extend(_track_lines(ei.track_files, ", "))
    if ei.track_processes:
        a("   Tracked processes :")
        out.extend(_track_lines(ei.track_processes, ", "))
    if ei.track_bfds:
        a("   Tracked BFDs :")
        out.extend(_track_lines(ei.track_bfds, ": "))
    a(f"   Using smtp notification = {_yn(ei.smtp_alert == 1)}")
    a(f"   Notify deleted = {'Deleted' if ei.notify_deleted else 'Fault'}")
    for label in ("Backup", "Master", "Fault", "Stop", "Deleted", "Generic",
                  "Master rx lower pri"):
        sc = ei.scripts.get(label)
        if sc is not None:
            a(f"   {label} state transition script = {sc.cmd_str()}, uid:gid {sc.uid}:{sc.gid}")
    a(f"   Notify priority changes = {'true' if ei.notify_priority_changes == 1 else 'false'}")
    return out


def sync_group_lines(g: EffSyncGroup) -> list[str]:
    """One ``VRRP Sync Group`` block (``dump_sync_group``)."""
    out = [f" VRRP Sync Group = {g.name}, {g.state}",
           f"   Num member fault {g.num_member_fault}, num member init {g.num_member_init}"]
    a = out.append
    if g.members:
        a("   VRRP member instances :")
        out.extend(f"     {m.name}" for m in g.members)
    if g.tracking_weight:
        a("   sync group tracking weight set")
    a(f"   Using smtp notification = {_yn(g.smtp_alert == 1)}")
    if g.notify_priority_changes != -1:
        a(f"   Notify priority changes = {_yn(g.notify_priority_changes == 1)}")
    if g.track_ifs:
        a("   Tracked interfaces :")
        out.extend(_track_lines(g.track_ifs))
    if g.track_scripts:
        a("   Tracked scripts :")
        out.extend(_track_lines(g.track_scripts))
    if g.track_files:
        a("   Tracked files :")
        out.extend(_track_lines(g.track_files, ", "))
    if g.track_processes:
        a("   Tracked process :")
        out.extend(_track_lines(g.track_processes, ", "))
    if g.track_bfds:
        a("   Tracked BFDs :")
        out.extend(_track_lines(g.track_bfds, ": "))
    for label in ("Backup", "Master", "Fault", "Stop", "Generic"):
        sc = g.scripts.get(label)
        if sc is not None:
            a(f"   {label} state transition script = {sc.cmd_str()}, uid:gid {sc.uid}:{sc.gid}")
    return out


def _tracking_lines(tracking: list[tuple[str, int, bool]]) -> list[str]:
    if not tracking:
        return []
    out = ["   Tracking instances :"]
    for name, weight, reverse in tracking:
        out.append(f"     {name}, weight {weight}{' reverse' if reverse else ''}")
    return out


def script_lines(es: EffScript) -> list[str]:
    """One ``VRRP Script`` block (``dump_vscript``); the script has not run yet."""
    out = [f" VRRP Script = {es.name}",
           f"   Command = {es.spec.cmd_str()}",
           f"   Interval = {es.interval} sec",
           f"   Timeout = {es.timeout} sec",
           f"   Weight = {es.weight}{' reverse' if es.reverse else ''}",
           f"   Rise = {es.rise}",
           f"   Fall = {es.fall}",
           "   Result = 0",
           "   Insecure = no",
           "   Init state = INIT",
           "   Status = BAD",
           f"   Script uid:gid = {es.spec.uid}:{es.spec.gid}",
           "   VRRP instances :"]
    out.extend(_tracking_lines(es.tracking))
    out.append("   State = idle")
    return out


def track_file_lines(tf: EffTrackFile) -> list[str]:
    out = [f" Track file = {tf.name}", f"   File = {tf.path}", f"   Status = {tf.status}",
           f"   Weight = {tf.weight}{' reverse' if tf.reverse else ''}"]
    out.extend(_tracking_lines(tf.tracking))
    return out


def process_lines(ep: EffProcess) -> list[str]:
    """One ``VRRP Track process`` block (``dump_vprocess``) before the first scan."""
    out = [f" VRRP Track process = {ep.name}", f"   Process = {ep.path}"]
    if ep.params:
        out.append(f"   Parameters = {' '.join(ep.params)}")
    if ep.param_match:
        out.append("   Param match" + ("" if ep.param_match == "exact"
                                       else f" = {ep.param_match}"))
    out.append(f"   Min processes = {ep.quorum}")
    if ep.quorum_max < 0xFFFFFFFF:
        out.append(f"   Max processes = {ep.quorum_max}")
    out.append("   Current processes = 0")
    out.append(f"   Have quorum = {'true' if ep.have_quorum else 'false'}")
    out.append(f"   Weight = {ep.weight}{' reverse' if ep.reverse else ''}")
    out.append(f"   Terminate delay = {ep.terminate_delay / TIMER_HZ:f}s")
    out.append(f"   Fork delay = {ep.fork_delay / TIMER_HZ:f}s")
    out.append(f"   Full command = {'true' if ep.full_command else 'false'}")
    out.extend(_tracking_lines(ep.tracking))
    return out


def vrrp_lines(vs: VrrpState) -> list[str]:
    """All VRRP-child sections after ``Global definitions``."""
    out: list[str] = []
    if vs.static_addresses:
        out.append("------< Static Addresses >------")
        out.extend(f"     {x.text()}" for x in vs.static_addresses)
    if vs.static_routes:
        out.append("------< Static Routes >------")
        out.extend(f"     {r.text()}" for r in vs.static_routes)
    if vs.static_rules:
        out.append("------< Static Rules >------")
        out.extend(f"     {r.text()}" for r in vs.static_rules)
    if vs.track_groups:
        out.append("------< Static Track groups >------")
        for name, members in vs.track_groups:
            out.append(f" Static Track Group = {name}")
            if members:
                out.append("   VRRP member instances :")
                out.extend(f"     {m}" for m in members)
    if vs.instances:
        out.append("------< VRRP Topology >------")
        for ei in vs.instances:
            out.extend(instance_lines(ei))
    if vs.sync_groups:
        out.append("------< VRRP Sync groups >------")
        for g in vs.sync_groups:
            out.extend(sync_group_lines(g))
    if vs.scripts:
        out.append("------< VRRP Scripts >------")
        for es in vs.scripts:
            out.extend(script_lines(es))
    if vs.track_files:
        out.append("------< VRRP Track files >------")
        for tf in vs.track_files:
            out.extend(track_file_lines(tf))
    if vs.processes:
        out.append("------< VRRP Track processes >------")
        for ep in vs.processes:
            out.extend(process_lines(ep))
    return out


__all__ = ["vrrp_lines", "instance_lines", "sync_group_lines", "script_lines",
           "NOT_TRACK_IF"]
