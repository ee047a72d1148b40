"""``------< Global definitions >------``: keepalived's ``dump_global_data``.

:func:`global_lines` prints a resolved :class:`~kaconf.effective.globals.GlobalState`
in 2.2.7's order and wording; the values themselves (defaults included) are
computed once, in :mod:`kaconf.effective.globals`.
"""

from __future__ import annotations

from kaconf.effective.globals import LIBNFTNL_VERSION, GlobalState
from kaconf.effective.values import TIMER_HZ, UINT_MAX


def _tf(v: object) -> str:
    return "true" if v else "false"


def _ed(v: object) -> str:
    return "enabled" if v else "disabled"


def _alert(v: int) -> str:
    return "unset" if v == -1 else ("on" if v else "off")


def _sec6(us: int) -> str:
    return f"{us / TIMER_HZ:f}"


def global_lines(gs: GlobalState, *, vrrp_child: bool = True) -> list[str]:
    """The ``Global definitions`` section as the VRRP (or checker) child prints it.

    ``vrrp_child`` selects the VRRP child's copy, which has ``Default
    interface`` and the GARP lower-priority defaults filled in by VRRP
    completion; the checker child prints neither (its lower-priority values
    are still "unset", i.e. UINT_MAX).
    """
    out = ["------< Global definitions >------"]
    a = out.append
    if gs.config_save_dir:
        a(f" Config save dir = {gs.config_save_dir}")
    a(f" Network namespace = {gs.network_namespace or '(default)'}")
    nsi = gs.network_namespace_ipvs
    a(" Network namespace ipvs = "
      + ("(main namespace)" if nsi is None else (nsi or "(default)")))
    for label, name in (("Instance name", gs.instance_name),
                        ("Parent process name", gs.process_name),
                        ("VRRP process name", gs.vrrp_process_name),
                        ("LVS process name", gs.lvs_process_name),
                        ("BFD process name", gs.bfd_process_name)):
        if name:
            a(f" {label} = {name}")
    rid = gs.effective_router_id()
    if rid:
        a(f" Router ID = {rid}")
    if gs.smtp_server:
        a(f" Smtp server = {gs.smtp_server[0]}")
        a(f" Smtp server port = {gs.smtp_server[1]}")
    helo = gs.effective_helo()
    if helo:
        a(f" Smtp HELO name = {helo}")
    to = gs.effective_smtp_timeout()
    if to:
        a(f" Smtp server connection timeout = {to}")
    ef = gs.effective_email_from()
    if ef:
        a(f" Email notification from = {ef}")
        a(" Email notification to:")
        for e in gs.emails:
            a(f"   {e}")
    a(f" Default smtp_alert = {_alert(gs.smtp_alert)}")
    a(f" Default smtp_alert_vrrp = {_alert(gs.smtp_alert_vrrp)}")
    a(f" Default smtp_alert_checker = {_alert(gs.smtp_alert_checker)}")
    a(f" Checkers log all failures = {_tf(gs.checker_log_all_failures == 1)}")
    if gs.reload_check_config:
        a(f" Test config before reload, log to {gs.reload_check_config}")
    else:
        a(" No test config before reload")
    if gs.reload_time_file:
        a(f" Reload time file = {gs.reload_time_file}{' (repeat)' if gs.reload_repeat else ''}")
        a(" No reload scheduled")
    if gs.reload_file:
        a(f" Reload_file = {gs.reload_file}")
    if gs.config_directory:
        a(f" config save directory = {gs.config_directory}")
    if gs.data_use_instance:
        a(" Use instance name in data dumps")
    a(f" Dynamic interfaces = {_tf(gs.dynamic_interfaces)}")
    if gs.dynamic_interfaces:
        a(f" Allow interface changes = {_tf(gs.allow_if_changes)}")
    if gs.no_email_faults:
        a(" Send emails for fault transitions = off")
    # sic: keepalived 2.2.7 labels the UDP timeout "TCP"
    for key, label in (("tcp", "TCP"), ("tcpfin", "TCP FIN"), ("udp", "TCP")):
        if gs.lvs_timeouts.get(key):
            a(f" LVS {label} timeout = {gs.lvs_timeouts[key]}")
    if vrrp_child:
        a(f" Default interface = {gs.default_interface()}")
    a(f" Disable local IGMP = {'yes' if gs.disable_local_igmp else 'no'}")
    sd = gs.lvs_syncd
    if sd and sd.get("ifname"):
        if sd.get("vrrp"):
            a(f" LVS syncd vrrp instance = {sd['vrrp']}")
        elif sd.get("vrrp_name"):
            a(f" LVS syncd vrrp name = {sd['vrrp_name']}")
        a(f" LVS syncd interface = {sd['ifname']}")
        a(f" LVS syncd syncid = {sd.get('syncid', UINT_MAX)}")
        for key, label in (("maxlen", "LVS syncd maxlen = "), ("group", "LVS mcast group "),
                           ("port", "LVS syncd mcast port = "), ("ttl", "LVS syncd mcast ttl = ")):
            if sd.get(key):
                a(f" {label}{sd[key]}")
    a(f" LVS flush = {_tf(gs.lvs_flush)}")
    a(f" LVS flush on stop = {gs.lvs_flush_on_stop}")
    for label, fifo, sc in gs.fifos(vrrp_child):
        a(f" {label} notify fifo = {fifo.name}, uid:gid {fifo.uid}:{fifo.gid}")
        if sc is not None:
            a(f" {label} notify fifo script = {sc.cmd_str()}, uid:gid {sc.uid}:{sc.gid}")
    a(f" FIFO write vrrp states on reload = {_tf(gs.fifo_write_vrrp_states_on_reload)}")
    a(f" VRRP notify priority changes = {_tf(gs.vrrp_notify_priority_changes)}")
    a(f" VRRP IPv4 mcast group = {gs.mcast4}")
    a(f" VRRP IPv6 mcast group = {gs.mcast6}")
    a(f" Gratuitous ARP delay = {gs.garp_delay}")
    a(f" Gratuitous ARP repeat = {gs.garp_rep}")
    a(f" Gratuitous ARP refresh timer = {gs.garp_refresh}")
    a(f" Gratuitous ARP refresh repeat = {gs.garp_refresh_rep}")
    lpd = gs.garp_lower_prio_delay
    lpr = gs.garp_lower_prio_rep
    if vrrp_child:
        lpd = gs.garp_delay if lpd is None else lpd
        lpr = gs.garp_rep if lpr is None else lpr
    a(f" Gratuitous ARP lower priority delay = {UINT_MAX if lpd is None else lpd}")
    a(f" Gratuitous ARP lower priority repeat = {UINT_MAX if lpr is None else lpr}")
    a(f" Num adverts before down = {gs.down_timer_adverts}")
    a(f" Gratuitous ARP for each secondary {'i/f' if gs.vmac_garp_all_if else 'VMAC'}"
      f" = {gs.vmac_garp_intvl}s")
    a(f" Send advert after receive lower priority advert = "
      f"{_tf(gs.lower_prio_no_advert != 1)}")
    a(f" Send advert after receive higher priority advert = "
      f"{_tf(gs.higher_prio_send_advert == 1)}")
    a(f" Gratuitous ARP interval = {_sec6(gs.garp_interval)}")
    a(f" Gratuitous NA interval = {_sec6(gs.gna_interval)}")
    a(f" VRRP default protocol version = {gs.vrrp_version}")
    if gs.nf_table_name:
        a(f" nftables table name = {gs.nf_table_name}")
        a(f" nftables base chain priority = {gs.nf_chain_priority}")
        a(f" nftables {'' if gs.nf_ifindex else 'don' + chr(39) + 't '}"
          "force use ifindex for link local IPv6")
    if gs.ipvs_nf_table_name:
        a(f" ipvs nftables table name = {gs.ipvs_nf_table_name}")
        a(f" ipvs nftables base chain priority = {gs.ipvs_nf_chain_priority}")
        a(f" ipvs nftables start fwmark = {gs.ipvs_nf_start_fwmark}")
    a(f" nftables with{'' if gs.nf_counters else 'out'} counters")
    a(f" libnftnl version {LIBNFTNL_VERSION}")
    a(f" VRRP check unicast_src = {_tf(gs.check_unicast_src)}")
    a(f" VRRP skip check advert addresses = {_tf(gs.skip_check_adv_addr)}")
    a(f" VRRP strict mode = {_tf(gs.strict)}")
    if gs.max_auto_priority == -1:
        a(" Max auto priority = Disabled")
    else:
        a(f" Max auto priority = {gs.max_auto_priority}")
    a(f" Min auto priority delay = {gs.min_auto_priority_delay} usecs")
    for proc, label in (("vrrp", "VRRP"), ("checker", "Checker"), ("bfd", "BFD")):
        p = gs.procs[proc]
        a(f" {label} process priority = {p['priority']}")
        a(f" {label} don't swap = {_tf(p['no_swap'])}")
        a(f" {label} realtime priority = {p['rt_priority']}")
        cpus = p["cpus"]
        if isinstance(cpus, list) and cpus:
            a(f" {label} CPU Affinity = {' '.join(str(c) for c in sorted(set(cpus)))}")
        a(f" {label} realtime limit = {p['rlimit']}")
    a(f" SNMP vrrp {_ed(gs.snmp_vrrp)}")
    a(f" SNMP checker {_ed(gs.snmp_checker)}")
    a(f" SNMP RFCv2 {_ed(gs.snmp_rfcv2)}")
    a(f" SNMP RFCv3 {_ed(gs.snmp_rfcv3)}")
    a(f" SNMP traps {_ed(gs.snmp_traps)}")
    a(f" SNMP socket = {gs.snmp_socket or 'default (unix:/var/agentx/master)'}")
    a(f" DBus {_ed(gs.dbus)}")
    a(f" DBus service name = {gs.dbus_service_name}")
    a(f" Script security {_ed(gs.script_security)}")
    if gs.default_ids is not None:
        a(f" Default script uid:gid {gs.default_ids[0]}:{gs.default_ids[1]}")
    b = gs.bufs
    for name in ("vrrp_netlink_cmd_rcv_bufs", "vrrp_netlink_monitor_rcv_bufs",
                 "process_monitor_rcv_bufs", "lvs_netlink_cmd_rcv_bufs",
                 "lvs_netlink_monitor_rcv_bufs"):
        a(f" {name} = {b[name]}")
        a(f" {name}_force = {b[name + '_force']}")
    a(f" rs_init_notifies = {gs.rs_init_notifies}")
    a(f" no_checker_emails = {gs.no_checker_emails}")
    if gs.rx_bufs_line:
        a(gs.rx_bufs_line)
    a(f" rx_bufs_multiples = {gs.rx_bufs_multiples}")
    a(f" umask = 0{gs.umask:o}")
    if gs.vrrp_startup_delay:
        a(f" vrrp_startup_delay = {gs.vrrp_startup_delay / TIMER_HZ:g}")
    if gs.log_unknown_vrids:
        a(" log_unknown_vrids")
    if gs.vmac_prefix:
        a(f" VMAC prefix = {gs.vmac_prefix}")
    if gs.vmac_addr_prefix:
        a(f" VMAC address prefix = {gs.vmac_addr_prefix}")
    return out
