"""The configurations tools/side_by_side.py runs under keepalived and ``kaconf run``.

Two sources: the VRRP configs of the corpus (tests/fixtures/corpus, /work/shared/corpus)
and a seeded generator of "published-style" configs: the seed pair (examples/serverA.conf,
serverB.conf) dressed up with what people put in the files they post and keepalived runs
with warnings (255 owners in BACKUP, nopreempt with state MASTER, sync groups, a tracked
interface that is down, /bin/true and /bin/false track scripts, unicast peers with ``/24``,
VRRPv3, vrrp_mcast_group4, missing notify scripts, no enable_script_security, long
auth_pass, duplicated keywords).

Pure logic, no I/O besides reading the corpus files: each :class:`Case` carries the
interfaces its namespace needs (which are down, which get an address) and how long the
daemons need to settle, so the runner only has to build what it is told.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIRS = (ROOT / "tests" / "fixtures" / "corpus" / "keepalived-samples",
               ROOT / "tests" / "fixtures" / "corpus" / "dumps",
               Path("/work/shared/corpus/keepalived-samples"),
               Path("/work/shared/corpus/dumps"))
EXAMPLES = ROOT / "examples"

#: Interfaces (and eth0's address) the corpus verdicts were recorded with (tests/oracle.py).
CORPUS_INTERFACES = ("eth0", "eth0.1", "eth1", "eth2", "eth3")
CORPUS_ADDRESS = "192.168.200.1/24"

#: Longest time a single node is given to settle (brief: 3 x advert_int + 2 s, at most 8 s).
MAX_SETTLE = 8.0


@dataclass(frozen=True)
class Case:
    """One config and the namespace it runs in."""

    name: str
    text: str
    interfaces: tuple[str, ...]
    #: interface -> address put on it before the daemon starts
    addresses: tuple[tuple[str, str], ...]
    #: interfaces left down (a tracked interface that is down)
    down: tuple[str, ...] = ()
    #: file name the config is written under (corpus files keep theirs: messages name it)
    filename: str = "keepalived.conf"

    @property
    def settle(self) -> float:
        """Seconds after the first state line until the outcome is read."""
        ints = [float(v) for v in re.findall(r"^\s*advert_int\s+([0-9.]+)", self.text, re.M)
                if _is_number(v)]
        advert = max([i for i in ints if 0 < i <= 255] or [1.0])
        return min(MAX_SETTLE, 3 * advert + 2)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------- corpus

_VIRTUAL_SERVER = re.compile(r"^\s*virtual_server(_group)?\b", re.M)
_VRRP_INSTANCE = re.compile(r"^\s*vrrp_instance\b", re.M)


def skip_reason(text: str) -> str | None:
    """Why a corpus config is not run side by side (None: it is)."""
    if _VIRTUAL_SERVER.search(text):
        return "virtual_server (IPVS is not in this kernel)"
    if not _VRRP_INSTANCE.search(text):
        return "no vrrp_instance"
    return None


def corpus_cases() -> tuple[list[Case], list[tuple[str, str]]]:
    """The corpus's VRRP configs (each file name once) and the skipped ones with reasons."""
    seen: set[str] = set()
    cases: list[Case] = []
    skipped: list[tuple[str, str]] = []
    for folder in CORPUS_DIRS:
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if not path.is_file() or path.suffix in {".md", ".tsv", ".dump", ".txt"}:
                continue
            if path.name in seen:
                continue
            seen.add(path.name)
            text = path.read_text(errors="replace")
            reason = skip_reason(text)
            if reason is not None:
                skipped.append((path.name, reason))
                continue
            cases.append(corpus_case(path.name, text))
    return cases, skipped


def corpus_case(name: str, text: str) -> Case:
    """A corpus config in the namespace its verdict was recorded in (plus what it names)."""
    names = list(CORPUS_INTERFACES)
    for ifname in named_interfaces(text):
        if ifname not in names:
            names.append(ifname)
    return Case(name=name, text=text, interfaces=tuple(names),
                addresses=(("eth0", CORPUS_ADDRESS),), filename=name)


_IFACE_WORD = re.compile(r"^[A-Za-z][A-Za-z0-9_.:-]{0,13}$")


def named_interfaces(text: str) -> list[str]:
    """Interface names a config mentions (``interface X``, ``dev X``, track_interface)."""
    found: list[str] = []

    def add(word: str) -> None:
        word = word.split(":")[0]
        if _IFACE_WORD.match(word) and word not in found:
            found.append(word)

    for m in re.finditer(r"\b(?:interface|dev)\s+(\S+)", text):
        add(m.group(1))
    for m in re.finditer(r"track_interface\s*\{([^}]*)\}", text):
        for line in m.group(1).splitlines():
            words = line.split("#")[0].split()
            if words:
                add(words[0])
    return found


# --------------------------------------------------------------------------- generator

EXAMPLE_ADDRESS = "10.1.10.117/24"
ETH1_ADDRESS = "10.2.0.1/24"
#: The generated configs' namespace: eth0 and eth1 with addresses, eth2 down (tracked).
GENERATED_INTERFACES = ("eth0", "eth1", "eth2")
GENERATED_ADDRESSES = (("eth0", EXAMPLE_ADDRESS), ("eth1", ETH1_ADDRESS))


def seed_cases() -> list[Case]:
    """The operator's own two files, as they are."""
    out = []
    for name in ("serverA.conf", "serverB.conf"):
        path = EXAMPLES / name
        if path.is_file():
            out.append(Case(name=f"examples/{name}", text=path.read_text(),
                            interfaces=("eth0",), addresses=(("eth0", EXAMPLE_ADDRESS),)))
    return out


def _script_blocks(rng: random.Random) -> tuple[str, list[str]]:
    """vrrp_script blocks for /bin/true and /bin/false, with random weights."""
    blocks: list[str] = []
    names: list[str] = []
    for name, cmd in (("chk_true", "/bin/true"), ("chk_false", "/bin/false"),
                      ("chk_haproxy", rng.choice(["killall -0 haproxy",
                                                  "/usr/local/bin/check_nginx.sh"]))):
        if rng.random() < 0.5:
            continue
        weight = rng.choice(["", "    weight 0\n", "    weight -20\n", "    weight 10\n",
                             "    weight -60\n"])
        fall = rng.choice(["", "    fall 2\n", "    fall 1\n    rise 1\n"])
        blocks.append(f"vrrp_script {name} {{\n    script \"{cmd}\"\n    interval 1\n"
                      f"{weight}{fall}}}\n")
        names.append(name)
    return "".join(blocks), names


def generated_case(index: int, rng: random.Random) -> Case:
    """One messy, published-style config built from random features (see module doc)."""
    features: list[str] = []
    lines = ["global_defs {", f"    router_id gen{index}"]
    if rng.random() < 0.3:
        lines.append("    enable_script_security")
        lines.append("    script_user root")
        features.append("script-security")
    if rng.random() < 0.25:
        lines.append("    vrrp_mcast_group4 224.0.0.19")
        features.append("mcast-group4")
    if rng.random() < 0.2:
        lines.append("    vrrp_version 3")
        features.append("global-v3")
    if rng.random() < 0.15:
        lines.append("    router_id duplicate_id")
        features.append("dup-router-id")
    lines.append("}")
    scripts, script_names = _script_blocks(rng)
    if script_names:
        features.append("scripts:" + "+".join(script_names))
    count = rng.choice([1, 1, 2, 2, 3])
    instances = [_instance(rng, index, n, script_names, features) for n in range(count)]
    body = "\n".join(lines) + "\n" + scripts + "".join(text for _, text in instances)
    if count >= 2 and rng.random() < 0.5:
        group = " ".join(name for name, _ in instances[:2])
        notify = rng.choice(["", "    notify_master /etc/keepalived/missing-group.sh\n"])
        body += f"vrrp_sync_group G{index} {{\n    group {{\n        {group}\n    }}\n{notify}}}\n"
        features.append("sync-group")
    name = f"gen{index:03d} ({', '.join(dict.fromkeys(features)) or 'plain'})"
    return Case(name=name, text=body, interfaces=GENERATED_INTERFACES,
                addresses=GENERATED_ADDRESSES, down=("eth2",))


def _instance(rng: random.Random, index: int, n: int, scripts: list[str],
              features: list[str]) -> tuple[str, str]:
    name = f"VI_{index}_{n}"
    iface = "eth0" if n == 0 or rng.random() < 0.7 else "eth1"
    state = rng.choice(["MASTER", "BACKUP", "BACKUP", None])
    priority = rng.choice([50, 99, 100, 150, 200, 255, 255, None])
    out = [f"vrrp_instance {name} {{"]
    if state:
        out.append(f"    state {state}")
    out.append(f"    interface {iface}")
    vrid = 10 + index % 200 + n
    out.append(f"    virtual_router_id {vrid}")
    if rng.random() < 0.1:
        out.append(f"    virtual_router_id {vrid + 100}")
        features.append("dup-vrid")
    if priority is not None:
        out.append(f"    priority {priority}")
        if priority == 255:
            features.append("owner")
    if rng.random() < 0.1:
        out.append("    priority 120")
        features.append("dup-priority")
    if rng.random() < 0.3:
        out.append("    nopreempt")
        features.append("nopreempt")
    out.append(f"    advert_int {rng.choice([1, 1, 1, 2])}")
    for _ in range(rng.choice([0, 0, 1, 2])):
        extra, tag = rng.choice(_OPTIONAL)
        out.append("    " + extra.format(iface=iface, n=n))
        features.append(tag)
    if rng.random() < 0.15:
        out.append("    version 3")
        features.append("v3")
    if rng.random() < 0.3:
        out.append("    authentication {\n        auth_type PASS\n"
                   f"        auth_pass {rng.choice(['secret123456', 'longpassword', 'k4c0nf'])}"
                   "\n    }")
        features.append("auth")
    if rng.random() < 0.3:
        src = EXAMPLE_ADDRESS if iface == "eth0" else ETH1_ADDRESS
        base = src.split("/")[0].rsplit(".", 1)[0]
        suffix = rng.choice(["", "/24"])
        out.append(f"    unicast_src_ip {src.split('/')[0]}")
        out.append(f"    unicast_peer {{\n        {base}.2{suffix}\n        {base}.3\n    }}")
        features.append("unicast" + ("/24" if suffix else ""))
    if rng.random() < 0.3:
        weight = rng.choice(["", " weight 0", " weight -30"])
        out.append(f"    track_interface {{\n        eth2{weight}\n    }}")
        features.append("track-down-if" + weight.replace(" ", "-"))
    chosen = [s for s in scripts if rng.random() < 0.8]
    if chosen:
        out.append("    track_script {")
        out.extend(f"        {s}" for s in chosen)
        out.append("    }")
        features.append("track:" + "+".join(chosen))
    if rng.random() < 0.3:
        out.append("    notify_master /etc/keepalived/notify_master.sh")
        out.append('    notify "/usr/local/bin/missing-notify.sh"')
        features.append("missing-notify")
    third = 240 + n
    net = "10.1.10" if iface == "eth0" else "10.2.0"
    vips = [f"        {net}.{third}/24"]
    if rng.random() < 0.3:
        vips.append(f"        192.168.{100 + n}.1/24 dev eth1 label eth1:vip")
        features.append("vip-dev")
    if rng.random() < 0.2:
        vips.append(f"        {net}.{third + 10}")
    out.append("    virtual_ipaddress {")
    out.extend(vips)
    out.append("    }")
    out.append("}")
    return name, "\n".join(out) + "\n"


#: Lines people paste into published instances (each with the feature tag it adds).
_OPTIONAL = (
    ("state master", "lowercase-state"),
    ("priority 256", "priority-256"),
    ("priority 0", "priority-0"),
    ("garp_master_delay 1", "garp-delay"),
    ("preempt_delay 2", "preempt-delay"),
    ("dont_track_primary", "dont-track-primary"),
    ("accept", "accept"),
    ("smtp_alert", "smtp-alert"),
    ("use_vmac", "vmac"),
    ("track_interface {{\n        eth9\n    }}", "track-missing-if"),
    ("unicast_peer {{\n        10.1.10.117\n    }}", "unicast-self-peer"),
    ("authentication {{\n        auth_type AH\n        auth_pass secret\n    }}", "auth-ah"),
    ("virtual_routes {{\n        10.9.{n}.0/24 via 10.1.10.1 dev eth0\n    }}", "vroutes"),
    ("lvs_sync_daemon_interface {iface}", "lvs-sync-if"),
    ("notify_stop /etc/keepalived/stop.sh", "missing-notify-stop"),
)


def generated_cases(seed: int, count: int) -> list[Case]:
    """``count`` generated configs; the same seed always gives the same files."""
    rng = random.Random(seed)
    return [generated_case(i, rng) for i in range(count)]


def seed_variants() -> list[Case]:
    """Hand-written variants of the seed pair for the features the brief lists."""
    a = (EXAMPLES / "serverA.conf").read_text() if (EXAMPLES / "serverA.conf").is_file() else ""
    if not a:
        return []
    variants = {
        "serverA owner 255": a.replace("priority 100", "priority 255"),
        "serverA state MASTER nopreempt": a.replace("state BACKUP", "state MASTER"),
        "serverA track_interface down": a.replace(
            "advert_int 1\n", "advert_int 1\ntrack_interface {\neth2\n}\n"),
        "serverA track_interface down weight": a.replace(
            "advert_int 1\n", "advert_int 1\ntrack_interface {\neth2 weight -20\n}\n"),
        "serverA track_script false": "vrrp_script chk {\nscript /bin/false\ninterval 1\n}\n"
        + a.replace("advert_int 1\n", "advert_int 1\ntrack_script {\nchk\n}\n"),
        "serverA track_script false weighted": "vrrp_script chk {\nscript /bin/false\n"
        "interval 1\nweight -50\n}\n"
        + a.replace("advert_int 1\n", "advert_int 1\ntrack_script {\nchk\n}\n"),
        "serverA track_script true": "global_defs {\nenable_script_security\n}\n"
        "vrrp_script chk {\nscript /bin/true\ninterval 1\n}\n"
        + a.replace("advert_int 1\n", "advert_int 1\ntrack_script {\nchk\n}\n"),
        "serverA unicast /24 peers": a.replace(
            "advert_int 1\n", "advert_int 1\nunicast_src_ip 10.1.10.117\n"
            "unicast_peer {\n10.1.10.185/24\n}\n"),
        "serverA VRRPv3": a.replace("advert_int 1\n", "advert_int 1\nversion 3\n"),
        "serverA long auth_pass": a.replace(
            "advert_int 1\n", "advert_int 1\nauthentication {\nauth_type PASS\n"
            "auth_pass 0123456789abc\n}\n"),
        "serverA missing notify": a.replace(
            "advert_int 1\n", "advert_int 1\nnotify_master /etc/keepalived/master.sh\n"),
        "serverA duplicate priority": a.replace("priority 100", "priority 100\npriority 30"),
        "serverA mcast_group4": a.replace("router_id aaa", "router_id aaa\n"
                                          "vrrp_mcast_group4 224.0.0.33"),
    }
    return [Case(name=name, text=text, interfaces=GENERATED_INTERFACES,
                 addresses=GENERATED_ADDRESSES, down=("eth2",))
            for name, text in variants.items()]
