"""The VRRP child's sections of the dump (``dump_vrrp_data`` in 2.2.7).

Order: Static Addresses, Static Routes, Static Rules, Static Track groups,
VRRP Topology, VRRP Sync groups, VRRP Scripts, VRRP Track files (the VRRP
Sockpool and Interfaces sections describe the running host and are left
out). Only what keepalived prints when dumping to the log (``fp == NULL``) is
printed: no running-state lines such as ``State =`` or ``Master router``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from kaconf.dump.runtime import InstanceRun, ProcessRun, RunState, ScriptRun, timestamp
from kaconf.effective.values import TIMER_HZ, ScriptSpec, fmt_g
from kaconf.effective.vrrp_types import (
    NOT_TRACK_IF,
    EffInstance,
    EffProcess,
    EffScript,
    EffSyncGroup,
    EffTrackFile,
    GarpDelay,
    Track,
    VrrpState,
)

_T = TypeVar("_T")


def _yn(v: object) -> str:
    return "yes" if v else "no"


def _listed(title: str, items: Iterable[object]) -> list[str]:
    """``title`` then one indented line per item (nothing at all without items)."""
    lines = [f"     {x}" for x in items]
    return [title, *lines] if lines else []


def _track_lines(tracks: list[Track], sep: str = " ") -> list[str]:
    out = []
    for t in tracks:
        out.append(f"     {t.name}{sep}weight {t.weight}{' reverse' if t.reverse else ''}")
    return out


def _tracked_lines(obj: EffInstance | EffSyncGroup, processes: str) -> list[str]:
    """The ``Tracked ...`` lists of an instance or sync group.

    ``processes`` is the title of the process list, which keepalived words differently
    for instances (``Tracked processes :``) and sync groups (``Tracked process :``).
    """
    out: list[str] = []
    for title, tracks, sep in (("   Tracked interfaces :", obj.track_ifs, " "),
                               ("   Tracked scripts :", obj.track_scripts, " "),
                               ("   Tracked files :", obj.track_files, ", "),
                               (processes, obj.track_processes, ", "),
                               ("   Tracked BFDs :", obj.track_bfds, ": ")):
        if tracks:
            out.append(title)
            out.extend(_track_lines(tracks, sep))
    return out


def _transition_lines(scripts: dict[str, ScriptSpec], labels: tuple[str, ...]) -> list[str]:
    """The notify scripts that survived the checks, in keepalived's ``labels`` order."""
    out = []
    for label in labels:
        sc = scripts.get(label)
        if sc is not None:
            out.append(f"   {label} state transition script = {sc.cmd_str()}, "
                       f"uid:gid {sc.uid}:{sc.gid}")
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


def instance_lines(ei: EffInstance, run: InstanceRun | None = None) -> list[str]:
    """One ``VRRP Instance`` block (``dump_vrrp``); ``run`` adds the data file's lines."""
    out = [f" VRRP Instance = {ei.name}", f"   VRRP Version = {ei.version}"]
    a = out.append
    if ei.sync:
        a(f"   Sync group = {ei.sync}")
    if ei.family == 6:
        a("   Using Native IPv6")
    if run is not None:
        a(f"   State = {run.state}")
        if run.state == "BACKUP":
            a(f"   Master router = {run.master_router or '(none)'}")
            a(f"   Master priority = {run.master_priority}")
            if ei.version == 3:
                a(f"   Master advert int = {run.master_adver_int:.2f} sec")
    out.extend(_flag_lines(ei))
    a(f"   Wantstate = {run.wantstate if run is not None else ei.wantstate}")
    a(f"   Number of config faults = {ei.num_config_faults}")
    if run is not None:
        a(f"   Number of interface and track script faults = {run.faults}")
        a(f"   Number of track scripts init = {run.scripts_init}")
        a(f"   Last transition = {timestamp(run.last_transition)}")
        a("   Read timeout = DISABLED" if run.read_timeout is None
          else f"   Read timeout = {timestamp(run.read_timeout)}")
        a(f"   Master down timer = {run.down_timer_us} usecs")
    if ei.has("VMAC"):
        a(f"   Use VMAC, i/f name {ei.vmac_name}, is_up = "
          f"{'true' if ei.has('VMAC_UP') else 'false'}, xmit_base = "
          f"{'true' if ei.has('VMAC_XMITBASE') else 'false'}")
        if ei.has("VMAC_MAC_SPECIFIED") and ei.vmac_mac:
            a(f"     MAC = {ei.vmac_mac}{' (using VRID)' if ei.has('VMAC_MAC_USE_VRID') else ''}")
    if ei.has("VMAC_ADDR"):
        a("   Use VMAC for VIPs on other interfaces")
    elif ei.has("IPVLAN"):
        addr = f", i/f address = {ei.ipvlan_addr}" if ei.ipvlan_addr else ""
        a(f"   Use IPVLAN, i/f {ei.vmac_name}, is_up = "
          f"{'true' if ei.has('VMAC_UP') else 'false'}{addr}, type {ei.ipvlan_type}")
    if (ei.has("VMAC") or ei.has("IPVLAN")) and ei.vmac_name:
        a(f"   Interface = {ei.vmac_name}, {'vmac' if ei.has('VMAC') else 'ipvlan'} on "
          f"{ei.ifname or '(unknown)'}"
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
    if ei.vmac_garp_intvl > 0:
        what = "i/f" if ei.has("VMAC_GARP_ALL_IF") else "VMAC"
        a(f"   Gratuitous ARP for each secondary {what} = {ei.vmac_garp_intvl}")
        a(f"   Next gratuitous ARP for such secondary = 0.000000 ({time.ctime(0)}.000000)")
    a("   Send advert after receive lower priority advert = "
      f"{'false' if ei.lower_prio_no_advert == 1 else 'true'}")
    a("   Send advert after receive higher priority advert = "
      f"{'true' if ei.higher_prio_send_advert == 1 else 'false'}")
    a(f"   Virtual Router ID = {ei.vrid}")
    a(f"   Priority = {ei.base_priority}")
    if run is not None:
        a(f"   Effective priority = {run.effective_priority}")
        a(f"   Total priority = {run.total_priority}")
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
    held = " set" if run is not None and run.vips_set else ""
    out.extend(_listed(f"   Virtual IP ({len(ei.vips)}):", (x.text() + held for x in ei.vips)))
    out.extend(_listed("   Virtual IP Excluded :", (x.text() + held for x in ei.evips)))
    if ei.has("UNICAST"):
        if ei.ttl != -1:
            a(f"   Unicast TTL = {ei.ttl}")
        a(f"   Check unicast src : {_yn(ei.has('CHECK_UNICAST_SRC'))}")
        a("   Unicast Peer :")
        for addr, mn, mx in ei.peers:
            a(f"     {addr} min_ttl {mn} max_ttl {mx}")
        a(f"   Unicast checksum compatibility = {ei.chksum_compat}")
    if run is not None and run.sockets is not None:
        a(f"   fd_in {run.sockets[0]}, fd_out {run.sockets[1]}")
    else:
        a("   No sockets allocated")
    out.extend(_listed("   Virtual Routes :", (r.text() for r in ei.vroutes)))
    out.extend(_listed("   Virtual Rules :", (r.text() for r in ei.vrules)))
    out.extend(_tracked_lines(ei, "   Tracked processes :"))
    a(f"   Using smtp notification = {_yn(ei.smtp_alert == 1)}")
    a(f"   Notify deleted = {'Deleted' if ei.notify_deleted else 'Fault'}")
    out.extend(_transition_lines(ei.scripts, ("Backup", "Master", "Fault", "Stop", "Deleted",
                                              "Generic", "Master rx lower pri")))
    a(f"   Notify priority changes = {'true' if ei.notify_priority_changes == 1 else 'false'}")
    return out


def sync_group_lines(g: EffSyncGroup, state: str | None = None) -> list[str]:
    """One ``VRRP Sync Group`` block (``dump_sync_group``); ``state`` when running."""
    out = [f" VRRP Sync Group = {g.name}, {state or g.state}",
           f"   Num member fault {g.num_member_fault}, num member init {g.num_member_init}"]
    a = out.append
    out.extend(_listed("   VRRP member instances :", (m.name for m in g.members)))
    if g.tracking_weight:
        a("   sync group tracking weight set")
    a(f"   Using smtp notification = {_yn(g.smtp_alert == 1)}")
    if g.notify_priority_changes != -1:
        a(f"   Notify priority changes = {_yn(g.notify_priority_changes == 1)}")
    out.extend(_tracked_lines(g, "   Tracked process :"))
    out.extend(_transition_lines(g.scripts, ("Backup", "Master", "Fault", "Stop", "Generic")))
    return out


def _tracking_lines(tracking: list[tuple[str, int, bool]]) -> list[str]:
    if not tracking:
        return []
    out = ["   Tracking instances :"]
    for name, weight, reverse in tracking:
        out.append(f"     {name}, weight {weight}{' reverse' if reverse else ''}")
    return out


def script_lines(es: EffScript, run: ScriptRun | None = None) -> list[str]:
    """One ``VRRP Script`` block (``dump_vscript``); without ``run`` it has not run yet."""
    run = run if run is not None else ScriptRun(0, "INIT")
    out = [f" VRRP Script = {es.name}",
           f"   Command = {es.spec.cmd_str()}",
           f"   Interval = {es.interval} sec",
           f"   Timeout = {es.timeout} sec",
           f"   Weight = {es.weight}{' reverse' if es.reverse else ''}",
           f"   Rise = {es.rise}",
           f"   Fall = {es.fall}",
           f"   Result = {run.result}",
           "   Insecure = no",
           f"   Init state = {run.init_state}",
           f"   Status = {'GOOD' if run.result >= es.rise else 'BAD'}",
           f"   Script uid:gid = {es.spec.uid}:{es.spec.gid}",
           "   VRRP instances :"]
    out.extend(_tracking_lines(es.tracking))
    out.append(f"   State = {'running' if run.running else 'idle'}")
    return out


def track_file_lines(tf: EffTrackFile) -> list[str]:
    out = [f" Track file = {tf.name}", f"   File = {tf.path}", f"   Status = {tf.status}",
           f"   Weight = {tf.weight}{' reverse' if tf.reverse else ''}"]
    out.extend(_tracking_lines(tf.tracking))
    return out


def process_lines(ep: EffProcess, run: ProcessRun | None = None) -> list[str]:
    """One ``VRRP Track process`` block (``dump_vprocess``): before the first scan, or
    with ``run`` as the data file shows it (count, quorum, the delay timers)."""
    out = [f" VRRP Track process = {ep.name}", f"   Process = {ep.path}"]
    if ep.params:
        out.append(f"   Parameters = {' '.join(ep.params)}")
    if ep.param_match:
        out.append("   Param match" + ("" if ep.param_match == "exact"
                                       else f" = {ep.param_match}"))
    out.append(f"   Min processes = {ep.quorum}")
    if ep.quorum_max < 0xFFFFFFFF:
        out.append(f"   Max processes = {ep.quorum_max}")
    out.append(f"   Current processes = {run.current if run else 0}")
    quorum = run.have_quorum if run else ep.have_quorum
    out.append(f"   Have quorum = {'true' if quorum else 'false'}")
    out.append(f"   Weight = {ep.weight}{' reverse' if ep.reverse else ''}")
    out.append(f"   Terminate delay = {ep.terminate_delay / TIMER_HZ:f}s")
    out.append(f"   Fork delay = {ep.fork_delay / TIMER_HZ:f}s")
    if run is not None:
        out.append(f"   Fork delay timer {'' if run.fork_timer else 'not '}running")
        out.append(f"   Terminate delay timer {'' if run.terminate_timer else 'not '}running")
    out.append(f"   Full command = {'true' if ep.full_command else 'false'}")
    out.extend(_tracking_lines(ep.tracking))
    return out


def _sections_of(title: str, items: Sequence[_T], lines: Callable[[_T], list[str]]) -> list[str]:
    """A dump section: ``title`` then the lines of each item (nothing at all without items)."""
    return [title, *(line for x in items for line in lines(x))] if items else []


def _track_group_lines(group: tuple[str, list[str]]) -> list[str]:
    name, members = group
    return [f" Static Track Group = {name}", *_listed("   VRRP member instances :", members)]


def garp_delay_lines(gd: GarpDelay) -> list[str]:
    """keepalived's ``dump_garp_delay``; next times are 0 before the first GARP is sent."""
    epoch = time.ctime(0)[:19]
    out = [f"------< GARP delay group {gd.group} >------"]
    if gd.garp_interval:
        out += [f" GARP interval = {fmt_g(gd.garp_interval / TIMER_HZ)}",
                f" GARP next time 0.000000 ({epoch}.000000)"]
    if gd.gna_interval:
        out += [f" GNA interval = {fmt_g(gd.gna_interval / TIMER_HZ)}",
                f" GNA next time 0.000000 ({epoch}.000000)"]
    elif not gd.garp_interval:
        out.append(" No configuration")
    return [*out, " Interfaces", *(f"  {name}" for name in gd.interfaces)]


def vrrp_lines(vs: VrrpState, run: RunState | None = None) -> list[str]:
    """All VRRP-child sections after ``Global definitions``.

    With ``run`` (the daemon's data file), run-time lines are added where keepalived
    prints them.
    """
    if run is not None:
        r = run
        return [
            *_sections_of("------< Gratuitous ARP delays >------", vs.garp_delays,
                          garp_delay_lines),
            *_listed("------< Static Addresses >------",
                     (x.text() for x in vs.static_addresses)),
            *_listed("------< Static Routes >------", (x.text() for x in vs.static_routes)),
            *_listed("------< Static Rules >------", (x.text() for x in vs.static_rules)),
            *_sections_of("------< Static Track groups >------", vs.track_groups,
                          _track_group_lines),
            *_sections_of("------< VRRP Topology >------", vs.instances,
                          lambda ei: instance_lines(ei, r.instances.get(ei.name))),
            *_sections_of("------< VRRP Sync groups >------", vs.sync_groups,
                          lambda g: sync_group_lines(g, r.groups.get(g.name))),
            *_sections_of("------< VRRP Scripts >------", vs.scripts,
                          lambda es: script_lines(es, r.scripts.get(es.name))),
            *_sections_of("------< VRRP Track files >------", vs.track_files,
                          track_file_lines),
            *_sections_of("------< VRRP Track processes >------", vs.processes,
                          lambda ep: process_lines(ep, r.processes.get(ep.name) or ProcessRun(
                              have_quorum=ep.have_quorum))),
        ]
    return [
        *_sections_of("------< Gratuitous ARP delays >------", vs.garp_delays,
                      garp_delay_lines),
        *_listed("------< Static Addresses >------", (x.text() for x in vs.static_addresses)),
        *_listed("------< Static Routes >------", (r.text() for r in vs.static_routes)),
        *_listed("------< Static Rules >------", (r.text() for r in vs.static_rules)),
        *_sections_of("------< Static Track groups >------", vs.track_groups,
                      _track_group_lines),
        *_sections_of("------< VRRP Topology >------", vs.instances, instance_lines),
        *_sections_of("------< VRRP Sync groups >------", vs.sync_groups, sync_group_lines),
        *_sections_of("------< VRRP Scripts >------", vs.scripts, script_lines),
        *_sections_of("------< VRRP Track files >------", vs.track_files, track_file_lines),
        *_sections_of("------< VRRP Track processes >------", vs.processes, process_lines),
    ]


__all__ = ["vrrp_lines", "instance_lines", "sync_group_lines", "script_lines",
           "NOT_TRACK_IF"]
