"""kaconfd.vrrp.stats: keepalived's counters and the layout of its stats file."""

from __future__ import annotations

from kaconfd.vrrp.packet import PacketError, Reason
from kaconfd.vrrp.stats import InstanceStats


def test_rejections_count_under_keepalived_counters() -> None:
    st = InstanceStats()
    for reason, detail in ((Reason.TTL, "TTL 64"), (Reason.LENGTH, "short"),
                           (Reason.AUTH, "authentication password mismatch"),
                           (Reason.AUTH, "auth type 1, configured 0"),
                           (Reason.ADVERT_INTERVAL, "2s"), (Reason.VRID, "other")):
        st.rejected(PacketError(reason, detail))
    assert (st.ip_ttl_err, st.packet_len_err, st.auth_failure, st.authtype_mismatch,
            st.advert_interval_err) == (1, 1, 1, 1, 1)


def test_stats_file_layout() -> None:
    st = InstanceStats(advert_rcvd=3, advert_sent=2, become_master=1, pri_zero_sent=1)
    lines = st.lines("VI_1", received=4)
    assert lines[:6] == ["VRRP Instance: VI_1", "  Advertisements:", "    Received: 7",
                         "    Sent: 2", "  Became master: 1", "  Released master: 0"]
    assert lines[-3:] == ["  Priority Zero:", "    Received: 0", "    Sent: 1"]


def test_auth_address_checksum_and_version_rejections_have_their_counters() -> None:
    st = InstanceStats()
    for reason, detail in ((Reason.AUTH, "invalid auth type 9"),
                           (Reason.ADDRESS_LIST, "2 addresses, configured 1"),
                           (Reason.CHECKSUM, "0x1234"), (Reason.VERSION, "3, configured 2")):
        st.rejected(PacketError(reason, detail))
    assert (st.invalid_authtype, st.authtype_mismatch, st.addr_list_err, st.chk_err,
            st.vers_err) == (1, 0, 1, 1, 1)


def test_snmp_only_counters_appear_in_the_file_only_once_non_zero() -> None:
    quiet = InstanceStats().lines("VI_1")
    assert not any("Checksum" in line or "Version" in line for line in quiet)
    busy = InstanceStats(chk_err=2, vers_err=1).lines("VI_1")
    at = busy.index("    Address List: 0")
    assert busy[at + 1:at + 3] == ["    Checksum: 2", "    Version: 1"]
    assert len(busy) == len(quiet) + 2
