"""``kaconf run --metrics ADDR:PORT``: Prometheus metrics, served by the parent process.

Why the parent: it already asks the children for their status over their control
sockets (:mod:`kaconfd.statusd`), so one scrape gives one consistent picture of both
children on one port, and a child's restart does not move the endpoint. Why an asyncio
server and not prometheus_client's threaded one: the parent forks its children; a
second thread in a forking process risks a child born with a lock held. The endpoint
is a few lines on the parent's own loop; prometheus_client (imported only when
``--metrics`` is given) supplies the metric families and the exposition format.

The names follow a keepalived exporter operators already scrape (mehdy's
keepalived-exporter, current names; gen2brain's keepalived_exporter uses
``keepalived_vrrp_<counter>`` for the same counters): state
``keepalived_vrrp_state`` (0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT; one series per VIP, as
they do) and keepalived's SIGUSR2 counters (``keepalived_advertisements_received_total``
...). What they cannot read from keepalived's files is added under the same prefix:
priorities, tracked scripts, real servers and a check-latency histogram. Every family is
listed in docs/operations.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from .vrrp.status import STATE_NUMBERS

log = logging.getLogger("Keepalived")

#: keepalived's counter (SIGUSR2 / JSON name) -> the exporters' metric (without _total).
COUNTER_METRICS: tuple[tuple[str, str, str], ...] = (
    ("advert_rcvd", "keepalived_advertisements_received", "Advertisements received"),
    ("advert_sent", "keepalived_advertisements_sent", "Advertisements sent"),
    ("become_master", "keepalived_become_master", "Became master"),
    ("release_master", "keepalived_release_master", "Released master"),
    ("packet_len_err", "keepalived_packet_length_errors", "Packet length errors"),
    ("advert_interval_err", "keepalived_advertisements_interval_errors",
     "Advertisement interval errors"),
    ("ip_ttl_err", "keepalived_ip_ttl_errors", "TTL errors"),
    ("invalid_type_rcvd", "keepalived_invalid_type_received", "Invalid type errors"),
    ("addr_list_err", "keepalived_address_list_errors", "Address list errors"),
    ("invalid_authtype", "keepalived_authentication_invalid", "Authentication invalid"),
    ("authtype_mismatch", "keepalived_authentication_mismatch", "Authentication mismatch"),
    ("auth_failure", "keepalived_authentication_failure", "Authentication failure"),
    ("pri_zero_rcvd", "keepalived_priority_zero_received", "Priority zero received"),
    ("pri_zero_sent", "keepalived_priority_zero_sent", "Priority zero sent"),
    # RFC 6527 vrrpv3StatisticsChecksumErrors / VersionErrors (keepalived: SNMP only)
    ("chk_err", "keepalived_checksum_errors", "Checksum errors"),
    ("vers_err", "keepalived_version_errors", "Version errors"),
)
VRRP_LABELS = ["iname", "intf", "vrid"]


def parse_listen(value: str) -> tuple[str, int]:
    """``ADDR:PORT`` (``[v6]:PORT``; ``:PORT`` for every address) -> (host, port)."""
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"expected ADDR:PORT, got {value!r}")
    return host.strip("[]"), int(port)


def families(status: dict[str, Any]) -> Iterator[Any]:
    """The metric families of one ``kaconf status`` object (see the module docstring)."""
    from prometheus_client.core import (
        CounterMetricFamily,
        GaugeMetricFamily,
        HistogramMetricFamily,
    )

    up = GaugeMetricFamily("keepalived_up", "Status of the daemon (children answering)")
    up.add_metric([], 1.0 if all(c["answering"] for c in status["daemon"]["children"])
                  else 0.0)
    yield up
    vrrp = status.get("vrrp") or {"instances": [], "scripts": []}
    vip_labels = [*VRRP_LABELS, "ip_address"]
    state = GaugeMetricFamily("keepalived_vrrp_state", "State of vrrp", labels=vip_labels)
    excluded = GaugeMetricFamily("keepalived_vrrp_excluded_state",
                                 "State of vrrp with excluded VIP", labels=vip_labels)
    prio = GaugeMetricFamily("keepalived_vrrp_priority", "Configured priority",
                             labels=VRRP_LABELS)
    eprio = GaugeMetricFamily("keepalived_vrrp_effective_priority",
                              "Effective priority (after tracking weights)", labels=VRRP_LABELS)
    counters = {key: CounterMetricFamily(name, doc, labels=VRRP_LABELS)
                for key, name, doc in COUNTER_METRICS}
    for inst in vrrp["instances"]:
        labels = [inst["name"], inst["interface"], str(inst["vrid"])]
        number = float(STATE_NUMBERS.get(inst["state"], 0))
        for vip in inst["vips"] or [""]:
            state.add_metric([*labels, vip], number)
        for vip in inst["excluded_vips"]:
            excluded.add_metric([*labels, vip], number)
        prio.add_metric(labels, float(inst["priority"]))
        eprio.add_metric(labels, float(inst["effective_priority"]))
        for key, family in counters.items():
            family.add_metric(labels, float(inst["stats"].get(key, 0)))
    yield from (state, excluded, prio, eprio, *counters.values())
    script = GaugeMetricFamily("keepalived_script_status",
                               "Tracker script status (1 good, 0 bad)", labels=["name"])
    for sc in vrrp["scripts"]:
        if sc["state"] in ("up", "down"):
            script.add_metric([sc["name"]], 1.0 if sc["state"] == "up" else 0.0)
    yield script
    yield from _checker_families(status.get("checker"), GaugeMetricFamily,
                                 HistogramMetricFamily)


def _checker_families(checker: dict[str, Any] | None, gauge: Any, histogram: Any
                      ) -> Iterator[Any]:
    quorum = gauge("keepalived_virtual_server_quorum_up", "Virtual server has quorum",
                   labels=["vs"])
    alive = gauge("keepalived_real_server_alive", "Real server alive (in the pool)",
                  labels=["vs", "rs"])
    weight = gauge("keepalived_real_server_weight", "Real server IPVS weight",
                   labels=["vs", "rs"])
    check_up = gauge("keepalived_checker_up", "Checker state (1 up, 0 down)",
                     labels=["vs", "rs", "checker"])
    latency = histogram("keepalived_check_duration_seconds", "Duration of health checks",
                        labels=["vs", "rs", "checker"])
    for vs in (checker or {}).get("virtual_servers", []):
        quorum.add_metric([vs["name"]], 1.0 if vs["quorum_up"] else 0.0)
        for rs in vs["real_servers"]:
            alive.add_metric([vs["name"], rs["name"]], 1.0 if rs["alive"] else 0.0)
            weight.add_metric([vs["name"], rs["name"]], float(rs["weight"]))
            for ck in rs["checkers"]:
                labels = [vs["name"], rs["name"], ck["name"]]
                if ck["state"] in ("up", "down"):
                    check_up.add_metric(labels, 1.0 if ck["state"] == "up" else 0.0)
                lat = ck["latency"]
                pairs = zip(lat["buckets"], lat["counts"], strict=True)
                buckets = [(_le(b), float(n)) for b, n in pairs]
                buckets.append(("+Inf", float(lat["count"])))
                latency.add_metric(labels, buckets, float(lat["sum"]))
    yield from (quorum, alive, weight, check_up, latency)


def _le(bound: float) -> str:
    return repr(float(bound))


def render(status: dict[str, Any]) -> bytes:
    """The exposition text of one status object."""
    from prometheus_client import CollectorRegistry, generate_latest

    class Snapshot:
        def collect(self) -> Iterator[Any]:
            return families(status)

    registry = CollectorRegistry(auto_describe=False)
    registry.register(Snapshot())  # type: ignore[arg-type]
    return generate_latest(registry)


async def serve_metrics(host: str, port: int,
                        source: Callable[[], Awaitable[dict[str, Any]]]
                        ) -> asyncio.Server:
    """HTTP ``GET /metrics`` (any path but ``/favicon.ico``) on ``host:port``."""
    from prometheus_client import CONTENT_TYPE_LATEST

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readline(), 5.0)
            for _ in range(100):  # headers, bounded
                line = await asyncio.wait_for(reader.readline(), 5.0)
                if line in (b"\r\n", b"\n", b""):
                    break
            parts = request.decode(errors="replace").split()
            if len(parts) < 2 or parts[0] not in ("GET", "HEAD"):
                writer.write(b"HTTP/1.0 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            elif not parts[1].startswith("/metrics") and parts[1] != "/":
                writer.write(b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            else:
                body = render(await source())
                writer.write(f"HTTP/1.0 200 OK\r\nContent-Type: {CONTENT_TYPE_LATEST}\r\n"
                             f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
                             .encode())
                if parts[0] == "GET":
                    writer.write(body)
            await writer.drain()
        except (OSError, TimeoutError, ValueError):
            pass
        except Exception:  # noqa: BLE001 - a scrape must never take the daemon down
            log.exception("metrics request failed")
        finally:
            with contextlib.suppress(OSError):
                writer.close()

    return await asyncio.start_server(handle, host or None, port)
