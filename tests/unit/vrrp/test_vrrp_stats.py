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
