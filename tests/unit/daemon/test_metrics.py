"""kaconfd.metrics: a status object as Prometheus families, with the exporters' names."""

from __future__ import annotations

import pytest
from kaconfd.metrics import COUNTER_METRICS, parse_listen, render
from prometheus_client.parser import text_string_to_metric_families

STATUS = {
    "format": 1, "time": 0.0,
    "daemon": {"pid": 1, "config": "/etc/keepalived/keepalived.conf", "started": 0.0,
               "reloads": 0, "children": [{"role": "vrrp", "pid": 2, "restarts": 0,
                                           "answering": True}]},
    "vrrp": {"pid": 2, "sync_groups": [], "files": [],
             "scripts": [{"name": "chk", "state": "down", "result": 0, "last_status": 1},
                         {"name": "new", "state": "init", "result": 0, "last_status": 0}],
             "instances": [{
                 "name": "VI_1", "interface": "eth0", "vrid": 51, "version": 2, "family": 4,
                 "state": "BACKUP", "priority": 100, "effective_priority": 90,
                 "master": "10.0.0.2", "master_priority": 150, "last_transition": 0.0,
                 "last_transition_reason": "start-up", "sync_group": None,
                 "vips": ["10.0.0.10/24", "10.0.0.11/24"], "excluded_vips": ["10.0.1.1/32"],
                 "vips_held": False, "tracked_interfaces": [], "tracked_scripts": [],
                 "tracked_files": [],
                 "stats": {"advert_rcvd": 7, "advert_sent": 0, "become_master": 0,
                           "release_master": 0, "packet_len_err": 1, "ip_ttl_err": 2,
                           "invalid_type_rcvd": 0, "advert_interval_err": 3,
                           "addr_list_err": 4, "invalid_authtype": 0, "authtype_mismatch": 0,
                           "auth_failure": 5, "pri_zero_rcvd": 0, "pri_zero_sent": 0}}]},
    "checker": {"pid": 3, "virtual_servers": [{
        "name": "10.0.0.10:80", "quorum": 1, "hysteresis": 0, "quorum_up": True,
        "weight_sum": 3, "sorry_server": None, "sorry_active": False,
        "real_servers": [{"name": "10.0.0.20:80", "alive": True, "weight": 3, "checkers": [{
            "name": "TCP_CHECK 10.0.0.20:80", "kind": "TCP_CHECK", "state": "up",
            "last_result": "up", "last_reason": "connected", "last_check": 0.0,
            "last_duration": 0.003,
            "latency": {"buckets": [0.001, 0.01], "counts": [0, 2], "sum": 0.006,
                        "count": 2}}]}]}]},
}


def _families() -> dict:  # type: ignore[type-arg]
    return {f.name: f for f in text_string_to_metric_families(render(STATUS).decode())}


def test_vrrp_families_follow_the_exporters() -> None:
    fams = _families()
    state = fams["keepalived_vrrp_state"]
    assert state.type == "gauge"
    assert sorted(s.labels["ip_address"] for s in state.samples) == [
        "10.0.0.10/24", "10.0.0.11/24"]
    assert {s.value for s in state.samples} == {1.0}  # BACKUP, keepalived's number
    assert state.samples[0].labels == {"iname": "VI_1", "intf": "eth0", "vrid": "51",
                                       "ip_address": "10.0.0.10/24"}
    (excl,) = fams["keepalived_vrrp_excluded_state"].samples
    assert excl.labels["ip_address"] == "10.0.1.1/32"
    assert fams["keepalived_vrrp_priority"].samples[0].value == 100
    assert fams["keepalived_vrrp_effective_priority"].samples[0].value == 90
    # RFC 6527 / keepalived's SIGUSR2 counters, one family each, named as the exporters
    expected = {"keepalived_advertisements_received": 7,
                "keepalived_packet_length_errors": 1, "keepalived_ip_ttl_errors": 2,
                "keepalived_advertisements_interval_errors": 3,
                "keepalived_address_list_errors": 4,
                "keepalived_authentication_failure": 5}
    for name, value in expected.items():
        assert fams[name].type == "counter"
        assert fams[name].samples[0].name == name + "_total"
        assert fams[name].samples[0].value == value
    assert len(COUNTER_METRICS) == 16  # with the checksum and version errors
    # a script without a result yet has no status sample
    (script,) = fams["keepalived_script_status"].samples
    assert script.labels == {"name": "chk"} and script.value == 0
    assert fams["keepalived_up"].samples[0].value == 1


def test_checker_families() -> None:
    fams = _families()
    assert fams["keepalived_virtual_server_quorum_up"].samples[0].value == 1
    (alive,) = fams["keepalived_real_server_alive"].samples
    assert alive.labels == {"vs": "10.0.0.10:80", "rs": "10.0.0.20:80"} and alive.value == 1
    assert fams["keepalived_real_server_weight"].samples[0].value == 3
    hist = fams["keepalived_check_duration_seconds"]
    assert hist.type == "histogram"
    buckets = {s.labels["le"]: s.value for s in hist.samples if s.name.endswith("_bucket")}
    assert buckets == {"0.001": 0, "0.01": 2, "+Inf": 2}
    assert [s.value for s in hist.samples if s.name.endswith("_sum")] == [0.006]


def test_a_child_not_answering() -> None:
    status = {**STATUS, "vrrp": None, "checker": None,
              "daemon": {**STATUS["daemon"], "children": [  # type: ignore[dict-item]
                  {"role": "vrrp", "pid": 2, "restarts": 1, "answering": False}]}}
    fams = {f.name: f for f in text_string_to_metric_families(render(status).decode())}
    assert fams["keepalived_up"].samples[0].value == 0
    assert fams["keepalived_vrrp_state"].samples == []


@pytest.mark.parametrize(("text", "want"), [("127.0.0.1:9650", ("127.0.0.1", 9650)),
                                            ("[::1]:9650", ("::1", 9650)),
                                            (":9650", ("", 9650))])
def test_parse_listen(text: str, want: tuple[str, int]) -> None:
    assert parse_listen(text) == want


@pytest.mark.parametrize("text", ["9650", "host:", "host:x", "h:70000"])
def test_parse_listen_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_listen(text)
