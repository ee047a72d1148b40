"""``kaconf dump`` text output against real ``keepalived -d`` dumps (2.2.7).

The reference dumps in ``tests/fixtures/corpus/dumps`` were made in a network
namespace (eth0 with 192.168.200.1, eth0.1/eth1..eth3 up without IPv4, host
name ``vm``, no ``keepalived_script`` user). :data:`REF_HOST` describes that
machine so the comparison does not depend on where the tests run. Only the
dump's own lines are compared, as the README there defines: section headers
and the indented lines under them, without the ``Interfaces`` section, the
host lines ``Using src_ip =``/``Default interface =``/``libnftnl version`` and
interleaved log lines (column 0, not a header).
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from kaconf.dump.text import dump_lines, dump_text
from kaconf.effective.host import Host, Interface
from kaconf.loader import load_full
from kaconf.model.objects import Config
from tests.support.paths import FIXTURES

CORPUS = FIXTURES / "corpus"
DUMPS = CORPUS / "dumps"
SAMPLES = CORPUS / "keepalived-samples"

HOST_LINES = ("Using src_ip = ", "Default interface = ", "libnftnl version")


def _ref_host() -> Host:
    ifs = [Interface("lo", "127.0.0.1", None, loopback=True, multicast=False,
                     ethernet=False, mtu=65536, index=1),
           Interface("eth0", "192.168.200.1", "fe80::d830:c6ff:fe20:8527", index=3)]
    for i, name in enumerate(("eth0.1", "eth1", "eth2", "eth3")):
        ifs.append(Interface(name, None, f"fe80::{i + 1}", index=5 + 2 * i))
    return Host.static(hostname="vm", interfaces=ifs, scripts={"/bin/true": "/usr/bin/true"})


REF_HOST = _ref_host()


def extract(lines: list[str]) -> list[tuple[str, list[str]]]:
    """The dump's own lines, grouped by section, as the corpus README defines them."""
    sections: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    for line in lines:
        if line.startswith("------<"):
            current = []
            sections.append((line, current))
            continue
        if current is None or not line.startswith(" "):
            continue  # start-up text or an interleaved log line
        if line.strip().startswith(HOST_LINES):
            continue
        current.append(line)
    return [(h, b) for h, b in sections if h != "------< Interfaces >------"]


def _dumps_with_sections() -> list[Path]:
    return [p for p in sorted(DUMPS.glob("*.dump"))
            if extract(p.read_text().splitlines())]


def _load(path: Path) -> Config:
    return load_full(str(path)).config


def _inline(text: str) -> Config:
    return load_full("inline.conf", data=text.encode()).config


def _dump(text: str, host: Host = REF_HOST) -> list[str]:
    return dump_lines(_inline(text), host)


def _section(lines: list[str], title: str) -> list[str]:
    for h, body in extract(lines):
        if h == f"------< {title} >------":
            return body
    raise AssertionError(f"no section {title!r} in:\n" + "\n".join(lines))


def _block(lines: list[str], head: str) -> list[str]:
    """The lines of one object block (`` VRRP Instance = X`` ... next object)."""
    out: list[str] = []
    inside = False
    for line in lines:
        if line == head:
            inside = True
            out.append(line)
            continue
        if inside:
            if (line.startswith(" ") and not line.startswith("  ")) or line.startswith("---"):
                break
            out.append(line)
    assert out, f"no block {head!r}"
    return out


# -- the real dumps ---------------------------------------------------------------------


def test_six_reference_dumps_have_sections() -> None:
    names = {p.stem for p in _dumps_with_sections()}
    assert names == {"serverA", "serverB", "unicast_scripts_checkers", "sample_sample",
                     "sample_vrrp_sync", "sample_vrrp_scripts"}


@pytest.mark.parametrize("dump", _dumps_with_sections(), ids=lambda p: p.stem)
def test_matches_keepalived_dump(dump: Path) -> None:
    ref = extract(dump.read_text().splitlines())
    got = dict(extract(dump_lines(_load(dump.with_suffix(".conf")), REF_HOST)))
    got_order = [h for h, _ in extract(dump_lines(_load(dump.with_suffix(".conf")),
                                                  REF_HOST))]
    assert [h for h in got_order if h in dict(ref)] == [h for h, _ in ref]
    for head, body in ref:
        mine = got.get(head, [])
        assert mine == body, f"{dump.stem} {head}:\n" + "\n".join(
            difflib.unified_diff(body, mine, "keepalived", "kaconf", lineterm=""))


def test_extract_skips_interleaved_log_lines() -> None:
    lines = ["Starting", "------< Global definitions >------", " Router ID = a",
             "Startup complete", " Script security disabled",
             "Script user 'keepalived_script' does not exist", " Default interface = eth0",
             "------< Interfaces >------", " Name = lo", "------< VRRP Scripts >------",
             " VRRP Script = x"]
    assert extract(lines) == [
        ("------< Global definitions >------", [" Router ID = a", " Script security disabled"]),
        ("------< VRRP Scripts >------", [" VRRP Script = x"]),
    ]


# -- every upstream sample dumps ---------------------------------------------------------


@pytest.mark.parametrize("sample", sorted(SAMPLES.glob("keepalived.conf.*")),
                         ids=lambda p: p.name.removeprefix("keepalived.conf."))
def test_every_sample_dumps(sample: Path) -> None:
    text = dump_text(_load(sample), REF_HOST)
    assert text.startswith("------< Global definitions >------\n")
    assert text.endswith("\n")
    for line in text.splitlines():
        assert line.startswith(("------<", " ")), line


def test_local_host_default_runs() -> None:
    # router_id given: no host-name lookup needed
    text = dump_text(_inline("global_defs { router_id t }\n"
                             "vrrp_instance V { interface lo\n virtual_router_id 1\n"
                             " virtual_ipaddress { 10.0.0.1 }\n}\n"))
    assert "------< VRRP Topology >------" in text


# -- VRRP effective values ----------------------------------------------------------------


def test_master_without_priority_is_owner() -> None:
    lines = _dump("vrrp_instance V { state MASTER\n interface eth0\n virtual_router_id 9\n"
                  " virtual_ipaddress { 10.0.0.1 }\n}\n")
    block = _section(lines, "VRRP Topology")
    assert "   Priority = 255" in block
    assert "   Wantstate = MASTER" in block


def test_wantstate_from_priority_and_nopreempt_cleared_for_master() -> None:
    lines = _dump("vrrp_instance A { interface eth0\n virtual_router_id 9\n priority 255\n"
                  " virtual_ipaddress { 10.0.0.1 }\n}\n"
                  "vrrp_instance B { state MASTER\n nopreempt\n interface eth0\n"
                  " virtual_router_id 10\n priority 100\n virtual_ipaddress { 10.0.0.2 }\n}\n")
    a = _block(lines, " VRRP Instance = A")
    b = _block(lines, " VRRP Instance = B")
    assert "   Wantstate = MASTER" in a
    assert "   Preempt = enabled" in b
    assert "   Flags: none" in b  # the cleared bit leaves no flag behind


def test_advert_rounding_and_version3() -> None:
    lines = _dump("vrrp_instance A { interface eth0\n virtual_router_id 1\n advert_int 1.6\n"
                  " virtual_ipaddress { 10.0.0.1 }\n}\n"
                  "vrrp_instance B { interface eth0\n version 3\n virtual_router_id 2\n"
                  " advert_int 0.123\n authentication { auth_type PASS\n auth_pass x }\n"
                  " virtual_ipaddress { 10.0.0.2 }\n}\n")
    assert "   Advert interval = 2 sec" in _block(lines, " VRRP Instance = A")
    b = _block(lines, " VRRP Instance = B")
    assert "   Advert interval = 120 milli-sec" in b
    assert not any("Authentication" in x for x in b)  # v3 drops auth, prints nothing


def test_strict_mode_effects() -> None:
    lines = _dump("global_defs { vrrp_strict }\n"
                  "vrrp_instance A { state MASTER\n interface eth0\n virtual_router_id 1\n"
                  " priority 100\n virtual_ipaddress { 10.0.0.1 }\n}\n")
    a = _block(lines, " VRRP Instance = A")
    assert "   Wantstate = BACKUP" in a
    assert "   Enforcing strict VRRP compliance" in a
    assert "   Accept = disabled" in a
    assert "   Gratuitous ARP lower priority repeat = 0" in a
    glob = _section(lines, "Global definitions")
    assert " VRRP strict mode = true" in glob
    assert " nftables table name = keepalived" in glob


def test_vip_formatting() -> None:
    lines = _dump("vrrp_instance A { interface eth0\n virtual_router_id 1\n"
                  " virtual_ipaddress {\n 10.0.0.1/24 brd + dev eth1 scope link label eth1:x\n"
                  " 10.0.0.2/32\n 10.0.0.3 no_track\n 10.0.0.4/24 label 1234567890123456\n"
                  " 2001:db8::5 }\n}\n")
    a = _block(lines, " VRRP Instance = A")
    i = a.index("   Virtual IP (3):")
    assert a[i + 1:i + 4] == [
        "     10.0.0.1/24 brd 10.0.0.255 dev eth1 scope link label eth1:x",
        "     10.0.0.2 dev eth0 scope global",
        "     10.0.0.3 dev eth0 scope global no_track",
    ]


def test_ipv6_instance() -> None:
    lines = _dump("vrrp_instance A { interface eth0\n virtual_router_id 1\n"
                  " virtual_ipaddress { fe80::10\n 2001:db8::1/64 }\n}\n")
    a = _block(lines, " VRRP Instance = A")
    assert "   VRRP Version = 3" in a
    assert "   Using Native IPv6" in a
    assert "   Multicast address ff02::12, ifindex 3" in a
    assert "     fe80::10 dev eth0 scope global deprecated" in a
    assert "     2001:db8::1/64 dev eth0 scope global preferred_lft forever" in a
    assert "   Advert interval = 1000 milli-sec" in a


def test_sync_group_masters_start_backup_and_fault_from_interface() -> None:
    lines = _dump("vrrp_sync_group G { group { A\n B } }\n"
                  "vrrp_instance A { state MASTER\n interface eth0\n virtual_router_id 1\n"
                  " priority 100\n virtual_ipaddress { 10.0.0.1 }\n}\n"
                  "vrrp_instance B { state MASTER\n interface eth1\n virtual_router_id 2\n"
                  " priority 100\n virtual_ipaddress { 10.0.1.1 }\n}\n")
    assert "   Wantstate = BACKUP" in _block(lines, " VRRP Instance = A")
    assert "   Sync group = G" in _block(lines, " VRRP Instance = B")
    groups = _section(lines, "VRRP Sync groups")
    assert groups[:2] == [" VRRP Sync Group = G, FAULT",
                          "   Num member fault 1, num member init 0"]


def test_sync_group_with_unweighted_script_is_init() -> None:
    lines = _dump("vrrp_script s { script /bin/true\n}\n"
                  "vrrp_sync_group G { group { A\n B }\n track_script { s } }\n"
                  "vrrp_instance A { interface eth0\n virtual_router_id 1\n"
                  " virtual_ipaddress { 10.0.0.1 }\n}\n"
                  "vrrp_instance B { interface eth0\n virtual_router_id 2\n"
                  " virtual_ipaddress { 10.0.0.2 }\n}\n")
    groups = _section(lines, "VRRP Sync groups")
    assert groups[:2] == [" VRRP Sync Group = G, INIT",
                          "   Num member fault 0, num member init 2"]
    assert "   Tracked scripts :" in groups
    script = _section(lines, "VRRP Scripts")
    assert script[-4:] == ["   Tracking instances :", "     A, weight 0", "     B, weight 0",
                           "   State = idle"]


def test_missing_scripts_are_dropped_and_unused_scripts_not_dumped() -> None:
    lines = _dump("vrrp_script used { script /bin/true\n weight 5 reverse\n}\n"
                  "vrrp_script unused { script /bin/true\n}\n"
                  "vrrp_script missing { script /no/such\n}\n"
                  "vrrp_instance A { interface eth0\n virtual_router_id 1\n"
                  " virtual_ipaddress { 10.0.0.1 }\n track_script { used\n missing }\n"
                  " notify_master \"/no/such arg\"\n notify_backup /bin/true\n"
                  " notify \"/bin/true x y\"\n}\n")
    a = _block(lines, " VRRP Instance = A")
    assert "     used weight 5 reverse" in a
    assert not any("missing" in x for x in a)
    assert "   Backup state transition script = '/usr/bin/true', uid:gid 0:0" in a
    assert "   Generic state transition script = '/usr/bin/true' 'x' 'y', uid:gid 0:0" in a
    assert not any("Master state" in x for x in a)
    scripts = _section(lines, "VRRP Scripts")
    assert [x for x in scripts if x.startswith(" VRRP Script")] == [" VRRP Script = used"]
    assert "   Weight = 5 reverse" in scripts


def test_script_security_without_user_drops_scripts() -> None:
    lines = _dump("global_defs { enable_script_security }\n"
                  "vrrp_instance A { interface eth0\n virtual_router_id 1\n"
                  " virtual_ipaddress { 10.0.0.1 }\n notify_backup /bin/true\n}\n")
    glob = _section(lines, "Global definitions")
    assert " Script security enabled" in glob
    assert not any("Default script uid:gid" in x for x in glob)
    assert not any("transition script" in x for x in _block(lines, " VRRP Instance = A"))


def test_unicast_peers_and_ttl() -> None:
    lines = _dump("vrrp_instance A { interface eth0\n virtual_router_id 1\n unicast_ttl 10\n"
                  " unicast_peer { 192.168.200.2 min_ttl 5\n 2001:db8::1 }\n"
                  " virtual_ipaddress { 10.0.0.1 }\n}\n")
    a = _block(lines, " VRRP Instance = A")
    assert a[a.index("   Flags:") + 1] == "     Using unicast"
    assert "   Unicast TTL = 10" in a
    assert "   Check unicast src : yes" in a
    peers = a.index("   Unicast Peer :")
    assert a[peers + 1:peers + 3] == ["     192.168.200.2 min_ttl 5 max_ttl 255",
                                      "   Unicast checksum compatibility = no"]
    assert not any("Multicast address" in x for x in a)


def test_routes_rules_and_static_sections() -> None:
    lines = _dump("static_ipaddress { 192.168.1.1/24 dev eth1 scope link }\n"
                  "static_routes { 10.9.0.0/16 via 192.168.1.254 dev eth1 table 100 }\n"
                  "static_rules { from 10.1.0.0/16 table 100 }\n"
                  "vrrp_instance A { interface eth0\n virtual_router_id 1\n"
                  " virtual_ipaddress { 10.0.0.1 }\n"
                  " virtual_routes { 10.8.0.0/16 via 10.0.0.254\n"
                  " blackhole 10.7.0.0/16 dev eth0 metric 5 }\n"
                  " virtual_rules { to 10.2.0.0/16 lookup 5 priority 100 no_track }\n}\n")
    assert _section(lines, "Static Addresses") == [
        "     192.168.1.1/24 dev eth1 scope link set"]
    assert _section(lines, "Static Routes") == [
        "     prepend 10.9.0.0/16 via inet 192.168.1.254 dev eth1 table 100 proto 18"]
    assert _section(lines, "Static Rules") == [
        "     from 10.1.0.0/16 priority 16384 tos 0x0 protocol 18 lookup 100"]
    a = _block(lines, " VRRP Instance = A")
    r = a.index("   Virtual Routes :")
    assert a[r + 1:r + 3] == [
        "     prepend 10.8.0.0/16 via inet 10.0.0.254 proto 18 no_track",
        "     prepend blackhole 10.7.0.0/16 dev eth0 proto 18 metric 5",
    ]
    assert a[a.index("   Virtual Rules :") + 1] == \
        "     from all to 10.2.0.0/16 priority 100 tos 0x0 lookup 5 no_track"
    heads = [h for h, _ in extract(lines)]
    assert heads[1:4] == ["------< Static Addresses >------", "------< Static Routes >------",
                          "------< Static Rules >------"]


def test_global_defaults_and_overrides() -> None:
    lines = _dump("global_defs {\n router_id r1\n vrrp_garp_master_delay 3\n"
                  " vrrp_garp_lower_prio_repeat 2\n max_auto_priority\n umask 022\n"
                  " vrrp_garp_interval 0.001\n smtp_server 10.0.0.9 2525\n"
                  " lvs_flush_on_stop VS\n vrrp_mcast_group4 224.0.0.99\n}\n"
                  "vrrp_instance A { interface eth0\n virtual_router_id 1\n"
                  " virtual_ipaddress { 10.0.0.1 }\n}\n")
    g = _section(lines, "Global definitions")
    for want in (" Router ID = r1", " Smtp server = 10.0.0.9", " Smtp server port = 2525",
                 " Smtp HELO name = vm", " Smtp server connection timeout = 30",
                 " Email notification from = root@vm", " Gratuitous ARP delay = 3",
                 " Gratuitous ARP lower priority delay = 3",
                 " Gratuitous ARP lower priority repeat = 2", " Max auto priority = 99",
                 " umask = 022", " Gratuitous ARP interval = 0.001000",
                 " LVS flush on stop = VS", " VRRP IPv4 mcast group = 224.0.0.99"):
        assert want in g, want
    a = _block(lines, " VRRP Instance = A")
    assert "   Multicast address 224.0.0.99" in a
    assert "   Gratuitous ARP delay = 3" in a


def test_host_lines_come_from_the_host() -> None:
    text = "vrrp_instance A { interface eth1\n virtual_router_id 1\n" \
           " virtual_ipaddress { 10.0.0.1 }\n}\n"
    assert "   Using src_ip = (none)" in _dump(text)
    other = Host.static(hostname="h", interfaces=[Interface("eth1", "10.1.1.1")])
    assert "   Using src_ip = 10.1.1.1" in _dump(text, other)


# -- checker (virtual server) part -----------------------------------------------------------


@pytest.fixture(scope="module")
def usc_lines() -> list[str]:
    return dump_lines(_load(DUMPS / "unicast_scripts_checkers.conf"), REF_HOST)


def test_vs_block(usc_lines: list[str]) -> None:
    heads = [h for h, _ in extract(usc_lines)]
    assert heads[-2:] == ["------< LVS Topology >------", "------< Health checkers >------"]
    lvs = _section(usc_lines, "LVS Topology")
    assert lvs[:3] == [" System is compiled with LVS v1.2.1", " ------< Virtual server >------",
                       " VS VIP = 192.168.200.100, VPORT = 80"]
    for want in ("   Address family = inet", "   delay_loop = 6.000000", "   lvs_sched = wrr",
                 "   persistence timeout = 50", "   protocol = TCP",
                 "   quorum = 2, hysteresis = 1", "   default forwarding method = DR",
                 "   sorry server = [192.168.200.50]:tcp:80",
                 "   RIP = 192.168.201.1, RPORT = 80, WEIGHT = 2 EFF WEIGHT = 2",
                 "   connection timeout = 5.000000"):
        assert want in lvs, want
    assert lvs.count("   ------< Real server >------") == 4


def test_health_checkers(usc_lines: list[str]) -> None:
    hc = _section(usc_lines, "Health checkers")
    tcp = _block(hc, " [192.168.200.100]:tcp:80 -> [192.168.201.1]:tcp:80")
    assert "     Dest = [192.168.201.1]:80" in tcp
    assert "     Timeout = 3.000000" in tcp
    assert "   Delay loop = 6000000 us" in tcp
    assert tcp[-1] == "   Keepalive method = TCP_CHECK"
    http = _block(hc, " [192.168.200.100]:tcp:80 -> [192.168.201.2]:tcp:80")
    assert "   Retries = 2" in http
    assert "   Keepalive method = HTTP_GET, http protocol 1.0" in http
    assert http[-3:] == ["   Checked url = /health", "     HTTP Status Code(s)", "       200"]
    misc = _block(hc, " [192.168.200.100]:tcp:80 -> [192.168.201.3]:tcp:80")
    assert "   script = '/usr/bin/true'" in misc
    assert "   timeout = 5" in misc
    assert not any("Connection" in x for x in misc)
    ping = _block(hc, " [192.168.200.100]:tcp:80 -> [192.168.201.4]:tcp:80")
    assert "   Retries = 1" in ping
    assert "     Timeout = 5.000000" in ping  # inherited from the virtual server default


def test_vs_defaults_and_checker_only_config() -> None:
    lines = _dump("virtual_server 10.0.0.1 0 {\n real_server 10.0.1.1 8080 {\n"
                  "  weight 3\n  HTTP_GET { url { path / } }\n }\n quorum 9\n}\n"
                  "virtual_server fwmark 7 {\n protocol TCP\n lb_kind DR\n"
                  " real_server 10.0.1.2 80 { TCP_CHECK { } }\n}\n"
                  "virtual_server 10.0.0.3 80 {\n}\n")
    g = _section(lines, "Global definitions")
    assert not any(x.startswith(" Default interface") for x in g)
    assert " Gratuitous ARP lower priority delay = 4294967295" in g
    lvs = _section(lines, "LVS Topology")
    assert lvs.count(" ------< Virtual server >------") == 2  # no real server: dropped
    for want in ("   lvs_sched = wlc", "   protocol = UDP", "   persistence timeout = 360",
                 "   quorum = 3, hysteresis = 0", "   default forwarding method = NAT",
                 " VS FWMARK = 7", "   protocol = none",
                 "   RIP = 10.0.1.2, RPORT = 0, WEIGHT = 1 EFF WEIGHT = 1"):
        assert want in lvs, want
    hc = _section(lines, "Health checkers")
    assert "       200-299" in hc
    assert " FWM 7 -> [10.0.1.2]:none:0" in hc


def test_virtual_server_group_sample() -> None:
    lines = dump_lines(_load(SAMPLES / "keepalived.conf.virtual_server_group"), REF_HOST)
    lvs = _section(lines, "LVS Topology")
    assert " Virtual Server Group = VSG_1, IPv4 = yes, IPv6 = no" in lvs
    assert "   VIP Range = 192.168.200.3-192.168.200.10, VPORT = 80" in lvs
    assert "   FWMARK = 1" in lvs
    assert " VS GROUP = [VSG_1]:0" in lvs


def test_vmac_track_process_and_lvs_syncd() -> None:
    lines = _dump("vrrp_track_process tp { process nginx -g x\n quorum_max 3\n delay 1.5 }\n"
                  "vrrp_instance A { interface eth0\n use_vmac\n virtual_router_id 7\n"
                  " lvs_sync_daemon_interface eth1\n virtual_ipaddress { 10.0.0.1 }\n"
                  " track_process { tp weight 4 }\n}\n")
    a = _block(lines, " VRRP Instance = A")
    assert "   Use VMAC, i/f name vrrp.7, is_up = true, xmit_base = false" in a
    assert "   Interface = vrrp.7, vmac on eth0" in a
    assert "     10.0.0.1 dev vrrp.7@eth0 scope global" in a
    assert a[a.index("   Tracked processes :") + 1] == "     tp, weight 4"
    g = _section(lines, "Global definitions")
    i = g.index(" LVS syncd vrrp instance = A")
    assert g[i + 1:i + 3] == [" LVS syncd interface = eth1", " LVS syncd syncid = 0"]
    tp = _section(lines, "VRRP Track processes")
    assert tp[:5] == [" VRRP Track process = tp", "   Process = nginx", "   Parameters = -g x",
                      "   Param match", "   Min processes = 1"]
    assert "   Terminate delay = 1.500000s" in tp
    assert tp[-2:] == ["   Tracking instances :", "     A, weight 4"]


def test_ssl_context_and_connect_ip() -> None:
    lines = _dump("virtual_server 10.0.0.1 443 {\n protocol TCP\n"
                  " real_server 10.0.1.1 443 {\n  SSL_GET { url { path /x\n status_code 200-204 }"
                  "\n   connect_ip 10.9.9.9 }\n  }\n}\n")
    assert _section(lines, "SSL definitions") == [" Using autogen SSL context"]
    hc = _section(lines, "Health checkers")
    assert "     Dest = [10.9.9.9]:0" in hc  # connect_ip replaces the port too
    assert "   Keepalive method = SSL_GET, http protocol 1.0" in hc
    assert "       200-204" in hc


def test_use_ipvlan_as_keepalived_dumps_it() -> None:
    # lines checked against keepalived 2.2.7 -d (apart from is_up: this kernel has no
    # ipvlan, so keepalived's creation failed; the resolver assumes it is made)
    lines = _dump("vrrp_instance A { interface eth0\n virtual_router_id 51\n"
                  " use_ipvlan 10.1.10.50/24 private\n virtual_ipaddress { 10.1.10.240/24 }\n}\n"
                  "vrrp_instance B { interface eth0\n virtual_router_id 52\n"
                  " use_ipvlan myipv 10.1.10.51\n virtual_ipaddress { 10.1.10.241/24 }\n}\n")
    a = _block(lines, " VRRP Instance = A")
    assert "   Use IPVLAN, i/f vrrp.51, is_up = true, i/f address = 10.1.10.50/24, " \
        "type private" in a
    assert "   Interface = vrrp.51, ipvlan on eth0" in a
    assert "   Using src_ip = 10.1.10.50 (from configuration)" in a
    assert "     10.1.10.240/24 dev eth0 scope global" in a  # VIPs stay on the base
    b = _block(lines, " VRRP Instance = B")
    assert "   Use IPVLAN, i/f myipv, is_up = true, i/f address = 10.1.10.51, type bridge" in b
    assert "   Interface = myipv, ipvlan on eth0" in b


def test_track_process_with_its_run_time_state() -> None:
    from kaconf.dump.runtime import ProcessRun
    from kaconf.dump.vrrp import process_lines
    from kaconf.effective.vrrp_types import EffProcess

    lines = process_lines(EffProcess("tp", "nginx"), ProcessRun(2, True, fork_timer=True))
    assert lines[lines.index("   Min processes = 1") + 1:][:2] == [
        "   Current processes = 2", "   Have quorum = true"]
    assert "   Fork delay timer running" in lines
    assert "   Terminate delay timer not running" in lines
    assert not any("timer" in x for x in process_lines(EffProcess("tp", "nginx")))
