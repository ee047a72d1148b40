"""keepalived's ``global_data`` after reading ``global_defs``, defaults included.

:class:`GlobalState` re-reads each global keyword's words with keepalived's
handler rules. The VRRP and checker resolution need many of these values
(GARP defaults, default script user, strict mode, multicast groups), and the
dump prints them (:mod:`kaconf.dump.globals`), so they are computed once, here.
"""

from __future__ import annotations

import ipaddress

from kaconf.effective.host import DEFAULT_INTERFACE, Host
from kaconf.effective.scriptusers import ScriptPolicy
from kaconf.effective.values import (
    TIMER_HZ,
    UINT_MAX,
    ScriptSpec,
    bool_setting,
    check_true_false,
    read_decimal,
    read_int,
    read_uint,
    setting,
    uint_setting,
    words,
)
from kaconf.model.addr import sockaddr_text
from kaconf.model.objects import Config, GlobalDefs

#: keepalived's umask default (S_IXUSR | S_IRWXG | S_IRWXO).
DEFAULT_UMASK = 0o177
#: ``sched_get_priority_max(SCHED_RR)`` on Linux.
SCHED_RR_MAX = 99
SCHED_RR_MIN = 1
RT_RLIMIT_DEFAULT = 10000
#: libnftnl of the reference build (Debian 12); host-specific, never compared.
LIBNFTNL_VERSION = "1.2.3"

#: numeric ``lvs_sync_daemon`` options: the key they set and their range
_SYNCD_NUMBERS = {"id": ("syncid", 0, 255), "maxlen": ("maxlen", 1, 65535 - 20 - 8),
                  "port": ("port", 1, 65535), "ttl": ("ttl", 1, 255)}

_UMASK_BITS = {"IRUSR": 0o400, "IWUSR": 0o200, "IXUSR": 0o100, "IRGRP": 0o040,
               "IWGRP": 0o020, "IXGRP": 0o010, "IROTH": 0o004, "IWOTH": 0o002,
               "IXOTH": 0o001}


class Fifo:
    """A notify FIFO (global, vrrp or lvs) with its optional script."""

    def __init__(self, name: str, uid: int, gid: int, script: ScriptSpec | None) -> None:
        self.name = name
        self.uid = uid
        self.gid = gid
        self.script = script


class GlobalState(ScriptPolicy):
    """keepalived's ``global_data`` after parsing, as far as the dump shows it.

    The script parts (default user, script checks, their log lines) are
    :class:`~kaconf.effective.scriptusers.ScriptPolicy`'s.
    """

    def __init__(self, cfg: Config, host: Host) -> None:
        self.host = host
        g: GlobalDefs = cfg.global_defs
        self.defs = g
        """The merged ``global_defs`` block (the VRRP builder checks keyword order)."""
        self._init_scripts()

        self.config_save_dir = _first(words(setting(g, "config_save_dir")))
        if self.config_save_dir and len(self.config_save_dir) > 1:
            self.config_save_dir = self.config_save_dir.rstrip("/") or "/"
        self.network_namespace = _first(words(setting(cfg, "net_namespace")))
        ns_ipvs = setting(cfg, "net_namespace_ipvs")
        self.network_namespace_ipvs: str | None = None
        if ns_ipvs is not None:
            self.network_namespace_ipvs = _first(words(ns_ipvs)) or ""
        self.instance_name = _first(words(setting(cfg, "instance")))
        self.process_name = _trunc15(_first(words(setting(g, "process_name"))))
        names = setting(g, "process_names") is not None
        self.vrrp_process_name = _trunc15(_first(words(setting(g, "vrrp_process_name")))) \
            or ("keepalived_vrrp" if names else None)
        self.lvs_process_name = _trunc15(_first(words(setting(
            g, "checker_process_name", "lvs_process_name")))) \
            or ("keepalived_lvs" if names else None)
        self.bfd_process_name = _trunc15(_first(words(setting(g, "bfd_process_name")))) \
            or ("keepalived_bfd" if names else None)

        self.router_id = _first(words(setting(g, "router_id")))
        self.smtp_server: tuple[str, int] | None = None
        sw = words(setting(g, "smtp_server"))
        if sw:
            port = read_uint(sw[1], 1, 65535) if len(sw) > 1 else 25
            if port is not None:
                self.smtp_server = (_addr_text(sw[0]), port)
        self.smtp_helo_name = _first(words(setting(g, "smtp_helo_name")))
        to = uint_setting(g, "smtp_connect_timeout", hi=UINT_MAX // TIMER_HZ)
        self.smtp_connection_to = 0 if to is None else max(to, 1)
        self.email_from = _first(words(setting(g, "notification_email_from")))
        self.emails = list(g.notification_email)
        self.smtp_alert = bool_setting(g, "smtp_alert")
        self.smtp_alert_vrrp = bool_setting(g, "smtp_alert_vrrp")
        self.smtp_alert_checker = bool_setting(g, "smtp_alert_checker")
        self.checker_log_all_failures = bool_setting(g, "checker_log_all_failures", default=0)
        rc = setting(g, "reload_check_config")
        self.reload_check_config = (_first(words(rc)) or "/dev/null") if rc else None
        self.reload_time_file = _first(words(setting(g, "reload_time_file")))
        self.reload_repeat = setting(g, "reload_repeat") is not None
        rf = setting(g, "reload_file")
        self.reload_file: str | None = None
        if rf is not None:
            self.reload_file = _first(words(rf)) or self._default_reload_file(cfg)
        self.config_directory = _first(words(setting(g, "tmp_config_directory")))
        self.data_use_instance = bool_setting(g, "data_use_instance", default=0) == 1

        dyn = setting(g, "dynamic_interfaces")
        self.dynamic_interfaces = dyn is not None
        self.allow_if_changes = dyn is not None and words(dyn)[:1] == ["allow_if_changes"]
        self.no_email_faults = setting(g, "no_email_faults") is not None
        self.lvs_timeouts = self._lvs_timeouts()
        self.default_ifname = _first(words(setting(g, "default_interface")))
        self.disable_local_igmp = setting(g, "disable_local_igmp") is not None
        self.lvs_syncd = self._lvs_syncd(cfg)
        self.lvs_flush = setting(g, "lvs_flush") is not None
        self.lvs_flush_on_stop = "disabled"
        fos = setting(g, "lvs_flush_on_stop", "lvs_flush_onstop")
        if fos is not None:
            fw = words(fos)
            if not fw:
                self.lvs_flush_on_stop = "full"
            elif fw[0] == "VS":
                self.lvs_flush_on_stop = "VS"

        self.notify_fifo = self._fifo("notify_fifo", "notify_fifo_script")
        self.vrrp_notify_fifo = self._fifo("vrrp_notify_fifo", "vrrp_notify_fifo_script")
        self.lvs_notify_fifo = self._fifo("lvs_notify_fifo", "lvs_notify_fifo_script")
        self.fifo_write_vrrp_states_on_reload = \
            setting(g, "fifo_write_vrrp_states_on_reload") is not None
        self.vrrp_notify_priority_changes = bool_setting(
            g, "vrrp_notify_priority_changes", default=0) == 1

        self.mcast4 = "224.0.0.18"
        self.mcast6 = "ff02::12"
        # read with inet_stosockaddr: anything from '/' or '-' on is ignored
        m4 = sockaddr_text(_first(words(setting(g, "vrrp_mcast_group4"))) or "")
        if m4 and _is_mcast(m4, 4):
            self.mcast4 = str(ipaddress.ip_address(m4))
        m6 = sockaddr_text(_first(words(setting(g, "vrrp_mcast_group6"))) or "")
        if m6 and _is_mcast(m6, 6):
            self.mcast6 = str(ipaddress.ip_address(m6))

        self._garp()
        self.lower_prio_no_advert = bool_setting(g, "vrrp_lower_prio_no_advert", default=0)
        self.higher_prio_send_advert = bool_setting(g, "vrrp_higher_prio_send_advert",
                                                    default=0)
        self.garp_interval = self._decimal_opt("vrrp_garp_interval")
        self.gna_interval = self._decimal_opt("vrrp_gna_interval")
        vv = read_int(_first(words(setting(g, "vrrp_version"))), 2, 3)
        self.vrrp_version = vv if vv is not None else 2

        # firewall (the Debian 12 build uses nftables, not iptables)
        self.nf_table_name: str | None = None
        self.nf_chain_priority = -1
        for kw in ("vrrp_iptables", "nftables"):
            s = setting(g, kw)
            if s is not None and self.nf_table_name is None:
                w = words(s)
                self.nf_table_name = w[0] if (kw == "nftables" and w) else "keepalived"
        pr = read_int(_first(words(setting(g, "nftables_priority"))), -2**31, 2**31 - 1)
        if pr is not None:
            self.nf_chain_priority = pr
        self.nf_ifindex = setting(g, "nftables_ifindex") is not None
        self.ipvs_nf_table_name: str | None = None
        self.ipvs_nf_chain_priority = -1
        self.ipvs_nf_start_fwmark = 1000
        s = setting(g, "nftables_ipvs")
        if s is not None:
            self.ipvs_nf_table_name = _first(words(s)) or "keepalived_ipvs"
            p = read_int(_first(words(setting(g, "nftables_ipvs_priority"))), -2**31, 2**31 - 1)
            if p is not None:
                self.ipvs_nf_chain_priority = p
            f = uint_setting(g, "nftables_ipvs_start_fwmark", lo=1)
            if f is not None:
                self.ipvs_nf_start_fwmark = f
        self.nf_counters = setting(g, "nftables_counters") is not None

        self.check_unicast_src = setting(g, "vrrp_check_unicast_src") is not None
        self.skip_check_adv_addr = setting(g, "vrrp_skip_check_adv_addr") is not None
        self.strict = setting(g, "vrrp_strict") is not None
        self.max_auto_priority = 0
        map_ = setting(g, "max_auto_priority")
        if map_ is not None:
            w = words(map_)
            if not w:
                self.max_auto_priority = SCHED_RR_MAX
            else:
                v = read_int(w[0], -1, SCHED_RR_MAX)
                if v is not None:
                    self.max_auto_priority = v
        mapd = read_int(_first(words(setting(g, "min_auto_priority_delay"))), 1, 10_000_000)
        self.min_auto_priority_delay = 1_000_000 if mapd is None else mapd

        self.procs: dict[str, dict[str, object]] = {}
        for proc in ("vrrp", "checker", "bfd"):
            self.procs[proc] = self._process(proc)

        self.snmp_vrrp = setting(g, "enable_snmp_vrrp", "enable_snmp_keepalived") is not None
        self.snmp_checker = setting(g, "enable_snmp_checker") is not None
        rfc = setting(g, "enable_snmp_rfc") is not None
        self.snmp_rfcv2 = rfc or setting(g, "enable_snmp_rfcv2") is not None
        self.snmp_rfcv3 = rfc or setting(g, "enable_snmp_rfcv3") is not None
        self.snmp_traps = setting(g, "enable_traps") is not None
        sw = words(setting(g, "snmp_socket"))
        self.snmp_socket = sw[0] if len(sw) == 1 else None
        self.dbus = setting(g, "enable_dbus") is not None
        self.dbus_service_name = _first(words(setting(g, "dbus_service_name"))) or ""

        self.bufs: dict[str, int] = {}
        for name in ("vrrp_netlink_cmd_rcv_bufs", "vrrp_netlink_monitor_rcv_bufs",
                     "process_monitor_rcv_bufs", "lvs_netlink_cmd_rcv_bufs",
                     "lvs_netlink_monitor_rcv_bufs"):
            self.bufs[name] = uint_setting(g, name) or 0
            self.bufs[name + "_force"] = max(bool_setting(g, name + "_force", default=0), 0)
        self.rs_init_notifies = max(bool_setting(g, "rs_init_notifies", default=0), 0)
        self.no_checker_emails = max(bool_setting(g, "no_checker_emails", default=0), 0)
        self.rx_bufs_line = self._rx_bufs_policy()
        mult = uint_setting(g, "vrrp_rx_bufs_multiplier", lo=1)
        self.rx_bufs_multiples = 3 if mult is None else mult
        self.umask = self._umask()
        self.vrrp_startup_delay = self._decimal_opt("vrrp_startup_delay")
        self.log_unknown_vrids = setting(g, "log_unknown_vrids") is not None
        self.vmac_prefix = _first(words(setting(g, "vmac_prefix")))
        self.vmac_addr_prefix = _first(words(setting(g, "vmac_addr_prefix")))

        # set by the caller: whether keepalived would start the checker child
        self.running_checker = bool(cfg.virtual_servers)

    # -- keyword groups ---------------------------------------------------------

    def _default_reload_file(self, cfg: Config) -> str:
        if self.instance_name:
            return f"/run/keepalived/keepalived_{self.instance_name}.reload"
        if setting(cfg, "use_pid_dir") is not None or self.network_namespace:
            return "/run/keepalived/keepalived.reload"
        return "/run/keepalived.reload"

    def _lvs_timeouts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        w = words(setting(self.defs, "lvs_timeouts"))
        i = 0
        while i < len(w):
            key = w[i]
            if key in ("tcp", "tcpfin", "udp") and i + 1 < len(w):
                v = read_uint(w[i + 1], 0, 86400 * 31)
                if v is not None:
                    out[key] = v
                i += 2
                continue
            i += 1
        return out

    def _lvs_syncd(self, cfg: Config) -> dict[str, object] | None:
        w = words(setting(self.defs, "lvs_sync_daemon"))
        sd: dict[str, object] = {}
        if w:
            if len(w[0]) >= 16:
                return None
            sd["ifname"] = w[0]
            i = 1
            while i < len(w):
                k = w[i]
                nxt = w[i + 1] if i + 1 < len(w) else None
                if k == "inst" and nxt is not None:
                    sd.setdefault("vrrp_name", nxt)
                    i += 2
                elif k in _SYNCD_NUMBERS and nxt is not None:
                    key, lo, hi = _SYNCD_NUMBERS[k]
                    v = read_uint(nxt, lo, hi)
                    if v is not None:
                        sd[key] = v
                    i += 2
                elif k == "group" and nxt is not None:
                    if _is_mcast(nxt, 0):
                        sd["group"] = str(ipaddress.ip_address(nxt))
                    i += 2
                elif i == 1:
                    sd["vrrp_name"] = k
                    i += 1
                elif i == 2:
                    v = read_uint(k, 0, 255)
                    if v is not None:
                        sd["syncid"] = v
                    i += 1
                else:
                    i += 1
            return sd
        for inst in cfg.vrrp_instances:
            s = inst.settings.get("lvs_sync_daemon_interface")
            if s is not None and words(s):
                # the instance itself is the syncd instance; no name to resolve,
                # so the sync id defaults to 0 rather than the VRID
                return {"ifname": words(s)[0], "vrrp": inst.name}
        return None

    def _fifo(self, name_kw: str, script_kw: str) -> Fifo | None:
        s = setting(self.defs, name_kw)
        w = words(s)
        if not w:
            return None
        ids = self.run_ids(w[1:])
        if ids is None:
            return None
        sc = setting(self.defs, script_kw)
        script = self.script(sc) if sc is not None else None
        return Fifo(w[0], ids[0], ids[1], script)

    def _garp(self) -> None:
        g = self.defs
        d = uint_setting(g, "vrrp_garp_master_delay", hi=UINT_MAX // TIMER_HZ)
        self.garp_delay = 5 if d is None else d
        r = uint_setting(g, "vrrp_garp_master_repeat")
        self.garp_rep = 5 if r is None else max(r, 1)
        rf = setting(g, "vrrp_garp_master_refresh")
        self.garp_refresh = 0
        if rf is not None:
            self.garp_refresh = read_uint(_first(words(rf))) or 0
        rr = uint_setting(g, "vrrp_garp_master_refresh_repeat")
        self.garp_refresh_rep = 1 if rr is None else max(rr, 1)
        lpd = uint_setting(g, "vrrp_garp_lower_prio_delay", hi=UINT_MAX // TIMER_HZ)
        self.garp_lower_prio_delay: int | None = lpd
        lpr = uint_setting(g, "vrrp_garp_lower_prio_repeat", hi=2**31 - 1)
        self.garp_lower_prio_rep: int | None = lpr
        dta = uint_setting(g, "vrrp_down_timer_adverts", lo=1, hi=100)
        self.down_timer_adverts = 3 if dta is None else dta
        self.vmac_garp_intvl = 0
        self.vmac_garp_all_if = False
        ex = setting(g, "vrrp_garp_extra_if", "vrrp_vmac_garp_intvl")
        if ex is not None:
            delay = 0
            all_if = False
            ok = True
            for word in words(ex):
                if word == "all":
                    all_if = True
                else:
                    v = read_uint(word, 1, 86400)
                    if v is None:
                        ok = False
                        break
                    delay = v
            if ok and delay:
                self.vmac_garp_intvl = delay
                self.vmac_garp_all_if = all_if
            elif all_if and ok:
                self.vmac_garp_all_if = all_if
        mg = setting(g, "vrrp_min_garp")
        if mg is not None and (not words(mg) or check_true_false(words(mg)[0]) == 1):
            # only parameters still at their defaults are changed (order ignored)
            if r is None:
                self.garp_rep = 1
            if rf is None:
                self.garp_refresh = 0
            if rr is None:
                self.garp_refresh_rep = 0
            if d is None:
                self.garp_delay = 0

    def _decimal_opt(self, kw: str) -> int:
        v = read_decimal(_first(words(setting(self.defs, kw))), 6, 1)
        return 0 if v is None else v

    def _process(self, proc: str) -> dict[str, object]:
        g = self.defs
        out: dict[str, object] = {}
        prio = read_int(_first(words(setting(g, f"{proc}_priority"))), -20, 19)
        out["priority"] = 0 if prio is None else prio
        out["no_swap"] = setting(g, f"{proc}_no_swap") is not None
        rt = read_int(_first(words(setting(g, f"{proc}_rt_priority"))), -2**31, 2**31 - 1)
        if rt is not None:
            rt = min(max(rt, SCHED_RR_MIN), SCHED_RR_MAX)
        out["rt_priority"] = 0 if rt is None else rt
        cpus = words(setting(g, f"{proc}_cpu_affinity"))
        cpu_ids = [read_uint(c) for c in cpus]
        out["cpus"] = [c for c in cpu_ids if c is not None] if all(
            c is not None for c in cpu_ids) else []
        lim = read_uint(_first(words(setting(g, f"{proc}_rlimit_rttime",
                                              f"{proc}_rlimit_rtime"))), 1)
        out["rlimit"] = RT_RLIMIT_DEFAULT if lim is None else max(lim, 2)
        return out

    def _rx_bufs_policy(self) -> str | None:
        w = words(setting(self.defs, "vrrp_rx_bufs_policy"))
        mtu = advert = False
        size: int | None = None
        for x in w:
            if x.upper() == "MTU":
                mtu = True
            elif x.upper() == "ADVERT":
                advert = True
            else:
                v = read_uint(w[0])
                if v is not None:
                    size = v
        if size is not None:
            return f" rx_bufs_size = {size}"
        if mtu:
            return " rx_bufs_policy = MTU"
        if advert:
            return " rx_bufs_policy = ADVERT"
        return None

    def _umask(self) -> int:
        w = words(setting(self.defs, "umask"))
        if not w:
            return DEFAULT_UMASK
        if w[0][:1].isdigit():
            if len(w) != 1:
                return DEFAULT_UMASK
            try:
                v = int(w[0], 0) if not (w[0].startswith("0") and w[0].isdigit()) \
                    else int(w[0], 8)
            except ValueError:
                return DEFAULT_UMASK
            if v < 0 or v & ~0o777:
                return DEFAULT_UMASK
            return v
        bits = 0
        for part in "".join(w).split("|"):
            b = _UMASK_BITS.get(part)
            if b is None:
                return DEFAULT_UMASK
            bits |= b
        return bits

    def fifos(self, vrrp_child: bool) -> list[tuple[str, Fifo, ScriptSpec | None]]:
        """The notify FIFOs a child prints, with the script as that child holds it.

        Each child appends the FIFO name to the scripts of the FIFOs it serves
        and checks those scripts (resolved path, dropped if missing); the VRRP
        child ignores a VRRP FIFO equal to the global one, and leaves the
        global FIFO's script to the checker child when that child runs.
        """
        out: list[tuple[str, Fifo, ScriptSpec | None]] = []
        glob, vrrp, lvs = self.notify_fifo, self.vrrp_notify_fifo, self.lvs_notify_fifo
        if vrrp_child:
            if glob and vrrp and glob.name == vrrp.name:
                vrrp = None
        elif glob and lvs and glob.name == lvs.name:
            lvs = None
        for label, fifo, served in (("Global", glob, True), ("VRRP", vrrp, vrrp_child),
                                    ("LVS", lvs, not vrrp_child)):
            if fifo is None:
                continue
            sc = fifo.script
            if sc is not None and served:
                sc = self.secure(ScriptSpec([*sc.args, fifo.name], sc.uid, sc.gid))
                if label == "Global" and vrrp_child and self.running_checker:
                    sc = None
            out.append((label, fifo, sc))
        return out

    # -- derived ------------------------------------------------------------------

    @property
    def local_name(self) -> str:
        """keepalived's ``local_name``: the host's canonical name or ``[unknown]``."""
        return self.host.name()

    def effective_router_id(self) -> str | None:
        if self.router_id:
            return self.router_id
        name = self.local_name
        return name or None

    def effective_helo(self) -> str | None:
        if self.smtp_helo_name:
            return self.smtp_helo_name
        if self.smtp_server and self.local_name != "[unknown]":
            return self.local_name
        return None

    def effective_email_from(self) -> str | None:
        if self.email_from:
            return self.email_from
        if self.smtp_server and self.local_name != "[unknown]":
            return f"{self.host.process_user}@{self.local_name}"
        return None

    def effective_smtp_timeout(self) -> int:
        if self.smtp_connection_to:
            return self.smtp_connection_to
        return 30 if self.smtp_server else 0

    def default_interface(self) -> str:
        if self.default_ifname and (self.host.interface(self.default_ifname) is not None
                                    or self.dynamic_interfaces):
            return self.default_ifname
        return DEFAULT_INTERFACE


def _first(w: list[str]) -> str | None:
    return w[0] if w else None


def _trunc15(name: str | None) -> str | None:
    return name[:15] if name else name


def _addr_text(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return text


def _is_mcast(text: str, family: int) -> bool:
    try:
        a = ipaddress.ip_address(text)
    except ValueError:
        return False
    if family == 4 and a.version != 4:
        return False
    if family == 6 and a.version != 6:
        return False
    return a.is_multicast
