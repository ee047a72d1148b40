"""kaconf lint agrees with `keepalived -t`: an error exactly when keepalived -t fails.

The claim behind kaconf's error severity is that ``kaconf lint`` reports an error for a
config exactly when ``keepalived -t`` (2.2.7) exits non-zero for it. This test checks the
claim against the real binary (tests/support/oracle.py runs it in a throw-away network namespace
set up like the one the recorded verdicts came from) on

* every upstream sample config (tests/fixtures/corpus/keepalived-samples),
* every validation fixture (tests/fixtures/validation),
* a few hundred generated variants: known-good configs with one mistake injected each
  (bad VRID, priority out of range, unknown/misspelt keyword, missing brace, bad VIP,
  nopreempt with MASTER, authentication with VRRPv3, duplicate VRID, unused script, ...).

It writes the agreement figures (per category) into docs/agreement.md between the markers
and fails if the recorded inputs disagree or the generated or fuzz agreement drops below its
floor (the measured figure, rounded down).
Skipped, with the reason, where keepalived cannot run (not root, no binary, no netns).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import random
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import pytest

import kaconf.lint.rules as rules_pkg
from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.rule import Context
from kaconf.loader import load_full
from tests.support.oracle import DEFAULT_INTERFACES, OracleNetns, keepalived_available
from tests.support.paths import FIXTURES
from tests.support.paths import REPO as ROOT

pytestmark = pytest.mark.oracle

SAMPLES = FIXTURES / "corpus" / "keepalived-samples"
VALIDATION = FIXTURES / "validation"
DOC = ROOT / "docs" / "agreement.md"
BEGIN = "<!-- agreement:begin -->"
END = "<!-- agreement:end -->"

# Floors are the figures measured in docs/agreement.md rounded down to a whole percent, so a
# regression fails the test instead of hiding in the slack (raised from 0.97 and 0.93).
#: generated variants must agree at least this often: 1079 / 1079 measured (the recorded
#: inputs must all agree too)
GENERATED_FLOOR = 1.00
#: the held-out fuzz (schema + value-block): 897 / 900 measured (99.7 %); the three misses are
#: keywords of a build with iptables, which Debian's 2.2.7 lacks
FUZZ_FLOOR = 0.99


# -- kaconf's verdict ------------------------------------------------------------------------


def _rule_modules() -> list[ModuleType]:
    mods = []
    for info in pkgutil.iter_modules(rules_pkg.__path__):
        if not info.name.startswith("_"):
            mods.append(importlib.import_module(f"{rules_pkg.__name__}.{info.name}"))
    return [m for m in mods if m.META.scope == "config"]


def kaconf_findings(path: Path) -> list[Diagnostic]:
    """What `kaconf lint PATH` reports: through the lint engine when it is there.

    Falls back to reader findings plus every single-config rule (the same thing, without
    settings files and suppression comments) so the test also runs on a tree without it.
    """
    try:
        from kaconf.lint import engine
    except ImportError:
        engine = None  # type: ignore[assignment]
    if engine is not None:
        return list(engine.lint_paths([str(path)], target_version="2.2.7").diagnostics)
    loaded = load_full(str(path))
    ctx = Context(loaded=loaded, target_version="2.2.7", path=str(path))
    found = list(loaded.diagnostics)
    for m in _rule_modules():
        found.extend(m.check(ctx))
    return found


# -- generated variants ---------------------------------------------------------------------------

_VI = """vrrp_instance VI_1 {{
    state {state}
    interface eth0
    virtual_router_id 51
    priority {prio}
    advert_int 1
{extra}    virtual_ipaddress {{
        10.0.0.10/24
    }}
}}
"""

_SEC = "global_defs {\n    router_id test\n    enable_script_security\n    script_user root\n}\n"

BASES: dict[str, str] = {
    "seed": (ROOT / "examples" / "serverA.conf").read_text(),
    "plain": _VI.format(state="BACKUP", prio=100, extra=""),
    "master": "global_defs {\n    router_id m1\n}\n" + _VI.format(state="MASTER", prio=150,
                                                                     extra=""),
    "unicast": _VI.format(state="BACKUP", prio=100, extra=(
        "    unicast_src_ip 192.168.200.1\n    unicast_peer {\n        192.168.200.2\n    }\n"
        "    authentication {\n        auth_type PASS\n        auth_pass secret\n    }\n")),
    "script": _SEC + "vrrp_script chk {\n    script \"/bin/true\"\n    interval 2\n"
              "    weight -20\n}\n" + _VI.format(state="BACKUP", prio=100, extra=(
                  "    track_script {\n        chk\n    }\n")),
    "sync": "vrrp_sync_group G1 {\n    group {\n        VI_1\n        VI_2\n    }\n}\n"
            + _VI.format(state="BACKUP", prio=100, extra="")
            + _VI.format(state="BACKUP", prio=100, extra="").replace("VI_1", "VI_2")
            .replace("eth0", "eth1").replace("10.0.0.10", "10.0.1.10"),
    "v3": _VI.format(state="BACKUP", prio=100, extra="    version 3\n"),
    "ipv6": "vrrp_instance VI_6 {\n    interface eth0\n    virtual_router_id 61\n"
            "    priority 100\n    virtual_ipaddress {\n        fe80::61/64\n"
            "        2001:db8::61/64\n    }\n}\n",
    "lvs": "virtual_server 10.0.0.10 80 {\n    delay_loop 6\n    lb_algo rr\n    lb_kind NAT\n"
           "    protocol TCP\n    real_server 10.0.1.1 80 {\n        weight 1\n"
           "        TCP_CHECK {\n            connect_timeout 3\n        }\n    }\n"
           "    real_server 10.0.1.2 80 {\n        weight 1\n    }\n}\n",
    "routes": _VI.format(state="BACKUP", prio=100, extra=(
        "    virtual_routes {\n        192.168.112.0/24 via 192.168.200.254 dev eth0\n    }\n"
        "    virtual_rules {\n        from 192.168.200.0/24 table 2 preference 100\n    }\n")),
}
for _name in ("keepalived.conf.sample", "keepalived.conf.vrrp", "keepalived.conf.IPv6",
              "keepalived.conf.HTTP_GET.port", "keepalived.conf.virtual_server_group"):
    BASES["sample:" + _name.removeprefix("keepalived.conf.")] = (SAMPLES / _name).read_text()

Mutation = Callable[[str, random.Random], str | None]


def _sub(pattern: str, repl: str, count: int = 1, flags: int = re.M) -> Mutation:
    def m(text: str, rng: random.Random) -> str | None:
        new, n = re.subn(pattern, repl, text, count=count, flags=flags)
        return new if n else None
    return m


def _insert_after(pattern: str, line: str) -> Mutation:
    """Insert ``line`` after the first line matching ``pattern``."""
    def m(text: str, rng: random.Random) -> str | None:
        mm = re.search(pattern + r".*\n", text, flags=re.M)
        if mm is None:
            return None
        return text[:mm.end()] + line + "\n" + text[mm.end():]
    return m


def _in_instance(line: str) -> Mutation:
    return _insert_after(r"^\s*virtual_router_id\s", line)


def _rand_vrid(text: str, rng: random.Random) -> str | None:
    bad = rng.choice(["0", "256", "300", "-1", "abc", "1000"])
    return _sub(r"(virtual_router_id\s+)\d+", rf"\g<1>{bad}")(text, rng)


def _rand_prio(text: str, rng: random.Random) -> str | None:
    bad = rng.choice(["0", "256", "1000", "-5"])
    if re.search(r"^\s*priority\s", text, re.M):
        return _sub(r"(^\s*priority\s+)\S+", rf"\g<1>{bad}")(text, rng)
    return _in_instance(f"    priority {bad}")(text, rng)


_UNKNOWN = ["bogus_keyword 1", "foo_bar", "ha_mode active", "enable_magic"]


def _unknown_kw(text: str, rng: random.Random) -> str | None:
    where = rng.choice([r"^\s*interface\s", r"^\s*router_id\s", r"^\s*lb_kind\s",
                        r"^\s*virtual_router_id\s"])
    return _insert_after(where, "    " + rng.choice(_UNKNOWN))(text, rng)


_MISSPELL = {"priority": "priorty", "interface": "interfce", "advert_int": "advert_interval",
             "virtual_router_id": "virtual_route_id", "nopreempt": "no_preempt",
             "lb_algo": "lb_algorithm", "delay_loop": "delayloop", "router_id": "routerid",
             "state": "State", "weight": "wieght"}


def _misspell(text: str, rng: random.Random) -> str | None:
    present = [k for k in _MISSPELL if re.search(rf"^\s*{k}\b", text, re.M)]
    if not present:
        return None
    k = rng.choice(present)
    return _sub(rf"^(\s*){k}\b", rf"\g<1>{_MISSPELL[k]}")(text, rng)


def _missing_close(text: str, rng: random.Random) -> str | None:
    lines = text.splitlines(keepends=True)
    idx = [i for i, ln in enumerate(lines) if ln.strip() == "}"]
    if not idx:
        return None
    del lines[rng.choice(idx)]
    return "".join(lines)


def _missing_open(text: str, rng: random.Random) -> str | None:
    return _sub(r"^(\s*virtual_ipaddress)\s*\{", r"\1")(text, rng) or \
        _sub(r"^(\s*real_server [^{\n]*?)\s*\{", r"\1")(text, rng)


def _bad_vip(text: str, rng: random.Random) -> str | None:
    bad = rng.choice(["10.0.0.300/24", "10.1.10./24", "<", "vip1", "10.0.0.10/33"])
    return _insert_after(r"^\s*virtual_ipaddress\b", f"        {bad}")(text, rng)


def _nopreempt_master(text: str, rng: random.Random) -> str | None:
    t = _sub(r"(^\s*state\s+)BACKUP", r"\1MASTER")(text, rng) or text
    if "nopreempt" in t:
        return t if t != text else None
    return _in_instance("    nopreempt")(t, rng)


def _auth_v3(text: str, rng: random.Random) -> str | None:
    t = text
    if "authentication" not in t:
        t = _in_instance("    authentication {\n        auth_type PASS\n"
                         "        auth_pass secret\n    }")(t, rng) or t
    if t == text and "version 3" in t:
        return None
    return _in_instance("    version 3")(t, rng) if "version 3" not in t else t


def _dup_vrid(text: str, rng: random.Random) -> str | None:
    m = re.search(r"^vrrp_instance\s+(\S+)\s*\n?\{.*?^\}\n", text, re.M | re.S)
    if m is None:
        return None
    block = m.group(0).replace(m.group(1), m.group(1) + "_dup", 1)
    block = re.sub(r"(\d+\.\d+\.\d+\.)(\d+)(/\d+)?", lambda x: x.group(1)
                   + str((int(x.group(2)) + 100) % 250) + (x.group(3) or ""), block)
    return text + block


def _unused_script(text: str, rng: random.Random) -> str | None:
    if "vrrp_instance" not in text:
        return None
    sec = "" if "enable_script_security" in text else _SEC
    return sec + text + "vrrp_script spare {\n    script \"/bin/true\"\n}\n"


def _no_security(text: str, rng: random.Random) -> str | None:
    if "vrrp_instance" not in text:
        return None
    t = text.replace("    enable_script_security\n", "")
    if t != text:
        return t
    return _in_instance("    notify_master \"/bin/true\"")(text, rng)


def _if(pred: Callable[[str], bool], mut: Mutation) -> Mutation:
    """Apply ``mut`` only to texts for which ``pred`` holds."""
    def m(text: str, rng: random.Random) -> str | None:
        return mut(text, rng) if pred(text) else None
    return m


def _then(*muts: Mutation) -> Mutation:
    """Apply mutations in order; those that do not apply are skipped."""
    def m(text: str, rng: random.Random) -> str | None:
        out = text
        for mut in muts:
            out = mut(out, rng) or out
        return out if out != text else None
    return m


def _replace(old: str, new: str, count: int = 1) -> Mutation:
    def m(text: str, rng: random.Random) -> str | None:
        return text.replace(old, new, count) if old in text else None
    return m


def _prepend(head: str) -> Mutation:
    return lambda text, rng: head + text


def _append(tail: str) -> Mutation:
    return lambda text, rng: text + tail


def _has(*needles: str) -> Callable[[str], bool]:
    return lambda text: all(n in text for n in needles)


def _lacks(*needles: str) -> Callable[[str], bool]:
    return lambda text: not any(n in text for n in needles)


def _dup_block(text: str, keyword: str) -> str | None:
    """Repeat the first ``keyword ... { ... }`` block right after itself."""
    lines = text.splitlines(keepends=True)
    for i, ln in enumerate(lines):
        if ln.strip().startswith(keyword + " ") and ln.rstrip().endswith("{"):
            depth = 0
            for j in range(i, len(lines)):
                depth += lines[j].count("{") - lines[j].count("}")
                if depth == 0:
                    return "".join(lines[:j + 1] + lines[i:j + 1] + lines[j + 1:])
            return None
    return None


def _second_instance(iface: str, vrid: str) -> Mutation:
    """Copy the first instance under a new name, on ``iface`` with VRID ``vrid``."""
    def m(text: str, rng: random.Random) -> str | None:
        dup = _dup_vrid(text, rng)
        if dup is None:
            return None
        extra = dup[len(text):]
        extra = re.sub(r"(?m)^(\s*interface\s+)\S+", rf"\g<1>{iface}", extra)
        if vrid:
            extra = re.sub(r"(?m)^(\s*virtual_router_id\s+)\S+", rf"\g<1>{vrid}", extra)
        return text + extra
    return m


_MASTER = _sub(r"(^\s*state\s+)BACKUP", r"\1MASTER")
_OWNER = _sub(r"(^\s*priority\s+)\S+", r"\g<1>255")
_STRICT = "global_defs {\n    vrrp_strict\n}\n"
_AUTH = "    authentication {\n        auth_type PASS\n        auth_pass secret\n    }"

MUTATIONS: dict[str, Mutation] = {
    # -- mistakes keepalived -t reports --------------------------------------------------
    "bad-vrid": _rand_vrid,
    "priority-range": _rand_prio,
    "unknown-keyword": _unknown_kw,
    "misspelt-keyword": _misspell,
    "missing-close-brace": _missing_close,
    "missing-open-brace": _missing_open,
    "bad-vip": _bad_vip,
    "nopreempt-master": _nopreempt_master,
    "auth-v3": _auth_v3,
    "duplicate-vrid": _dup_vrid,
    "script-security": _no_security,
    "no-vrid": _sub(r"^\s*virtual_router_id\s.*\n", ""),
    "no-interface": _sub(r"^\s*interface\s.*\n", ""),
    "missing-interface": _sub(r"(^\s*interface\s+)\S+", r"\1eth9"),
    "loopback-interface": _sub(r"(^\s*interface\s+)\S+", r"\1lo"),
    "interface-name-long": _sub(r"(^\s*interface\s+)\S+", r"\1averyveryverylongifname"),
    "no-vip-block": _sub(r"^\s*virtual_ipaddress\s*\n?\s*\{[^}]*\}\n", "", flags=re.M | re.S),
    "advert-fraction": _sub(r"(^\s*advert_int\s+)\S+", r"\g<1>1.5"),
    "advert-v3-10ms": _then(_sub(r"^\s*advert_int\s.*\n", ""),
                            _in_instance("    version 3\n    advert_int 0.125")),
    "advert-zero": _sub(r"(^\s*advert_int\s+)\S+", r"\g<1>0"),
    "state-bogus": _sub(r"(^\s*state\s+)\S+", r"\1PRIMARY"),
    "preempt-delay-master": _then(_MASTER, _in_instance("    preempt_delay 10")),
    "preempt-delay-nopreempt": _then(_sub(r"(^\s*state\s+)MASTER", r"\1BACKUP"),
                                     _if(_lacks("nopreempt"), _in_instance("    nopreempt")),
                                     _in_instance("    preempt_delay 5")),
    "owner-nopreempt": _then(_OWNER, _if(_lacks("nopreempt"), _in_instance("    nopreempt"))),
    "owner-track-interface": _if(_lacks("vrrp_sync_group"), _then(
        _OWNER, _in_instance("    track_interface {\n        eth1 weight 10\n    }"))),
    "strict-master": _if(_has("vrrp_instance"), _then(_MASTER, _prepend(_STRICT))),
    "auth-pass-long": _then(_if(_lacks("auth_pass"), _in_instance(_AUTH)),
                            _sub(r"(auth_pass\s+)\S+", r"\g<1>averylongpassword")),
    "auth-no-pass": _then(_if(_lacks("auth_pass"), _in_instance(_AUTH)),
                          _sub(r"^\s*auth_pass\s.*\n", "")),
    "auth-ah-master": _if(_lacks("authentication"), _then(
        _MASTER, _in_instance(_AUTH.replace("PASS", "AH")))),
    "v3-global-auth": _if(_has("authentication"),
                          _prepend("global_defs {\n    vrrp_version 3\n}\n")),
    "unicast-no-peers": _in_instance("    unicast_src_ip 192.168.200.1"),
    "unicast-mcast-dst": _if(_has("unicast_peer"), _in_instance("    mcast_dst_ip 224.0.0.19")),
    "unicast-ttl": _if(_lacks("unicast_peer"), _in_instance("    unicast_ttl 5")),
    "ttl-range": _in_instance("    unicast_ttl 300"),
    "mcast-dst-unicast-addr": _in_instance("    mcast_dst_ip 10.0.0.1"),
    "peer-malformed": _sub(r"(unicast_peer \{\n)", r"\1        192.168.200.300\n"),
    "family-mix": _insert_after(r"^\s*virtual_ipaddress\b", "        2001:db8::99/64"),
    "vip-ipv6-scope": _sub(r"(fe80::61/64)", r"\1 scope link"),
    "vip-label-long": _sub(r"(10\.0\.0\.10/24)", r"\1 label eth0:averylonglabel"),
    "value-block-args": _sub(r"^(\s*virtual_ipaddress)\s*\{", r"\1 extra {"),
    "missing-parameter": _sub(r"(^\s*priority)\s+\S+", r"\1"),
    "debug-range": _in_instance("    debug 9"),
    "down-timer-range": _in_instance("    down_timer_adverts 200"),
    "garp-repeat-zero": _in_instance("    garp_master_repeat 0"),
    "track-script-undefined": _in_instance("    track_script {\n        nosuch\n    }"),
    "track-file-undefined": _in_instance("    track_file {\n        nofile\n    }"),
    "track-own-interface": _in_instance("    track_interface {\n        eth0\n    }"),
    "track-weight-range": _sub(r"(^\s*track_script\s*\{\n\s*\S+)", r"\1 weight 300"),
    "notify-twice": _in_instance("    notify_master \"/bin/true\"\n"
                                 "    notify_master \"/bin/false\""),
    "vmac-xmit-base": _in_instance("    vmac_xmit_base"),
    "script-without-script": _if(_has("vrrp_instance"),
                                 _append("vrrp_script empty {\n    interval 2\n}\n")),
    "script-user-unknown": _replace("script_user root", "script_user nosuchuser"),
    "security-no-user": _replace("    script_user root\n", ""),
    "sync-missing-member": _if(lambda t: "vrrp_instance VI_1" in t and "vrrp_sync_group" not in t,
                               _append("vrrp_sync_group GX {\n    group {\n        VI_1\n"
                                       "        VI_NOPE\n    }\n}\n")),
    "sync-single-member": _if(lambda t: "vrrp_instance VI_1" in t and "vrrp_sync_group" not in t,
                              _append("vrrp_sync_group G9 {\n    group {\n        VI_1\n"
                                      "    }\n}\n")),
    "deprecated-keyword": _in_instance("    lvs_sync_daemon_interface eth0"),
    "route-no-dev": _in_instance("    virtual_routes {\n        10.9.0.0/16 via 192.168.200.254\n"
                                 "    }"),
    "route-gw": _in_instance("    virtual_routes {\n        10.9.0.0/16 gw 192.168.200.254 dev "
                             "eth0\n    }"),
    "rule-no-preference": _in_instance("    virtual_rules {\n        from 10.9.0.0/16 table 7\n"
                                       "    }"),
    "rule-bad-address": _in_instance("    virtual_rules {\n        to 10.9.0./16 table 7 "
                                     "preference 10\n    }"),
    "vs-no-protocol": _sub(r"^\s*protocol\s+\S+\n", ""),
    "vs-no-scheduler": _sub(r"^\s*(lb_algo|lvs_sched)\s+\S+\n", ""),
    "vs-dup-real-server": lambda t, r: _dup_block(t, "real_server"),
    "vs-dr-port": _if(_has("lb_kind NAT"), _then(
        _sub(r"(lb_kind\s+)NAT", r"\1DR"), _sub(r"(^\s*real_server\s+\S+\s+)\d+", r"\g<1>8080"))),
    "vs-quorum": _insert_after(r"^\s*lb_kind\s", "    quorum 1000"),
    "vs-hysteresis": _insert_after(r"^\s*lb_kind\s", "    quorum 1\n    hysteresis 5"),
    "vs-no-real-servers": _sub(r"^(\s*)real_server .*?^\1\}\n", "", count=0,
                               flags=re.M | re.S),
    "vs-fwmark-protocol": _sub(r"^virtual_server \S+ \d+ \{", "virtual_server fwmark 7 {"),
    # -- things keepalived accepts: kaconf must not report an error --------------------------
    "unused-script": _unused_script,
    "brace-own-line": _sub(r"^(\s*)virtual_ipaddress\s*\{", r"\1virtual_ipaddress\n\1{"),
    "comment-and-blank": lambda t, r: "# generated\n\n" + t.replace("\n}", "\n  ! trailing\n}",
                                                                     1),
    "ok-state-master-no-priority": _if(_lacks("nopreempt"), _then(
        _MASTER, _sub(r"^\s*priority\s.*\n", ""))),
    "ok-priority-254": _sub(r"(^\s*priority\s+)\S+", r"\g<1>254"),
    "ok-quoted-values": _sub(r"(^\s*interface\s+)(\S+)", r'\1"\2"'),
    "ok-vip-options": _sub(r"(10\.0\.0\.10/24)", r"\1 dev eth1 scope link label eth1:1"),
    "ok-excluded-v6": _in_instance("    virtual_ipaddress_excluded {\n        2001:db8::77/64\n"
                                   "    }"),
    "ok-advert-2": _sub(r"(^\s*advert_int\s+)\S+", r"\g<1>2"),
    "ok-garp-options": _in_instance("    garp_master_delay 5\n    garp_master_repeat 3\n"
                                    "    garp_master_refresh 60"),
    "ok-second-instance": _if(_lacks("unicast"), _second_instance("eth0", "77")),
    "ok-dup-vrid-other-if": _if(_lacks("unicast"), _second_instance("eth3", "")),
    "ok-unicast-peer-self": _sub(r"(unicast_peer \{\n)", r"\1        192.168.200.1\n"),
    "ok-track-weight-zero": _replace("    weight -20\n", "    weight 0\n"),
    "ok-nopreempt-backup": _if(lambda t: "state BACKUP" in t and "nopreempt" not in t
                               and "priority 255" not in t, _in_instance("    nopreempt")),
    "ok-preempt-delay-backup": _if(lambda t: "state BACKUP" in t and "nopreempt" not in t,
                                   _in_instance("    preempt_delay 10")),
    "ok-notify-missing": _then(_if(_lacks("enable_script_security"), _prepend(_SEC)),
                               _in_instance("    notify_master /nonexistent/notify.sh")),
    "ok-notify-path-search": _then(_if(_lacks("enable_script_security"), _prepend(_SEC)),
                                   _in_instance("    notify_master \"true MASTER\"")),
    "ok-track-interface": _in_instance("    track_interface {\n        eth1 weight -10\n    }"),
    "ok-mcast-src": _in_instance("    mcast_src_ip 192.168.200.1"),
    "ok-mcast-dst": _if(_lacks("unicast", "fe80"), _in_instance("    mcast_dst_ip 224.0.0.20")),
    "ok-unicast-ttl-peers": _if(_has("unicast_peer {"), _in_instance("    unicast_ttl 5")),
    "ok-strict-backup": _if(lambda t: "state BACKUP" in t and not any(
        x in t for x in ("authentication", "preempt_delay", "unicast")), _prepend(_STRICT)),
    "ok-dont-track-accept": _in_instance("    dont_track_primary\n    accept\n    smtp_alert"),
    "ok-global-lvs-syncd": _if(_has("vrrp_instance VI_1"),
                               _prepend("global_defs {\n    lvs_sync_daemon eth0 VI_1\n}\n")),
    "ok-sync-tracking-weight": _sub(r"(vrrp_sync_group G1 \{\n)",
                                    r"\1    sync_group_tracking_weight\n"),
    "ok-v3-subsecond": _if(_lacks("authentication", "version 3"), _then(
        _sub(r"^\s*advert_int\s.*\n", ""), _in_instance("    version 3\n    advert_int 0.5"))),
    "ok-static-address": _prepend("static_ipaddress {\n    192.168.201.5/24 dev eth1\n}\n"),
}


@dataclass
class Case:
    """One config and what each side said about it."""

    name: str
    category: str
    group: str  # "samples", "fixtures", "generated"
    path: Path
    expected_exit: int | None = None
    exit_code: int | None = None
    output: str = ""
    kaconf_errors: list[str] = field(default_factory=list)

    @property
    def agree(self) -> bool:
        return bool(self.kaconf_errors) == (self.exit_code not in (0, None))


def generated_cases(tmp: Path, seed: int = 2207) -> Iterator[Case]:
    """Known-good bases with one mutation each, deterministic for a given seed."""
    rng = random.Random(seed)
    tmp.mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    for cat, mutate in MUTATIONS.items():
        for base_name, base in BASES.items():
            for attempt in range(2):
                text = mutate(base, rng)
                if not text or text == base or text in seen:
                    continue
                seen.add(text)
                safe = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{cat}__{base_name}__{attempt}")
                p = tmp / f"{safe}.conf"
                p.write_text(text)
                yield Case(p.stem, cat, "generated", p)
                if cat not in ("bad-vrid", "priority-range", "unknown-keyword",
                               "misspelt-keyword", "bad-vip", "missing-close-brace"):
                    break  # deterministic mutations: one variant per base is enough


def combined_cases(tmp: Path, n: int = 150, seed: int = 27) -> Iterator[Case]:
    """Two random mutations on one random base: finds interactions between checks."""
    rng = random.Random(seed)
    names = sorted(MUTATIONS)
    bases = sorted(BASES)
    tmp.mkdir(parents=True, exist_ok=True)
    made = 0
    for i in range(n * 4):
        if made >= n:
            break
        base = BASES[rng.choice(bases)]
        a, b = rng.sample(names, 2)
        t1 = MUTATIONS[a](base, rng)
        t2 = MUTATIONS[b](t1, rng) if t1 else None
        if not t2 or t2 in (base, t1):
            continue
        p = tmp / f"combo_{i:03d}.conf"
        p.write_text(t2)
        made += 1
        yield Case(f"combo_{i:03d} ({a} + {b})", "two mutations", "generated", p)


# -- schema fuzz ---------------------------------------------------------------------------------
# One keyword from kaconf's own schema, with a value picked at a range boundary, just outside it,
# from its choices or at random, inserted into a known-good base. This is where the reader's
# schema (ranges, argument counts) meets keepalived's handlers.

_FUZZ_BLOCKS: dict[str, tuple[tuple[str, ...], str | None, str]] = {
    "vrrp_instance": (("plain", "unicast", "script", "v3"), r"^\s*virtual_router_id\s", "    "),
    "global_defs": (("plain", "seed", "lvs"), None, "    "),
    "virtual_server": (("lvs",), r"^\s*lb_kind\s", "    "),
    "virtual_server/real_server": (("lvs",), r"^\s*weight 1", "        "),
    "vrrp_script": (("script",), r"^\s*interval\s", "    "),
}


def _fuzz_value(spec: object, rng: random.Random) -> str:
    t = getattr(spec, "arg_type", "")
    choices = getattr(spec, "choices", None)
    if choices:
        return rng.choice([*choices, "bogus"]) if rng.random() < 0.9 else ""
    if t in ("int", "time", "float"):
        lo = getattr(spec, "min", None)
        hi = getattr(spec, "max", None)
        lo = 0 if lo is None else lo
        hi = 1000 if hi is None else hi
        v = rng.choice([lo, hi, lo - 1, hi + 1, (lo + hi) / 2, 1, 0])
        return str(int(v)) if t == "int" else str(round(v, 3))
    if t == "none":
        return "" if rng.random() < 0.85 else "extra"
    if t == "bool":
        return rng.choice(["", "true", "off", "maybe"])
    if t == "ip":
        return rng.choice(["192.168.200.1", "224.0.0.20", "10.0.0.300", "fe80::1", "ff02::12"])
    if t == "script":
        return rng.choice(['"/bin/true"', "/nonexistent/x.sh", '"true arg"'])
    if t in ("string", "path"):
        return rng.choice(["eth0", "eth1", "foo", "VI_1", "/tmp/x", ""])
    return rng.choice(["", "1", "eth0", "foo bar"])


def fuzz_cases(tmp: Path, n: int = 300, seed: int = 1) -> Iterator[Case]:
    from kaconf.schema import load_schema

    schema = load_schema()
    rng = random.Random(seed)
    tmp.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        path = rng.choice(sorted(_FUZZ_BLOCKS))
        bases, anchor, indent = _FUZZ_BLOCKS[path]
        specs = sorted((sp for sp in schema.block(path).values()
                        if sp.opens is None and "2.2.7" in sp.versions), key=lambda sp: sp.name)
        spec = rng.choice(specs)
        base = BASES[rng.choice(bases)]
        line = f"{spec.name} {_fuzz_value(spec, rng)}".rstrip()
        if anchor is None:
            text = "global_defs {\n" + indent + line + "\n}\n" + base
        else:
            m = re.search(anchor + r".*\n", base, re.M)
            if m is None:
                continue
            text = base[:m.end()] + indent + line + "\n" + base[m.end():]
        p = tmp / f"fuzz_{i:03d}.conf"
        p.write_text(text)
        yield Case(f"fuzz_{i:03d} ({path}: {line})", "schema fuzz", "fuzz", p)


# -- value-block fuzz ---------------------------------------------------------------------------
# One item line with random options in an address, route, rule, peer or track block.

_VB_ADDR = ("10.0.0.20/24", "10.0.0.21", "192.168.200.50/24", "fe80::5/64", "2001:db8::5",
            "10.0.0.22/40", "10.0.0.23/0")
_VB_OPTS = ("dev eth1", "dev eth9", "dev lo", "scope link", "scope host", "scope global",
            "scope bogus", "label eth0:1", "label eth0:averylonglabel", "brd 10.0.0.255",
            "broadcast +", "no_track", "home", "-nodad", "preferred_lft 0", "peer 10.0.0.99",
            "track_group g1", "use_vmac", "foo", "dev")
_VB_ROUTES = ("10.9.0.0/16 via 192.168.200.254 dev eth0", "10.9.0.0/16 dev eth0",
              "10.9.0.0/16 via 192.168.200.254", "blackhole 10.9.0.0/16",
              "unreachable 10.9.0.0/16 dev eth0", "10.9.0.0/16 via 192.168.200.254 dev eth9",
              "10.9.0.0/16 via 192.168.200.254 dev eth0 metric 5 no_track",
              "default via 192.168.200.254 dev eth0", "10.9.0.0/16 src 192.168.200.1 dev eth0",
              "10.9.0.0/16 nexthop via 192.168.200.254 dev eth0 nexthop via 192.168.200.253",
              "2001:db8:9::/48 via fe80::1 dev eth0", "10.9.0.0/16 via 2001:db8::1 dev eth0",
              "10.9.0.300/16 dev eth0", "10.9.0.0/16 dev eth0 proto static",
              "10.9.0.0/16 dev eth0 scope link", "10.9.0.0/16 dev eth0 mtu lock 1400",
              "to 10.9.0.0/16 dev eth0 table 100", "10.9.0.0/16 dev eth0 bogus")
_VB_RULES = ("from 10.9.0.0/16 table 7 preference 10", "to 10.9.0.0/16 table 7 priority 11",
             "from all table 7 preference 12", "from 10.9.0.0/16 lookup 7 pref 13",
             "from 10.9.0.0/16 table 7", "iif eth0 table 7 preference 14",
             "fwmark 5 table 7 preference 15", "iif eth9 table 7 preference 20",
             "from 10.9.0.0/16 to 2001:db8::/32 table 7 preference 16",
             "from 10.9.0.0/16 table 7 preference 17 bogus",
             "not from 10.9.0.0/16 table 7 preference 18",
             "from 10.9.0.0/16 goto 20 preference 19", "from 10.9.0.0/16 blackhole preference 21")
_VB_PEERS = ("192.168.200.2", "192.168.200.3 min_ttl 2 max_ttl 5", "192.168.200.4 min_ttl",
             "fe80::2", "192.168.200.5 foo 1", "192.168.200.300")
_VB_TRACK = ("eth1", "eth1 weight 10", "eth1 weight -300", "eth1 weight 10 reverse",
             "eth2 noreverse", "eth9")


def value_block_cases(tmp: Path, n: int = 300, seed: int = 7) -> Iterator[Case]:
    rng = random.Random(seed)
    tmp.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        kind = rng.choice(["vip", "vip", "evip", "route", "rule", "peer", "track"])
        base = BASES[rng.choice(["plain", "unicast", "script", "v3", "master"])]
        if kind in ("vip", "evip"):
            opts = rng.sample(_VB_OPTS, rng.choice([0, 1, 1, 2]))
            line = " ".join([rng.choice(_VB_ADDR), *opts])
            block = "virtual_ipaddress" if kind == "vip" else "virtual_ipaddress_excluded"
        else:
            table = {"route": (_VB_ROUTES, "virtual_routes"), "rule": (_VB_RULES, "virtual_rules"),
                     "peer": (_VB_PEERS, "unicast_peer"),
                     "track": (_VB_TRACK, "track_interface")}[kind]
            line, block = rng.choice(table[0]), table[1]
        m = re.search(r"^\s*virtual_router_id\s.*\n", base, re.M)
        if m is None:
            continue
        text = base[:m.end()] + f"    {block} {{\n        {line}\n    }}\n" + base[m.end():]
        p = tmp / f"vb_{i:03d}.conf"
        p.write_text(text)
        yield Case(f"vb_{i:03d} ({block}: {line})", "value-block fuzz", "fuzz", p)


# -- handcrafted probes ------------------------------------------------------------------------
# One config per keepalived check (and per thing keepalived accepts), written to probe
# corners the mutations do not reach: checkers, global_defs, scripts, sync groups, routes.

_PVI = """vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 100
%s    virtual_ipaddress {
        10.0.0.10/24
    }
}
"""
_PSEC = "global_defs {\n    enable_script_security\n    script_user root\n}\n"
_PVS = """virtual_server 10.0.0.10 80 {
    delay_loop 6
    lb_algo rr
    lb_kind NAT
    protocol TCP
%s    real_server 10.0.1.1 80 {
        weight 1
%s    }
}
"""
def _vs(a: str = "", b: str = "") -> str:
    return _PVS % (a, b)


def _vi(a: str = "") -> str:
    return _PVI % a


_TS = "    track_script {\n        chk\n    }\n"
PROBES: dict[str, str] = {
 "http_no_url": _vs("", "        HTTP_GET {\n            connect_timeout 3\n        }\n"),
 "http_url": _vs("", "        HTTP_GET {\n            url {\n                path /\n                status_code 200\n            }\n        }\n"),  # noqa: E501
 "http_url_digest_bad": _vs("", "        HTTP_GET {\n            url {\n                path /\n                digest zz\n            }\n        }\n"),  # noqa: E501
 "ssl_get": _vs("", "        SSL_GET {\n            url {\n                path /\n            }\n        }\n"),  # noqa: E501
 "misc_no_path": _PSEC + _vs("", "        MISC_CHECK {\n            misc_timeout 5\n        }\n"),
 "misc_path_ok": _PSEC + _vs("", "        MISC_CHECK {\n            misc_path \"/bin/true\"\n        }\n"),  # noqa: E501
 "misc_path_nosec": _vs("", "        MISC_CHECK {\n            misc_path \"/bin/true\"\n        }\n"),  # noqa: E501
 "tcp_connect_port_bad": _vs("", "        TCP_CHECK {\n            connect_port 70000\n        }\n"),  # noqa: E501
 "tcp_retry0": _vs("", "        TCP_CHECK {\n            retry 0\n        }\n"),
 "rs_weight0_all": _vs().replace("weight 1", "weight 0"),
 "vs_persist": _vs("    persistence_timeout 300\n"),
 "vs_sorry": _vs("    sorry_server 10.0.1.9 80\n"),
 "vs_sorry_same_inhibit": _vs("    sorry_server 10.0.1.1 80\n", "        inhibit_on_failure\n"),
 "vs_no_port": _vs().replace("10.0.0.10 80", "10.0.0.10"),
 "vs_port0": _vs().replace("10.0.0.10 80", "10.0.0.10 0"),
 "vs_ops_tcp": _vs("    ops\n"),
 "vs_udp_ops": _vs("    ops\n").replace("protocol TCP", "protocol UDP"),
 "vs_rs_v6": _vs().replace("real_server 10.0.1.1", "real_server 2001:db8::1"),
 "vs_group_undefined": _vs().replace("virtual_server 10.0.0.10 80", "virtual_server group NOPE"),
 "vsg_empty": "virtual_server_group G1 {\n}\n",
 "vsg_range": "virtual_server_group G1 {\n    10.0.0.10-5 80\n}\n" + _vs().replace("virtual_server 10.0.0.10 80", "virtual_server group G1"),  # noqa: E501
 "vs_rs_lvs_method": _vs("", "        lvs_method DR\n"),
 "smtp_bad": "global_defs {\n    smtp_server 10.0.0.1 99999\n}\n" + _vi(),
 "smtp_ok": "global_defs {\n    smtp_server 10.0.0.1 25\n    notification_email {\n        a@b.c\n    }\n    notification_email_from x@y.z\n    smtp_connect_timeout 30\n}\n" + _vi("    smtp_alert\n"),  # noqa: E501
 "email_empty": "global_defs {\n    notification_email {\n    }\n}\n" + _vi(),
 "lvs_syncd_missing_vi": "global_defs {\n    lvs_sync_daemon eth0 VI_9\n}\n" + _vi(),
 "lvs_syncd_no_if": "global_defs {\n    lvs_sync_daemon\n}\n" + _vi(),
 "script_interval0": _PSEC + "vrrp_script chk {\n    script \"/bin/true\"\n    interval 0\n}\n" + _vi(_TS),  # noqa: E501
 "script_fall0": _PSEC + "vrrp_script chk {\n    script \"/bin/true\"\n    fall 0\n}\n" + _vi(_TS),
 "script_timeout": _PSEC + "vrrp_script chk {\n    script \"/bin/true\"\n    timeout 5\n    interval 2\n    rise 2\n    fall 2\n}\n" + _vi(_TS),  # noqa: E501
 "script_missing_file": _PSEC + "vrrp_script chk {\n    script \"/nonexistent/chk.sh\"\n}\n" + _vi(_TS),  # noqa: E501
 "script_noexec": _PSEC + "vrrp_script chk {\n    script \"/etc/passwd\"\n}\n" + _vi(_TS),
 "script_user_kw": _PSEC + "vrrp_script chk {\n    script \"/bin/true\"\n    user nobody\n}\n" + _vi(_TS),  # noqa: E501
 "script_user_bad": _PSEC + "vrrp_script chk {\n    script \"/bin/true\"\n    user nosuchuser\n}\n" + _vi(_TS),  # noqa: E501
 "script_weight_reverse": _PSEC + "vrrp_script chk {\n    script \"/bin/true\"\n    weight 10 reverse\n}\n" + _vi(_TS),  # noqa: E501
 "script_file_test": "vrrp_script chk {\n    script \"</dev/tcp/127.0.0.1/80\"\n}\n" + _vi(_TS),
 "notify_user": _PSEC + _vi("    notify_master \"/bin/true\" root\n"),
 "notify_fifo": _PSEC.replace("}\n", "    notify_fifo /tmp/kaconf_fifo\n}\n") + _vi(),
 "track_file_ok": "track_file tf {\n    file /tmp/kaconf_tf\n    weight 0\n}\n" + _vi("    track_file {\n        tf\n    }\n"),  # noqa: E501
 "track_file_default_w": "track_file tf {\n    file /tmp/kaconf_tf\n}\n" + _vi("    track_file {\n        tf\n    }\n"),  # noqa: E501
 "track_file_owner": "track_file tf {\n    file /tmp/kaconf_tf\n}\n" + _vi("    track_file {\n        tf\n    }\n").replace("priority 100", "priority 255"),  # noqa: E501
 "track_process": "vrrp_track_process tp {\n    process sshd\n    weight 10\n}\n" + _vi("    track_process {\n        tp\n    }\n"),  # noqa: E501
 "track_process_noname": "vrrp_track_process tp {\n    weight 10\n}\n" + _vi("    track_process {\n        tp\n    }\n"),  # noqa: E501
 "bfd": "bfd_instance b1 {\n    neighbor_ip 192.168.200.2\n}\n" + _vi("    track_bfd {\n        b1\n    }\n"),  # noqa: E501
 "empty_instance": "vrrp_instance VI_1 {\n}\n",
 "empty_vip_block": _vi().replace("        10.0.0.10/24\n", ""),
 "vip_brd": _vi().replace("10.0.0.10/24", "10.0.0.10/24 brd 10.0.0.255 dev eth0"),
 "vip_dev_lo": _vi().replace("10.0.0.10/24", "10.0.0.10/24 dev lo"),
 "vip_no_prefix": _vi().replace("10.0.0.10/24", "10.0.0.10"),
 "vip_v4_scope_host": _vi().replace("10.0.0.10/24", "10.0.0.10/24 scope host"),
 "vip_unknown_opt": _vi().replace("10.0.0.10/24", "10.0.0.10/24 foo"),
 "evip_other_family": _vi("    virtual_ipaddress_excluded {\n        2001:db8::5\n    }\n"),
 "unicast_dup_vrid": _vi("    unicast_src_ip 192.168.200.1\n    unicast_peer {\n        192.168.200.2\n    }\n") + _vi("    unicast_src_ip 192.168.200.1\n    unicast_peer {\n        192.168.200.2\n    }\n").replace("VI_1", "VI_2").replace("10.0.0.10", "10.0.0.11"),  # noqa: E501
 "unicast_dup_vrid_other_peer": _vi("    unicast_src_ip 192.168.200.1\n    unicast_peer {\n        192.168.200.2\n    }\n") + _vi("    unicast_src_ip 192.168.200.1\n    unicast_peer {\n        192.168.200.3\n    }\n").replace("VI_1", "VI_2").replace("10.0.0.10", "10.0.0.11"),  # noqa: E501
 "unicast_dup_vrid_nosrc": _vi("    unicast_peer {\n        192.168.200.2\n    }\n") + _vi("    unicast_peer {\n        192.168.200.2\n    }\n").replace("VI_1", "VI_2").replace("10.0.0.10", "10.0.0.11"),  # noqa: E501
 "unicast_dup_vrid_nosrc_eth1": _vi("    unicast_peer {\n        192.168.200.2\n    }\n").replace("eth0", "eth1") + _vi("    unicast_peer {\n        192.168.200.2\n    }\n").replace("VI_1", "VI_2").replace("10.0.0.10", "10.0.0.11").replace("eth0", "eth1"),  # noqa: E501
 "dup_vrid_v4_v6": _vi() + _vi().replace("VI_1", "VI_2").replace("10.0.0.10/24", "fe80::10/64"),
 "dup_vrid_mcast_dst": _vi() + _vi("    mcast_dst_ip 224.0.0.20\n").replace("VI_1", "VI_2").replace("10.0.0.10", "10.0.0.11"),  # noqa: E501
 "dup_instance_name": _vi() + _vi().replace("virtual_router_id 51", "virtual_router_id 52"),
 "unicast_no_if": _vi("    unicast_src_ip 192.168.200.1\n    unicast_peer {\n        192.168.200.2\n    }\n").replace("    interface eth0\n", ""),  # noqa: E501
 "mcast_src_v6": _vi("    mcast_src_ip fe80::1\n"),
 "native_ipv6_v4": _vi("    native_ipv6\n"),
 "version_twice": _vi("    version 3\n    version 2\n"),
 "global_vrrp_version3": "global_defs {\n    vrrp_version 3\n}\n" + _vi(),
 "ipv6_v2": "vrrp_instance VI_6 {\n    interface eth0\n    virtual_router_id 61\n    priority 100\n    version 2\n    virtual_ipaddress {\n        fe80::61/64\n    }\n}\n",  # noqa: E501
 "ipv6_first_global": "vrrp_instance VI_6 {\n    interface eth0\n    virtual_router_id 61\n    priority 100\n    virtual_ipaddress {\n        2001:db8::61/64\n    }\n}\n",  # noqa: E501
 "ipv6_first_global_strict": "global_defs {\n    vrrp_strict\n}\nvrrp_instance VI_6 {\n    interface eth0\n    virtual_router_id 61\n    priority 100\n    virtual_ipaddress {\n        2001:db8::61/64\n    }\n}\n",  # noqa: E501
 "strict_v2_accept": "global_defs {\n    vrrp_strict\n}\n" + _vi("    accept\n"),
 "strict_garp": "global_defs {\n    vrrp_strict\n}\n" + _vi("    garp_lower_prio_repeat 2\n"),
 "strict_lower_prio_no_advert": "global_defs {\n    vrrp_strict\n}\n" + _vi("    lower_prio_no_advert false\n"),  # noqa: E501
 "use_vmac": _vi("    use_vmac\n"),
 "use_vmac_promote": _vi("    use_vmac\n    promote_secondaries\n"),
 "track_if_missing": _vi("    track_interface {\n        eth7\n    }\n"),
 "track_if_weight_range": _vi("    track_interface {\n        eth1 weight 300\n    }\n"),
 "sync_owner_order_rev": "vrrp_sync_group G1 {\n    group {\n        VI_1\n        VI_2\n    }\n}\n" + _vi() + _vi().replace("VI_1", "VI_2").replace("eth0", "eth1").replace("state BACKUP", "state MASTER").replace("priority 100", "priority 255").replace("virtual_router_id 51", "virtual_router_id 52"),  # noqa: E501
 "sync_dup_member": "vrrp_sync_group G1 {\n    group {\n        VI_1\n        VI_1\n    }\n}\n" + _vi(),  # noqa: E501
 "sync_no_group": "vrrp_sync_group G1 {\n}\n" + _vi(),
 "sync_group_track_owner": _PSEC + "vrrp_script chk {\n    script \"/bin/true\"\n    weight 5\n}\nvrrp_sync_group G1 {\n    group {\n        VI_1\n        VI_2\n    }\n    track_script {\n        chk\n    }\n}\n" + _vi().replace("priority 100", "priority 255") + _vi().replace("VI_1", "VI_2").replace("eth0", "eth1").replace("virtual_router_id 51", "virtual_router_id 52"),  # noqa: E501
 "global_tracking": "vrrp_sync_group G1 {\n    group {\n        VI_1\n        VI_2\n    }\n    global_tracking\n}\n" + _vi() + _vi().replace("VI_1", "VI_2").replace("eth0", "eth1").replace("virtual_router_id 51", "virtual_router_id 52"),  # noqa: E501
 "static_route_ok": "static_routes {\n    10.9.0.0/16 via 192.168.200.254 dev eth0\n}\n" + _vi(),
 "static_route_nodev": "static_routes {\n    10.9.0.0/16 via 192.168.200.254\n}\n" + _vi(),
 "static_addr_nodev": "static_ipaddress {\n    192.168.201.5/24\n}\n" + _vi(),
 "route_no_track": _vi("    virtual_routes {\n        10.9.0.0/16 via 192.168.200.254 no_track\n    }\n"),  # noqa: E501
 "route_blackhole_dev": _vi("    virtual_routes {\n        blackhole 10.9.0.0/16 dev eth0\n    }\n"),  # noqa: E501
 "route_table": _vi("    virtual_routes {\n        10.9.0.0/16 via 192.168.200.254 dev eth0 table 100 metric 5\n    }\n"),  # noqa: E501
 "rule_iif": _vi("    virtual_rules {\n        from 10.9.0.0/16 table 7 priority 20 iif eth0\n    }\n"),  # noqa: E501
 "rule_to_all": _vi("    virtual_rules {\n        to all table 7 preference 20\n    }\n"),
 "include_ok": "include inc_part.inc\n",
 "definition": "$IF=eth0\n" + _vi().replace("interface eth0", "interface $IF"),
 "conditional": "@nohost priority_bump 1\n" + _vi(),
 "comment_inline": _vi().replace("priority 100", "priority 100 # main"),
 "bang_comment": _vi().replace("priority 100", "priority 100 ! main"),
 "state_lower": _vi().replace("state BACKUP", "state backup"),
 "nopreempt_arg": _vi("    nopreempt yes\n"),
 "priority_float": _vi().replace("priority 100", "priority 100.5"),
 "vrid_hex": _vi().replace("virtual_router_id 51", "virtual_router_id 0x33"),
 "advert_comma": _vi("    advert_int 1,5\n"),
 "preempt_delay_big": _vi("    preempt_delay 2000\n"),
 "garp_delay_neg": _vi("    garp_master_delay -1\n"),
 "extra_closing": _vi() + "}\n",
 "linkbeat": _vi("    linkbeat_use_polling\n"),
 "garp_group": "garp_group {\n    garp_interval 0.1\n    interfaces {\n        eth0\n    }\n}\n" + _vi(),  # noqa: E501
 "global_many": "global_defs {\n    router_id x\n    vrrp_garp_master_delay 5\n    vrrp_garp_master_repeat 2\n    vrrp_skip_check_adv_addr\n    vrrp_iptables\n    max_auto_priority 50\n    dynamic_interfaces\n}\n" + _vi(),  # noqa: E501
 "vrrp_strict_arg": "global_defs {\n    vrrp_strict yes\n}\n" + _vi(),
 "enable_snmp": "global_defs {\n    enable_snmp_vrrp\n}\n" + _vi(),
 "rlimit_dep": "global_defs {\n    vrrp_rlimit_rtime 1000\n}\n" + _vi(),
 "lvs_flush_dep": "global_defs {\n    lvs_flush_onstop\n}\n" + _vi(),
 "vrrp_track_file_dep": "vrrp_track_file tf {\n    file /tmp/kaconf_tf\n}\n" + _vi(),
 "nb_get_retry": _vs("", "        HTTP_GET {\n            url {\n                path /\n            }\n            nb_get_retry 3\n        }\n"),  # noqa: E501
 "smtp_check_host": _vs("", "        SMTP_CHECK {\n            host {\n                connect_ip 10.0.1.1\n            }\n        }\n"),  # noqa: E501
}


#: Probes where kaconf knowingly disagrees with `keepalived -t` 2.2.7, and why (see
#: docs/agreement.md). A disagreement not listed here fails the test.
KNOWN_DISAGREEMENTS: dict[str, str] = {
    "script_user_kw": "keepalived 2.2.5-2.2.7 -t kills itself (SIGTERM) when it checks a script "
                      "that runs as a non-root user (fixed in 2.2.8); the config is valid, "
                      "kaconf warns (KA257) instead of reporting an error",
    "unicast_dup_vrid_nosrc_eth1": "duplicate unicast VRID without unicast_src_ip: keepalived "
                                   "compares the interface's address, which eth1 lacks in the "
                                   "test namespace; kaconf assumes a VRRP interface has one",
    "vrid_hex": "the reader accepts '0x33' as an integer (base-0 fallback) where keepalived "
                "only reads base 10 - a reader issue reported to the lead",
}


#: Schema-fuzz disagreements by keyword: all are in the reader's keyword table (grammars/),
#: which this test measures but the rules do not own; they are reported for fixing there.
FUZZ_EXPLAINED: dict[str, str] = {
    "persistence_granularity": "the schema does not check it like keepalived (a prefix "
                               "length or netmask of the service's family, 0 accepted)",
    "vrrp_skip_check_adv_addr": "schema validates an optional argument keepalived ignores",
    "smtp_helo_name": "schema requires an argument keepalived treats as optional",
    "reload_check_config": "schema requires an argument keepalived treats as optional",
    "nftables_ipvs": "schema requires an argument keepalived treats as optional",
    "vrrp_ipsets": "Debian's 2.2.7 is built without iptables: the keyword does not exist there",
    "vrrp_iptables": "Debian's 2.2.7 is built without iptables: keepalived reports "
                     "'iptables not supported'",
    "max_auto_priority": "schema has no range; keepalived accepts -1..99",
    "vrrp_garp_master_delay": "schema type 'time' accepts decimals; keepalived reads an integer",
    "garp_master_refresh": "schema type 'time' accepts decimals; keepalived reads an integer",
    "smtp_connect_timeout": "schema type 'time' accepts decimals; keepalived reads an integer",
    "startup_script_timeout": "schema type 'time' accepts decimals; keepalived reads an integer",
    "shutdown_script_timeout": "schema type 'time' accepts decimals; keepalived reads an integer",
    "_cpu_affinity": "keepalived checks CPU ids against this host's CPUs (host dependent)",
}


def explain(case: Case) -> str:
    """Why a case disagrees, when that is known."""
    if case.name in KNOWN_DISAGREEMENTS:
        return KNOWN_DISAGREEMENTS[case.name]
    if case.group == "fuzz":
        for key, why in FUZZ_EXPLAINED.items():
            if key in case.name:
                return why
    return "not yet explained"


def probe_cases(tmp: Path) -> Iterator[Case]:
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "inc_part.inc").write_text(_vi())
    for name, text in PROBES.items():
        p = tmp / f"{name}.conf"
        p.write_text(text)
        yield Case(name, "handcrafted probe", "probes", p)


def recorded_cases() -> Iterator[Case]:
    import csv

    def tsv(p: Path) -> list[dict[str, str]]:
        with p.open(newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))

    for row in tsv(SAMPLES / "verdicts.tsv"):
        yield Case(row["file"], "upstream sample", "samples", SAMPLES / row["file"],
                   int(row["exit_code"]))
    codes = {r["test"]: int(r["exit_code"]) for r in tsv(VALIDATION / "results.tsv")}
    for conf in sorted(VALIDATION.glob("*.conf")):
        yield Case(conf.stem, "validation fixture", "fixtures", conf, codes.get(conf.stem))


# -- running both sides -----------------------------------------------------------------------


def judge(cases: list[Case], ns: OracleNetns) -> None:
    old = os.environ.get("KACONF_INTERFACES")
    os.environ["KACONF_INTERFACES"] = ",".join(DEFAULT_INTERFACES)
    try:
        for c in cases:
            res = ns.check(c.path)
            c.exit_code, c.output = res.exit_code, res.output
            cwd = os.getcwd()
            os.chdir(c.path.parent)
            try:
                found = kaconf_findings(Path(c.path.name))
            finally:
                os.chdir(cwd)
            c.kaconf_errors = [str(d) for d in found if d.severity >= Severity.ERROR]
    finally:
        if old is None:
            os.environ.pop("KACONF_INTERFACES", None)
        else:
            os.environ["KACONF_INTERFACES"] = old


def render(cases: list[Case]) -> str:
    """The figures block written into docs/agreement.md."""
    lines = [BEGIN, ""]
    total = len(cases)
    agree = sum(c.agree for c in cases)
    lines.append(f"**Overall: {agree} / {total} agree ({100.0 * agree / total:.1f}%)** "
                 "(kaconf error ⇔ `keepalived -t` exit ≠ 0; keepalived 2.2.7)")
    lines.append("")
    lines.append("| group | category | agree / total |")
    lines.append("|---|---|---|")
    by: dict[tuple[str, str], list[Case]] = defaultdict(list)
    for c in cases:
        by[(c.group, c.category)].append(c)
    for (group, cat), cs in sorted(by.items()):
        lines.append(f"| {group} | {cat} | {sum(x.agree for x in cs)} / {len(cs)} |")
    bad = [c for c in cases if not c.agree]
    lines.append("")
    if bad:
        lines.append("Disagreements in this run:")
        lines.append("")
        for c in bad:
            ka = (c.output.strip().splitlines() or ["(nothing)"])[0][:150]
            kc = c.kaconf_errors[0][:150] if c.kaconf_errors else "(no error)"
            why = explain(c)
            lines.append(f"- `{c.name}` ({c.group}): keepalived exit {c.exit_code}: `{ka}`; "
                         f"kaconf: `{kc}` - {why}")
    else:
        lines.append("No disagreements in this run.")
    lines += ["", END]
    return "\n".join(lines)


def write_doc(block: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else f"# Agreement\n\n{BEGIN}\n{END}\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> list[Case]:
    reason = keepalived_available()
    if reason is not None:
        pytest.skip(f"keepalived oracle unavailable: {reason}")
    cases = list(recorded_cases())
    cases += list(generated_cases(tmp_path_factory.mktemp("variants")))
    cases += list(combined_cases(tmp_path_factory.mktemp("combined")))
    cases += list(probe_cases(tmp_path_factory.mktemp("probes")))
    # seeds never used while writing the rules: a held-out sample of the schema
    cases += list(fuzz_cases(tmp_path_factory.mktemp("fuzz"), n=600, seed=101))
    cases += list(value_block_cases(tmp_path_factory.mktemp("vb"), n=300, seed=7))
    with OracleNetns() as ns:
        judge(cases, ns)
    write_doc(render(cases))
    return cases


def test_recorded_verdicts_reproduced(results: list[Case]) -> None:
    """The oracle still gives the recorded exit codes (else the environment drifted)."""
    drift = [c.name for c in results if c.group in ("samples", "fixtures")
             and c.exit_code != c.expected_exit]
    assert not drift, f"oracle disagrees with the recordings for {drift}"


def test_recorded_inputs_agree(results: list[Case]) -> None:
    bad = [(c.name, c.exit_code, c.kaconf_errors[:1]) for c in results
           if c.group in ("samples", "fixtures") and not c.agree]
    assert not bad, bad


def test_probes_agree_or_are_known(results: list[Case]) -> None:
    """Every handcrafted probe agrees, or its disagreement is documented above."""
    bad = [(c.name, c.exit_code, (c.output.splitlines() or [""])[0], c.kaconf_errors[:1])
           for c in results if c.group == "probes" and not c.agree
           and c.name not in KNOWN_DISAGREEMENTS]
    assert not bad, bad


def test_generated_variants_agree(results: list[Case]) -> None:
    gen = [c for c in results if c.group == "generated"]
    assert len(gen) >= 200, f"only {len(gen)} generated variants"
    rate = sum(c.agree for c in gen) / len(gen)
    bad = [(c.name, c.exit_code, (c.output.splitlines() or [""])[0], c.kaconf_errors[:1])
           for c in gen if not c.agree]
    assert rate >= GENERATED_FLOOR, f"agreement {rate:.3f} below {GENERATED_FLOOR}: {bad}"


def test_schema_fuzz_agrees(results: list[Case]) -> None:
    fz = [c for c in results if c.group == "fuzz"]
    rate = sum(c.agree for c in fz) / len(fz)
    bad = [(c.name, c.exit_code, (c.output.splitlines() or [""])[0], c.kaconf_errors[:1])
           for c in fz if not c.agree]
    assert rate >= FUZZ_FLOOR, f"agreement {rate:.3f} below {FUZZ_FLOOR}: {bad}"
