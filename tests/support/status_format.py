"""The keys of ``kaconf status --json`` (format 1) that docs/operations.md documents.

Shared by the unit test that builds the object from fakes and the namespace test that
asks a running daemon: a key renamed or dropped fails both.
"""

from __future__ import annotations

TOP_KEYS = {"format", "time", "daemon", "vrrp", "checker"}
DAEMON_KEYS = {"pid", "config", "started", "reloads", "children"}
CHILD_KEYS = {"role", "pid", "restarts", "answering"}
VRRP_KEYS = {"pid", "instances", "sync_groups", "scripts", "files"}
INSTANCE_KEYS = {"name", "interface", "vrid", "version", "family", "state", "priority",
                 "effective_priority", "master", "master_priority", "last_transition",
                 "last_transition_reason", "sync_group", "vips", "excluded_vips",
                 "vips_held", "tracked_interfaces", "tracked_scripts", "tracked_files",
                 "stats"}
STATS_KEYS = {"advert_rcvd", "advert_sent", "become_master", "release_master",
              "packet_len_err", "ip_ttl_err", "invalid_type_rcvd", "advert_interval_err",
              "addr_list_err", "invalid_authtype", "authtype_mismatch", "auth_failure",
              "pri_zero_rcvd", "pri_zero_sent", "chk_err", "vers_err"}
SCRIPT_KEYS = {"name", "state", "result", "last_status"}
FILE_KEYS = {"name", "path", "value"}
GROUP_KEYS = {"name", "state", "members"}
CHECKER_PART_KEYS = {"pid", "virtual_servers"}
VS_KEYS = {"name", "quorum", "hysteresis", "quorum_up", "weight_sum", "sorry_server",
           "sorry_active", "real_servers"}
RS_KEYS = {"name", "alive", "weight", "checkers"}
CHECKER_KEYS = {"name", "kind", "state", "last_result", "last_reason", "last_check",
                "last_duration", "latency"}
LATENCY_KEYS = {"buckets", "counts", "sum", "count"}
